/**
 * The conformance app on Deno: the same `hono-app.ts`, served by `Deno.serve` in a `deno` process
 * (`runtimes/deno-server.ts`, TypeScript run directly). Packages resolve from the repository's
 * `node_modules` (`--node-modules-dir=manual`), `./x.js` imports of `.ts` files with
 * `--sloppy-imports`; the network is limited to 127.0.0.1, nothing is written (`--no-lock`).
 * The binary is the root devDependency `deno`.
 */
import type { AppFactory, MountEnv } from '../routes.js';
import { REPO_ROOT, repoPath, startExternalApp } from '../runtimes/external-app.js';

const factory: AppFactory = {
  name: 'hono-deno',
  start: (_mounts, env: MountEnv) =>
    startExternalApp({
      name: 'hono-deno',
      command: repoPath('node_modules', 'deno', 'deno'),
      args: [
        'run',
        '--no-lock',
        '--no-prompt',
        '--node-modules-dir=manual',
        '--sloppy-imports',
        '--allow-net=127.0.0.1',
        `--allow-read=${REPO_ROOT}`,
        repoPath('test', 'conformance', 'runtimes', 'deno-server.ts'),
        JSON.stringify(env),
      ],
      env: { DENO_NO_UPDATE_CHECK: '1', DENO_NO_PROMPT: '1' },
    }),
};
export default factory;
