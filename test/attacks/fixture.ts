/**
 * The attack table's world: the conformance issuers (the trusted one publishing two keys, so a
 * token without `kid` is ambiguous), an ES256 issuer, an HMAC issuer, a key server under our
 * control, a canary server that must never be contacted, and the extra mounts the rows target.
 *
 * The mounts are `buildMounts(env)` (the conformance configurations, which the out-of-process
 * runtimes build themselves) plus {@link attackMounts}, which only in-process factories can take.
 */
import { createKeyPair, createTestIssuer, type TestIssuer, type TestKey } from '@tokenward/testing';
import { AUDIENCE } from '../conformance/cases.js';
import {
  buildMounts,
  type GuardSpec,
  type MountEnv,
  type MountSpec,
  type RouteSpec,
} from '../conformance/routes.js';
import { type FaultServer, jwks, startFaultServer } from './fault-server.js';
import { b64u, type SigningKey, weakRsaKey } from './forge.js';

export { AUDIENCE };

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

/** The keys published by the `/weak` mount's JWKS, by role. */
export interface WeakKeys {
  /** 1024-bit RSA (kid `weak`): skipped as too weak. */
  readonly weak: SigningKey;
  /** `oct` key material (kid `sym`): skipped, never an HMAC secret. */
  readonly sym: Uint8Array;
  /** RSA with `use: enc` (kid `enc`): skipped. */
  readonly enc: TestKey;
  /** RSA with `key_ops: ['encrypt']` (kid `ops`): skipped. */
  readonly ops: TestKey;
  /** An EC P-256 key published with `alg: RS256` (kid `mismatch`): fits no algorithm. */
  readonly mismatch: TestKey;
  /** A usable RSA key (kid `good`). */
  readonly good: TestKey;
  /** One of two different keys published under the same kid `dup`. */
  readonly dup: TestKey;
}

export interface AttackFixture {
  /** The API's issuer (discovery and JWKS on 127.0.0.1); publishes two RS256 keys. */
  readonly trusted: TestIssuer;
  /** A live issuer the API does not trust. */
  readonly stranger: TestIssuer;
  /** The conformance `/faulty` issuer: its JWKS answers 500. */
  readonly faulty: TestIssuer;
  /** The `/ec` mount's ES256 issuer (not listening: its keys are configured locally). */
  readonly ec: TestIssuer;
  /** Must never receive a request (targets of `jku`, `x5u`, `iss`). */
  readonly canary: FaultServer;
  /** Serves the `/weak`, `/slow`, `/redirect` and `/html` mounts' key sets. */
  readonly keys: FaultServer;
  readonly weakKeys: WeakKeys;
  /** An unpublished RS256 key. */
  readonly attacker: TestKey;
  /** The conformance environment (what out-of-process runtimes receive). */
  readonly env: MountEnv;
}

/** Names of the servers a row can require to stay untouched. */
export type Untouchable = 'trusted' | 'stranger' | 'faulty' | 'canary';

/** Requests received so far by each server a row can require to stay untouched. */
export function requestCounts(fx: AttackFixture): Record<Untouchable, number> {
  return {
    trusted: fx.trusted.requestCount(),
    stranger: fx.stranger.requestCount(),
    faulty: fx.faulty.requestCount(),
    canary: fx.canary.count(),
  };
}

async function closedPortUrl(): Promise<string> {
  const probe = await startFaultServer();
  const url = probe.url('/jwks');
  await probe.close();
  return url;
}

