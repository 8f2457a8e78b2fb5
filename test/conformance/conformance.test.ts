/**
 * Runs THE conformance table (`cases.ts`) unchanged against every app factory in `apps/`, each
 * a real HTTP server on 127.0.0.1, and checks that all adapters answer byte-identically.
 *
 * Requests go out through `node:http` with raw header lists (`../helpers/wire.ts`), so duplicate
 * `Authorization` lines really are separate lines on the wire. Run a subset with
 * `CONFORMANCE_ADAPTERS=express,fastify`.
 */
import { type AddressInfo, createServer } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { createTestIssuer } from '@tokenward/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type AdapterAnswer,
  comparable,
  expectAnswersAsExpected,
  expectedComparable,
  expectRetryAfterAndAbsentHeaders,
} from '../helpers/answers.js';
import { loadAppFactories } from '../helpers/app-factories.js';
import {
  type ConnectionMode,
  NO_PIPELINING,
  sendOnOneConnection,
} from '../helpers/one-connection.js';
import { authorization, expectations, get, rowPreparer } from '../helpers/rows.js';
import { startTinyPdp, type TinyPdp } from '../helpers/tiny-pdp.js';
import { headerLines, nextCaseId, type RawResponse, send } from '../helpers/wire.js';
import {
  AUDIENCE,
  type ConformanceCase,
  cases,
  type Expected,
  type Fixture,
  type IssuerName,
} from './cases.js';
import { ALICE, BOB, type ConnectionCase, connectionCases } from './connection-cases.js';
import { buildMounts, type ConformanceApp, type MountEnv, type MountSpec } from './routes.js';

// ---------------------------------------------------------------------------------------------
// App factories: every `apps/*.ts` file's default export.
// ---------------------------------------------------------------------------------------------

const factories = await loadAppFactories('CONFORMANCE_ADAPTERS', 'throw');

// ---------------------------------------------------------------------------------------------
// Fixture: three local issuers, a closed port, one running app per factory.
// ---------------------------------------------------------------------------------------------

let fixture: Fixture;
let tinyPdp: TinyPdp;
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
  tinyPdp = await startTinyPdp();
  fixture = { trusted, stranger, faulty };
  const env: MountEnv = {
    trustedIssuer: trusted.issuer,
    faultyIssuer: faulty.issuer,
    audience: AUDIENCE,
    closedJwksUri: `http://127.0.0.1:${await closedPort()}/jwks`,
    pdpUrl: tinyPdp.url,
    closedPdpUrl: `http://127.0.0.1:${await closedPort()}`,
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
  await tinyPdp?.close();
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
  await checkAnswer(app, c.route, c.expect, res, caseId, tokens);
  for (const name of c.expect.untouched ?? []) {
    expect(after[name] - before[name], `requests to the ${name} issuer`).toBe(0);
  }
}

/**
 * Check one answer against its row: status, exact challenge, `Retry-After` and forbidden headers,
 * the JSON body, no token echoed, and whether the handler ran and which identity it saw.
 */
