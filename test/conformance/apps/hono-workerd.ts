/**
 * The conformance app on workerd (Cloudflare Workers' runtime): the same `hono-app.ts` as a
 * Worker (`runtimes/workerd/worker.ts`), bundled with esbuild at test time and served by a
 * `workerd` process. The binary is the root devDependency `workerd`.
 */
import type { AppFactory, MountEnv } from '../routes.js';
import { startWorkerd } from '../runtimes/workerd/start-workerd.js';

const factory: AppFactory = {
  name: 'hono-workerd',
  notApplicable: {
    // Seen with a raw-socket probe: `Authorization: ` then `Authorization: Bearer x` reaches the
    // Worker as one header `Bearer x` (and two empty lines as none at all), while `Bearer x` then
    // an empty line arrives as `Bearer x, `. The information is gone before any JavaScript runs.
    'two Authorization headers (empty, Bearer)':
      "workerd's HTTP server drops the empty first Authorization line: the Worker sees exactly one header",
  },
  start: (_mounts, env: MountEnv) => startWorkerd('hono-workerd', env),
};
export default factory;
