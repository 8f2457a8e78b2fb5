/** What the numbers were measured on. */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import os from 'node:os';
import { canPin } from './children.mjs';

function cpuModel() {
  try {
    const info = readFileSync('/proc/cpuinfo', 'utf8');
    const match = /^model name\s*:\s*(.+)$/m.exec(info);
    if (match) return match[1].trim();
  } catch {
    // not Linux
  }
  return os.cpus()[0]?.model ?? 'unknown';
}

/** Files under packages/ that differ from the commit (read-only `git status`), e.g. work in progress. */
function dirtyPackages(cwd) {
  try {
    const out = execFileSync('git', ['status', '--porcelain', '--', 'packages'], {
      cwd,
      encoding: 'utf8',
    });
    return out.split('\n').filter(Boolean).length;
  } catch {
    return undefined;
  }
}

function gitCommit(cwd) {
  try {
    return execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd, encoding: 'utf8' }).trim();
  } catch {
    return undefined;
  }
}

export function machineInfo(repoRoot) {
  return {
    date: new Date().toISOString(),
    cpu: cpuModel(),
    cores: os.cpus().length,
    memoryGiB: Math.round((os.totalmem() / 1024 ** 3) * 10) / 10,
    node: process.version,
    v8: process.versions.v8,
    platform: `${os.platform()} ${os.release()} ${os.arch()}`,
    loadavg: os.loadavg().map((n) => Math.round(n * 100) / 100),
    pinned: canPin(),
    commit: gitCommit(repoRoot),
    uncommittedPackageFiles: dirtyPackages(repoRoot),
  };
}
