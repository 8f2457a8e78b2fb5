/**
 * HTTP benchmark: for each framework, the same route bare, behind tokenward, and behind the peers
 * users would pick instead. Hot (one token, again and again) and cold (a pool of distinct tokens,
 * each sent once per pass). Servers run in a child process pinned to core 1; this process (the
 * load generator, autocannon) and the issuer run on core 0. Each round starts a fresh server per
 * configuration; configurations are interleaved across rounds; medians are reported.
 *
 *   node bench/http.mjs [--quick] [--frameworks=express,fastify,hono,nestjs] [--rounds=3]
 *                       [--duration=3] [--warmup=1] [--connections=10] [--pool=20000]
 *                       [--tw-options='{"...": ...}'] [--cpu-prof] [--out=file.json]
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import { settingsFromArgv } from './lib/args.mjs';
import {
  canPin,
  ensurePinned,
  exitWithParent,
  spawnNode,
  stopChild,
  waitForLine,
} from './lib/children.mjs';
import { machineCpuSeconds, processCpuSeconds, processRssMiB } from './lib/cpu.mjs';
import { machineInfo } from './lib/machine.mjs';
import { renderHttp } from './lib/report.mjs';
import { median } from './lib/stats.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const ROUTE = '/hello';
const SERVER_CORE = 1;
const LOAD_CORE = 0;

/** Every configuration measured, per framework. `keys` says how each obtains its keys. */
export const VARIANTS = {
  express: [
    { id: 'bare', label: 'bare', role: 'bare' },
    {
      id: 'noop',
      label: 'no-op guard',
      role: 'floor',
      keys: "no verification: a middleware that calls next() in the guard's place (the framework's cost of one more middleware)",
    },
    {
      id: 'tokenward',
      label: 'tokenward',
      role: 'tokenward',
      keys: '@tokenward/express: issuer → OIDC discovery → JWKS URL, fetched once at startup (warmup)',
    },
    {
      id: 'express-oauth2-jwt-bearer',
      label: 'express-oauth2-jwt-bearer',
      role: 'peer',
      keys: 'issuerBaseURL → OIDC discovery → JWKS URL (jose createRemoteJWKSet), fetched on first request',
    },
  ],
  fastify: [
    { id: 'bare', label: 'bare', role: 'bare' },
    {
      id: 'noop',
      label: 'no-op guard',
      role: 'floor',
      keys: 'no verification: a plugin registered before the route and an onRequest hook that calls done() (the shape every guarded Fastify app has)',
    },
    {
      id: 'tokenward',
      label: 'tokenward',
      role: 'tokenward',
      keys: '@tokenward/fastify plugin, onRequest requireAuth(): issuer → OIDC discovery → JWKS, at startup',
    },
    {
      id: 'fastify-jwt',
      label: '@fastify/jwt',
      role: 'peer',
      keys: 'README JWKS recipe: get-jwks (OIDC discovery from token iss, allow-listed; JWK cached, PEM per request) + fast-jwt',
    },
    {
      id: 'fastify-jwt-cache',
      label: '@fastify/jwt + cache',
      role: 'peer',
      keys: 'same, with fast-jwt verify `cache: true` (LRU of 1,000 verified tokens)',
    },
  ],
  hono: [
    { id: 'bare', label: 'bare', role: 'bare' },
    {
      id: 'noop',
      label: 'no-op guard',
      role: 'floor',
      keys: "no verification: an async middleware that awaits next() in the guard's place (Hono's cost of a middleware)",
    },
    {
      id: 'tokenward',
      label: 'tokenward',
      role: 'tokenward',
      keys: '@tokenward/hono: issuer → OIDC discovery → JWKS, at startup',
    },
    {
      id: 'hono-jwk-uri',
      label: 'hono/jwk (jwks_uri)',
      role: 'peer',
      keys: 'jwks_uri: JWKS fetched on every request (served by the issuer process on core 0), key imported per request',
    },
    {
      id: 'hono-jwk-keys',
      label: 'hono/jwk (keys)',
      role: 'peer',
      keys: 'public JWKS fetched once at startup and passed as `keys`; key imported per request',
    },
  ],
  nestjs: [
    { id: 'bare', label: 'bare', role: 'bare' },
    {
      id: 'noop',
      label: 'no-op guard',
      role: 'floor',
      keys: "no verification: a CanActivate guard that returns true (Nest's cost of a guard)",
    },
    {
      id: 'tokenward',
      label: 'tokenward',
      role: 'tokenward',
      keys: '@tokenward/nestjs TokenwardModule.forRoot + TokenwardGuard: issuer → OIDC discovery → JWKS, at startup',
    },
    {
      id: 'passport-jwt',
      label: '@nestjs/passport + passport-jwt',
      role: 'peer',
      keys: 'jwks-rsa passportJwtSecret({ jwksUri, cache: true }): JWKS URL, signing key cached as PEM; jsonwebtoken verifies',
    },
  ],
};

