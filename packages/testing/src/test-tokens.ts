import { computeAtHash } from './compute-at-hash.js';
import {
  type ClaimContext,
  DEFAULT_CLIENT_ID,
  defaultAccessTokenClaims,
} from './default-claims.js';
import { forgeAlgNoneToken } from './forge-alg-none-token.js';
import { forgeHs256Token } from './forge-hs256-token.js';
import type { MintOptions } from './mint-options.js';
import { randomId } from './random-id.js';
import type { TestKey } from './test-key.js';

/**
 * Tokens that are wrong in exactly one way: everything else is valid for the issuer and its
 * default audience at the issuer's current time. Each call mints a new token.
 */
export interface TestTokens {
  /** A valid access token; `claims` override the defaults like `TestIssuer.mintToken`. */
  valid(claims?: Record<string, unknown>): Promise<string>;
  /** `exp` 1 hour in the past, `iat` `expiresIn` seconds before `exp`. */
  expired(): Promise<string>;
  /** `nbf` 1 hour in the future; `exp` `expiresIn` seconds after `nbf`. */
  notYetValid(): Promise<string>;
  /** `aud` is `'https://other-api.example.test'`. */
  wrongAudience(): Promise<string>;
  /** `iss` is the issuer with `'/evil'` appended (trailing slashes removed first); signed by the real key. */
  wrongIssuer(): Promise<string>;
  /** Signed by an unpublished key of the same algorithm, with the `kid` of the current key. */
  foreignKey(): Promise<string>;
  /** Unsecured: header `{ alg: 'none', typ: 'at+jwt' }` and an empty signature (`xxx.yyy.`). */
  algNone(): Promise<string>;
  /**
   * The key-confusion attack: `alg: 'HS256'`, `kid` of the current key, MACed with the current
   * public key's SPKI PEM (as jose `exportSPKI` returns it, no trailing newline) as HMAC secret.
   */
  hs256WithPublicKey(): Promise<string>;
  /**
   * An OIDC ID token sent as an access token: header `typ: 'JWT'`, `aud` is the API audience (the
   * worst case), with `nonce`, `at_hash` (of a valid access token), `auth_time` and `azp`
   * (`'client-abc'`); no `client_id`, `jti` or `scope`.
   */
  idToken(): Promise<string>;
  /** No `exp` claim. */
  missingExp(): Promise<string>;
}

/** What the token factory needs from the issuer. @internal */
export interface TestTokensContext {
  /** The current claim context (time, issuer, audience, lifetime). */
  claimContext(): ClaimContext;
  /** The current signing key. */
  currentKey(): TestKey;
  /** An unpublished key of the issuer's algorithm. */
  foreignKey(): Promise<TestKey>;
  /** `TestIssuer.mintToken`. */
  mint(claims?: Record<string, unknown>, options?: MintOptions): Promise<string>;
}

/** Audience of `wrongAudience()` tokens. @internal */
export const OTHER_AUDIENCE = 'https://other-api.example.test';

const HOUR = 3600;

/**
 * Creates the {@link TestTokens} of an issuer.
 *
 * @internal
 */
export function createTestTokens(context: TestTokensContext): TestTokens {
  const { mint } = context;
  const validClaims = (): Record<string, unknown> =>
    defaultAccessTokenClaims(context.claimContext());
  return {
    valid: (claims) => mint(claims),
    expired: () => {
      const { nowSeconds, expiresIn } = context.claimContext();
      const exp = nowSeconds - HOUR;
      return mint({ iat: exp - expiresIn, exp });
    },
    notYetValid: () => {
      const { nowSeconds, expiresIn } = context.claimContext();
      const nbf = nowSeconds + HOUR;
      return mint({ nbf, exp: nbf + expiresIn });
    },
    wrongAudience: () => mint({ aud: OTHER_AUDIENCE }),
    wrongIssuer: () => mint({ iss: `${context.claimContext().issuer.replace(/\/+$/, '')}/evil` }),
    foreignKey: async () =>
      mint({}, { key: await context.foreignKey(), header: { kid: context.currentKey().kid } }),
    algNone: async () => forgeAlgNoneToken(validClaims()),
    hs256WithPublicKey: () => forgeHs256Token(context.currentKey(), validClaims()),
    idToken: async () => {
      const { nowSeconds } = context.claimContext();
      const accessToken = await mint();
      const atHash = await computeAtHash(accessToken, context.currentKey().alg);
      const claims = {
        auth_time: nowSeconds,
        nonce: randomId(),
        at_hash: atHash,
        azp: DEFAULT_CLIENT_ID,
        client_id: undefined,
        jti: undefined,
      };
      return mint(claims, { header: { typ: 'JWT' } });
    },
    missingExp: () => mint({ exp: undefined }),
  };
}
