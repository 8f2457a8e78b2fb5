/**
 * A real Cerbos PDP for tests: the binary from the `@cerbos/cerbos-linux-x64` devDependency,
 * the policies of `test/fixtures/cerbos/`, HTTP (where it serves AuthZEN) and gRPC on free ports
 * of 127.0.0.1, no telemetry, no audit. Started by the test, stopped by it (by PID).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';

/** The repository's Cerbos policies. */
export const CERBOS_POLICIES = fileURLToPath(new URL('../fixtures/cerbos/', import.meta.url));

/** A running Cerbos. */
export interface CerbosPdp {
  /** Base URL, e.g. `http://127.0.0.1:41234` (its `policy_decision_point`). */
  readonly url: string;
  /** Stop it (idempotent). */
  close(): Promise<void>;
}

async function freePort(): Promise<number> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** The binary inside the npm package (its `main`). */
export function cerbosBinary(): string {
  const require = createRequire(import.meta.url);
  return join(
    dirname(require.resolve('@cerbos/cerbos-linux-x64/package.json')),
    'cerbos-linux-x64',
  );
}

/** Start Cerbos and wait until it answers its AuthZEN discovery document. */
export async function startCerbos(): Promise<CerbosPdp> {
  const dir = await mkdtemp(join(tmpdir(), 'tokenward-cerbos-'));
  const [http, grpc] = [await freePort(), await freePort()];
  const config = join(dir, 'config.yaml');
  await writeFile(
    config,
    [
      'server:',
      `  httpListenAddr: "127.0.0.1:${http}"`,
      `  grpcListenAddr: "127.0.0.1:${grpc}"`,
      'storage:',
      '  driver: disk',
      '  disk:',
      `    directory: ${JSON.stringify(CERBOS_POLICIES)}`,
      '    watchForChanges: false',
      'telemetry:',
      '  disabled: true',
      '',
    ].join('\n'),
  );
  const child: ChildProcess = spawn(cerbosBinary(), ['server', `--config=${config}`], {
    env: { PATH: process.env.PATH, CERBOS_NO_TELEMETRY: '1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (chunk) => (output += chunk));
  child.stderr?.on('data', (chunk) => (output += chunk));
  const url = `http://127.0.0.1:${http}`;
  const close = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      const exited = once(child, 'exit');
      child.kill('SIGTERM');
      await exited;
    }
    await rm(dir, { recursive: true, force: true });
  };
  for (let i = 0; i < 200; i++) {
    if (child.exitCode !== null) break;
    try {
      const res = await fetch(`${url}/.well-known/authzen-configuration`);
      if (res.ok) return { url, close };
    } catch {
      // not listening yet
    }
    await sleep(50);
  }
  await close();
  throw new Error(`Cerbos did not start:\n${output.slice(-2000)}`);
}
