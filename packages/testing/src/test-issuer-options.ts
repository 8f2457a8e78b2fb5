import type { TestAlgorithm } from './test-algorithm.js';

/** Options of `createTestIssuer`. */
export interface TestIssuerOptions {
  /** Signing algorithm of the issuer's keys (current, rotated and foreign). Default `'RS256'`. */
  algorithm?: TestAlgorithm;
  /**
   * Issuer identifier: the exact `iss` of minted tokens and the base of the published URLs. An
   * absolute URL without query or fragment; it may have a path (e.g. `'http://127.0.0.1:1234/oidc'`),
   * and then the HTTP server serves the documents under that path. A string starting with `'/'` is
   * a path appended to the server origin when listening, or to `'https://issuer.test'` otherwise.
   * With an absolute URL, making its origin reach the server (e.g. with `port`) is up to you.
   * Default: the server origin `http://127.0.0.1:<port>` when listening; otherwise `'https://issuer.test'`.
   */
  issuer?: string;
  /** Default `aud` of minted tokens: an API resource identifier, or several. Default `'https://api.example.test'`. */
  audience?: string | string[];
  /** Start a real HTTP server bound to 127.0.0.1 serving discovery and JWKS. Default `true`. */
  listen?: boolean;
  /** TCP port of the HTTP server; ignored when not listening. Default `0` (a free port picked by the OS). */
  port?: number;
  /** Default token lifetime (`exp - iat`), in seconds; a positive integer. Default `300`. */
  expiresIn?: number;
  /** Clock used for `iat`, `exp`, `nbf` and `auth_time`, in milliseconds since the epoch. Default `Date.now`. */
  now?: () => number;
}
