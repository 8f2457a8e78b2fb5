#!/usr/bin/env node
// The README's commands go through here so they work on a fresh machine with only Node and npm:
// it checks Node, gets the pinned pnpm (via npx when none is installed), installs the workspace,
// builds the packages, then runs the demo, the tests or the benchmark.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const PNPM = '10.34.9';
const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const [command = 'test', ...rest] = process.argv.slice(2);

const [major, minor] = process.versions.node.split('.').map(Number);
if (major < 20 || (major === 20 && minor < 19)) {
  console.error(`tokenward needs Node >= 20.19 (this is ${process.versions.node}).`);
  process.exit(1);
}

function run(cmd, args, options = {}) {
  const result = spawnSync(cmd, args, { cwd: root, stdio: 'inherit', ...options });
  if (result.error) throw result.error;
  if (result.status !== 0) process.exit(result.status ?? 1);
}

function pnpm() {
  const probe = spawnSync('pnpm', ['--version'], { encoding: 'utf8' });
  if (probe.status === 0 && probe.stdout.trim() === PNPM) return ['pnpm', []];
  return ['npx', ['-y', `pnpm@${PNPM}`]];
}

const [pm, pmArgs] = pnpm();
const pn = (...args) => run(pm, [...pmArgs, ...args]);

const quiet = process.env.CI ? [] : ['--reporter=silent'];
pn('install', '--frozen-lockfile', ...quiet);
pn('run', 'build');

switch (command) {
  case 'test':
    pn('exec', 'vitest', 'run', ...rest);
    break;
  case 'check':
    pn('run', 'lint');
    pn('run', 'typecheck');
    pn('run', 'publint');
    break;
  case 'demo': {
    const demo = join(root, 'examples', 'demo', 'demo.mjs');
    if (!existsSync(demo)) throw new Error('demo script missing');
    run(process.execPath, [demo, ...rest]);
    break;
  }
  case 'bench':
    run(process.execPath, [join(root, 'bench', 'run.mjs'), ...rest]);
    break;
  default:
    console.error(`unknown command: ${command} (expected test, check, demo or bench)`);
    process.exit(2);
}
