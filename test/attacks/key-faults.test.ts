/**
 * Key server faults through real HTTP, on every in-process adapter: a fault-injecting JWKS and
 * discovery server on 127.0.0.1 (`fault-server.ts`) behind one tokenward configuration per
 * scenario, each with its own paths (so request counts are per adapter and scenario), its own
 * controllable clock and an `onKeySetEvent` log.
 *
 * Whatever the key server does, a request with a token whose keys cannot be had answers 503 with
 * `Retry-After` — never 401, never 500 — within a bound (5 × `keySet.timeout`: a hang detector,
 * not a performance threshold), and nothing is fetched more than single-flight, cooldown and
 * backoff allow. Apps running out of process (Bun, Deno, workerd) cannot take these mounts.
 */
import type { KeySetEvent, KeySetOptions, TokenwardOptions } from '@tokenward/core';
import { createTestIssuer, type TestIssuer } from '@tokenward/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AUDIENCE } from '../conformance/cases.js';
import type { AppFactory, ConformanceApp, MountSpec } from '../conformance/routes.js';
import { headerLines, nextCaseId, type RawResponse, send } from '../helpers/wire.js';
import { discovery, type FaultServer, json, jwks, startFaultServer } from './fault-server.js';
import {
  bearer,
  expectCleanRefusal,
  expectUnavailable,
  loadFactories,
  OUT_OF_PROCESS,
} from './harness.js';

/** `keySet.timeout` of every scenario, in ms. */
const TIMEOUT = 250;
/** The hang detector: any answer must come within this many ms. */
const BOUND = 5 * TIMEOUT;
const BACKOFF = 1_000;
const MAX_BACKOFF = 4_000;
const COOLDOWN = 30_000;

/** Real time plus a controllable offset: time flows, and can jump ahead. */
class Clock {
  #offset = 0;
  readonly now = (): number => Date.now() + this.#offset;
  advance(ms: number): void {
    this.#offset += ms;
  }
}

interface ScenarioSpec {
  readonly id: string;
  /** Keys found by discovery from an issuer on the fault server (else an explicit jwksUri). */
  readonly discovery?: boolean;
  readonly keySet?: KeySetOptions;
  /** Extra options (e.g. an injected fetch or another jwksUri). */
  readonly extra?: (state: Scenario) => Partial<TokenwardOptions>;
}

/** One scenario on one adapter. */
interface Scenario {
  readonly id: string;
  /** Mount prefix. */
  readonly prefix: string;
  readonly issuer: string;
  /** Fault-server paths. */
  readonly jwksPath: string;
  readonly oidcPath: string;
  readonly oauthPath: string;
  readonly clock: Clock;
  readonly events: KeySetEvent[];
}

const STATUSES = [500, 502, 503, 504, 404, 401, 403, 429, 204, 201, 206] as const;
const REDIRECTS = [301, 302, 303, 307, 308] as const;
const BAD_JWKS_URIS: readonly [string, (s: Scenario) => unknown][] = [
  ['ftp scheme', (s) => server.url(s.jwksPath).replace('http:', 'ftp:')],
  ['plain http on a public host', () => 'http://keys.example.com/jwks'],
  ['credentials in the URL', (s) => server.url(s.jwksPath).replace('//', '//user:pw@')],
  ['a fragment', (s) => `${server.url(s.jwksPath)}#keys`],
  ['a relative URL', (s) => s.jwksPath],
  ['file:', () => 'file:///etc/passwd'],
  ['javascript:', () => 'javascript:alert(1)'],
  ['an array of URLs', (s) => [server.url(s.jwksPath)]],
  ['missing', () => undefined],
];