async function checkAnswer(
  app: ConformanceApp,
  route: string,
  want: Expected,
  res: RawResponse,
  caseId: string,
  tokens: readonly string[],
): Promise<void> {
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
    const expected = { route, ...want.saw };
    expect(call, 'handler call').toEqual(expected);
    expect(body, 'handler body').toEqual(expected);
  } else {
    expect(call, 'handler must not run').toBeUndefined();
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
      pdpUrl: 'http://127.0.0.1:9',
      closedPdpUrl: 'http://127.0.0.1:9',
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

  it('names only existing rows as not applicable', () => {
    const names = new Set(cases.map((c) => c.name));
    for (const factory of factories) {
      for (const name of Object.keys(factory.notApplicable ?? {})) {
        expect(names.has(name), `${factory.name}: ${name}`).toBe(true);
      }
    }
  });

  it('has uniquely named connection sequences of at least two steps', () => {
    const names = connectionCases.map((c) => c.name);
    expect(new Set(names).size).toBe(names.length);
    for (const c of connectionCases) expect(c.steps.length, c.name).toBeGreaterThanOrEqual(2);
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

describe.each(factories)('adapter $name', (factory) => {
  for (const c of cases) {
    const run = () => runCase(apps.get(factory.name) as ConformanceApp, factory.name, c);
    const skipped = factory.notApplicable?.[c.name];
    if (skipped !== undefined) it.skip(`${c.name} [not applicable: ${skipped}]`, run);
    else it(c.name, run);
  }
});

describe('every adapter answers each row exactly as the row says, byte for byte', () => {
  for (const c of cases) {
    const taking = factories.filter((f) => f.notApplicable?.[c.name] === undefined);
    it(c.name, async () => {
      const { request } = await prepare(c);
      const answers: AdapterAnswer[] = [];
      for (const factory of taking) {
        const app = apps.get(factory.name) as ConformanceApp;
        const res = await send(app.url, request, nextCaseId(factory.name));
        answers.push({ adapter: factory.name, answer: comparable(res, 'raw') });
      }
      expectAnswersAsExpected(answers, expectedComparable(c.route, c.expect, 'raw'));
    });
  }
});

// ---------------------------------------------------------------------------------------------
// Several tokens on one connection (`connection-cases.ts`): the same-connection fast path.
// ---------------------------------------------------------------------------------------------

const MODES: readonly ConnectionMode[] = ['keep-alive', 'pipelined'];

/** Run a sequence on ONE connection of one app; every answer is checked against its own step. */
async function runSequence(
  app: ConformanceApp,
  adapter: string,
  c: ConnectionCase,
  mode: ConnectionMode,
): Promise<void> {
  const prepared = await Promise.all(
    c.steps.map((step, i) =>
      prepare({ name: `connection: ${c.name} #${i + 1}`, tokens: c.tokens, ...step }),
    ),
  );
  const tokens = [...new Set(prepared.flatMap((p) => p.tokens))];
  const sent = prepared.map(({ request }) => ({ request, caseId: nextCaseId(adapter) }));
  const answers = await sendOnOneConnection(app.url, sent, mode);
  for (const [i, step] of c.steps.entries()) {
    await checkStep(i, () =>
      checkAnswer(
        app,
        step.route,
        step.expect,
        answers[i] as RawResponse,
        sent[i]?.caseId ?? '',
        tokens,
      ),
    );
  }
}

/** Name the step in the failure message of its checks. */
async function checkStep(index: number, check: () => Promise<void>): Promise<void> {
  try {
    await check();
  } catch (error) {
    if (error instanceof Error) error.message = `step ${index + 1}: ${error.message}`;
    throw error;
  }
}

describe.each(factories)('adapter $name, several tokens on one connection', (factory) => {
  for (const c of connectionCases) {
    for (const mode of MODES) {
      const title = `${c.name} [${mode}]`;
      const run = () =>
        runSequence(apps.get(factory.name) as ConformanceApp, factory.name, c, mode);
      const unsupported = mode === 'pipelined' ? NO_PIPELINING[factory.name] : undefined;
      if (unsupported !== undefined) it.skip(`${title} [not applicable: ${unsupported}]`, run);
      else it(title, run);
    }
  }
});

describe('a token that expires while its connection stays open', () => {
  // Minted 2 s past its exp: accepted inside the 5 s clock tolerance, refused once past it. A cache
  // entry or connection memo that outlived `exp` would keep answering 200 on the same socket.
  it('is accepted, then refused on the same kept-alive connection, on every adapter', async () => {
    const now = Math.floor(Date.now() / 1000);
    const [late, other] = await Promise.all([
      fixture.trusted.mintToken({ sub: ALICE, iat: now - 60, exp: now - 2 }),
      fixture.trusted.mintToken({ sub: BOB }),
    ]);
    const refusedAt = (now + 3) * 1000 + 100;
    const { allowed, invalidToken } = expectations<Expected>();
    const steps: { token: string; want: Expected }[] = [
      { token: late, want: allowed({ subject: ALICE }) },
      { token: late, want: invalidToken('The token has expired') },
      { token: other, want: allowed({ subject: BOB }) },
    ];
    await Promise.all(
      factories.map(async (factory) => {
        const app = apps.get(factory.name) as ConformanceApp;
        const sent = steps.map(({ token }) => ({
          request: get('/auth', authorization(`Bearer ${token}`)),
          caseId: nextCaseId(factory.name),
        }));
        const answers = await sendOnOneConnection(app.url, sent, 'keep-alive', {
          before: async (index) => {
            if (index === 1) await sleep(Math.max(0, refusedAt - Date.now()));
          },
        });
        for (const [i, { want }] of steps.entries()) {
          await checkStep(i, () =>
            checkAnswer(app, '/auth', want, answers[i] as RawResponse, sent[i]?.caseId ?? '', [
              late,
              other,
            ]),
          );
        }
      }),
    );
  });
});
