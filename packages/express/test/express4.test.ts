import { createRequire } from 'node:module';
import { getAuth, TokenwardHttpError, tokenward } from '@tokenward/express';
import express4 from 'express4';
import request from 'supertest';
import { describe, expect, it, vi } from 'vitest';
import { bearer, failOnUnhandledRejection, listen, useIssuer } from './fixtures.js';

const ctx = useIssuer();
failOnUnhandledRejection();

describe('Express 4 (express4 alias)', () => {
  it('really is Express 4', () => {
    const require = createRequire(import.meta.url);
    expect((require('express4/package.json') as { version: string }).version).toMatch(/^4\./);
  });

  it('requireAuth + requireScope: 200 with the scope, 403 without, 401 without a token', async () => {
    const auth = tokenward(ctx.options());
    const app = express4();
    const handler = vi.fn((req: express4.Request, res: express4.Response) => {
      res.json({ subject: getAuth(req).subject });
    });
    app.get('/reports', auth.requireAuth(), auth.requireScope('read:report'), handler);
    const server = await listen(app);

    const ok = await request(server)
      .get('/reports')
      .set('authorization', bearer(await ctx.issuer.mintToken({ scope: 'read:report' })));
    expect(ok.status).toBe(200);
    expect(ok.body).toEqual({ subject: 'user-123' });

    const forbidden = await request(server)
      .get('/reports')
      .set('authorization', bearer(await ctx.issuer.tokens.valid()));
    expect(forbidden.status).toBe(403);
    expect(forbidden.headers['www-authenticate']).toContain('scope="read:report"');
    expect(JSON.parse(forbidden.text)).toMatchObject({ error: 'insufficient_scope' });

    const missing = await request(server).get('/reports');
    expect(missing.status).toBe(401);
    expect(missing.headers['www-authenticate']).toBe('Bearer');
    expect(handler).toHaveBeenCalledTimes(1);
  });

  it('delegateErrors reaches an Express 4 error handler, and rejecting policies do not hang', async () => {
    const auth = tokenward({ ...ctx.options(), delegateErrors: true });
    const app = express4();
    app.get(
      '/r',
      auth.requireAuth(),
      auth.requirePolicy(() => Promise.reject(new Error('down'))),
      (_req: express4.Request, res: express4.Response) => {
        res.json({});
      },
    );
    const caught: unknown[] = [];
    app.use((error: unknown, _req: express4.Request, res: express4.Response, _next: () => void) => {
      caught.push(error);
      const httpError = error as TokenwardHttpError;
      res.status(httpError.status).set(httpError.headers).send(httpError.body);
    });
    const server = await listen(app);

    const missing = await request(server).get('/r').timeout(5000);
    expect(missing.status).toBe(401);
    const denied = await request(server)
      .get('/r')
      .set('authorization', bearer(await ctx.issuer.tokens.valid()))
      .timeout(5000);
    expect(denied.status).toBe(403);
    expect(caught).toHaveLength(2);
    expect(caught.every((e) => e instanceof TokenwardHttpError)).toBe(true);
    expect((caught[1] as TokenwardHttpError).authError.code).toBe('policy_denied');
  });
});
