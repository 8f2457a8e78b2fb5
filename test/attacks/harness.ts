/**
 * What the attack suites share: the adapter app factories of `test/conformance/apps/` (loaded
 * like the conformance driver does) and the checks every refusal must pass. The raw `node:http`
 * client is `../helpers/wire.ts`.
 */
import { expect } from 'vitest';
import type { AppFactory } from '../conformance/routes.js';
import { expectRetryAfter } from '../helpers/answers.js';
import { loadAppFactories } from '../helpers/app-factories.js';
import { authorization, type HeaderLine } from '../helpers/rows.js';
import { headerLines, type RawResponse } from '../helpers/wire.js';

/** Every app factory under `test/conformance/apps/` (`ATTACK_ADAPTERS=express,fastify` for a subset). */
export function loadFactories(): Promise<AppFactory[]> {
  return loadAppFactories('ATTACK_ADAPTERS', 'skip');
}

/**
 * Factories that run the app in another process or runtime: they build their routes themselves
 * from the plain-JSON environment (the conformance mounts, and the attack table's when it is
 * sent: `mounts.ts`), so they can take no function-valued option from the test process (the
 * controllable clocks and event logs of `key-faults.test.ts`).
 */
export const OUT_OF_PROCESS = /^hono-(bun|deno|workerd)$/;

/**
 * Attack rows an app cannot run, by factory name then row name, with the reason: each such row
 * is skipped with `[not applicable: <reason>]` in its title, and the whole map is printed when the
 * suite starts. Empty: every app — Bun, Deno and workerd included — builds every attack mount, so
 * every row runs everywhere. A reason must be a fact of the runtime that no app code can change
 * (as workerd's HTTP server merging header lines before any JavaScript runs), never a missing
 * mount or route: those are to be served.
 */
export const ATTACK_NOT_APPLICABLE: Readonly<Record<string, Readonly<Record<string, string>>>> = {};

/** Why `adapter` cannot run the row `name`, or `undefined` when it runs it. */
export function attackNotApplicable(adapter: string, name: string): string | undefined {
  return ATTACK_NOT_APPLICABLE[adapter]?.[name];
}

/** Print, once, how many rows each app runs and every row it cannot, with the reason. */
export function printNotApplicable(
  factories: readonly AppFactory[],
  rows: readonly { readonly name: string }[],
): void {
  const lines = factories.map((factory) => {
    const skipped = rows.filter((row) => attackNotApplicable(factory.name, row.name) !== undefined);
    const why = skipped.map(
      (row) => `\n    - ${row.name}: ${attackNotApplicable(factory.name, row.name)}`,
    );
    return `  ${factory.name}: ${rows.length - skipped.length}/${rows.length} rows${why.join('')}`;
  });
  console.info(`attack table, rows run per app (not applicable: harness.ts)\n${lines.join('\n')}`);
}

/** `Authorization: Bearer <token>`. */
export function bearer(token: string): HeaderLine {
  return authorization(`Bearer ${token}`);
}

/** Stack frames, key material or URLs that must never appear in a refusal body. */
const LEAKS = [/\bat .+:\d+:\d+/, /https?:\/\//, /"(d|n|k|p|q)"\s*:/, /Error:/, /node:/];

/** The body and headers every refusal carries, whatever the adapter. */
export function expectCleanRefusal(
  res: RawResponse,
  tokens: readonly string[] = [],
  method = 'GET',
): void {
  expect(res.headers['content-type'] ?? '', 'content-type').toMatch(/^application\/json\b/);
  expect(res.headers['cache-control'], 'cache-control').toBe('no-store');
  if (method === 'HEAD') {
    expect(res.body, 'no body on HEAD').toBe('');
  } else {
    const body = JSON.parse(res.body) as Record<string, unknown>;
    expect(Object.keys(body).sort(), 'body members').toEqual(['error', 'error_description']);
  }
  for (const leak of LEAKS) expect(res.body, `body leaks ${leak}`).not.toMatch(leak);
  const headers = res.rawHeaders.join('\n');
  for (const token of tokens) {
    expect(res.body.includes(token), 'token echoed in body').toBe(false);
    const signature = token.split('.').at(-1) ?? token;
    if (signature.length > 8) {
      expect(res.body, 'signature echoed in body').not.toContain(signature);
      expect(headers, 'signature echoed in headers').not.toContain(signature);
    }
  }
}

/** A 503 for unavailable keys: no challenge, a whole-second `Retry-After`, the fixed body. */
export function expectUnavailable(res: RawResponse): void {
  expect(res.status, 'status (503, never 401 or 500)').toBe(503);
  expect(headerLines(res, 'www-authenticate'), 'WWW-Authenticate').toEqual([]);
  expectRetryAfter(res, true);
  expect(JSON.parse(res.body), 'body').toEqual({
    error: 'temporarily_unavailable',
    error_description: 'The token signing keys are unavailable',
  });
  expectCleanRefusal(res);
}
