import type { JWK } from 'jose';
import type { MintOptions } from './mint-options.js';
import type { TestAlgorithm } from './test-algorithm.js';
import type { TestFault } from './test-fault.js';
import type { TestKey } from './test-key.js';
import type { TestTokens } from './test-tokens.js';

/** A local OAuth 2.0 / OpenID Connect issuer for tests and demos. Create one with `createTestIssuer`. */
export interface TestIssuer {
  /** Issuer identifier, exactly as in the `iss` of minted tokens and in the discovery documents. */
  readonly issuer: string;
  /** `${issuer}/jwks`, with the issuer's trailing slashes removed. */
  readonly jwksUri: string;
  /** `${issuer}/.well-known/openid-configuration`, with the issuer's trailing slashes removed. */
  readonly discoveryUri: string;
  /** RFC 8414 metadata URL: `<issuer origin>/.well-known/oauth-authorization-server<issuer path>`. */
  readonly authorizationServerMetadataUri: string;
  /** Default `aud` of minted tokens. */
  readonly audience: string | string[];
  /** Origin of the HTTP server (e.g. `http://127.0.0.1:54321`) when listening; otherwise `undefined`. */
  readonly url: string | undefined;
  /** Algorithm of the issuer's keys. */
  readonly algorithm: TestAlgorithm;
  /** The key tokens are signed with now; changes on `rotateKeys()`. */
  readonly currentKey: TestKey;
  /** The published public keys, oldest first, as a fresh JWKS object. */
  jwks(): { keys: JWK[] };
  /**
   * Mints a signed access token (RFC 9068). Default header: `{ alg, typ: 'at+jwt', kid }` of the
   * signing key. Default claims: `iss`, `aud` (the issuer's audience), `sub: 'user-123'`,
   * `client_id: 'client-abc'`, `iat` now, `exp` now + `expiresIn`, a random `jti`; no `scope`.
   * `claims` override the defaults; a claim set to `undefined` is removed (e.g. `{ exp: undefined }`).
   * Claim values are serialized as given, so malformed values are possible.
   */
  mintToken(claims?: Record<string, unknown>, options?: MintOptions): Promise<string>;
  /**
   * Generates a new key of the issuer's algorithm, publishes it after the old ones, and signs with
   * it from now on. With `retireOld: true` (default `false`), the older keys are unpublished.
   * Returns the new key.
   */
  rotateKeys(options?: { retireOld?: boolean }): Promise<TestKey>;
  /** Creates a key this issuer never publishes. `alg` defaults to the issuer's algorithm. */
  createForeignKey(alg?: TestAlgorithm): Promise<TestKey>;
  /**
   * A `fetch` answering the issuer's discovery, metadata and JWKS URLs in memory (no network), on
   * any runtime. Requests are counted and faults applied as for the HTTP server. Any other origin
   * or path gets a 404 response; only requests to the issuer's origin are counted.
   */
  readonly fetch: typeof fetch;
  /**
   * Requests answered so far (HTTP server and in-memory fetch together, faulted and 404 ones
   * included) for a URL path such as `'/jwks'` or `'/.well-known/openid-configuration'`; for all
   * paths when `path` is omitted.
   */
  requestCount(path?: string): number;
  /**
   * Sets the fault applied to requests for a URL path (e.g. `'/jwks'`; include the issuer's path if
   * it has one, as in `requestCount`), on the HTTP server and the in-memory fetch alike; `undefined`
   * clears it. A fault is read when a request arrives.
   */
  setFault(path: string, fault: TestFault | undefined): void;
  /** Tokens that are wrong in exactly one way. */
  readonly tokens: TestTokens;
  /** Stops the HTTP server, if any, dropping open connections. Idempotent. The in-memory fetch keeps working. */
  close(): Promise<void>;
}
