/**
 * The fetch handler the Bun, Deno and workerd servers serve: the same Hono app as `hono-node`
 * (`../hono-app.ts`, built from `buildMounts(env)`, plus the attack table's mounts when `env`
 * carries their part — `../../attacks/mounts.ts`), plus `GET /__calls/<case id>`, which answers
 * the handler call recorded for that case as JSON (`null` when the handler did not run).
 *
 * Web-standard only (no `node:`, no runtime globals): runs unchanged on every runtime.
 */
import type { TokenwardOptions } from '@tokenward/core';
import { attackMounts, hasAttackEnv } from '../../attacks/mounts.js';
import { createHonoApp } from '../hono-app.js';
import { buildMounts, CallLog, type MountEnv, type MountSpec } from '../routes.js';

/** Path prefix of the call-log route; the case id follows, percent-encoded. */
export const CALLS_PATH = '/__calls/';

/** A fetch handler, as `Bun.serve`, `Deno.serve` and a Worker's `fetch` take it. */
export type FetchHandler = (request: Request) => Response | Promise<Response>;

/** The mounts an environment describes: the conformance ones, then the attack table's if sent. */
export function mountsFor(env: MountEnv): MountSpec[] {
  return [...buildMounts(env), ...(hasAttackEnv(env) ? attackMounts(env) : [])];
}

/**
 * Build the conformance app for this environment (one tokenward configuration per mount).
 * `extra` options are added to every mount's (the conformance servers pass none; the workerd
 * single-flight test passes an `onDecision` logger).
 */
export function createConformanceFetch(
  env: MountEnv,
  extra: Partial<TokenwardOptions> = {},
): FetchHandler {
  const calls = new CallLog();
  const mounts = mountsFor(env).map((mount) => ({
    ...mount,
    options: { ...mount.options, ...extra },
  }));
  const app = createHonoApp(mounts, calls);
  return (request) => {
    const { pathname } = new URL(request.url);
    if (request.method === 'GET' && pathname.startsWith(CALLS_PATH)) {
      const call = calls.get(decodeURIComponent(pathname.slice(CALLS_PATH.length)));
      return Response.json(call ?? null, { headers: { 'cache-control': 'no-store' } });
    }
    return app.fetch(request);
  };
}

/** Parse and check the JSON environment handed over by the test process. */
export function parseMountEnv(json: string): MountEnv {
  const env = JSON.parse(json) as Partial<Record<keyof MountEnv, unknown>>;
  for (const key of ['trustedIssuer', 'faultyIssuer', 'audience', 'closedJwksUri'] as const) {
    if (typeof env[key] !== 'string') throw new TypeError(`conformance env: ${key} is missing`);
  }
  return env as MountEnv;
}
