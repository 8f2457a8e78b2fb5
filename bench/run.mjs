/**
 * The one command: micro + memory + http, each in its own pinned process; prints the markdown
 * tables and writes bench/results/latest.json (machine info included).
 *
 *   pnpm bench [-- --quick] [--only=micro,memory,http] [--frameworks=express,fastify,hono,nestjs]
 *              [--algorithms=RS256,ES256,EdDSA,HS256] [--rounds=N] [--duration=S] [--warmup=S]
 *              [--connections=N] [--pool=N] [--tw-options='{"...": ...}'] [--cpu-prof] [--out=path]
 */
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { settingsFromArgv, settingsToArgs } from './lib/args.mjs';
import { exitWithParent, spawnNode } from './lib/children.mjs';
import { machineInfo } from './lib/machine.mjs';
import { renderHttp, renderMachine, renderMemory, renderMicro } from './lib/report.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));

const USAGE = `usage: node bench/run.mjs [--quick] [--only=micro,memory,http] [--frameworks=express,fastify,hono,nestjs]
                         [--algorithms=RS256,ES256,EdDSA,HS256] [--rounds=N] [--duration=S] [--warmup=S]
                         [--connections=N] [--pool=N] [--tw-options=JSON] [--cpu-prof] [--out=path]
See bench/README.md.`;

function runPart(script, settings, out, nodeFlags = []) {
  const child = spawnNode(
    [...nodeFlags, path.join(here, script), ...settingsToArgs(settings, { out })],
    {
      stdout: 'inherit',
    },
  );
  return new Promise((resolve, reject) => {
    child.on('exit', (code, signal) => {
      if (code === 0) resolve(JSON.parse(readFileSync(out, 'utf8')));
      else reject(new Error(`${script} failed (${code ?? signal})`));
    });
  });
}

async function main() {
  exitWithParent();
  if (process.argv.includes('--help')) {
    console.log(USAGE);
    return;
  }
  const settings = settingsFromArgv();
  const started = Date.now();
  const tmp = path.join(os.tmpdir(), `tokenward-bench-run-${process.pid}`);
  mkdirSync(tmp, { recursive: true });
  process.on('exit', () => rmSync(tmp, { recursive: true, force: true }));

  const machine = machineInfo(path.join(here, '..'));
  process.stderr.write(
    `${renderMachine(machine)}\n${settings.quick ? 'quick run' : 'full run'}: ${settings.only.join(', ')}\n`,
  );
  const parts = {};
  if (settings.only.includes('micro')) {
    parts.micro = await runPart('micro.mjs', settings, path.join(tmp, 'micro.json'));
  }
  if (settings.only.includes('memory')) {
    parts.memory = await runPart('memory.mjs', settings, path.join(tmp, 'memory.json'));
  }
  if (settings.only.includes('http')) {
    parts.http = await runPart('http.mjs', settings, path.join(tmp, 'http.json'));
  }
  const wallSeconds = Math.round((Date.now() - started) / 1000);

  const sections = [
    `## tokenward benchmark${settings.quick ? ' (quick)' : ''}`,
    '',
    renderMachine(machine),
    '',
  ];
  if (parts.http) sections.push(renderHttp(parts.http), '');
  if (parts.micro) sections.push(renderMicro(parts.micro), '');
  if (parts.memory) sections.push(renderMemory(parts.memory), '');
  sections.push(`Wall time: ${wallSeconds} s.`);
  const markdown = sections.join('\n');
  process.stdout.write(`\n${markdown}\n`);

  const out = settings.out ?? path.join(here, 'results', 'latest.json');
  mkdirSync(path.dirname(out), { recursive: true });
  writeFileSync(
    out,
    JSON.stringify(
      {
        machine: { ...machine, loadavgEnd: os.loadavg().map((n) => Math.round(n * 100) / 100) },
        settings: { ...settings, out: undefined },
        wallSeconds,
        ...parts,
        markdown,
      },
      null,
      2,
    ),
  );
  process.stderr.write(`results written to ${path.relative(process.cwd(), out)}\n`);
}

await main();
