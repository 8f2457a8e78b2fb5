/**
 * The conformance app on Bun: the same `hono-app.ts`, served by `Bun.serve` in a `bun` process
 * (`runtimes/bun-server.ts`, TypeScript run directly; packages resolve from the repository's
 * `node_modules`). The binary is the root devDependency `bun`.
 */
import type { AppFactory, MountEnv } from '../routes.js';
import { repoPath, startExternalApp } from '../runtimes/external-app.js';

const factory: AppFactory = {
  name: 'hono-bun',
  start: (_mounts, env: MountEnv) =>
    startExternalApp({
      name: 'hono-bun',
      command: repoPath('node_modules', 'bun', 'bin', 'bun.exe'),
      args: [repoPath('test', 'conformance', 'runtimes', 'bun-server.ts'), JSON.stringify(env)],
      env: { DO_NOT_TRACK: '1' },
    }),
};
export default factory;
