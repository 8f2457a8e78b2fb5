/**
 * The four examples as they are shipped: each example's entry point (`node dist/server.js`) in a
 * child process, configured through the environment only (EXAMPLES.md), with `NODE_ENV` set —
 * so that development and production mode are each a real process, not a flag flipped in the
 * test's own process.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import type { ExampleConfig, RunningApp } from './example-apps.js';

const NAMES = ['express', 'fastify', 'hono', 'nestjs'] as const;

/** A port that was free a moment ago, on 127.0.0.1. */
async function freePort(): Promise<number> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = once(child, 'exit');
  child.kill('SIGTERM');
  await exited;
}

/** Why a child could not be started; `portTaken` when another process bound the port first. */
class StartError extends Error {
  constructor(
    message: string,
    readonly portTaken: boolean,
  ) {
    super(message);
  }
}

async function startOnce(
  name: RunningApp['name'],
  config: ExampleConfig,
  nodeEnv: string,
): Promise<RunningApp> {
  const port = await freePort();
  const entry = fileURLToPath(new URL(`../../examples/${name}/dist/server.js`, import.meta.url));
  const child = spawn(process.execPath, [entry], {
    env: {
      PATH: process.env.PATH,
      NODE_ENV: nodeEnv,
      PORT: String(port),
      ISSUER: config.issuer,
      AUDIENCE: config.audience,
      ...(config.pdp === undefined ? {} : { AUTHZEN_PDP: config.pdp }),
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (chunk) => (output += chunk));
  child.stderr?.on('data', (chunk) => (output += chunk));
  const url = `http://127.0.0.1:${port}`;
  // Ready once `GET /health` answers 200 (the contract's readiness signal).
  for (const deadline = Date.now() + 60_000; ; ) {
    if (child.exitCode !== null) {
      throw new StartError(`${name} exited early:\n${output}`, output.includes('EADDRINUSE'));
    }
    const ok = await fetch(`${url}/health`).then(
      (response) => response.ok,
      () => false,
    );
    if (ok) break;
    if (Date.now() > deadline) {
      await stop(child);
      throw new StartError(`${name} did not answer /health on ${url}:\n${output}`, false);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return { name, url, close: () => stop(child) };
}

/** Start one example; a port another process took in the meantime means another port. */
async function startOne(
  name: RunningApp['name'],
  config: ExampleConfig,
  nodeEnv: string,
): Promise<RunningApp> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await startOnce(name, config, nodeEnv);
    } catch (error) {
      if (!(error instanceof StartError && error.portTaken && attempt < 5)) throw error;
    }
  }
}

/** Start the four examples' servers with `NODE_ENV=nodeEnv`, each in its own process. */
export async function startExampleServers(
  config: ExampleConfig,
  nodeEnv: 'development' | 'production',
): Promise<RunningApp[]> {
  const started = await Promise.allSettled(NAMES.map((name) => startOne(name, config, nodeEnv)));
  const apps = started.flatMap((result) => (result.status === 'fulfilled' ? [result.value] : []));
  const failed = started.find((result) => result.status === 'rejected');
  if (failed) {
    await Promise.all(apps.map((app) => app.close()));
    throw failed.reason;
  }
  return apps;
}
