/**
 * The examples facing malformed input (issue #12, item 7): a bad percent-escape in the path, a
 * broken, oversized, non-JSON or wrongly shaped body, an unknown route or method, a huge header.
 * Every row runs against all four examples three times: in this process (as the demo runs them)
 * and as shipped (`node dist/server.js`) with NODE_ENV=development and NODE_ENV=production.
 * Each answer is a small JSON 4xx — the same on the four — with no stack trace, no file path
 * and no token; protected routes authenticate before reading a body.
 */
import { type AuthServer, startAuthServer } from '@tokenward-examples/auth-server/server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rows, type Who } from './error-answer-rows.js';
import { type RunningApp, startExampleApps } from './example-apps.js';
import { startExampleServers } from './example-servers.js';
import { type RawAnswer, type RawRequest, sendRaw } from './raw-request.js';

let server: AuthServer;
let tokens: Record<Exclude<Who, 'nobody'>, string>;
const modes: Record<string, RunningApp[]> = {};

beforeAll(async () => {
  server = await startAuthServer();
  const { clients, resources } = server;
  const token = (clientId: string) =>
    server
      .getClientCredentialsToken({
        clientId,
        resource: resources.reports,
        scope: 'read:report write:report',
      })
      .then((issued) => issued.accessToken);
  const [reader, writer] = await Promise.all([
    token(clients.reader.clientId),
    token(clients.writer.clientId),
  ]);
  tokens = { garbage: 'not.a.token', reader, writer };
  const config = { issuer: server.issuer, audience: resources.reports };
  // All modes settle before a failure is thrown, so afterAll stops every one that started.
  const started = await Promise.allSettled([
    startExampleApps(config).then((apps) => (modes['in-process'] = apps)),
    startExampleServers(config, 'development').then((apps) => (modes.development = apps)),
    startExampleServers(config, 'production').then((apps) => (modes.production = apps)),
  ]);
  for (const result of started) if (result.status === 'rejected') throw result.reason;
}, 180_000);

afterAll(async () => {
  await Promise.all(Object.values(modes).flatMap((apps) => apps.map((app) => app.close())));
  await server?.close();
});

/** Nothing in the answer (body or headers) that a client must never see. */
function expectNoLeak(answer: RawAnswer): void {
  const everything = `${JSON.stringify(answer.headers)}\n${answer.text}`;
  expect(everything).not.toMatch(/\bat\s/); // a stack frame: "at fn (file:line:col)"
  expect(everything).not.toMatch(/\/work\/|node_modules|file:\/\/|[A-Z]:\\\\/);
  expect(everything).not.toMatch(/\.(?:ts|js|mjs|cjs):\d+/);
  expect(everything).not.toMatch(/<html|<pre/i);
  for (const token of Object.values(tokens)) expect(everything).not.toContain(token);
  expect(answer.headers['x-powered-by']).toBeUndefined(); // no framework banner either
}

function send(app: RunningApp, row: { who: Who; request: RawRequest }): Promise<RawAnswer> {
  const headers = { ...row.request.headers };
  if (row.who !== 'nobody') headers.authorization = `Bearer ${tokens[row.who]}`;
  return sendRaw(app.url, { ...row.request, headers });
}

describe.each(['in-process', 'development', 'production'])('mode %s', (mode) => {
  describe.each(['express', 'fastify', 'hono', 'nestjs'] as const)('%s', (name) => {
    const app = () => modes[mode]?.find((a) => a.name === name) as RunningApp;

    it.each(rows)('$name → $status', async (row) => {
      const answer = await send(app(), row);
      expect(answer.status).toBe(row.status);
      expect(answer.headers['content-type']).toMatch(/^application\/json\b/);
      expectNoLeak(answer);
      const body = JSON.parse(answer.text) as Record<string, unknown>;
      if (row.refusal) {
        expect(answer.headers['www-authenticate']).toMatch(row.refusal.challenge);
        expect(body).toMatchObject({ error: row.refusal.error });
      }
      if (row.body) expect(body).toEqual(row.body);
      else if (row.status === 201) expect(body).toMatchObject({ createdBy: 'reports-writer' });
    });

    it('a huge header: 431 from the HTTP server, before the app, with nothing to leak', async () => {
      const answer = await send(app(), {
        who: 'writer',
        request: { method: 'GET', path: '/me', headers: { 'x-padding': 'a'.repeat(20_000) } },
      });
      expect(answer.status).toBe(431);
      expectNoLeak(answer);
    });
  });
});
