/**
 * Runs THE attack table (`cases.ts`) against every app factory of `test/conformance/apps/`, each
 * a real HTTP server on 127.0.0.1, then checks that all adapters answer identically.
 *
 * In-process factories get the conformance mounts plus the attack mounts (`fixture.ts`); apps in
 * another process or runtime (Bun, Deno, workerd) build the same mounts there from the plain-JSON
 * environment (`mounts.ts`), and a probe route proves each app took them. A row is skipped only
 * where `ATTACK_NOT_APPLICABLE` (`harness.ts`) says why, and that reason is printed.
 * `ATTACK_ADAPTERS=express,hono-node` runs a subset.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AppFactory, ConformanceApp } from '../conformance/routes.js';
import {
  type AdapterAnswer,
  comparable,
  expectAnswersAsExpected,
  expectedComparable,
  expectRetryAfterAndAbsentHeaders,
} from '../helpers/answers.js';
import {
  type ConnectionMode,
  NO_PIPELINING,
  sendOnOneConnection,
} from '../helpers/one-connection.js';
import { rowPreparer } from '../helpers/rows.js';
import { headerLines, nextCaseId, type RawResponse, send } from '../helpers/wire.js';
import { type AttackRow, attacks, CLASSES } from './cases.js';
import {
  type AttackFixture,
  allMounts,
  allRoutes,
  closeAttackFixture,
  createAttackFixture,
  PROBE_PATH,
  requestCounts,
} from './fixture.js';
import {
  ATTACK_NOT_APPLICABLE,
  attackNotApplicable,
  expectCleanRefusal,
  loadFactories,
  printNotApplicable,
} from './harness.js';
import { primerFor } from './primer.js';

const factories = await loadFactories();

interface RunningApp {
  readonly factory: AppFactory;
  readonly app: ConformanceApp;
  /** Whether the app serves the attack mounts (every app must). */
  readonly takesAttackMounts: boolean;
}

let fixture: AttackFixture;
const apps = new Map<string, RunningApp>();

beforeAll(async () => {
  fixture = await createAttackFixture();
  printNotApplicable(factories, attacks);
  const mounts = allMounts(fixture);
  await Promise.all(
    factories.map(async (factory) => {
      const app = await factory.start(mounts, fixture.env);
      const probe = await send(
        app.url,
        { method: 'GET', path: PROBE_PATH, headers: [] },
        nextCaseId('probe'),
      );
      apps.set(factory.name, { factory, app, takesAttackMounts: probe.status === 200 });
    }),
  );
}, 60_000);

afterAll(async () => {
  await Promise.all([...apps.values()].map(({ app }) => app.close()));
  await closeAttackFixture(fixture);
});

// ---------------------------------------------------------------------------------------------
// Preparing and sending a row.
// ---------------------------------------------------------------------------------------------

/** Mint the row's tokens once per run and fill the placeholders. */
const prepare = rowPreparer(() => fixture);

/** Whether an app runs this row (all do, but for the rows `ATTACK_NOT_APPLICABLE` names). */
function serves(running: RunningApp, row: AttackRow): boolean {
  return attackNotApplicable(running.factory.name, row.name) === undefined;
}

/** Run one row against one app and check everything it says, plus the rules of every refusal. */
async function runRow(running: RunningApp, row: AttackRow): Promise<void> {
  const { request, tokens } = await prepare(row);
  const caseId = nextCaseId(running.factory.name);
  const before = requestCounts(fixture);
  const res = await send(running.app.url, request, caseId);
  const after = requestCounts(fixture);
  await checkAnswer(running, row, request.method, res, caseId, tokens);
  for (const name of row.expect.untouched ?? []) {
    expect(after[name] - before[name], `requests to ${name}`).toBe(0);
  }
}

/** Check one answer against the row (everything but the untouched servers). */
async function checkAnswer(
  running: RunningApp,
  row: AttackRow,
  method: string,
  res: RawResponse,
  caseId: string,
  tokens: readonly string[],
): Promise<void> {
  const want = row.expect;
  expect(res.status, 'status').toBe(want.status);
  const challenges = headerLines(res, 'www-authenticate');
  expect(challenges, 'WWW-Authenticate').toEqual(
    want.wwwAuthenticate === null ? [] : [want.wwwAuthenticate],
  );
  if (res.status === 401) expect(challenges, 'every 401 has one challenge').toHaveLength(1);
  expectRetryAfterAndAbsentHeaders(res, want);
  if (want.within !== undefined) expect(res.elapsed, 'answer time (ms)').toBeLessThan(want.within);

  const isHead = method === 'HEAD';
  const body = isHead ? undefined : (JSON.parse(res.body) as unknown);
  if (want.status >= 400) {
    if (!isHead) {
      expect(body, 'body').toEqual({ error: want.error, error_description: want.description });
    }
    expectCleanRefusal(res, tokens, method);
  }

  const call = await running.app.handlerCalls.get(caseId);
  if (want.handlerRan) {
    const expected = { route: row.route, ...want.saw };
    expect(call, 'handler call').toEqual(expected);
    if (!isHead) expect(body, 'handler body').toEqual(expected);
  } else {
    expect(call, 'the handler must not run').toBeUndefined();
  }
}

// ---------------------------------------------------------------------------------------------
// A row on a connection that has just carried a valid token (the same-connection fast path).
// ---------------------------------------------------------------------------------------------

