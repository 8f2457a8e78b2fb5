/**
 * Single-flight key fetches on workerd (Cloudflare Workers' runtime).
 *
 * A workerd isolate serves many requests at once, and a promise belongs to the request that created
 * it. The core's remote key set shares one in-flight discovery/JWKS fetch across concurrent
 * requests: the request that starts it owns it, the others await it. Each test runs a fresh
 * workerd instance (cold key set) against its own issuer on 127.0.0.1 whose JWKS answers slowly,
 * so that the requests really overlap on one in-flight fetch.
 *
 * Skipped when `CONFORMANCE_ADAPTERS` is set without `hono-workerd`.
 */
import { request as httpRequest } from 'node:http';
import { createTestIssuer, type TestIssuer } from '@tokenward/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { AUDIENCE } from './cases.js';
import type { MountEnv } from './routes.js';
import type { ExternalApp } from './runtimes/external-app.js';
import { startWorkerd } from './runtimes/workerd/start-workerd.js';

const only = process.env.CONFORMANCE_ADAPTERS?.split(',').map((name) => name.trim());
const enabled = only === undefined || only.join('') === '' || only.includes('hono-workerd');

const DISCOVERY = '/.well-known/openid-configuration';
const DEADLINE_WORKER = new URL('./runtimes/workerd/deadline-worker.ts', import.meta.url).pathname;

/** What workerd says when a request awaits a promise of a request that has ended, or hangs. */
const CROSS_REQUEST =
  /different request|request that has since ended|never settle|never generate a response|hung/i;

interface Answer {
  readonly status: number;
  readonly body: string;
}

/** `GET /auth` with a bearer token (one connection per request). */
function getAuth(origin: string, token: string, headers: Record<string, string> = {}) {
  const url = new URL('/auth', origin);
  return new Promise<Answer>((resolve, reject) => {
    const req = httpRequest(
      {
        host: url.hostname,
        port: url.port,
        path: url.pathname,
        agent: false,
        timeout: 10_000,
        headers: { authorization: `Bearer ${token}`, connection: 'close', ...headers },
      },
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => {
          body += chunk;
        });
        res.on('error', reject);
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      },
    );
    req.on('timeout', () => req.destroy(new Error('no answer within 10 s (hung)')));
    req.on('error', reject);
    req.end();
  });
}

/** Status of each answer, or the client-side error (e.g. a hang). */
function outcomes(settled: readonly PromiseSettledResult<Answer>[]): (number | string)[] {
  return settled.map((s) => (s.status === 'fulfilled' ? s.value.status : String(s.reason)));
}

async function waitFor(condition: () => boolean, ms: number, what: string): Promise<void> {
  const end = Date.now() + ms;
  while (!condition()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

/** Identical log lines counted, e.g. `19× {"status":503,...}`. */
function summarize(log: string): string {
  const counts = new Map<string, number>();
  for (const line of log.split('\n')) {
    if (line.trim() !== '') counts.set(line, (counts.get(line) ?? 0) + 1);
  }
  return [...counts].map(([line, n]) => `${n}× ${line}`).join('\n');
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe.skipIf(!enabled)('single-flight key fetches on workerd', () => {
  const cleanups: (() => Promise<void>)[] = [];

  afterEach(async () => {
    await Promise.all(cleanups.splice(0).map((cleanup) => cleanup()));
  });

  /** A fresh issuer whose JWKS answers after `jwksDelay` ms, and a fresh workerd instance. */
  async function fresh(jwksDelay: number, entry?: string) {
    const issuer: TestIssuer = await createTestIssuer({ audience: AUDIENCE });
    cleanups.push(() => issuer.close());
    issuer.setFault('/jwks', { delayMs: jwksDelay });
    const env: MountEnv = {
      trustedIssuer: issuer.issuer,
      faultyIssuer: issuer.issuer,
      audience: AUDIENCE,
      closedJwksUri: 'http://127.0.0.1:9/jwks',
    };
    const app: ExternalApp = await startWorkerd('hono-workerd (single-flight)', env, entry);
    cleanups.push(() => app.close());
    return { issuer, app, token: await issuer.mintToken() };
  }

  it('20 concurrent cold requests share one discovery and one JWKS fetch, and all pass', async () => {
    const { issuer, app, token } = await fresh(300);
    const settled = await Promise.allSettled(
      Array.from({ length: 20 }, () => getAuth(app.url, token)),
    );
    await app.close(); // flushes the worker's output
    const log = app.output();

    expect(outcomes(settled), log).toEqual(Array(20).fill(200));
    const identity = {
      route: '/auth',
      authenticated: true,
      subject: 'user-123',
      organizationId: null,
    };
    for (const s of settled) {
      if (s.status === 'fulfilled') expect(JSON.parse(s.value.body)).toEqual(identity);
    }
    expect(issuer.requestCount(DISCOVERY), 'discovery fetches').toBe(1);
    expect(issuer.requestCount('/jwks'), 'JWKS fetches').toBe(1);
    expect(log, 'workerd output').not.toMatch(CROSS_REQUEST);
  });

  // The request that started the shared fetch ends first (here a 300 ms deadline, as hono/timeout
  // sets; on Cloudflare also a client that goes away). workerd drops the settlement of a promise
  // whose request has ended ("This promise was created by a request that has since ended, so it
  // can never settle"). The key set must not depend on it: requests that joined the fetch treat
  // that as abandonment and fetch themselves, and later requests are not wedged. (Before the fix
  // they all answered 503 for good; with a compatibility date before 2024-10-14 they hung.)
  describe('a request that ends while the key fetch it started is in flight', () => {
    let seen: { waiting: (number | string)[]; later: (number | string)[]; log: string } | undefined;

    it('(scenario) the leader ends after 300 ms; 19 requests wait on its slow (1 s) JWKS fetch', async () => {
      const { issuer, app, token } = await fresh(1000, DEADLINE_WORKER);
      // Warm the isolate (Worker compiled, app built) without touching the key set, so the
      // leader's fetch surely starts before its deadline.
      expect((await fetch(`${app.url}/public`)).status, 'warm-up').toBe(200);
      expect(issuer.requestCount(), 'the warm-up fetches no key').toBe(0);
      const leader = getAuth(app.url, token, { 'x-deadline-ms': '300' });
      await waitFor(() => issuer.requestCount('/jwks') > 0, 5000, 'the JWKS fetch');
      const waiting = Promise.allSettled(Array.from({ length: 19 }, () => getAuth(app.url, token)));
      const [leaderAnswer] = await Promise.allSettled([leader]);
      const waited = await waiting;
      // Past the slow fetch and the first failure backoff (1 s): a healthy key set fetches again.
      await sleep(1200);
      const later = await Promise.allSettled([getAuth(app.url, token), getAuth(app.url, token)]);
      await app.close(); // flushes the worker's output
      seen = { waiting: outcomes(waited), later: outcomes(later), log: summarize(app.output()) };
      expect(outcomes([leaderAnswer]), 'the leader ended before its fetch').toEqual([504]);
      expect(issuer.requestCount('/jwks'), 'the key server was reached').toBeGreaterThan(0);
    });

    it('the requests waiting on its fetch pass', () => {
      expect(seen?.waiting, `worker log:\n${seen?.log}`).toEqual(Array(19).fill(200));
    });

    it('later requests pass: the key set is not wedged', () => {
      expect(seen?.later, `worker log:\n${seen?.log}`).toEqual([200, 200]);
      expect(seen?.log).not.toMatch(CROSS_REQUEST);
    });
  });
});