export async function startServer(framework, variant, env, settings) {
  const nodeFlags = [];
  if (settings.cpuProf) {
    const dir = path.join(here, 'results', 'profiles');
    mkdirSync(dir, { recursive: true });
    nodeFlags.push(
      '--cpu-prof',
      `--cpu-prof-dir=${dir}`,
      `--cpu-prof-name=${framework}-${variant.id}-${Date.now()}.cpuprofile`,
    );
  }
  const child = spawnNode([...nodeFlags, path.join(here, 'servers', `${framework}.mjs`)], {
    core: SERVER_CORE,
    env: {
      BENCH_SERVER: JSON.stringify({ ...env, variant: variant.id }),
      NODE_ENV: 'development',
    },
  });
  try {
    const port = Number(await waitForLine(child, 'READY ', 30000));
    return { child, url: `http://127.0.0.1:${port}` };
  } catch (error) {
    await stopChild(child);
    throw error;
  }
}

async function status(url, token) {
  const headers = token === undefined ? {} : { authorization: `Bearer ${token}` };
  const response = await fetch(`${url}${ROUTE}`, { headers });
  await response.arrayBuffer();
  return response.status;
}

/**
 * Each protected server must actually verify: a valid token gets 200; no token, a bad signature
 * and a token for another audience get 401. A bare or no-op-guard server must answer 200.
 */
export async function sanityCheck(url, variant, tokens) {
  const checks =
    variant.role === 'bare' || variant.role === 'floor'
      ? [['valid token', tokens.hot, 200]]
      : [
          ['valid token', tokens.hot, 200],
          ['valid (warm pool) token', tokens.warm[0], 200],
          ['no token', undefined, 401],
          ['bad signature', tokens.badSignature, 401],
          ['wrong audience', tokens.wrongAudience, 401],
        ];
  const results = {};
  for (const [name, token, expected] of checks) {
    const got = await status(url, token);
    results[name] = got;
    if (got !== expected) {
      throw new Error(`sanity check "${name}": expected ${expected}, got ${got}`);
    }
  }
  return results;
}

/**
 * Give each connection its own slice of the pool (connection i gets tokens i, i + C, i + 2C, ...),
 * as prebuilt requests: the connections advance together, so a token comes back only after about
 * all the others, and the load generator spends no more per request than with one hot token.
 */
function poolClients(pool, connections) {
  const slices = Array.from({ length: connections }, () => []);
  pool.forEach((token, i) => {
    slices[i % connections].push({
      method: 'GET',
      path: ROUTE,
      headers: { authorization: `Bearer ${token}` },
    });
  });
  let next = 0;
  return (client) => {
    client.setRequests(slices[next++ % connections]);
  };
}

/** CPU (in cores) used by processes other than `pids` and this one, over `ms`. */
async function othersCpu(ms, pids) {
  const own0 = process.cpuUsage();
  const pid0 = pids.map(processCpuSeconds);
  const machine0 = machineCpuSeconds();
  const t0 = performance.now();
  await new Promise((resolve) => setTimeout(resolve, ms));
  const wall = (performance.now() - t0) / 1000;
  const own = process.cpuUsage(own0);
  const ours =
    (own.user + own.system) / 1e6 +
    pids.reduce((sum, pid, i) => sum + processCpuSeconds(pid) - pid0[i], 0);
  return Math.max(0, (machineCpuSeconds() - machine0 - ours) / wall);
}

