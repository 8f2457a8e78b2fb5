/**
 * Server misconfiguration on Express: unknown option names at creation, and a guard reading a
 * route parameter the route does not have → 500 and one logged error (not a 403).
 */
import { ConfigurationError, tokenward } from '@tokenward/express';
import express from 'express';
import { describe, expect, it } from 'vitest';
import { bearer, listen, origin, useIssuer } from './fixtures.js';

const ctx = useIssuer();

function recorder() {
  const errors: { message: string; details?: Readonly<Record<string, unknown>> }[] = [];
  const logger = {
    warn: () => {},
    error: (message: string, details?: Readonly<Record<string, unknown>>) =>
      errors.push({ message, details }),
  };
  return { errors, logger };
}

async function get(app: express.Express, path: string, token?: string) {
  const server = await listen(app);
  const res = await fetch(`${origin(server)}${path}`, {
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

  it('accepts its own option', () => {
    expect(() => tokenward({ ...ctx.options(), delegateErrors: true })).not.toThrow();
  });
});

describe('a guard reading a route parameter the route does not have', () => {
  it('answers 500 server_error and logs one error naming the parameter', async () => {
    const { errors, logger } = recorder();
    const auth = tokenward({ ...ctx.options(), logger });
    const app = express();
    app.get(
      '/orgs/:orgId/reports',
      auth.requireAuth(),
      auth.requireOrganization({ param: 'orgID' }),
      (_req, res) => res.json({ ran: true }),
    );
    const token = await ctx.issuer.mintToken({ organization_id: 'org-1' });
    for (let i = 0; i < 3; i++) {
      const res = await get(app, '/orgs/org-1/reports', token);
      expect(res.status).toBe(500);
      expect(JSON.parse(res.body)).toEqual({
        error: 'server_error',
        error_description: 'The server is not configured correctly',
      });
    }
    expect(errors).toHaveLength(1);
    expect(errors[0]?.message).toContain('"orgID"');
    expect(errors[0]?.message).toContain('"orgId"');
    expect(errors[0]?.details).toEqual({ param: 'orgID', routeParams: ['orgId'] });
  });

  it('a router that does not see its parent parameter: 500; with mergeParams: 200', async () => {
    const auth = tokenward({ ...ctx.options(), logger: false });
    const token = await ctx.issuer.mintToken({ organization_id: 'org-1' });
    for (const mergeParams of [false, true]) {
      const router = express.Router({ mergeParams });
      router.get(
        '/reports',
        auth.requireAuth(),
        auth.requireOrganization({ param: 'orgId' }),
        (_req, res) => res.json({ ran: true }),
      );
      const app = express();
      app.use('/orgs/:orgId', router);
      expect((await get(app, '/orgs/org-1/reports', token)).status).toBe(mergeParams ? 200 : 500);
    }
  });

  it('an optional parameter the URL leaves out is the client naming no organization: 403', async () => {
    const auth = tokenward({ ...ctx.options(), logger: false });
    const app = express();
    app.get(
      '/reports{/:orgId}',
      auth.requireAuth(),
      auth.requireOrganization({ param: 'orgId' }),
      (_req, res) => res.json({ ran: true }),
    );
    const token = await ctx.issuer.mintToken({ organization_id: 'org-1' });
    expect((await get(app, '/reports/org-1', token)).status).toBe(200);
    const absent = await get(app, '/reports', token);
    expect(absent.status).toBe(403);
    expect(JSON.parse(absent.body).error).toBe('insufficient_scope');
  });
});
