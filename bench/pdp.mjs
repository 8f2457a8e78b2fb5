/**
 * PDP-guarded vs scope-guarded throughput (issue #16): one Express app, one token, three routes —
 * `requireScope('read:report')`, `requirePermission(pdp, ...)` asking an AuthZEN PDP on 127.0.0.1
 * per request (no cache), and the same with the decision cache on. The PDP is a minimal AuthZEN
 * server in a child process (the cost measured is tokenward's HTTP round trip, not a policy
 * engine's evaluation). Indicative only: everything shares the machine; run it alone.
 *
 *   node bench/pdp.mjs [--duration=3] [--connections=10]
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createServer } from 'node:http';
import { policyDecisionPoint, tokenward } from '@tokenward/express';
import { createTestIssuer } from '@tokenward/testing';
import autocannon from 'autocannon';
import express from 'express';

const PDP_SOURCE = `
const { createServer } = require('node:http');
const server = createServer((req, res) => {
  let body = '';
  req.on('data', (c) => (body += c));
  req.on('end', () => {
    res.writeHead(200, { 'content-type': 'application/json' });
    if (req.url === '/.well-known/authzen-configuration') {
      return res.end(JSON.stringify({ policy_decision_point: process.env.PDP_URL_BASE + server.address().port }));
    }
    const e = JSON.parse(body || '{}');
    res.end(JSON.stringify({ decision: String(e.resource && e.resource.id).startsWith('public-') }));
  });
});
server.listen(0, '127.0.0.1', () => console.log('READY ' + server.address().port));
`;

function flag(name, fallback) {
  const arg = process.argv.find((a) => a.startsWith(`--${name}=`));
  return arg === undefined ? fallback : Number(arg.slice(name.length + 3));
}

/** Start the PDP child, the issuer and the app; returns what a run needs. */
export async function startPdpBench() {
  const pdpChild = spawn(process.execPath, ['-e', PDP_SOURCE], {
    env: { PDP_URL_BASE: 'http://127.0.0.1:' },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const [line] = await once(pdpChild.stdout, 'data');
  const pdpUrl = `http://127.0.0.1:${String(line).trim().split(' ')[1]}`;
  const issuer = await createTestIssuer({ audience: 'https://api.bench' });
  const token = await issuer.mintToken({ scope: 'read:report' });
  const auth = tokenward({ issuer: issuer.issuer, audience: 'https://api.bench' });
  await auth.core.warmup();
  const resource = (req) => ({ type: 'document', id: String(req.params?.id) });
  const pdp = policyDecisionPoint({ url: pdpUrl });
  const cached = policyDecisionPoint({ url: pdpUrl, cache: { ttl: 60_000 } });
  const app = express();
  const ok = (_req, res) => res.json({ ok: true });
  app.get('/scope/:id', auth.requireAuth(), auth.requireScope('read:report'), ok);
  app.get(
    '/pdp/:id',
    auth.requireAuth(),
    auth.requirePermission(pdp, { action: 'read', resource }),
    ok,
  );
  app.get(
    '/pdp-cached/:id',
    auth.requireAuth(),
    auth.requirePermission(cached, { action: 'read', resource }),
    ok,
  );
  const server = createServer(app);
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const url = `http://127.0.0.1:${server.address().port}`;
  const close = async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
    pdpChild.kill('SIGTERM');
    await issuer.close();
  };
  return { url, token, close };
}

async function measure(url, token, duration, connections) {
  const result = await autocannon({
    url,
    duration,
    connections,
    headers: { authorization: `Bearer ${token}` },
  });
  if (result.non2xx > 0) throw new Error(`${url}: ${result.non2xx} non-2xx answers`);
  return result.requests.average;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const duration = flag('duration', 3);
  const connections = flag('connections', 10);
  const bench = await startPdpBench();
  try {
    const rows = [];
    for (const route of ['/scope/public-1', '/pdp/public-1', '/pdp-cached/public-1']) {
      await measure(bench.url + route, bench.token, 1, connections); // warm-up, not reported
      rows.push([route, await measure(bench.url + route, bench.token, duration, connections)]);
    }
    const base = rows[0][1];
    console.log('route                       req/s     vs scope');
    for (const [route, rps] of rows) {
      console.log(
        `${route.padEnd(24)} ${String(Math.round(rps)).padStart(8)}   ${(rps / base).toFixed(2)}x`,
      );
    }
  } finally {
    await bench.close();
  }
}
