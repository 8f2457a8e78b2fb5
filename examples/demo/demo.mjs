#!/usr/bin/env node
// The tokenward demo. Starts a real OAuth 2.0 authorization server (oidc-provider, configured the
// way Logto uses it) on 127.0.0.1, the same "reports" API on Express, Fastify, Hono and NestJS,
// obtains tokens from the token endpoint exactly as clients would, walks a scenario tour and
// prints one table: scenario × framework → status and challenge. Exits non-zero if any framework
// disagrees with the expected answer or with the others.
//   --keep   keep everything running and print ports, client ids and ready-to-paste curl lines
import { once } from 'node:events';
import { createServer } from 'node:http';
import { serve } from '@hono/node-server';
import { startAuthServer } from '@tokenward-examples/auth-server/server';
import { createApp as createExpressApp } from '@tokenward-examples/express/app';
import { createApp as createFastifyApp } from '@tokenward-examples/fastify/app';
import { createApp as createHonoApp } from '@tokenward-examples/hono/app';
import { createApp as createNestApp } from '@tokenward-examples/nestjs/app';

const keep = process.argv.includes('--keep');

const server = await startAuthServer();
const config = { issuer: server.issuer, audience: server.resources.reports };

async function listen(httpServer) {
  httpServer.listen(0, '127.0.0.1');
  await once(httpServer, 'listening');
  return {
    url: `http://127.0.0.1:${httpServer.address().port}`,
    close: () => new Promise((resolve) => httpServer.close(resolve)),
  };
}

async function startApps() {
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
    close: () => new Promise((resolve) => honoServer.close(resolve)),
  };
  const nestApp = await createNestApp(config);
  await nestApp.listen(0, '127.0.0.1');
  const nest = {
    url: `http://127.0.0.1:${nestApp.getHttpServer().address().port}`,
    close: () => nestApp.close(),
  };
  return { Express: express, Fastify: fastify, Hono: hono, NestJS: nest };
}

const frameworks = await startApps();

// Tokens, from the token endpoint over HTTP, exactly as each client gets them.
const { reader, writer, noPermissions, orgMember } = server.clients;
const reports = server.resources.reports;
const machine = (client, extra = {}) =>
  server
    .getClientCredentialsToken({ clientId: client.clientId, resource: reports, ...extra })
    .then((t) => t.accessToken);
const tokens = {
  reader: await machine(reader, { scope: 'read:report' }),
  writer: await machine(writer, { scope: 'read:report write:report' }),
  none: await machine(noPermissions, { scope: 'read:report' }),
  otherApi: await machine(writer, { resource: server.resources.other, scope: 'read:report' }),
  orgBoundA: await machine(orgMember, { scope: 'read:report', organizationId: 'org-a' }),
  orgTokenA: await machine(orgMember, {
    resource: server.resources.organization('org-a'),
    scope: 'read:report invite:member',
  }),
  alice: (await server.getUserToken({ user: 'alice', scope: 'read:report', resource: reports }))
    .accessToken,
  bob: (await server.getUserToken({ user: 'bob', scope: 'read:report', resource: reports }))
    .accessToken,
  // alice bound to org-a, where her organization role is admin.
  aliceOrgA: (
    await server.getUserToken({
      user: 'alice',
      scope: 'read:report',
      resource: reports,
      organizationId: 'org-a',
    })
  ).accessToken,
};

