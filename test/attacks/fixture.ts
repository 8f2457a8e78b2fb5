/**
 * The attack table's world: the conformance issuers (the trusted one publishing two keys, so a
 * token without `kid` is ambiguous), an ES256 issuer, an HMAC issuer, a key server under our
 * control, a canary server that must never be contacted, and the extra mounts the rows target.
 *
 * The mounts are `buildMounts(env)` (the conformance configurations) plus `attackMounts(env)`
 * (`mounts.ts`), both built from plain JSON: in-process factories take them from here, the Bun,
 * Deno and workerd apps build them from `env` inside their runtime.
 */
import { createKeyPair, createTestIssuer, type TestIssuer, type TestKey } from '@tokenward/testing';
import { AUDIENCE } from '../conformance/cases.js';
import { buildMounts, type MountSpec } from '../conformance/routes.js';
import { type FaultServer, jwks, startFaultServer } from './fault-server.js';
import { b64u, type SigningKey, weakRsaKey } from './forge.js';
import { type AttackEnv, attackMounts, EC_ISSUER } from './mounts.js';

export {
  EC_ISSUER,
  HMAC_ISSUER,
  HMAC_SECRET,
  HTML_ISSUER,
  PROBE_PATH,
  REDIRECT_ISSUER,
  REVOKED_JTI,
  SLOW_ISSUER,
  WEAK_ISSUER,
} from './mounts.js';
export { AUDIENCE };

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
  /**
   * The conformance environment plus the attack mounts' part: plain JSON, what the Bun, Deno and
   * workerd apps receive to build every mount themselves.
   */
  readonly env: AttackEnv;
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

  const env: AttackEnv = {
    trustedIssuer: trusted.issuer,
    faultyIssuer: faulty.issuer,
    audience: AUDIENCE,
    closedJwksUri: await closedPortUrl(),
    attack: {
      trustedJwksUri: trusted.jwksUri,
      ecJwks: ec.jwks(),
      weakJwksUri: keys.url('/weak/jwks'),
      slowJwksUri: keys.url('/slow/jwks'),
      redirectJwksUri: keys.url('/redirect/jwks'),
      htmlJwksUri: keys.url('/html/jwks'),
    },
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

/**
 * Every mount an attack app gets: the conformance ones, then the attack ones. In-process factories
 * take these; the Bun, Deno and workerd apps build the same list from `fx.env` in their runtime.
 */
export function allMounts(fx: AttackFixture): MountSpec[] {
  return [...buildMounts(fx.env), ...attackMounts(fx.env)];
}

/** Route patterns (with prefix) of every mount. */
export function allRoutes(fx: AttackFixture): Set<string> {
  return new Set(allMounts(fx).flatMap((m) => m.routes.map((r) => `${m.prefix}${r.path}`)));
}
