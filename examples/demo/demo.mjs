#!/usr/bin/env node
// The tokenward demo. Starts an embedded issuer (discovery + JWKS on 127.0.0.1), the same
// "reports" API on every framework, obtains tokens, walks a scenario tour and prints one table:
// scenario × framework → status and challenge. Exits non-zero if any framework disagrees.
//   --keep   keep everything running and print ready-to-paste curl lines
import { once } from 'node:events';
import { createServer } from 'node:http';
import { serve } from '@hono/node-server';
import { createTestIssuer } from '@tokenward/testing';
import { createApp as createExpressApp } from '@tokenward-examples/express/app';
import { createApp as createFastifyApp } from '@tokenward-examples/fastify/app';
import { createApp as createHonoApp } from '@tokenward-examples/hono/app';
import { createApp as createNestApp } from '@tokenward-examples/nestjs/app';

const keep = process.argv.includes('--keep');
const AUDIENCE = 'https://api.reports.example';

const issuer = await createTestIssuer({ audience: AUDIENCE, expiresIn: 3600 });
const config = { issuer: issuer.issuer, audience: AUDIENCE };

async function listen(server) {
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return { url: `http://127.0.0.1:${server.address().port}`, close: () => server.close() };
}

const express = await listen(createServer(createExpressApp(config)));
const fastifyApp = await createFastifyApp(config);
await fastifyApp.listen({ port: 0, host: '127.0.0.1' });
const fastify = {
  url: `http://127.0.0.1:${fastifyApp.server.address().port}`,
  close: () => fastifyApp.close(),
};
const honoServer = serve({ fetch: createHonoApp(config).fetch, port: 0, hostname: '127.0.0.1' });
await once(honoServer, 'listening');
const hono = {
  url: `http://127.0.0.1:${honoServer.address().port}`,
  close: () => honoServer.close(),
};
const nestApp = await createNestApp(config);
await nestApp.listen(0, '127.0.0.1');
const nest = {
  url: (await nestApp.getUrl()).replace('[::1]', '127.0.0.1'),
  close: () => nestApp.close(),
};
const frameworks = { Express: express, Fastify: fastify, Hono: hono, NestJS: nest };

// Tokens, obtained from the embedded issuer the way a client would receive them.
const user = (claims) => issuer.mintToken({ sub: 'user-123', client_id: 'reports-web', ...claims });
const tokens = {
  reader: await user({ scope: 'read:report' }),
  writerOnly: await user({ scope: 'write:report' }),
  orgA: await user({ scope: 'read:report', organization_id: 'org-a' }),
  orgB: await user({ scope: 'read:report', organization_id: 'org-b' }),
  orgToken: await issuer.mintToken({
    aud: 'urn:logto:organization:org-a',
    scope: 'read:report invite:member',
  }),
  admin: await user({ roles: ['admin'] }),
  machine: await issuer.mintToken({
    sub: 'm2m-reader',
    client_id: 'm2m-reader',
    scope: 'read:report',
  }),
  wrongAudience: await issuer.tokens.wrongAudience(),
  expired: await issuer.tokens.expired(),
};

const scenarios = [
  ['no token', 'GET', '/reports', undefined, 401],
  ['bad token', 'GET', '/reports', 'not-a-jwt', 401],
  ['expired token', 'GET', '/reports', tokens.expired, 401],
  ['wrong audience', 'GET', '/reports', tokens.wrongAudience, 401],
  ['missing scope', 'GET', '/reports', tokens.writerOnly, 403],
  ['right scope', 'GET', '/reports', tokens.reader, 200],
  ['machine client, right scope', 'GET', '/reports', tokens.machine, 200],
  ['org-bound token on a global route', 'GET', '/reports', tokens.orgA, 403],
  ['other organization', 'GET', '/orgs/org-a/reports', tokens.orgB, 403],
  ['own organization', 'GET', '/orgs/org-a/reports', tokens.orgA, 200],
  ['organization token', 'GET', '/orgs/org-a/reports', tokens.orgToken, 200],
  ['global token on an org route', 'GET', '/orgs/org-a/reports', tokens.reader, 403],
  ['role missing', 'GET', '/admin', tokens.reader, 403],
  ['role present', 'GET', '/admin', tokens.admin, 200],
  ['optional auth, anonymous', 'GET', '/optional', undefined, 200],
];

function challenge(header) {
  if (header === null) return '';
  const error = /error="([^"]+)"/.exec(header)?.[1];
  const scope = /scope="([^"]+)"/.exec(header)?.[1];
  return error ? `${error}${scope ? ` (${scope})` : ''}` : 'Bearer';
}

const rows = [];
let failures = 0;
for (const [name, method, path, token, expected] of scenarios) {
  const cells = [];
  const seen = new Set();
  for (const { url } of Object.values(frameworks)) {
    const headers = token ? { authorization: `Bearer ${token}` } : {};
    const res = await fetch(url + path, { method, headers });
    const body = await res.text();
    const cell = `${res.status} ${challenge(res.headers.get('www-authenticate'))}`.trim();
    seen.add(
      `${res.status}|${res.headers.get('www-authenticate')}|${res.status >= 400 ? body : ''}`,
    );
    if (res.status !== expected) failures++;
    cells.push(res.status === expected ? cell : `${cell} ✗`);
  }
  if (seen.size !== 1) failures++;
  rows.push([
    name,
    `${method} ${path}`,
    String(expected),
    ...cells,
    seen.size === 1 ? 'yes' : 'NO',
  ]);
}

const head = ['scenario', 'request', 'expect', ...Object.keys(frameworks), 'agree'];
const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
const line = (cells) => `| ${cells.map((c, i) => c.padEnd(widths[i])).join(' | ')} |`;
console.log(`\ntokenward demo — issuer ${issuer.issuer}, audience ${AUDIENCE}\n`);
console.log(line(head));
console.log(`|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`);
for (const row of rows) console.log(line(row));
console.log(
  failures === 0
    ? `\nAll ${rows.length} scenarios agree on every framework.`
    : `\n${failures} disagreement(s) with the expected answers.`,
);

if (keep) {
  console.log('\nRunning. Try:');
  for (const [name, { url }] of Object.entries(frameworks))
    console.log(`  ${name.padEnd(8)} ${url}`);
  console.log(`  issuer   ${issuer.issuer}  (JWKS ${issuer.jwksUri})\n`);
  console.log(`curl -i ${express.url}/reports -H 'Authorization: Bearer ${tokens.reader}'`);
  console.log(
    `curl -i ${fastify.url}/orgs/org-a/reports -H 'Authorization: Bearer ${tokens.orgToken}'`,
  );
  console.log(`curl -i ${hono.url}/admin -H 'Authorization: Bearer ${tokens.reader}'`);
  console.log(`curl -i ${nest.url}/me -H 'Authorization: Bearer ${tokens.machine}'`);
  console.log('\nPress Ctrl+C to stop.');
} else {
  for (const { close } of Object.values(frameworks)) await close();
  await issuer.close();
  process.exitCode = failures === 0 ? 0 : 1;
}
