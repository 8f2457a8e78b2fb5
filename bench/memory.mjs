/**
 * Memory of a verifier after it verified N distinct tokens: whatever `createTokenward()` keeps
 * (today: keys only, no token cache; a cache, once added, shows here), next to fast-jwt's verifier
 * with its token cache for reference. Each figure comes from its own process (started with
 * `--expose-gc`, pinned to one core): after a throw-away warm-up instance, the growth of
 * `heapUsed` (and `external`) after `global.gc()` from creating the verifier, then from verifying
 * N distinct tokens with it.
 *
 *   node bench/memory.mjs [--quick] [--tw-options='{"...": ...}'] [--out=file.json]
 */
import crypto from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createTokenward } from '@tokenward/core';
import { createTestIssuer } from '@tokenward/testing';
import { createVerifier } from 'fast-jwt';
import { settingsFromArgv } from './lib/args.mjs';
import { canPin, exitWithParent, spawnNode, waitForLine } from './lib/children.mjs';
import { machineInfo } from './lib/machine.mjs';
import { renderMemory } from './lib/report.mjs';
import { flat, mintMany } from './lib/tokens.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const CORE = 1;
const COUNTS = [0, 1000, 10000];
/** Tokens verified by the throw-away instance first (JIT, lazy module loading). */
const WARMUP = 2000;

const VERIFIERS = [
  { id: 'tokenward-local', name: 'tokenward (local jwks)', kind: 'tokenward' },
  { id: 'tokenward-remote', name: 'tokenward (issuer discovery → JWKS)', kind: 'tokenward' },
  { id: 'fast-jwt-cache', name: 'fast-jwt verifier, cache: 10,000', kind: 'peer' },
];

function settle() {
  for (let i = 0; i < 4; i++) globalThis.gc();
  const m = process.memoryUsage();
  return { heap: m.heapUsed, external: m.external + m.arrayBuffers };
}

/** In a child process: measure one verifier at one N. */
async function measureOne(job) {
  const { issuer, audience, jwks, pem, tokensFile, verifier, count, twOptions } = job;
  const tokens = JSON.parse(readFileSync(tokensFile, 'utf8'));
  const common = { issuer, audience };
  const create = async () => {
    if (verifier === 'tokenward-local') {
      const tw = createTokenward({ ...common, jwks, ...twOptions });
      return (t) => tw.verify(t);
    }
    if (verifier === 'tokenward-remote') {
      const tw = createTokenward({ ...common, ...twOptions });
      await tw.warmup();
      return (t) => tw.verify(t);
    }
    return createVerifier({
      key: pem,
      algorithms: ['RS256'],
      allowedIss: issuer,
      allowedAud: audience,
      cache: 10000,
    });
  };
  const scratch = await create();
  for (let i = 0; i < WARMUP; i++) await scratch(tokens[tokens.length - 1 - i]);
  const before = settle();
  const verify = await create();
  await verify(tokens[tokens.length - 1]); // keys fetched and imported
  const created = settle();
  for (let i = 0; i < count; i++) await verify(tokens[i]);
  const after = settle();
  await verify(tokens[0]); // the verifier stays reachable through the measurement
  return {
    baseHeap: created.heap - before.heap,
    baseExternal: created.external - before.external,
    heapGrowth: after.heap - created.heap,
    externalGrowth: after.external - created.external,
  };
}

async function main() {
  exitWithParent();
  if (process.env.BENCH_MEMORY_JOB) {
    const result = await measureOne(JSON.parse(process.env.BENCH_MEMORY_JOB));
    process.stdout.write(`RESULT ${JSON.stringify(result)}\n`);
    return;
  }
  const settings = settingsFromArgv();
  const log = (message) => process.stderr.write(`[memory] ${message}\n`);
  const started = Date.now();

  const issuer = await createTestIssuer({ algorithm: 'RS256', expiresIn: 3600 });
  const max = Math.max(...COUNTS);
  const tokens = await mintMany(() => issuer.mintToken({ scope: 'read:report' }), max + WARMUP + 1);
  const dir = mkdtempSync(path.join(os.tmpdir(), 'tokenward-bench-memory-'));
  process.on('exit', () => rmSync(dir, { recursive: true, force: true }));
  const tokensFile = path.join(dir, 'tokens.json');
  writeFileSync(tokensFile, JSON.stringify(tokens));
  const jwk = issuer.currentKey.publicJwk;
  const pem = crypto
    .createPublicKey({ key: jwk, format: 'jwk' })
    .export({ type: 'spki', format: 'pem' });

  const results = [];
  for (const verifier of VERIFIERS) {
    for (const count of COUNTS) {
      const job = {
        issuer: issuer.issuer,
        audience: issuer.audience,
        jwks: issuer.jwks(),
        pem,
        tokensFile,
        verifier: verifier.id,
        count,
        twOptions: settings.twOptions,
      };
      const child = spawnNode(
        ['--expose-gc', '--no-flush-bytecode', fileURLToPath(import.meta.url)],
        {
          core: CORE,
          env: { BENCH_MEMORY_JOB: JSON.stringify(job) },
        },
      );
      const measured = JSON.parse(await waitForLine(child, 'RESULT ', 120000));
      const row = { verifier: verifier.name, kind: verifier.kind, tokens: count, ...measured };
      row.perToken = count === 0 ? Number.NaN : (row.heapGrowth + row.externalGrowth) / count;
      results.push(row);
      log(
        `${verifier.name.padEnd(36)} N=${String(count).padStart(5)}: verifier ${Math.round(row.baseHeap / 1024)} KiB, growth ${Math.round(row.heapGrowth / 1024)} KiB heap + ${Math.round(row.externalGrowth / 1024)} KiB external`,
      );
    }
  }
  await issuer.close();
  const result = {
    kind: 'memory',
    machine: machineInfo(path.join(here, '..')),
    settings: {
      counts: COUNTS,
      warmup: WARMUP,
      tokenLength: flat(tokens[0]).length,
      pinnedCore: canPin() ? CORE : undefined,
      twOptions: settings.twOptions,
    },
    results,
    wallSeconds: Math.round((Date.now() - started) / 1000),
  };
  if (settings.out) writeFileSync(settings.out, JSON.stringify(result, null, 2));
  else process.stdout.write(`${renderMemory(result)}\n`);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) await main();