/** Other processes may use this much of a core before a measurement starts. */
const QUIET_CORES = 0.25;

/**
 * On a shared machine, wait (boundedly) for other processes to quieten before measuring: at most
 * `maxMs` per measurement and `budget.ms` over the whole run. Returns the milliseconds waited.
 */
async function waitForQuiet(pids, maxMs, budget) {
  let waited = 0;
  const limit = Math.min(maxMs, budget.ms);
  while (waited < limit) {
    const others = await othersCpu(250, pids);
    if (!(others > QUIET_CORES)) break;
    waited += 250;
  }
  budget.ms -= waited;
  return waited;
}

async function load(url, settings, mode, tokens, seconds, pid, issuerPid) {
  const options = {
    url: `${url}${ROUTE}`,
    connections: settings.connections,
    pipelining: 1,
    duration: seconds,
  };
  if (mode === 'hot') options.headers = { authorization: `Bearer ${tokens.hot}` };
  else options.setupClient = poolClients(tokens.pool, settings.connections);
  const cpu0 = process.cpuUsage();
  const server0 = processCpuSeconds(pid);
  const issuer0 = processCpuSeconds(issuerPid);
  const machine0 = machineCpuSeconds();
  const t0 = performance.now();
  const result = await autocannon(options);
  const wall = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(cpu0);
  const serverCpu = (processCpuSeconds(pid) - server0) / wall;
  const loadCpu = (cpu.user + cpu.system) / 1e6 / wall;
  const issuerCpu = (processCpuSeconds(issuerPid) - issuer0) / wall;
  // Everything else the machine did meanwhile (other people's work on a shared machine), in cores.
  const otherCpu = Math.max(
    0,
    (machineCpuSeconds() - machine0) / wall - serverCpu - loadCpu - issuerCpu,
  );
  const rps = result['2xx'] / result.duration;
  return {
    rps,
    // Requests per CPU-second of the server: less sensitive to other processes taking the core
    // (meaningful when the server is CPU-bound, i.e. its cpu is near 100%).
    rpsPerCpu: serverCpu > 0 ? rps / serverCpu : Number.NaN,
    total: result.requests.total,
    ok: result['2xx'],
    non2xx: result.non2xx,
    errors: result.errors + result.timeouts,
    latencyP50: result.latency.p50,
    latencyP99: result.latency.p99,
    serverCpu,
    loadCpu,
    issuerCpu,
    otherCpu,
  };
}