const SPECS: readonly ScenarioSpec[] = [
  { id: 'delay' },
  { id: 'hang' },
  { id: 'stall' },
  { id: 'reset' },
  { id: 'refused', extra: () => ({ jwksUri: closedUrl }) },
  {
    id: 'dns',
    extra: () => ({
      jwksUri: 'https://keys.invalid/jwks',
      // What a DNS failure looks like to the core: a plain TypeError from fetch.
      fetch: async () => {
        throw new TypeError('fetch failed', { cause: new Error('getaddrinfo ENOTFOUND') });
      },
    }),
  },
  ...STATUSES.map((status) => ({ id: `status-${status}` })),
  { id: 'bad-json' },
  { id: 'html' },
  { id: 'array' },
  ...REDIRECTS.map((status) => ({ id: `redirect-${status}` })),
  { id: 'huge-length' },
  { id: 'huge-chunked' },
  { id: 'too-many' },
  { id: 'max-keys' },
  { id: 'empty' },
  { id: 'unusable' },
  { id: 'disc-issuer', discovery: true },
  { id: 'disc-issuer-slash', discovery: true },
  ...BAD_JWKS_URIS.map((_, i) => ({ id: `disc-uri-${i}`, discovery: true })),
  { id: 'disc-redirect', discovery: true },
  { id: 'disc-slow', discovery: true },
  { id: 'disc-fallback', discovery: true },
  { id: 'disc-html', discovery: true },
  { id: 'flood', keySet: { cooldown: COOLDOWN } },
  { id: 'stampede', discovery: true },
  { id: 'stampede-fail' },
  {
    id: 'stale',
    keySet: { cacheMaxAge: 60_000, maxStale: 120_000, cooldown: COOLDOWN },
  },
  { id: 'backoff' },
  { id: 'rotation', keySet: { cacheMaxAge: 60_000, cooldown: COOLDOWN } },
  { id: 'revocation', keySet: { cooldown: COOLDOWN } },
  { id: 'stale-zero', keySet: { cacheMaxAge: 60_000, maxStale: 0 } },
  { id: 'kid-recovery', keySet: { cooldown: COOLDOWN } },
];

let server: FaultServer;
let closedUrl: string;
/** Signs every scenario's tokens; its public keys are what the key server serves when healthy. */
let signer: TestIssuer;
/** Per adapter: the rotating issuers of the `rotation` and `revocation` scenarios. */
const rotating = new Map<string, TestIssuer>();
const revoking = new Map<string, TestIssuer>();

const factories = (await loadFactories()).filter((f) => !OUT_OF_PROCESS.test(f.name));

interface Lab {
  readonly factory: AppFactory;
  readonly app: ConformanceApp;
  readonly scenarios: ReadonlyMap<string, Scenario>;
}
const labs = new Map<string, Lab>();

function scenarioOf(adapter: string, spec: ScenarioSpec): Scenario {
  const base = `/${adapter}/${spec.id}`;
  return {
    id: spec.id,
    prefix: `/${spec.id}`,
    issuer: spec.discovery === true ? server.url(base) : `https://kf.test${base}`,
    jwksPath: `${base}/jwks`,
    oidcPath: `${base}/.well-known/openid-configuration`,
    oauthPath: `/.well-known/oauth-authorization-server${base}`,
    clock: new Clock(),
    events: [],
  };
}

function mountOf(spec: ScenarioSpec, s: Scenario): MountSpec {
  const options: TokenwardOptions = {
    issuer: s.issuer,
    audience: AUDIENCE,
    ...(spec.discovery === true ? {} : { jwksUri: server.url(s.jwksPath) }),
    keySet: {
      timeout: TIMEOUT,
      failureBackoff: BACKOFF,
      maxFailureBackoff: MAX_BACKOFF,
      ...spec.keySet,
    },
    now: s.clock.now,
    onKeySetEvent: (event) => s.events.push(event),
    ...spec.extra?.(s),
  };
  return {
    name: s.id,
    prefix: s.prefix,
    options,
    routes: [{ path: '/auth', methods: ['GET'], guards: [{ guard: 'requireAuth' }] }],
  };
}

beforeAll(async () => {
  server = await startFaultServer();
  const probe = await startFaultServer();
  closedUrl = probe.url('/jwks');
  await probe.close();
  signer = await createTestIssuer({ audience: AUDIENCE, listen: false, expiresIn: 86_400 });
  await Promise.all(
    factories.map(async (factory) => {
      const own = () => createTestIssuer({ audience: AUDIENCE, listen: false, expiresIn: 86_400 });
      rotating.set(factory.name, await own());
      revoking.set(factory.name, await own());
      const scenarios = new Map(SPECS.map((spec) => [spec.id, scenarioOf(factory.name, spec)]));
      const mounts = SPECS.map((spec) => mountOf(spec, scenarios.get(spec.id) as Scenario));
      const app = await factory.start(mounts, {
        trustedIssuer: 'https://unused.test',
        faultyIssuer: 'https://unused.test',
        audience: AUDIENCE,
        closedJwksUri: closedUrl,
      });
      labs.set(factory.name, { factory, app, scenarios });
    }),
  );
}, 60_000);

