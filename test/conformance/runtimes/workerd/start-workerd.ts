/**
 * Node side of the workerd app: bundle `worker.ts` with esbuild into a fresh temporary directory
 * (never into the repository), write the `MountEnv` there as `env.json` and the config from
 * `config.capnp.template`, and run `workerd serve` on it. workerd binds port 0 and reports the port
 * on the control descriptor (`--control-fd=3`). The directory is removed on `close()`.
 */
import { copyFile, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build } from 'esbuild';
import type { MountEnv } from '../../routes.js';
import { type ExternalApp, repoPath, startExternalApp } from '../external-app.js';

const HERE = repoPath('test', 'conformance', 'runtimes', 'workerd');

/** Start the conformance Worker (or `entry`, another worker module) in a new workerd process. */
export async function startWorkerd(
  name: string,
  env: MountEnv,
  entry = join(HERE, 'worker.ts'),
): Promise<ExternalApp> {
  const dir = await mkdtemp(join(tmpdir(), 'tokenward-workerd-'));
  const cleanup = () => rm(dir, { recursive: true, force: true });
  try {
    await build({
      entryPoints: [entry],
      outfile: join(dir, 'worker.js'),
      bundle: true,
      format: 'esm',
      platform: 'neutral',
      conditions: ['workerd', 'worker', 'browser'],
      mainFields: ['module', 'main'],
      target: 'es2022',
      logLevel: 'silent',
    });
    await writeFile(join(dir, 'env.json'), JSON.stringify(env));
    await copyFile(join(HERE, 'config.capnp.template'), join(dir, 'config.capnp'));
  } catch (error) {
    await cleanup();
    throw error;
  }
  return startExternalApp({
    name,
    command: repoPath('node_modules', 'workerd', 'bin', 'workerd'),
    args: ['serve', join(dir, 'config.capnp'), '--control-fd=3'],
    portFd: 3,
    cleanup,
  });
}
