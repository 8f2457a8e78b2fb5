import { KeyFetchError } from './fetch-json.js';

/**
 * A key-set failure that is a configuration problem rather than an outage: the discovery document
 * names another issuer (`discovery_issuer_mismatch`), or the key set holds no usable signature
 * key (`key_set_unusable`). Still a {@link KeyFetchError} (the key set retries with backoff, in
 * case the server side is fixed). A request that meets it is answered the ordinary key-set 503
 * (`keys_unavailable`, `Retry-After`, nothing about the configuration in the body) whose `cause`
 * is this error; the operator is told instead: logged once as an error naming the option and both
 * values, and `warmup()` throws a `ConfigurationError`.
 */
export class KeySetMisconfiguration extends KeyFetchError {
  /** Stable reason. */
  readonly code: 'discovery_issuer_mismatch' | 'key_set_unusable';
  /** The configured issuer whose key set failed. */
  readonly issuer: string;
  /** What disagrees, with both values (URLs included): for startup errors and logs only. */
  readonly detail: string;
  /** The values that disagree. */
  readonly details: Readonly<Record<string, unknown>>;

  /** @param message safe, short (no URL): surfaces in `status().lastError`. */
  constructor(
    code: KeySetMisconfiguration['code'],
    message: string,
    issuer: string,
    detail: string,
    details: Readonly<Record<string, unknown>>,
  ) {
    super(message);
    this.code = code;
    this.issuer = issuer;
    this.detail = detail;
    this.details = details;
  }
}

/** The key set at `url` has `count` entries and none is a usable public signature key. */
export function unusableKeySet(issuer: string, url: string, count: number): KeySetMisconfiguration {
  return new KeySetMisconfiguration(
    'key_set_unusable',
    'the key set has no usable signature key',
    issuer,
    `the key set ${url} of the issuer ${JSON.stringify(issuer)} has ${count} key(s) and none is ` +
      'a usable public signature key (RSA of at least 2048 bits, EC P-256/P-384/P-521 or ' +
      'Ed25519, with "use" absent or "sig"). Check that it is the issuer\'s JWKS.',
    { issuer, jwksUri: url, keys: count },
  );
}
