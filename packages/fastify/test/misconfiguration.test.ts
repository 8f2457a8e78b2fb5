/**
 * Server misconfiguration on Fastify: unknown option names when the plugin registers, and a guard
 * reading a route parameter the route does not have → 500 and one logged error (not a 403).
 */
import { ConfigurationError, createFastifyTokenward, tokenwardPlugin } from '@tokenward/fastify';
import Fastify, { type FastifyInstance } from 'fastify';
import { describe, expect, it, onTestFinished } from 'vitest';
import { bearer, useIssuer } from './fixtures.js';

const ctx = useIssuer();

async function get(app: FastifyInstance, path: string, token?: string) {
  await app.listen({ host: '127.0.0.1', port: 0 });
  onTestFinished(() => app.close());
  const address = app.server.address();
  if (address === null || typeof address === 'string') throw new Error('no TCP address');
  const res = await fetch(`http://127.0.0.1:${address.port}${path}`, {
    headers: token === undefined ? {} : { authorization: bearer(token) },
  });
  return { status: res.status, body: await res.text() };
}

describe('unknown option names', () => {
  it.each([
    ['audiance', 'audience'],
    ['delegateError', 'delegateErrors'],
  ])('%s → registering the plugin fails, suggesting %s', async (name, suggestion) => {
    const app = Fastify();
    app.register(tokenwardPlugin, { ...ctx.options(), [name]: true } as never);
    const error = await app.ready().then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(ConfigurationError);
    expect((error as Error).message).toContain(`did you mean "${suggestion}"?`);
    await app.close().catch(() => {});
  });

  it("accepts its own option and Fastify's register options", async () => {
    const app = Fastify();
    await app.register(tokenwardPlugin, {
      ...ctx.options(),
      delegateErrors: true,
      prefix: '/api',
      logLevel: 'warn',
    } as never);
    await app.ready();
    await app.close();
    expect(() =>
      createFastifyTokenward({ ...ctx.options(), keySet: { cooldownn: 1 } } as never),
    ).toThrow('did you mean "keySet.cooldown"?');
  });
});

describe('a guard reading a route parameter the route does not have', () => {
  it('answers 500 server_error and logs one error naming the parameter', async () => {
    const errors: string[] = [];
    const app = Fastify();
    await app.register(tokenwardPlugin, {
      ...ctx.options(),
      logger: { warn: () => {}, error: (message: string) => errors.push(message) },
    });
    app.get(
      '/orgs/:orgId/reports',
      {
        onRequest: [
          app.tokenward.requireAuth(),
          app.tokenward.requireOrganization({ param: 'orgID' }),
        ],
      },
      async () => ({ ran: true }),
    );
    const token = await ctx.issuer.mintToken({ organization_id: 'org-1' });
    await app.listen({ host: '127.0.0.1', port: 0 });
    onTestFinished(() => app.close());
    const address = app.server.address() as { port: number };
    for (let i = 0; i < 3; i++) {
      const res = await fetch(`http://127.0.0.1:${address.port}/orgs/org-1/reports`, {
        headers: { authorization: bearer(token) },
      });
      expect(res.status).toBe(500);
      expect(await res.json()).toEqual({
        error: 'server_error',
        error_description: 'The server is not configured correctly',
      });
    }
    expect(errors).toHaveLength(1);
    expect(errors[0]).toContain('"orgID"');
    expect(errors[0]).toContain('its parameters: "orgId"');
  });

  it('an optional parameter the URL leaves out is the client naming no organization: 403', async () => {
    const app = Fastify();
    await app.register(tokenwardPlugin, { ...ctx.options(), logger: false });
    app.get(
      '/reports/:orgId?',
      {
        onRequest: [
          app.tokenward.requireAuth(),
          app.tokenward.requireOrganization({ param: 'orgId' }),
        ],
      },
      async () => ({ ran: true }),
    );
    const token = await ctx.issuer.mintToken({ organization_id: 'org-1' });
    const absent = await get(app, '/reports', token);
    expect(absent.status).toBe(403);
    expect(JSON.parse(absent.body).error).toBe('insufficient_scope');
  });
});
