/**
 * Runs THE conformance table (`cases.ts`) unchanged against every app factory in `apps/`, each
 * a real HTTP server on 127.0.0.1, and checks that all adapters answer byte-identically.
 *
 * Requests go out through `node:http` with raw header lists (`../helpers/wire.ts`), so duplicate
 * `Authorization` lines really are separate lines on the wire. Run a subset with
 * `CONFORMANCE_ADAPTERS=express,fastify`.
 */
import { type AddressInfo, createServer } from 'node:net';
import { createTestIssuer } from '@tokenward/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type AdapterAnswer,
  comparable,
  expectRetryAfterAndAbsentHeaders,
  expectSameAnswers,
} from '../helpers/answers.js';
import { loadAppFactories } from '../helpers/app-factories.js';
import { rowPreparer } from '../helpers/rows.js';
import { headerLines, nextCaseId, send } from '../helpers/wire.js';
import { AUDIENCE, type ConformanceCase, cases, type Fixture, type IssuerName } from './cases.js';
import {
  type AppFactory,
  buildMounts,
  type ConformanceApp,
  type MountEnv,
  type MountSpec,
} from './routes.js';

// ---------------------------------------------------------------------------------------------
// App factories: every `apps/*.ts` file's default export.
// ---------------------------------------------------------------------------------------------

const factories = await loadAppFactories('CONFORMANCE_ADAPTERS', 'throw');

// ---------------------------------------------------------------------------------------------
// Fixture: three local issuers, a closed port, one running app per factory.
// ---------------------------------------------------------------------------------------------

let fixture: Fixture;
let mounts: MountSpec[];
const apps = new Map<string, ConformanceApp>();

async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

beforeAll(async () => {
  const [trusted, stranger, faulty] = await Promise.all([
    createTestIssuer({ audience: AUDIENCE }),
    createTestIssuer({ audience: AUDIENCE }),
    createTestIssuer({ audience: AUDIENCE }),
  ]);
  faulty.setFault('/jwks', { status: 500 });
  fixture = { trusted, stranger, faulty };
  const env: MountEnv = {
    trustedIssuer: trusted.issuer,
    faultyIssuer: faulty.issuer,
    audience: AUDIENCE,
    closedJwksUri: `http://127.0.0.1:${await closedPort()}/jwks`,
  };
  mounts = buildMounts(env);
  await Promise.all(
    factories.map(async (factory) => {
      apps.set(factory.name, await factory.start(mounts, env));
    }),
  );
});

afterAll(async () => {
  await Promise.all([...apps.values()].map((app) => app.close()));
  await Promise.all(Object.values(fixture ?? {}).map((issuer) => issuer.close()));
});

// ---------------------------------------------------------------------------------------------
// Preparing and sending requests.
// ---------------------------------------------------------------------------------------------

/** Mint the case's tokens once per run and fill the placeholders. */
const prepare = rowPreparer(() => fixture);

const ISSUERS: readonly IssuerName[] = ['trusted', 'stranger', 'faulty'];

function requestCounts(): Record<IssuerName, number> {
  return Object.fromEntries(ISSUERS.map((name) => [name, fixture[name].requestCount()])) as Record<
    IssuerName,
    number
  >;
}

/** Run one case against one app and check everything the row says, plus the global rules. */
async function runCase(app: ConformanceApp, adapter: string, c: ConformanceCase): Promise<void> {
  const { request, tokens } = await prepare(c);
  const caseId = nextCaseId(adapter);
  const before = requestCounts();
  const res = await send(app.url, request, caseId);
  const after = requestCounts();
  const want = c.expect;

  expect(res.status, 'status').toBe(want.status);

  // WWW-Authenticate: exact value, one line; every 401 has one, a 503 has none.
  const challenges = headerLines(res, 'www-authenticate');
  if (want.wwwAuthenticate === null) {
    expect(challenges, 'WWW-Authenticate').toEqual([]);
  } else {
    expect(challenges, 'WWW-Authenticate').toEqual([want.wwwAuthenticate]);
  }
  if (res.status === 401) expect(challenges.length, 'every 401 has WWW-Authenticate').toBe(1);

  // Retry-After: whole seconds on 503, absent otherwise; no header the row forbids.
  expectRetryAfterAndAbsentHeaders(res, want);

  const contentType = res.headers['content-type'] ?? '';
  expect(contentType, 'content-type').toMatch(/^application\/json\b/);
  const body = JSON.parse(res.body) as unknown;

  if (want.status >= 400) {
    expect(body, 'body').toEqual({ error: want.error, error_description: want.description });
    expect(res.headers['cache-control'], 'cache-control').toBe('no-store');
    for (const token of tokens) {
      const signature = token.split('.').at(-1) ?? token;
      expect(res.body.includes(token), 'token echoed in body').toBe(false);
      if (signature.length > 8) expect(res.rawHeaders.join('\n')).not.toContain(signature);
    }
  }

  // The handler ran, and saw the identity, exactly on success.
  const call = await app.handlerCalls.get(caseId);
  if (want.handlerRan) {
    const expected = { route: c.route, ...want.saw };
    expect(call, 'handler call').toEqual(expected);
    expect(body, 'handler body').toEqual(expected);
  } else {
    expect(call, 'handler must not run').toBeUndefined();
  }

  for (const name of want.untouched ?? []) {
    expect(after[name] - before[name], `requests to the ${name} issuer`).toBe(0);
  }
}