/** Primers already verified once per app (so that the primer itself fetches nothing). */
const warmed = new Set<string>();

/**
 * The primer, the row and the primer again on ONE connection (kept alive or pipelined): the row
 * gets exactly its own answer, and the primer its identity on both sides of it.
 */
async function runPrimedRow(running: RunningApp, row: AttackRow, mode: ConnectionMode) {
  const main = await prepare(row);
  const primer = primerFor(row, main.tokens[0], allMounts(fixture));
  const first = await prepare(primer);
  const name = running.factory.name;
  if (!warmed.has(`${name} ${primer.name}`)) {
    const res = await send(running.app.url, first.request, nextCaseId(name));
    expect(res.status, 'primer alone').toBe(200);
    warmed.add(`${name} ${primer.name}`);
  }
  const sequence = [primer, row, primer];
  const sent = [first, main, first].map(({ request }) => ({ request, caseId: nextCaseId(name) }));
  const before = requestCounts(fixture);
  const answers = await sendOnOneConnection(running.app.url, sent, mode);
  const after = requestCounts(fixture);
  const tokens = [...first.tokens, ...main.tokens];
  for (const [i, step] of sequence.entries()) {
    const { request, caseId } = sent[i] as (typeof sent)[number];
    try {
      await checkAnswer(running, step, request.method, answers[i] as RawResponse, caseId, tokens);
    } catch (error) {
      if (error instanceof Error)
        error.message = `${['primer', 'row', 'primer again'][i]}: ${error.message}`;
      throw error;
    }
  }
  for (const server of row.expect.untouched ?? []) {
    expect(after[server] - before[server], `requests to ${server}`).toBe(0);
  }
}

// ---------------------------------------------------------------------------------------------
// The table.
// ---------------------------------------------------------------------------------------------

describe('the attack table', () => {
  it('has at least 60 uniquely named rows covering every class of ATTACKS.md', () => {
    const names = attacks.map((row) => row.name);
    expect(new Set(names).size).toBe(names.length);
    expect(attacks.length).toBeGreaterThanOrEqual(60);
    const classes = new Set(attacks.map((row) => row.class));
    expect([...classes].sort()).toEqual(Object.keys(CLASSES).map(Number));
  });

  it('targets existing routes; refusals never reach the handler and always challenge on 401', () => {
    const routes = allRoutes(fixture);
    for (const row of attacks) {
      expect(routes.has(row.route), `${row.name}: route ${row.route}`).toBe(true);
      if (row.expect.status >= 300) expect(row.expect.handlerRan, row.name).toBe(false);
      else expect(row.expect.saw, row.name).toBeDefined();
      if (row.expect.status === 401) expect(row.expect.wwwAuthenticate, row.name).not.toBeNull();
    }
  });

  it('repeats no row of the conformance table', async () => {
    const { cases } = await import('../conformance/cases.js');
    const conformance = new Set(cases.map((c) => c.name));
    for (const row of attacks) expect(conformance.has(row.name), row.name).toBe(false);
  });

  it('names only existing rows as not applicable', () => {
    const names = new Set(attacks.map((row) => row.name));
    for (const rows of Object.values(ATTACK_NOT_APPLICABLE)) {
      for (const name of Object.keys(rows)) expect(names.has(name), name).toBe(true);
    }
  });

  it('every app runs and takes the attack mounts (Bun, Deno and workerd included)', () => {
    expect(apps.size).toBe(factories.length);
    for (const running of apps.values()) {
      expect(running.takesAttackMounts, running.factory.name).toBe(true);
    }
  });
});

describe.each(factories)('adapter $name', (factory) => {
  for (const row of attacks) {
    const title = `[${row.class}] ${row.name}`;
    const run = () => runRow(apps.get(factory.name) as RunningApp, row);
    const skipped = attackNotApplicable(factory.name, row.name);
    if (skipped !== undefined) it.skip(`${title} [not applicable: ${skipped}]`, run);
    else it(title, run);
  }
});

describe('every adapter answers each row exactly as the row says', () => {
  for (const row of attacks) {
    it(`[${row.class}] ${row.name}`, async () => {
      const { request } = await prepare(row);
      const answers: AdapterAnswer[] = [];
      for (const running of apps.values()) {
        if (!serves(running, row)) continue;
        const res = await send(running.app.url, request, nextCaseId(running.factory.name));
        answers.push({ adapter: running.factory.name, answer: comparable(res, 'json') });
      }
      expectAnswersAsExpected(
        answers,
        expectedComparable(row.route, row.expect, 'json', request.method),
      );
    });
  }
});

/** Modes of the primed runs. */
const MODES: readonly ConnectionMode[] = ['keep-alive', 'pipelined'];

describe.each(factories)(
  'adapter $name, each row between valid tokens on one connection',
  (factory) => {
    for (const row of attacks) {
      for (const mode of MODES) {
        const title = `[${row.class}] ${row.name} [${mode}]`;
        const unsupported = mode === 'pipelined' ? NO_PIPELINING[factory.name] : undefined;
        if (unsupported !== undefined) {
          it.skip(`${title} [not applicable: ${unsupported}]`);
          continue;
        }
        it(title, async (context) => {
          const running = apps.get(factory.name) as RunningApp;
          const skipped = attackNotApplicable(factory.name, row.name);
          if (skipped !== undefined) {
            context.skip(`not applicable: ${skipped}`);
            return;
          }
          await runPrimedRow(running, row, mode);
        });
      }
    }
  },
);