const scenarios = [
  ['no token', 'GET', '/reports', undefined, 401],
  ['bad token', 'GET', '/reports', 'not-a-jwt', 401],
  ['token for another API (wrong audience)', 'GET', '/reports', tokens.otherApi, 401],
  ['machine client without the permission', 'GET', '/reports', tokens.none, 403],
  ['read-only client writes (missing scope)', 'POST', '/reports', tokens.reader, 403],
  ['read-only client reads (right scope)', 'GET', '/reports', tokens.reader, 200],
  ['writer client writes', 'POST', '/reports', tokens.writer, 201],
  ['user signed in with code + PKCE', 'GET', '/reports', tokens.bob, 200],
  ['org-bound token on a global route', 'GET', '/reports', tokens.orgBoundA, 403],
  ['other organization', 'GET', '/orgs/org-b/reports', tokens.orgBoundA, 403],
  ['own organization', 'GET', '/orgs/org-a/reports', tokens.orgBoundA, 200],
  ['organization token, own organization', 'GET', '/orgs/org-a/reports', tokens.orgTokenA, 200],
  ['organization token, other organization', 'GET', '/orgs/org-b/reports', tokens.orgTokenA, 403],
  ['global token on an organization route', 'GET', '/orgs/org-a/reports', tokens.reader, 403],
  ['role missing (bob)', 'GET', '/admin', tokens.bob, 403],
  ['role present (alice, admin)', 'GET', '/admin', tokens.alice, 200],
  ['organization admin on the global admin route', 'GET', '/admin', tokens.aliceOrgA, 403],
  ['organization admin, own organization', 'GET', '/orgs/org-a/admin', tokens.aliceOrgA, 200],
  ['organization member on the admin route', 'GET', '/orgs/org-a/admin', tokens.orgBoundA, 403],
  ['global admin on an organization route', 'GET', '/orgs/org-a/admin', tokens.alice, 403],
  ['optional auth, anonymous', 'GET', '/optional', undefined, 200],
  ['bad percent-escape in the path', 'GET', '/orgs/%E0%A4%A/reports', tokens.orgBoundA, 400],
  ['unknown route', 'GET', '/nope', undefined, 404],
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
  const answers = new Set();
  for (const { url } of Object.values(frameworks)) {
    const headers = token ? { authorization: `Bearer ${token}` } : {};
    const res = await fetch(url + path, { method, headers });
    const body = await res.text();
    const www = res.headers.get('www-authenticate');
    answers.add(`${res.status}|${www}|${res.status >= 400 ? body : ''}`);
    const cell = `${res.status} ${challenge(www)}`.trim();
    if (res.status !== expected) failures++;
    cells.push(res.status === expected ? cell : `${cell} ✗`);
  }
  if (answers.size !== 1) failures++;
  rows.push([
    name,
    `${method} ${path}`,
    String(expected),
    ...cells,
    answers.size === 1 ? 'yes' : 'NO',
  ]);
}

const head = ['scenario', 'request', 'expect', ...Object.keys(frameworks), 'agree'];
const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
const line = (cells) => `| ${cells.map((c, i) => c.padEnd(widths[i])).join(' | ')} |`;
console.log(`\ntokenward demo — authorization server ${server.issuer}, API ${reports}\n`);
console.log(line(head));
console.log(`|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`);
for (const row of rows) console.log(line(row));
console.log(
  failures === 0
    ? `\nAll ${rows.length} scenarios answered as expected, identically on every framework.`
    : `\n${failures} disagreement(s) with the expected answers or between frameworks.`,
);

if (keep) {
  console.log('\nRunning on 127.0.0.1:');
  console.log(`  authorization server  ${server.issuer}  (token endpoint ${server.tokenEndpoint})`);
  for (const [name, { url }] of Object.entries(frameworks))
    console.log(`  ${name.padEnd(21)} ${url}`);
  console.log('\nMachine clients (client id / secret):');
  for (const [role, c] of Object.entries({ reader, writer, noPermissions, orgMember })) {
    console.log(`  ${role.padEnd(14)} ${c.clientId} / ${c.clientSecret}`);
  }
  console.log('\nGet a token and call the API:');
  console.log(
    `  TOKEN=$(curl -s ${server.tokenEndpoint} -u ${reader.clientId}:${reader.clientSecret} ` +
      `-d grant_type=client_credentials -d resource=${reports} -d scope=read:report ` +
      `| node -pe 'JSON.parse(require("fs").readFileSync(0)).access_token')`,
  );
  console.log(`  curl -i ${frameworks.Express.url}/reports -H "Authorization: Bearer $TOKEN"`);
  console.log(`  curl -i ${frameworks.Fastify.url}/me -H "Authorization: Bearer $TOKEN"`);
  console.log(`  curl -i -X POST ${frameworks.Hono.url}/reports -H "Authorization: Bearer $TOKEN"`);
  console.log(
    `  curl -i ${frameworks.NestJS.url}/orgs/org-a/reports -H "Authorization: Bearer $TOKEN"`,
  );
  console.log('\nPress Ctrl+C to stop.');
  const stop = async () => {
    for (const { close } of Object.values(frameworks)) await close();
    await server.close();
    process.exit(0);
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
} else {
  for (const { close } of Object.values(frameworks)) await close();
  await server.close();
  process.exitCode = failures === 0 ? 0 : 1;
}