export async function createAttackFixture(): Promise<AttackFixture> {
  const [trusted, stranger, faulty, ec, canary, keys] = await Promise.all([
    createTestIssuer({ audience: AUDIENCE }),
    createTestIssuer({ audience: AUDIENCE }),
    createTestIssuer({ audience: AUDIENCE }),
    createTestIssuer({ audience: AUDIENCE, algorithm: 'ES256', issuer: EC_ISSUER, listen: false }),
    startFaultServer(),
    startFaultServer(),
  ]);
  // Two published keys from the start, so that a token without kid is ambiguous on every mount.
  await trusted.rotateKeys();
  faulty.setFault('/jwks', { status: 500 });

  const [weak, enc, ops, mismatch, good, attacker, dupA, dupB] = await Promise.all([
    weakRsaKey('weak'),
    createKeyPair('RS256', 'enc'),
    createKeyPair('RS256', 'ops'),
    createKeyPair('ES256', 'mismatch'),
    createKeyPair('RS256', 'good'),
    createKeyPair('RS256', 'attacker'),
    createKeyPair('RS256', 'dup'),
    createKeyPair('RS256', 'dup'),
  ]);
  const sym = new TextEncoder().encode('a-symmetric-key-in-a-public-jwks!');
  keys.set(
    '/weak/jwks',
    jwks([
      { ...weak.publicJwk, kid: 'weak', alg: 'RS256', use: 'sig' },
      { kty: 'oct', kid: 'sym', alg: 'HS256', k: b64u(sym) },
      { ...enc.publicJwk, use: 'enc', alg: undefined },
      { ...ops.publicJwk, use: undefined, key_ops: ['encrypt'] },
      { ...mismatch.publicJwk, alg: 'RS256' },
      good.publicJwk,
      // Two different keys published under one kid.
      { ...dupA.publicJwk, kid: 'dup' },
      { ...dupB.publicJwk, kid: 'dup' },
    ]),
  );
  // Never answers within the mount's keySet.timeout.
  keys.set('/slow/jwks', {
    kind: 'delay',
    ms: 5_000,
    answer: jwks([trusted.currentKey.publicJwk]),
  });
  // A redirect to perfectly good keys: must not be followed.
  keys.set('/redirect/jwks', { kind: 'redirect', status: 302, location: trusted.jwksUri });
  keys.set('/html/jwks', {
    kind: 'raw',
    status: 200,
    headers: { 'content-type': 'text/html' },
    body: '<!doctype html><html><body><form action="/login"></form></body></html>',
  });

  const env: MountEnv = {
    trustedIssuer: trusted.issuer,
    faultyIssuer: faulty.issuer,
    audience: AUDIENCE,
    closedJwksUri: await closedPortUrl(),
  };
  return {
    trusted,
    stranger,
    faulty,
    ec,
    canary,
    keys,
    weakKeys: { weak, sym, enc, ops, mismatch, good, dup: dupA },
    attacker,
    env,
  };
}

export async function closeAttackFixture(fx: AttackFixture | undefined): Promise<void> {
  if (fx === undefined) return;
  await Promise.all([
    fx.trusted.close(),
    fx.stranger.close(),
    fx.faulty.close(),
    fx.ec.close(),
    fx.canary.close(),
    fx.keys.close(),
  ]);
}

const requireAuth: GuardSpec = { guard: 'requireAuth' };
const authOnly: readonly RouteSpec[] = [{ path: '/auth', methods: ['GET'], guards: [requireAuth] }];

/** The public route every attack app has: answering 200 proves the app took the extra mounts. */
export const PROBE_PATH = '/atk/probe';

/**
 * The mounts only the attack table uses (in-process factories only):
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
export function attackMounts(fx: AttackFixture): MountSpec[] {
  const trusted = { issuer: fx.trusted.issuer, audience: AUDIENCE, jwksUri: fx.trusted.jwksUri };
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
      options: {
        issuer: fx.trusted.issuer,
        audience: AUDIENCE,
        jwksUri: fx.env.closedJwksUri,
      },
      routes: [
        { path: '/optional', methods: ['GET'], guards: [{ guard: 'requireAuth', optional: true }] },
      ],
    },
    {
      name: 'hmac',
      prefix: '/hmac',
      options: { issuer: HMAC_ISSUER, audience: AUDIENCE, secret: HMAC_SECRET },
      routes: authOnly,
    },
    {
      name: 'ec',
      prefix: '/ec',
      options: {
        issuer: EC_ISSUER,
        audience: AUDIENCE,
        jwks: fx.ec.jwks(),
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
      options: { issuer: WEAK_ISSUER, audience: AUDIENCE, jwksUri: fx.keys.url('/weak/jwks') },
      routes: authOnly,
    },
    {
      name: 'slow',
      prefix: '/slow',
      options: {
        issuer: SLOW_ISSUER,
        audience: AUDIENCE,
        jwksUri: fx.keys.url('/slow/jwks'),
        ...failing,
      },
      routes: authOnly,
    },
    {
      name: 'redirect',
      prefix: '/redirect',
      options: {
        issuer: REDIRECT_ISSUER,
        audience: AUDIENCE,
        jwksUri: fx.keys.url('/redirect/jwks'),
        ...failing,
      },
      routes: authOnly,
    },
    {
      name: 'html',
      prefix: '/html',
      options: {
        issuer: HTML_ISSUER,
        audience: AUDIENCE,
        jwksUri: fx.keys.url('/html/jwks'),
        ...failing,
      },
      routes: authOnly,
    },
  ];
}

/** Every mount an in-process app gets: the conformance ones, then the attack ones. */
export function allMounts(fx: AttackFixture): MountSpec[] {
  return [...buildMounts(fx.env), ...attackMounts(fx)];
}

/** Route patterns (with prefix) of the conformance mounts: what every runtime serves. */
export function conformanceRoutes(env: MountEnv): Set<string> {
  return new Set(buildMounts(env).flatMap((m) => m.routes.map((r) => `${m.prefix}${r.path}`)));
}

/** Route patterns (with prefix) of every mount. */
export function allRoutes(fx: AttackFixture): Set<string> {
  return new Set(allMounts(fx).flatMap((m) => m.routes.map((r) => `${m.prefix}${r.path}`)));
}
