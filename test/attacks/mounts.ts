/**
 * The extra mounts the attack table targets, built from plain JSON ({@link AttackEnv}) like the
 * conformance mounts (`../conformance/routes.ts`): web-standard only (no `node:` imports, no
 * runtime globals), so the Bun, Deno and workerd apps build them inside their runtime from the
 * JSON they receive (`../conformance/runtimes/runtime-app.ts`), and the in-process factories get
 * the very same specs from `fixture.ts`. Functions (the `/ec` revocation check) are made here,
 * from constants, never sent across.
 */
import type { TokenwardOptions } from '@tokenward/core';
import type { GuardSpec, MountEnv, MountSpec, RouteSpec } from '../conformance/routes.js';

/** Issuer of the `/hmac` mount (shared secret). */
export const HMAC_ISSUER = 'https://hmac.issuer.test';
/** The `/hmac` mount's secret (39 bytes). */
export const HMAC_SECRET = 'attack-suite-shared-hmac-secret-0123456';
/** Issuer of the `/ec` mount (ES256, local keys). */
export const EC_ISSUER = 'https://ec.issuer.test';
/** Issuer of the `/weak` mount, whose JWKS mixes unusable keys with one good key. */
export const WEAK_ISSUER = 'https://weak.issuer.test';
/** Issuers of the mounts whose key server misbehaves. */
export const SLOW_ISSUER = 'https://slow.issuer.test';
export const REDIRECT_ISSUER = 'https://redirect.issuer.test';
export const HTML_ISSUER = 'https://html.issuer.test';
/** The `jti` that the `/ec` mount's `isRevoked` treats as revoked. */
export const REVOKED_JTI = 'revoked-jti';

/** The public route every attack app has: answering 200 proves the app took the extra mounts. */
export const PROBE_PATH = '/atk/probe';

/** A JWKS document as the `jwks` option takes it. */
type JwksDocument = Extract<NonNullable<TokenwardOptions['jwks']>, { keys: unknown }>;

/** What the attack mounts depend on beyond the conformance environment: plain JSON. */
export interface AttackMountEnv {
  /** The trusted issuer's JWKS URL (the `/atk`, `/life`, `/strict`, `/big` mounts name it). */
  readonly trustedJwksUri: string;
  /** The `/ec` issuer's public keys (configured locally: that issuer does not listen). */
  readonly ecJwks: JwksDocument;
  /** Key-server URLs on 127.0.0.1 of the `/weak`, `/slow`, `/redirect` and `/html` mounts. */
  readonly weakJwksUri: string;
  readonly slowJwksUri: string;
  readonly redirectJwksUri: string;
  readonly htmlJwksUri: string;
}

/** The conformance environment plus the attack mounts' (what every attack app receives). */
export interface AttackEnv extends MountEnv {
  readonly attack: AttackMountEnv;
}

const URL_KEYS = [
  'trustedJwksUri',
  'weakJwksUri',
  'slowJwksUri',
  'redirectJwksUri',
  'htmlJwksUri',
] as const;

/**
 * Whether a received environment carries the attack mounts' part (the conformance suite sends
 * none); a present but incomplete part is an error, not a silent fallback to fewer mounts.
 */
export function hasAttackEnv(env: MountEnv): env is AttackEnv {
  const attack = (env as { attack?: unknown }).attack;
  if (attack === undefined) return false;
  const part = (attack ?? {}) as Partial<Record<keyof AttackMountEnv, unknown>>;
  for (const key of URL_KEYS) {
    if (typeof part[key] !== 'string') throw new TypeError(`attack env: ${key} is missing`);
  }
  const ec = part.ecJwks as { keys?: unknown } | undefined;
  if (!Array.isArray(ec?.keys)) throw new TypeError('attack env: ecJwks is missing');
  return true;
}

const requireAuth: GuardSpec = { guard: 'requireAuth' };
const authOnly: readonly RouteSpec[] = [{ path: '/auth', methods: ['GET'], guards: [requireAuth] }];

