import type { TestKey } from './test-key.js';

/** Options of `TestIssuer.mintToken`. */
export interface MintOptions {
  /**
   * Protected header members to add or override, e.g. `{ typ: 'JWT' }` or `{ kid: 'x' }`. A member
   * set to `undefined` is removed (e.g. `{ kid: undefined }` gives a token without `kid`).
   * `alg` cannot be overridden (it is always the signing key's algorithm); use `TestIssuer.tokens`
   * for algorithm tricks. Default: `{ alg, typ: 'at+jwt', kid }` of the signing key.
   */
  header?: Record<string, unknown>;
  /**
   * Sign with this key instead of the issuer's current key, e.g. one from
   * `TestIssuer.createForeignKey()`. The header `kid` defaults to this key's `kid`.
   * Default: `TestIssuer.currentKey`.
   */
  key?: TestKey;
}