afterAll(async () => {
  await Promise.all([...labs.values()].map((lab) => lab.app.close()));
  await server?.close();
});

// ---------------------------------------------------------------------------------------------
// Helpers.
// ---------------------------------------------------------------------------------------------

/** The healthy key set (the signer's public keys). */
function goodKeys() {
  return jwks(signer.jwks().keys);
}

function token(s: Scenario, header?: Record<string, unknown>): Promise<string> {
  return signer.mintToken({ iss: s.issuer }, header === undefined ? undefined : { header });
}

interface Hit {
  readonly res: RawResponse;
  /** Whether the route handler ran. */
  readonly ran: boolean;
}

async function hit(lab: Lab, s: Scenario, tok?: string): Promise<Hit> {
  const caseId = nextCaseId(lab.factory.name);
  const res = await send(
    lab.app.url,
    { method: 'GET', path: `${s.prefix}/auth`, headers: tok === undefined ? [] : [bearer(tok)] },
    caseId,
  );
  const ran = (await lab.app.handlerCalls.get(caseId)) !== undefined;
  return { res, ran };
}

/** 503 + Retry-After, never 401/500, within the bound, the handler not run. */
async function expectFault(lab: Lab, s: Scenario, tok?: string): Promise<RawResponse> {
  const { res, ran } = await hit(lab, s, tok ?? (await token(s)));
  expectUnavailable(res);
  expect(res.elapsed, 'answer time (ms)').toBeLessThan(BOUND);
  expect(ran, 'the handler must not run').toBe(false);
  return res;
}

async function expectOk(lab: Lab, s: Scenario, tok?: string): Promise<void> {
  const { res, ran } = await hit(lab, s, tok ?? (await token(s)));
  expect(res.status, res.body).toBe(200);
  expect(ran).toBe(true);
}

async function expectNoKey(lab: Lab, s: Scenario, tok: string): Promise<void> {
  const { res, ran } = await hit(lab, s, tok);
  expect(res.status, res.body).toBe(401);
  expect(JSON.parse(res.body)).toEqual({
    error: 'invalid_token',
    error_description: 'No known key matches the token',
  });
  expectCleanRefusal(res, [tok]);
  expect(ran).toBe(false);
}

function retryAfter(res: RawResponse): number {
  return Number(headerLines(res, 'retry-after')[0]);
}

function randomKid(): string {
  return `kid-${crypto.randomUUID()}`;
}

// ---------------------------------------------------------------------------------------------
// The scenarios, on every in-process adapter.
// ---------------------------------------------------------------------------------------------

