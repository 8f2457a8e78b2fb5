/**
 * Runs THE conformance table (`cases.ts`) unchanged against every app factory in `apps/`, each
 * a real HTTP server on 127.0.0.1, and checks that all adapters answer byte-identically.
 *
 * Requests go out through `node:http` with raw header lists, so duplicate `Authorization` lines
 * really are separate lines on the wire. Run a subset with `CONFORMANCE_ADAPTERS=express,fastify`.
 */
import { readdirSync } from 'node:fs';
import { request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import { type AddressInfo, createServer } from 'node:net';
import { createTestIssuer } from '@tokenward/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  AUDIENCE,
  type CaseRequest,
  type ConformanceCase,
  cases,
  type Fixture,
  type IssuerName,
} from './cases.js';
import {
  type AppFactory,
  buildMounts,
  CASE_HEADER,
  type ConformanceApp,
  type MountEnv,
  type MountSpec,
} from './routes.js';

// ---------------------------------------------------------------------------------------------
// App factories: every `apps/*.ts` file's default export.
// ---------------------------------------------------------------------------------------------

async function loadFactories(): Promise<AppFactory[]> {
  const files = readdirSync(new URL('./apps/', import.meta.url))
    .filter((file) => file.endsWith('.ts'))
    .sort();
  const all: AppFactory[] = [];
  for (const file of files) {
    const loaded = (await import(`./apps/${file}`)) as {
      default?: AppFactory | readonly AppFactory[];
    };
    if (loaded.default === undefined) {
      throw new Error(`apps/${file}: export default an AppFactory (or an array of them)`);
    }
    all.push(...(Array.isArray(loaded.default) ? loaded.default : [loaded.default as AppFactory]));
  }
  const only = process.env.CONFORMANCE_ADAPTERS?.split(',')
    .map((name) => name.trim())
    .filter((name) => name !== '');
  return only === undefined || only.length === 0
    ? all
    : all.filter((factory) => only.includes(factory.name));
}

const factories = await loadFactories();

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

interface PreparedCase {
  readonly request: CaseRequest;
  /** The minted tokens, which must never be echoed back. */
  readonly tokens: readonly string[];
}

const prepared = new Map<string, Promise<PreparedCase>>();

/** Mint the case's tokens once per run and fill the placeholders. */
function prepare(c: ConformanceCase): Promise<PreparedCase> {
  let ready = prepared.get(c.name);
  if (ready === undefined) {
    ready = (async () => {
      const entries = await Promise.all(
        Object.entries(c.tokens ?? {}).map(async ([name, recipe]) => {
          return [name, await recipe(fixture)] as const;
        }),
      );
      const tokens = new Map(entries);
      const fill = (template: string) =>
        template.replace(/\{(\w+)\}/g, (_, name: string) => {
          const token = tokens.get(name);
          if (token === undefined) throw new Error(`${c.name}: no token named "${name}"`);
          return token;
        });
      const request: CaseRequest = {
        method: c.request.method,
        path: fill(c.request.path),
        headers: c.request.headers.map(([name, value]) => [name, fill(value)] as const),
        ...(c.request.body === undefined ? {} : { body: fill(c.request.body) }),
      };
      return { request, tokens: [...tokens.values()] };
    })();
    prepared.set(c.name, ready);
  }
  return ready;
}

interface RawResponse {
  readonly status: number;
  readonly headers: IncomingHttpHeaders;
  readonly rawHeaders: readonly string[];
  readonly body: string;
}

/** Send exactly these header lines (plus Host, Connection, the case id and Content-Length). */
function send(origin: string, req: CaseRequest, caseId: string): Promise<RawResponse> {
  const url = new URL(origin);
  const lines: string[] = ['Host', url.host, 'Connection', 'close', CASE_HEADER, caseId];
  for (const [name, value] of req.headers) lines.push(name, value);
  if (req.body !== undefined) lines.push('Content-Length', String(Buffer.byteLength(req.body)));
  return new Promise((resolve, reject) => {
    const outgoing = httpRequest(
      {
        host: url.hostname,
        port: url.port,
        method: req.method,
        path: req.path,
        headers: lines,
        agent: false,
        timeout: 10_000,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('error', reject);
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            rawHeaders: res.rawHeaders,
            body: Buffer.concat(chunks).toString('utf8'),
          }),
        );
      },
    );
    outgoing.on('timeout', () => outgoing.destroy(new Error('request timed out')));
    outgoing.on('error', reject);
    outgoing.end(req.body);
  });
}

let sequence = 0;

const ISSUERS: readonly IssuerName[] = ['trusted', 'stranger', 'faulty'];

function requestCounts(): Record<IssuerName, number> {
  return Object.fromEntries(ISSUERS.map((name) => [name, fixture[name].requestCount()])) as Record<
    IssuerName,
    number
  >;
}

function headerLines(res: RawResponse, name: string): string[] {
  const out: string[] = [];
  for (let i = 0; i < res.rawHeaders.length; i += 2) {
    if ((res.rawHeaders[i] as string).toLowerCase() === name) out.push(res.rawHeaders[i + 1] ?? '');
  }
  return out;
}

/** Run one case against one app and check everything the row says, plus the global rules. */
async function runCase(app: ConformanceApp, adapter: string, c: ConformanceCase): Promise<void> {
  const { request, tokens } = await prepare(c);
  const caseId = `${adapter}-${++sequence}`;
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

  // Retry-After: whole seconds on 503, absent otherwise.
  const retryAfter = headerLines(res, 'retry-after');
  if (want.retryAfter === true) {
    expect(retryAfter, 'Retry-After').toHaveLength(1);
    expect(retryAfter[0], 'Retry-After').toMatch(/^[1-9][0-9]*$/);
  } else {
    expect(retryAfter, 'Retry-After').toEqual([]);
  }

  for (const name of want.absentHeaders ?? []) {
    expect(res.headers[name], `header ${name}`).toBeUndefined();
  }

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

/** What must be identical on every adapter: status, challenge and body, plus refusal headers. */
function comparable(res: RawResponse) {
  return {
    status: res.status,
    'www-authenticate': res.headers['www-authenticate'],
    body: res.body,
    ...(res.status >= 400
      ? {
          'content-type': res.headers['content-type'],
          'cache-control': res.headers['cache-control'],
          'retry-after present': res.headers['retry-after'] !== undefined,
        }
      : {}),
  };
}

describe('all adapters answer byte-identically', () => {
  for (const c of cases) {
    const taking = factories.filter((f) => f.notApplicable?.[c.name] === undefined);
    const known = taking.filter((f) => knownFailure(f, c) !== undefined);
    const test = async () => {
      const { request } = await prepare(c);
      const answers: { adapter: string; answer: ReturnType<typeof comparable> }[] = [];
      for (const factory of taking) {
        const app = apps.get(factory.name) as ConformanceApp;
        const res = await send(app.url, request, `${factory.name}-${++sequence}`);
        answers.push({ adapter: factory.name, answer: comparable(res) });
      }
      const [first, ...rest] = answers;
      for (const other of rest) {
        expect(other.answer, `${other.adapter} vs ${first?.adapter}`).toEqual(first?.answer);
      }
    };
    if (known.length > 0 && taking.length > 1) {
      it.fails(`${c.name} [known product bug in ${known.map((f) => f.name).join(', ')}]`, test);
    } else {
      it(c.name, test);
    }
  }
});
