/**
 * Child processes of a bench script: spawned pinned to a CPU core, tracked, and always ended when
 * the script ends — normally, on an error, or on SIGINT/SIGTERM. Children watch their stdin and
 * exit when it closes, so they also go away if this process is killed outright.
 */
import { spawn, spawnSync } from 'node:child_process';
import os from 'node:os';

const alive = new Set();
let hooked = false;

function killAll(signal = 'SIGKILL') {
  for (const child of alive) {
    try {
      child.kill(signal);
    } catch {
      // already gone
    }
  }
  alive.clear();
}

function hookExit() {
  if (hooked) return;
  hooked = true;
  process.on('exit', () => killAll());
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
    process.on(signal, () => {
      killAll();
      process.exit(signal === 'SIGINT' ? 130 : 143);
    });
  }
  process.on('uncaughtException', (error) => {
    console.error(error);
    killAll();
    process.exit(1);
  });
  process.on('unhandledRejection', (error) => {
    console.error(error);
    killAll();
    process.exit(1);
  });
}

let tasksetChecked;
/** Whether CPU pinning is possible: `taskset` exists and there are at least two cores. */
export function canPin() {
  if (tasksetChecked === undefined) {
    const probe = spawnSync('taskset', ['-c', '0', 'true'], { stdio: 'ignore' });
    // os.cpus(), not availableParallelism(): inside a pinned process the latter says 1.
    tasksetChecked = probe.status === 0 && os.cpus().length >= 2;
  }
  return tasksetChecked;
}

/**
 * Spawn `node <args>` pinned to `core` (when pinning is possible). stdin is a pipe the child
 * watches (see {@link exitWithParent}); stdout is piped, stderr inherited.
 */
export function spawnNode(args, { core, env = {}, stdout = 'pipe' } = {}) {
  hookExit();
  const nodeArgs = [...args];
  const useTaskset = core !== undefined && canPin();
  const command = useTaskset ? 'taskset' : process.execPath;
  const argv = useTaskset ? ['-c', String(core), process.execPath, ...nodeArgs] : nodeArgs;
  const child = spawn(command, argv, {
    stdio: ['pipe', stdout, 'inherit'],
    env: { ...process.env, ...env, BENCH_PARENT_PIPE: '1' },
  });
  alive.add(child);
  child.on('exit', () => alive.delete(child));
  return child;
}

/** End one child we started (by its handle, i.e. its PID) and wait until it is gone. */
export function stopChild(child, timeoutMs = 3000) {
  if (child.exitCode !== null || child.signalCode !== null) {
    alive.delete(child);
    return Promise.resolve();
  }
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.once('exit', () => {
      clearTimeout(timer);
      alive.delete(child);
      resolve();
    });
    child.kill('SIGTERM');
  });
}

/** Resolve with the first stdout line of `child` matching `prefix` (the rest of the line). */
export function waitForLine(child, prefix, timeoutMs = 60000) {
  return new Promise((resolve, reject) => {
    let buffer = '';
    const timer = setTimeout(() => {
      cleanup();
      reject(new Error(`child ${child.pid} did not print "${prefix}" within ${timeoutMs} ms`));
    }, timeoutMs);
    const onData = (chunk) => {
      buffer += chunk;
      let nl = buffer.indexOf('\n');
      while (nl !== -1) {
        const line = buffer.slice(0, nl);
        buffer = buffer.slice(nl + 1);
        if (line.startsWith(prefix)) {
          cleanup();
          resolve(line.slice(prefix.length).trim());
          return;
        }
        process.stderr.write(`  [child ${child.pid}] ${line}\n`);
        nl = buffer.indexOf('\n');
      }
    };
    const onExit = (code, signal) => {
      cleanup();
      reject(
        new Error(`child ${child.pid} exited (${code ?? signal}) before printing "${prefix}"`),
      );
    };
    function cleanup() {
      clearTimeout(timer);
      child.stdout.off('data', onData);
      child.off('exit', onExit);
    }
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', onData);
    child.on('exit', onExit);
  });
}

/**
 * In a child: exit when the parent's pipe on stdin closes (the parent ended, however it ended).
 * Does nothing when the script was not started by a bench parent.
 */
export function exitWithParent() {
  if (process.env.BENCH_PARENT_PIPE !== '1') return;
  process.stdin.on('end', () => process.exit(0));
  process.stdin.on('error', () => process.exit(0));
  process.stdin.resume();
  // Reading stdin must not keep an otherwise finished script alive.
  process.stdin.unref?.();
}

/**
 * Run this script pinned to `core`: when not pinned yet (and pinning is possible), re-run it under
 * `taskset -c core` with the same arguments, wait, and exit with its status. Returns true when the
 * caller should go on (it is the pinned process, or pinning is impossible).
 */
export async function ensurePinned(core, nodeFlags = [], { force = false } = {}) {
  const pinned = process.env.BENCH_PINNED === String(core) || !canPin();
  if (pinned && !force) return true;
  const child = spawnNode([...nodeFlags, process.argv[1], ...process.argv.slice(2)], {
    core: canPin() ? core : undefined,
    env: { BENCH_PINNED: String(core) },
    stdout: 'inherit',
  });
  const code = await new Promise((resolve) =>
    child.on('exit', (c, s) => resolve(c ?? (s ? 1 : 0))),
  );
  process.exit(code);
}
