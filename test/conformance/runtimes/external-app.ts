/**
 * Starts a conformance app in another runtime as a child process (Node side; used by the
 * `apps/hono-bun.ts`, `apps/hono-deno.ts` and `apps/hono-workerd.ts` factories).
 *
 * The child listens on a random port of 127.0.0.1 and reports it as one JSON line carrying `port`
 * (on stdout, or on the control descriptor 3 for workerd); the handler calls it records are read
 * over HTTP from `GET /__calls/<case id>` (see `runtime-app.ts`). `close()` stops exactly the
 * process started here, by its PID, and the process is also killed if the test process exits first.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import type { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import type { ConformanceApp, HandlerCall } from '../routes.js';
import { CALLS_PATH } from './runtime-app.js';

/** The repository root (where `node_modules` holds the runtimes' binaries). */
export const REPO_ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');

/** A path inside the repository. */
export function repoPath(...segments: string[]): string {
  return join(REPO_ROOT, ...segments);
}

export interface ExternalAppOptions {
  /** For messages, e.g. `hono-deno`. */
  readonly name: string;
  /** The executable (an absolute path to a runtime binary). */
  readonly command: string;
  readonly args: readonly string[];
  /** Extra environment variables for the child. */
  readonly env?: Readonly<Record<string, string>>;
  /** Where the child reports its port: stdout (1) or an extra pipe on descriptor 3. Default 1. */
  readonly portFd?: 1 | 3;
  /** Give up starting after this many milliseconds. Default 20000. */
  readonly startupTimeout?: number;
  /** Called after the process has exited, from `close()` (e.g. remove a temporary directory). */
  readonly cleanup?: () => Promise<void>;
}

/** A started external app: the conformance contract plus what the in-flight test inspects. */
export interface ExternalApp extends ConformanceApp {
  /** The child's PID. */
  readonly pid: number;
  /** What the child printed on stdout and stderr so far (bounded). */
  output(): string;
}

const MAX_OUTPUT = 64 * 1024;
const live = new Set<ChildProcess>();
let exitHookInstalled = false;

/** Last resort: a child must not outlive the test process, even when `close()` never ran. */
function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.once('exit', () => {
    for (const child of live) child.kill('SIGKILL');
  });
}

/**
 * Send `signal` to the child and wait up to `ms` for it to exit and its output to be read to the
 * end (`close`); whether it did.
 */
function stop(child: ChildProcess, signal: NodeJS.Signals, ms: number, closed: Promise<void>) {
  if (child.exitCode === null && child.signalCode === null) child.kill(signal);
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<boolean>((resolve) => {
    timer = setTimeout(() => resolve(false), ms);
  });
  return Promise.race([closed.then(() => true), timeout]).finally(() => clearTimeout(timer));
}

/** Start the child and wait (bounded) until it reports the port it listens on. */
export async function startExternalApp(options: ExternalAppOptions): Promise<ExternalApp> {
  const { name, portFd = 1, startupTimeout = 20_000 } = options;
  installExitHook();
  const child = spawn(options.command, [...options.args], {
    cwd: REPO_ROOT,
    env: { ...process.env, NO_COLOR: '1', ...options.env },
    // stdin stays open: the Bun and Deno servers exit when it closes (the test process is gone).
    stdio: portFd === 3 ? ['pipe', 'pipe', 'pipe', 'pipe'] : ['pipe', 'pipe', 'pipe'],
  });
  live.add(child);
  child.once('exit', () => live.delete(child));
  const ended = new Promise<void>((resolve) => child.once('close', () => resolve()));

  let output = '';
  const collect = (chunk: Buffer) => {
    if (output.length < MAX_OUTPUT) output += chunk.toString('utf8');
  };
  child.stderr?.on('data', collect);
  const portStream = (portFd === 3 ? child.stdio[3] : child.stdout) as Readable;
  if (portFd === 3) child.stdout?.on('data', collect);

  let closed: Promise<void> | undefined;
  const close = (): Promise<void> => {
    closed ??= (async () => {
      child.stdin?.end();
      if (!(await stop(child, 'SIGTERM', 3000, ended))) await stop(child, 'SIGKILL', 3000, ended);
      child.stdin?.destroy();
      portStream.destroy();
      await options.cleanup?.();
    })();
    return closed;
  };

  let port: number;
  try {
    port = await new Promise<number>((resolve, reject) => {
      const fail = (why: string) =>
        reject(new Error(`${name}: ${why}\n--- output of ${options.command} ---\n${output}`));
      const timer = setTimeout(
        () => fail(`no port reported within ${startupTimeout} ms`),
        startupTimeout,
      );
      child.once('error', (error) => {
        clearTimeout(timer);
        fail(`could not start (${error.message})`);
      });
      child.once('exit', (code, signal) => {
        clearTimeout(timer);
        fail(`exited before listening (code ${code}, signal ${signal})`);
      });
      const lines = createInterface({ input: portStream });
      lines.on('line', (line) => {
        if (portFd === 1) output += `${line}\n`;
        const reported = readPort(line);
        if (reported !== undefined) {
          clearTimeout(timer);
          resolve(reported);
        }
      });
    });
  } catch (error) {
    await close();
    throw error;
  }

  const url = `http://127.0.0.1:${port}`;
  return {
    url,
    pid: child.pid as number,
    output: () => output,
    handlerCalls: {
      async get(caseId: string): Promise<HandlerCall | undefined> {
        const res = await fetch(`${url}${CALLS_PATH}${encodeURIComponent(caseId)}`);
        if (res.status !== 200) throw new Error(`${name}: call log answered ${res.status}`);
        return ((await res.json()) as HandlerCall | null) ?? undefined;
      },
    },
    close,
  };
}

/** `{"port":n}` (Bun, Deno) or `{"event":"listen","socket":"http","port":n}` (workerd). */
function readPort(line: string): number | undefined {
  if (!line.startsWith('{')) return undefined;
  try {
    const message = JSON.parse(line) as { port?: unknown; event?: unknown };
    if (message.event !== undefined && message.event !== 'listen') return undefined;
    return typeof message.port === 'number' && message.port > 0 ? message.port : undefined;
  } catch {
    return undefined;
  }
}