// ---------------------------------------------------------------------------------------------
// The table itself.
// ---------------------------------------------------------------------------------------------

describe('the conformance table', () => {
  it('has unique case names', () => {
    const names = cases.map((c) => c.name);
    expect(new Set(names).size).toBe(names.length);
  });

  it('targets routes that exist, and refusals never reach the handler', () => {
    const env: MountEnv = {
      trustedIssuer: 'https://issuer.test',
      faultyIssuer: 'https://faulty.test',
      audience: AUDIENCE,
      closedJwksUri: 'http://127.0.0.1:9/jwks',
    };
    const routes = new Set(
      buildMounts(env).flatMap((m) => m.routes.map((r) => `${m.prefix}${r.path}`)),
    );
    for (const c of cases) {
      expect(routes.has(c.route), `${c.name}: route ${c.route}`).toBe(true);
      if (c.expect.status >= 300) expect(c.expect.handlerRan, c.name).toBe(false);
      else expect(c.expect.saw, c.name).toBeDefined();
      if (c.expect.status === 401) expect(c.expect.wwwAuthenticate, c.name).not.toBeNull();
    }
  });

  it('names only existing rows in known failures and non-applicable rows', () => {
    const names = new Set(cases.map((c) => c.name));
    for (const factory of factories) {
      const listed = [
        ...Object.keys(factory.knownFailures ?? {}),
        ...Object.keys(factory.notApplicable ?? {}),
      ];
      for (const name of listed) expect(names.has(name), `${factory.name}: ${name}`).toBe(true);
    }
  });

  it('puts two Authorization header lines on the wire', async () => {
    const received = await new Promise<string>((resolve, reject) => {
      const server = createServer((socket) => {
        let data = '';
        socket.setEncoding('latin1');
        socket.on('data', (chunk: string) => {
          data += chunk;
          if (data.includes('\r\n\r\n')) {
            socket.end('HTTP/1.1 204 No Content\r\nConnection: close\r\n\r\n');
            server.close();
            resolve(data);
          }
        });
      });
      server.on('error', reject);
      server.listen(0, '127.0.0.1', () => {
        const { port } = server.address() as AddressInfo;
        send(
          `http://127.0.0.1:${port}`,
          {
            method: 'GET',
            path: '/auth',
            headers: [
              ['Authorization', 'Bearer first'],
              ['Authorization', 'Bearer second'],
            ],
          },
          'wire',
        ).catch(reject);
      });
    });
    const lines = received.split('\r\n');
    expect(lines.filter((l) => /^authorization:/i.test(l))).toEqual([
      'Authorization: Bearer first',
      'Authorization: Bearer second',
    ]);
  });
});

/** `CONFORMANCE_IGNORE_KNOWN=1` runs known failures as ordinary tests, to see their diffs. */
const ignoreKnown = process.env.CONFORMANCE_IGNORE_KNOWN === '1';

function knownFailure(factory: AppFactory, c: ConformanceCase): string | undefined {
  return ignoreKnown ? undefined : factory.knownFailures?.[c.name];
}

describe.each(factories)('adapter $name', (factory) => {
  for (const c of cases) {
    const run = () => runCase(apps.get(factory.name) as ConformanceApp, factory.name, c);
    const skipped = factory.notApplicable?.[c.name];
    const known = knownFailure(factory, c);
    if (skipped !== undefined) it.skip(`${c.name} [not applicable: ${skipped}]`, run);
    else if (known !== undefined) it.fails(`${c.name} [known product bug: ${known}]`, run);
    else it(c.name, run);
  }
});

describe('all adapters answer byte-identically', () => {
  for (const c of cases) {
    const taking = factories.filter((f) => f.notApplicable?.[c.name] === undefined);
    const known = taking.filter((f) => knownFailure(f, c) !== undefined);
    const test = async () => {
      const { request } = await prepare(c);
      const answers: AdapterAnswer[] = [];
      for (const factory of taking) {
        const app = apps.get(factory.name) as ConformanceApp;
        const res = await send(app.url, request, nextCaseId(factory.name));
        answers.push({ adapter: factory.name, answer: comparable(res, 'raw') });
      }
      expectSameAnswers(answers);
    };
    if (known.length > 0 && taking.length > 1) {
      it.fails(`${c.name} [known product bug in ${known.map((f) => f.name).join(', ')}]`, test);
    } else {
      it(c.name, test);
    }
  }
});
