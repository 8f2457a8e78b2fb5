/**
 * Server misconfiguration on Hono: unknown option names at creation, and a guard reading a route
 * parameter the route (or the middleware's path) does not have → 500 and one logged error.
 */
import { serve } from '@hono/node-server';
import { ConfigurationError, type TokenwardEnv, tokenward } from '@tokenward/hono';
import { Hono } from 'hono';
import { describe, expect, it, onTestFinished } from 'vitest';
import { bearer, useIssuer } from './fixtures.js';

const ctx = useIssuer();

async function get(app: Hono<TokenwardEnv>, path: string, token?: string) {
  const server = await new Promise<ReturnType<typeof serve>>((resolve) => {
    const s = serve({ fetch: app.fetch, hostname: '127.0.0.1', port: 0 }, () => resolve(s));
  });
  onTestFinished(() => new Promise<void>((resolve) => server.close(() => resolve())));
  const { port } = server.address() as { port: number };
  const res = await fetch(`http://127.0.0.1:${port}${path}`, {
    headers: token === undefined ? {} : { authorization: bearer(token) },
  });
  return { status: res.status, body: await res.text() };
}

describe('unknown option names', () => {
  it.each([
    ['audiance', 'audience'],
    ['delegateError', 'delegateErrors'],
  ])('%s → a ConfigurationError suggesting %s', (name, suggestion) => {
    expect(() => tokenward({ ...ctx.options(), [name]: true } as never)).toThrow(
      ConfigurationError,
    );
    expect(() => tokenward({ ...ctx.options(), [name]: true } as never)).toThrow(
      `did you mean "${suggestion}"?`,
    );
  });
});

describe('a guard reading a route parameter the route does not have', () => {
  it('answers 500 server_error and logs one error naming the parameter', async () => {
    const errors: string[] = [];
    const auth = tokenward({
      ...ctx.options(),
      logger: { warn: () => {}, error: (message: string) => errors.push(message) },
    });
    const app = new Hono<TokenwardEnv>();
    app.get(
      '/orgs/:orgId/reports',
      auth.requireAuth(),
      auth.requireOrganization({ param: 'orgID' }),
      (c) => c.json({ ran: true }),
    );
    const token = await ctx.issuer.mintToken({ organization_id: 'org-1' });
    for (let i = 0; i < 3; i++) {
      const res = await get(app, '/orgs/org-1/reports', token);
      expect(res.status).toBe(500);
      expect(JSON.parse(res.body).error).toBe('server_error');
    }
    expect(errors).toHaveLength(1);
    expect(errors[0]).toContain('"orgID"');
  });

  it('a middleware on a path without the parameter: 500; on a path with it: 200', async () => {
    const auth = tokenward({ ...ctx.options(), logger: false });
    const token = await ctx.issuer.mintToken({ organization_id: 'org-1' });
    for (const pattern of ['/orgs/*', '/orgs/:orgId/*']) {
      const app = new Hono<TokenwardEnv>();
      app.use(pattern, auth.requireAuth(), auth.requireOrganization({ param: 'orgId' }));
      app.get('/orgs/:orgId/reports', (c) => c.json({ ran: true }));
      expect((await get(app, '/orgs/org-1/reports', token)).status).toBe(
        pattern === '/orgs/*' ? 500 : 200,
      );
    }
  });

  it('an optional parameter the URL leaves out is the client naming no organization: 403', async () => {
    const auth = tokenward({ ...ctx.options(), logger: false });
    const app = new Hono<TokenwardEnv>();
    app.get(
      '/reports/:orgId?',
      auth.requireAuth(),
      auth.requireOrganization({ param: 'orgId' }),
      (c) => c.json({ ran: true }),
    );
    const token = await ctx.issuer.mintToken({ organization_id: 'org-1' });
    expect((await get(app, '/reports/org-1', token)).status).toBe(200);
    const absent = await get(app, '/reports', token);
    expect(absent.status).toBe(403);
  });
});