/**
 * The mounts only the attack table uses:
 *
 * - `/atk`: the trusted issuer (explicit jwksUri) with requirements named after `Object.prototype`
 *   members, and the probe route;
 * - `/dopt`: optional authentication while the key server is down (closed port);
 * - `/hmac`: a shared-secret issuer; `/ec`: an ES256 issuer with local keys and a revocation check;
 * - `/life`: `maxTokenLifetime` 1 h and `maxTokenAge` 1 day; `/strict`: `tokenType: 'rfc9068'`;
 * - `/big`: `maxTokenLength` 64 KiB;
 * - `/weak`: a JWKS mixing unusable keys (weak, symmetric, encryption-only, wrong alg) with one
 *   good key; `/slow`, `/redirect`, `/html`: key servers that time out, redirect, answer HTML.
 */
export function attackMounts(env: AttackEnv): MountSpec[] {
  const { audience, attack } = env;
  const trusted = { issuer: env.trustedIssuer, audience, jwksUri: attack.trustedJwksUri };
  const failing = { keySet: { timeout: 250, failureBackoff: 500, maxFailureBackoff: 500 } };
  return [
    {
      name: 'atk',
      prefix: '/atk',
      options: { ...trusted, organizationTokens: true },
      routes: [
        { path: '/probe', methods: ['GET'], guards: [] },
        {
          path: '/proto-scope',
          methods: ['GET'],
          guards: [requireAuth, { guard: 'requireScope', names: ['constructor'] }],
        },
        {
          path: '/proto-role',
          methods: ['GET'],
          guards: [requireAuth, { guard: 'requireRole', names: ['__proto__'] }],
        },
        {
          path: '/proto-claim',
          methods: ['GET'],
          guards: [
            requireAuth,
            { guard: 'requireClaim', name: 'constructor', matcher: { equals: 'yes' } },
          ],
        },
      ],
    },
    {
      name: 'optional-down',
      prefix: '/dopt',
      options: { issuer: env.trustedIssuer, audience, jwksUri: env.closedJwksUri },
      routes: [
        { path: '/optional', methods: ['GET'], guards: [{ guard: 'requireAuth', optional: true }] },
      ],
    },
    {
      name: 'hmac',
      prefix: '/hmac',
      options: { issuer: HMAC_ISSUER, audience, secret: HMAC_SECRET },
      routes: authOnly,
    },
    {
      name: 'ec',
      prefix: '/ec',
      options: {
        issuer: EC_ISSUER,
        audience,
        jwks: attack.ecJwks,
        isRevoked: (auth) => auth.tokenId === REVOKED_JTI,
      },
      routes: authOnly,
    },
    {
      name: 'life',
      prefix: '/life',
      options: { ...trusted, maxTokenLifetime: 3600, maxTokenAge: 86_400 },
      routes: authOnly,
    },
    {
      name: 'strict',
      prefix: '/strict',
      options: { ...trusted, tokenType: 'rfc9068' },
      routes: authOnly,
    },
    {
      name: 'big',
      prefix: '/big',
      options: { ...trusted, maxTokenLength: 65_536 },
      routes: authOnly,
    },
    {
      name: 'weak',
      prefix: '/weak',
      options: { issuer: WEAK_ISSUER, audience, jwksUri: attack.weakJwksUri },
      routes: authOnly,
    },
    {
      name: 'slow',
      prefix: '/slow',
      options: { issuer: SLOW_ISSUER, audience, jwksUri: attack.slowJwksUri, ...failing },
      routes: authOnly,
    },
    {
      name: 'redirect',
      prefix: '/redirect',
      options: { issuer: REDIRECT_ISSUER, audience, jwksUri: attack.redirectJwksUri, ...failing },
      routes: authOnly,
    },
    {
      name: 'html',
      prefix: '/html',
      options: { issuer: HTML_ISSUER, audience, jwksUri: attack.htmlJwksUri, ...failing },
      routes: authOnly,
    },
  ];
}