async function main() {
  exitWithParent();
  await ensurePinned(LOAD_CORE);
  const settings = settingsFromArgv();
  const started = Date.now();
  const log = (message) => process.stderr.write(`[http] ${message}\n`);

  log(`minting ${settings.pool} cold tokens (RS256) in the issuer process...`);
  const issuerChild = spawnNode(
    [path.join(here, 'lib', 'issuer-process.mjs'), String(settings.pool)],
    {
      core: LOAD_CORE,
    },
  );
  const issuer = JSON.parse(await waitForLine(issuerChild, 'READY ', 300000));
  const minted = JSON.parse(readFileSync(issuer.tokensFile, 'utf8'));
  const tokens = { ...minted, pool: minted.cold };
  log(`issuer ${issuer.issuer}: ${issuer.pool} + ${issuer.warmPool} tokens in ${issuer.mintMs} ms`);

  const env = {
    issuer: issuer.issuer,
    audience: issuer.audience,
    jwksUri: issuer.jwksUri,
    twOptions: settings.twOptions,
  };
  const configs = settings.frameworks.flatMap((framework) =>
    VARIANTS[framework].map((variant) => ({ framework, variant })),
  );
  const runs = [];
  const failures = [];
  const sanity = {};
  // Quiet-wait budget: up to 5 s before a measurement (2 s with --quick), 60 s in all (5 s with --quick).
  const quietBudget = { ms: settings.quick ? 5000 : 60000 };
  const quietMax = settings.quick ? 2000 : 5000;
  for (let round = 1; round <= settings.rounds; round++) {
    // Rotate the order each round, so no configuration always runs first or last.
    const shift = (round - 1) % configs.length;
    const order = [...configs.slice(shift), ...configs.slice(0, shift)];
    for (const { framework, variant } of order) {
      const key = `${framework}/${variant.id}`;
      if (failures.some((f) => f.key === key)) continue;
      let server;
      try {
        server = await startServer(framework, variant, env, settings);
        sanity[key] = await sanityCheck(server.url, variant, tokens);
        for (const mode of ['hot', 'cold']) {
          const warmTokens = mode === 'hot' ? tokens : { ...tokens, pool: tokens.warm };
          const pids = [server.child.pid, issuerChild.pid];
          const waitedMs = await waitForQuiet([...pids], quietMax, quietBudget);
          await load(server.url, settings, mode, warmTokens, settings.warmup, ...pids);
          const result = await load(server.url, settings, mode, tokens, settings.duration, ...pids);
          result.waitedMs = waitedMs;
          result.rssMiB = processRssMiB(server.child.pid);
          runs.push({ framework, variant: variant.id, mode, round, ...result });
          const flag =
            result.non2xx + result.errors > 0
              ? ` (${result.non2xx} non-2xx, ${result.errors} errors!)`
              : '';
          log(
            `round ${round}/${settings.rounds} ${key.padEnd(36)} ${mode}: ${Math.round(result.rps)} req/s, cpu: server ${Math.round(result.serverCpu * 100)}%, load ${Math.round(result.loadCpu * 100)}%, others ${Math.round(result.otherCpu * 100)}%${waitedMs > 0 ? ` (waited ${(waitedMs / 1000).toFixed(1)} s for quiet)` : ''}${flag}`,
          );
        }
      } catch (error) {
        log(`${key} FAILED: ${error.message}`);
        failures.push({ key, framework, variant: variant.id, error: error.message });
      } finally {
        if (server) await stopChild(server.child);
      }
    }
  }
  await stopChild(issuerChild);

  const medians = [];
  for (const { framework, variant } of configs) {
    for (const mode of ['hot', 'cold']) {
      const mine = runs.filter(
        (r) => r.framework === framework && r.variant === variant.id && r.mode === mode,
      );
      if (mine.length === 0) continue;
      const pick = (name) => median(mine.map((r) => r[name]));
      medians.push({
        framework,
        variant: variant.id,
        label: variant.label,
        role: variant.role,
        mode,
        rounds: mine.length,
        rps: pick('rps'),
        rpsAll: mine.map((r) => Math.round(r.rps)),
        rpsPerCpu: pick('rpsPerCpu'),
        latencyP50: pick('latencyP50'),
        latencyP99: pick('latencyP99'),
        serverCpu: pick('serverCpu'),
        loadCpu: pick('loadCpu'),
        otherCpu: pick('otherCpu'),
        rssMiB: pick('rssMiB'),
        invalid: mine.some((r) => r.non2xx + r.errors > 0),
      });
    }
  }
  const result = {
    kind: 'http',
    machine: machineInfo(path.join(here, '..')),
    settings: {
      rounds: settings.rounds,
      duration: settings.duration,
      warmup: settings.warmup,
      connections: settings.connections,
      pool: issuer.pool,
      warmPool: issuer.warmPool,
      tokenLength: issuer.tokenLength,
      twOptions: settings.twOptions,
      pinned: canPin()
        ? { server: SERVER_CORE, loadGenerator: LOAD_CORE, issuer: LOAD_CORE }
        : false,
      frameworks: settings.frameworks,
    },
    variants: Object.fromEntries(settings.frameworks.map((f) => [f, VARIANTS[f]])),
    sanity,
    failures,
    medians,
    runs,
    noise: {
      otherCpuMedian: median(runs.map((r) => r.otherCpu)),
      otherCpuMax: Math.max(...runs.map((r) => r.otherCpu)),
      quietWaitSeconds: Math.round(runs.reduce((sum, r) => sum + r.waitedMs, 0) / 1000),
    },
    wallSeconds: Math.round((Date.now() - started) / 1000),
  };
  if (settings.out) writeFileSync(settings.out, JSON.stringify(result, null, 2));
  else process.stdout.write(`${renderHttp(result)}\n`);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) await main();