describe.each(factories)('key server faults on $name', (factory) => {
  const lab = () => labs.get(factory.name) as Lab;
  const sc = (id: string) => lab().scenarios.get(id) as Scenario;

  describe('slow and broken connections → 503 within 5 × keySet.timeout', () => {
    // Retry-After is the backoff left after the failure (1 s), not that plus the time the failing
    // attempt took (the timeout, 250 ms: it used to say 2).
    it('answers after the timeout (delayed headers)', async () => {
      const s = sc('delay');
      server.set(s.jwksPath, { kind: 'delay', ms: 5_000, answer: goodKeys() });
      expect(retryAfter(await expectFault(lab(), s))).toBe(1);
      expect(server.count(s.jwksPath)).toBe(1);
    });

    it('never answers', async () => {
      const s = sc('hang');
      server.set(s.jwksPath, { kind: 'hang' });
      expect(retryAfter(await expectFault(lab(), s))).toBe(1);
      expect(server.count(s.jwksPath)).toBe(1);
    });

    it('sends headers, then stalls the body', async () => {
      const s = sc('stall');
      server.set(s.jwksPath, { kind: 'stall-body', ms: 5_000 });
      expect(retryAfter(await expectFault(lab(), s))).toBe(1);
      expect(server.count(s.jwksPath)).toBe(1);
    });

    it('resets the connection', async () => {
      const s = sc('reset');
      server.set(s.jwksPath, { kind: 'reset' });
      await expectFault(lab(), s);
      expect(server.count(s.jwksPath)).toBe(1);
    });

    it('refuses the connection (closed port)', async () => {
      await expectFault(lab(), sc('refused'));
    });

    it('fails name resolution (fetch throws a plain TypeError)', async () => {
      await expectFault(lab(), sc('dns'));
    });
  });

  describe('unexpected answers → 503, one request', () => {
    it.each(STATUSES)('status %i (with a JWKS body where one fits)', async (status) => {
      const s = sc(`status-${status}`);
      server.set(
        s.jwksPath,
        status === 204
          ? { kind: 'raw', status }
          : {
              kind: 'json',
              status,
              body: { keys: signer.jwks().keys },
              headers: status === 429 ? { 'retry-after': '3600' } : {},
            },
      );
      await expectFault(lab(), s);
      expect(server.count(s.jwksPath)).toBe(1);
    });

    it('invalid JSON', async () => {
      const s = sc('bad-json');
      server.set(s.jwksPath, {
        kind: 'raw',
        status: 200,
        headers: { 'content-type': 'application/json' },
        body: '{"keys":[{"kty":"RSA",',
      });
      await expectFault(lab(), s);
    });

    it('an HTML page with status 200', async () => {
      const s = sc('html');
      server.set(s.jwksPath, {
        kind: 'raw',
        status: 200,
        headers: { 'content-type': 'text/html' },
        body: '<!doctype html><title>Sign in</title>',
      });
      await expectFault(lab(), s);
    });

    it('a JSON array of keys instead of a JWKS', async () => {
      const s = sc('array');
      server.set(s.jwksPath, json(signer.jwks().keys));
      await expectFault(lab(), s);
    });

    it.each(REDIRECTS)('a %i redirect to good keys is not followed', async (status) => {
      const s = sc(`redirect-${status}`);
      const target = `${s.jwksPath}-moved`;
      server.set(target, goodKeys());
      server.set(s.jwksPath, { kind: 'redirect', status, location: server.url(target) });
      await expectFault(lab(), s);
      expect(server.count(s.jwksPath)).toBe(1);
      expect(server.count(target), 'requests to the redirect target').toBe(0);
    });
  });

  describe('oversized and odd key sets → 503', () => {
    it('a 1 MiB body with Content-Length', async () => {
      const s = sc('huge-length');
      server.set(s.jwksPath, { kind: 'huge', bytes: 1_048_576, contentLength: true });
      await expectFault(lab(), s);
    });

    it('a 1 MiB chunked body', async () => {
      const s = sc('huge-chunked');
      server.set(s.jwksPath, { kind: 'huge', bytes: 1_048_576, contentLength: false });
      await expectFault(lab(), s);
    });

    it('101 keys (more than maxKeys)', async () => {
      const s = sc('too-many');
      const junk = Array.from({ length: 100 }, () => ({ kty: 'oct', k: 'AA' }));
      server.set(s.jwksPath, jwks([...junk, signer.currentKey.publicJwk]));
      await expectFault(lab(), s);
    });

    it('control: exactly maxKeys (100) keys verify', async () => {
      const s = sc('max-keys');
      const junk = Array.from({ length: 99 }, () => ({ kty: 'oct', k: 'AA' }));
      server.set(s.jwksPath, jwks([...junk, signer.currentKey.publicJwk]));
      await expectOk(lab(), s);
    });

    // A misconfigured key set answers like a failing one: the client is not told which (the
    // operator is, through the logger and warmup()).
    it('an empty key set → 503, not 500', async () => {
      const s = sc('empty');
      server.set(s.jwksPath, jwks([]));
      await expectFault(lab(), s);
    });

    it('only unusable keys (symmetric, encryption, truncated) → 503, not 500', async () => {
      const s = sc('unusable');
      const { n, e } = signer.currentKey.publicJwk;
      server.set(
        s.jwksPath,
        jwks([
          { kty: 'oct', k: 'c2VjcmV0' },
          { kty: 'RSA', use: 'enc', n, e },
          { kty: 'RSA', n: (n as string).slice(0, 100), e },
          { kty: 'EC', crv: 'P-256', x: 'AA' },
          null,
          'key',
        ]),
      );
      await expectFault(lab(), s);
    });
  });

  describe('discovery documents that do not check out → 503, the JWKS never fetched', () => {
    it('another issuer → 503, not 500', async () => {
      const s = sc('disc-issuer');
      server.set(s.jwksPath, goodKeys());
      server.set(s.oidcPath, discovery('https://evil.example', server.url(s.jwksPath)));
      await expectFault(lab(), s);
      expect(server.count(s.oidcPath)).toBe(1);
      expect(server.count(s.jwksPath)).toBe(0);
    });

    it('the issuer with a trailing slash → 503, not 500', async () => {
      const s = sc('disc-issuer-slash');
      server.set(s.jwksPath, goodKeys());
      server.set(s.oidcPath, discovery(`${s.issuer}/`, server.url(s.jwksPath)));
      await expectFault(lab(), s);
      expect(server.count(s.jwksPath)).toBe(0);
    });

    it.each(BAD_JWKS_URIS.map(([label], i) => [label, i] as const))(
      'jwks_uri with %s',
      async (_label, i) => {
        const s = sc(`disc-uri-${i}`);
        server.set(s.jwksPath, goodKeys());
        server.set(
          s.oidcPath,
          discovery(s.issuer, (BAD_JWKS_URIS[i] as (typeof BAD_JWKS_URIS)[0])[1](s)),
        );
        await expectFault(lab(), s);
        expect(server.count(s.oidcPath)).toBe(1);
        expect(server.count(s.jwksPath), 'requests to the JWKS').toBe(0);
      },
    );

    it('a redirected discovery document is not followed (and RFC 8414 not tried)', async () => {
      const s = sc('disc-redirect');
      const moved = `${s.oidcPath}-moved`;
      server.set(moved, discovery(s.issuer, server.url(s.jwksPath)));
      server.set(s.jwksPath, goodKeys());
      server.set(s.oidcPath, { kind: 'redirect', status: 302, location: server.url(moved) });
      await expectFault(lab(), s);
      expect(server.count(moved)).toBe(0);
      expect(server.count(s.oauthPath)).toBe(0);
      expect(server.count(s.jwksPath)).toBe(0);
    });

    it('a discovery server slower than the timeout', async () => {
      const s = sc('disc-slow');
      server.set(s.oidcPath, { kind: 'hang' });
      await expectFault(lab(), s);
    });

    it('an HTML discovery page', async () => {
      const s = sc('disc-html');
      server.set(s.oidcPath, {
        kind: 'raw',
        status: 200,
        headers: { 'content-type': 'text/html' },
        body: '<html></html>',
      });
      await expectFault(lab(), s);
      expect(server.count(s.oauthPath)).toBe(0);
    });

    it('control: OIDC discovery 404 falls back to RFC 8414 metadata', async () => {
      const s = sc('disc-fallback');
      server.set(s.jwksPath, goodKeys());
      server.set(s.oauthPath, discovery(s.issuer, server.url(s.jwksPath)));
      await expectOk(lab(), s);
      expect(server.count(s.oidcPath)).toBe(1);
      expect(server.count(s.oauthPath)).toBe(1);
      expect(server.count(s.jwksPath)).toBe(1);
    });
  });

  describe('floods and stampedes', () => {
    it('unknown-kid flood: at most one refetch per cooldown', async () => {
      const s = sc('flood');
      server.set(s.jwksPath, goodKeys());
      await expectOk(lab(), s);
      expect(server.count(s.jwksPath)).toBe(1);
      const flood = async (n: number) => {
        for (let i = 0; i < n; i++)
          await expectNoKey(lab(), s, await token(s, { kid: randomKid() }));
        return server.count(s.jwksPath);
      };
      // Within one cooldown window: at most one refetch (on the first unknown kid, or none).
      const first = await flood(30);
      expect(first, 'fetches after the first window').toBeLessThanOrEqual(2);
      s.clock.advance(COOLDOWN);
      const second = await flood(30);
      expect(second - first, 'refetches in the second window').toBe(1);
      s.clock.advance(COOLDOWN / 2);
      const third = await flood(30);
      expect(third - second, 'refetches half a cooldown later').toBe(0);
      await expectOk(lab(), s);
      expect(server.count(s.jwksPath)).toBe(third);
      // 90 unknown kids over 1.5 cooldowns cost at most 3 JWKS requests besides the cold one.
      expect(third).toBeLessThanOrEqual(3);
    });

    it('50 concurrent cold requests → one discovery and one JWKS fetch', async () => {
      const s = sc('stampede');
      server.set(s.oidcPath, {
        kind: 'delay',
        ms: 100,
        answer: discovery(s.issuer, server.url(s.jwksPath)),
      });
      server.set(s.jwksPath, { kind: 'delay', ms: 100, answer: goodKeys() });
      const tok = await token(s);
      const hits = await Promise.all(Array.from({ length: 50 }, () => hit(lab(), s, tok)));
      expect(hits.map((h) => h.res.status)).toEqual(Array(50).fill(200));
      expect(hits.every((h) => h.ran)).toBe(true);
      expect(server.count(s.oidcPath)).toBe(1);
      expect(server.count(s.jwksPath)).toBe(1);
      expect(s.events.map((e) => e.type)).toEqual(['refreshed']);
    });

    it('50 concurrent cold requests to a failing server → one request, 50 × 503', async () => {
      const s = sc('stampede-fail');
      server.set(s.jwksPath, { kind: 'delay', ms: 100, answer: json({ error: 'down' }, 500) });
      const tok = await token(s);
      const hits = await Promise.all(Array.from({ length: 50 }, () => hit(lab(), s, tok)));
      for (const { res, ran } of hits) {
        expectUnavailable(res);
        expect(ran).toBe(false);
      }
      expect(server.count(s.jwksPath)).toBe(1);
    });
  });

  describe('outages with a warm cache', () => {
    it('serves stale keys within maxStale, then 503; recovers after the backoff', async () => {
      const s = sc('stale');
      server.set(s.jwksPath, goodKeys());
      await expectOk(lab(), s);
      expect(s.events.map((e) => e.type)).toEqual(['refreshed']);

      server.set(s.jwksPath, json({ error: 'down' }, 500));
      s.clock.advance(61_000); // past cacheMaxAge (60 s)
      await expectOk(lab(), s);
      expect(server.count(s.jwksPath)).toBe(2);
      expect(s.events.map((e) => e.type)).toEqual(['refreshed', 'refresh_failed', 'serving_stale']);
      expect(s.events[1]?.error?.message).not.toMatch(/http|127\.0\.0\.1/);

      await expectOk(lab(), s); // within the backoff: no request, still stale
      expect(server.count(s.jwksPath)).toBe(2);

      // An unknown kid during the outage could be a key we failed to fetch: 503, not 401.
      const unknown = await expectFault(lab(), s, await token(s, { kid: randomKid() }));
      expect(retryAfter(unknown)).toBeGreaterThanOrEqual(1);

      s.clock.advance(BACKOFF + 1);
      await expectOk(lab(), s);
      expect(server.count(s.jwksPath)).toBe(3);
      expect(s.events.filter((e) => e.type === 'serving_stale')).toHaveLength(1);

      s.clock.advance(120_000); // past cacheMaxAge + maxStale
      await expectFault(lab(), s);

      server.set(s.jwksPath, goodKeys());
      s.clock.advance(MAX_BACKOFF + 1);
      await expectOk(lab(), s);
      expect(s.events.at(-1)?.type).toBe('refreshed');
    });

    it('backs off exponentially: no request within the wait; Retry-After counts it down', async () => {
      const s = sc('backoff');
      server.set(s.jwksPath, json({ error: 'down' }, 503));
      const tok = await token(s);
      const counts: number[] = [];
      const waits: number[] = [];
      const step = async (advance: number) => {
        s.clock.advance(advance);
        waits.push(retryAfter(await expectFault(lab(), s, tok)));
        counts.push(server.count(s.jwksPath));
      };
      await step(0); // 1st failure: wait 1 s
      await step(0); // within it
      await step(BACKOFF); // 2nd failure: wait 2 s
      await step(BACKOFF); // within it
      await step(BACKOFF); // 3rd failure: wait 4 s (the cap)
      await step(MAX_BACKOFF); // 4th failure: still 4 s
      expect(counts).toEqual([1, 1, 2, 2, 3, 4]);
      // Whole seconds, rounded up, of the wait left until the next attempt.
      expect(waits).toEqual([1, 1, 2, 1, 4, 4]);

      server.set(s.jwksPath, goodKeys());
      s.clock.advance(MAX_BACKOFF);
      await expectOk(lab(), s, tok);
      expect(server.count(s.jwksPath)).toBe(5);
    });

    it('key rotation: a new key is accepted within a cooldown; a removed key is 401, not 503', async () => {
      const s = sc('rotation');
      const issuer = rotating.get(factory.name) as TestIssuer;
      server.set(s.jwksPath, () => jwks(issuer.jwks().keys));
      const mint = () => issuer.mintToken({ iss: s.issuer });
      const first = await mint();
      await expectOk(lab(), s, first);

      await issuer.rotateKeys();
      const second = await mint();
      // The new kid refetches at once, or at the latest one cooldown later.
      const early = await hit(lab(), s, second);
      if (early.res.status !== 200) {
        await expectNoKey(lab(), s, second);
        s.clock.advance(COOLDOWN);
        await expectOk(lab(), s, second);
      }
      expect(server.count(s.jwksPath)).toBe(2);

      await issuer.rotateKeys({ retireOld: true });
      const third = await mint();
      s.clock.advance(60_000); // past cacheMaxAge: the next request refetches
      await expectOk(lab(), s, third);
      expect(server.count(s.jwksPath)).toBe(3);
      await expectNoKey(lab(), s, first); // retired: an invalid token now, not an outage
      expect(server.count(s.jwksPath)).toBeLessThanOrEqual(4);
      await expectNoKey(lab(), s, first); // and never more than one refetch for it
      expect(server.count(s.jwksPath)).toBeLessThanOrEqual(4);
    });

    // The verified-token cache skips the signature of a token seen before; a SUCCESSFUL refresh
    // that removes the key which signed it (rotation after a key compromise) must end that at
    // once: its tokens are 401 from that refresh on, cached or not.
    it('a key removed by a successful refresh stops verifying at once, also for tokens seen before', async () => {
      const s = sc('revocation');
      const issuer = revoking.get(factory.name) as TestIssuer;
      server.set(s.jwksPath, () => jwks(issuer.jwks().keys));
      const mint = () => issuer.mintToken({ iss: s.issuer });
      const compromised = await mint();
      await expectOk(lab(), s, compromised);

      await issuer.rotateKeys({ retireOld: true });
      const replacement = await mint();
      const early = await hit(lab(), s, replacement);
      if (early.res.status !== 200) {
        s.clock.advance(COOLDOWN);
        await expectOk(lab(), s, replacement);
      }
      expect(server.count(s.jwksPath), 'the refresh that removed the key').toBe(2);
      await expectNoKey(lab(), s, compromised);
    });

    it('an unknown kid is 503 only while the key server fails; once it answers, 401 and the cooldown', async () => {
      const s = sc('kid-recovery');
      const madeUp = () => token(s, { kid: randomKid() });
      server.set(s.jwksPath, goodKeys());
      await expectOk(lab(), s);
      server.set(s.jwksPath, json({ error: 'down' }, 500));
      const first = await expectFault(lab(), s, await madeUp());
      expect(retryAfter(first)).toBe(1);
      await expectFault(lab(), s, await madeUp()); // within the backoff: no attempt
      expect(server.count(s.jwksPath)).toBe(2);
      // The key server answers again; a client retries after the Retry-After it was given (well
      // within the 30 s cooldown): one refetch, and the kid is not there → 401.
      server.set(s.jwksPath, goodKeys());
      s.clock.advance(retryAfter(first) * 1000);
      await expectNoKey(lab(), s, await madeUp());
      expect(server.count(s.jwksPath)).toBe(3);
      // Healthy: more made-up kids are 401 with no refetch within the cooldown.
      for (let i = 0; i < 3; i++) await expectNoKey(lab(), s, await madeUp());
      expect(server.count(s.jwksPath)).toBe(3);
      await expectOk(lab(), s);
    });

    it('with maxStale 0, an outage past cacheMaxAge is 503 at once, also for tokens seen before', async () => {
      const s = sc('stale-zero');
      server.set(s.jwksPath, goodKeys());
      const [seen, fresh] = await Promise.all([token(s), token(s)]);
      await expectOk(lab(), s, seen);
      s.clock.advance(59_000);
      await expectOk(lab(), s, seen); // keys still fresh: seen again (and cached, if caching)
      server.set(s.jwksPath, json({ error: 'down' }, 500));
      s.clock.advance(2_000); // keys now 61 s old, cacheMaxAge 60 s, no stale window
      await expectFault(lab(), s, fresh);
      await expectFault(lab(), s, seen);
    });
  });
});
