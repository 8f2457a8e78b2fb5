import {
  AuthError,
  ConfigurationError,
  getAuth,
  type HonoTokenwardOptions,
  type TokenwardEnv,
  tokenward,
} from '@tokenward/hono';
import { Hono } from 'hono';
import { cors } from 'hono/cors';
import { HTTPException } from 'hono/http-exception';
import { describe, expect, it, vi } from 'vitest';
import { send } from '../../../test/helpers/wire.js';
import { bearer, failOnUnhandledRejection, serveOnLoopback, useIssuer } from './fixtures.js';

const ctx = useIssuer();
failOnUnhandledRejection();

const auth = (extra: Partial<HonoTokenwardOptions> = {}) =>
  tokenward({ ...ctx.options(), ...extra });
const withToken = (token: string): RequestInit => ({ headers: { authorization: bearer(token) } });

describe('the same app without a server and over @hono/node-server on 127.0.0.1', () => {
  function reportsApp() {
    const guards = auth();
    const app = new Hono<TokenwardEnv>();
    app.get('/reports', guards.requireAuth(), guards.requireScope('read:report'), (c) =>
      c.json({ subject: getAuth(c).subject, scopes: c.var.auth?.scopes }),
    );
    return app;
  }

  it('answers identically via app.request() and via a real listening server', async () => {
    const app = reportsApp();
    const origin = await serveOnLoopback(app.fetch);
    const good = await ctx.issuer.mintToken({ scope: 'read:report' });
    const noScope = await ctx.issuer.tokens.valid();

    for (const send of [
      (init?: RequestInit) => app.request('/reports', init),
      (init?: RequestInit) => fetch(`${origin}/reports`, init),
    ]) {
      const ok = await send(withToken(good));
      expect(ok.status).toBe(200);
      expect(await ok.json()).toEqual({ subject: 'user-123', scopes: ['read:report'] });

      const missing = await send();
      expect(missing.status).toBe(401);
      expect(missing.headers.get('www-authenticate')).toBe('Bearer');
      expect(missing.headers.get('cache-control')).toBe('no-store');
      expect(missing.headers.get('content-type')).toBe('application/json; charset=utf-8');
      expect(await missing.json()).toEqual({
        error: 'unauthorized',
        error_description: 'A bearer token is required',
      });

      const forbidden = await send(withToken(noScope));
      expect(forbidden.status).toBe(403);
      expect(forbidden.headers.get('www-authenticate')).toMatch(
        /^Bearer error="insufficient_scope", error_description="[^"]+", scope="read:report"$/,
      );
      expect(await forbidden.json()).toMatchObject({ error: 'insufficient_scope' });
    }
  });
});

describe('on @hono/node-server: the Authorization lines of this very request', () => {
  it('reads a request forwarded inside the app with the same env by its own headers, not the socket request', async () => {
    const guards = auth();
    const good = await ctx.issuer.tokens.valid();
    const inner = new Hono<TokenwardEnv>();
    inner.get('/inner', guards.requireAuth(), (c) => c.json({ subject: getAuth(c).subject }));
    const app = new Hono();
    // The gateway pattern: the same app handles a request it builds, passing its own env along.
    app.get('/forward-without-token', (c) =>
      inner.fetch(new Request('http://internal/inner'), c.env),
    );
    app.get('/forward-with-token', (c) =>
      inner.fetch(new Request('http://internal/inner', withToken(good)), c.env),
    );
    const origin = await serveOnLoopback(app.fetch);

    // The outer request's valid token must not authenticate the forwarded request without one...
    const stripped = await fetch(`${origin}/forward-without-token`, withToken(good));
    expect(stripped.status).toBe(401);
    expect(stripped.headers.get('www-authenticate')).toBe('Bearer');
    // ...and the forwarded request's own token counts when the outer request has none.
    const added = await fetch(`${origin}/forward-with-token`);
    expect(added.status).toBe(200);
    expect(await added.json()).toEqual({ subject: 'user-123' });
  });

  it('sees an Authorization header a middleware before the guard set or removed on the request', async () => {
    const guards = auth();
    const good = await ctx.issuer.tokens.valid();
    const app = new Hono<TokenwardEnv>();
    // Node-only patterns (Fetch request headers are immutable on Workers, Deno and Bun).
    app.use('/from-cookie', async (c, next) => {
      const cookie = /(?:^|; )at=([^;]+)/.exec(c.req.header('cookie') ?? '')?.[1];
      if (cookie !== undefined) c.req.raw.headers.set('authorization', `Bearer ${cookie}`);
      await next();
    });
    app.use('/stripped', async (c, next) => {
      c.req.raw.headers.delete('authorization');
      await next();
    });
    for (const path of ['/from-cookie', '/stripped', '/plain']) {
      app.get(path, guards.requireAuth(), (c) => c.json({ subject: getAuth(c).subject }));
    }
    const origin = await serveOnLoopback(app.fetch);

    for (let round = 0; round < 2; round++) {
      const fromCookie = await fetch(`${origin}/from-cookie`, {
        headers: { cookie: `at=${good}` },
      });
      expect(fromCookie.status).toBe(200);
      expect((await fetch(`${origin}/stripped`, withToken(good))).status).toBe(401);
      expect((await fetch(`${origin}/plain`, withToken(good))).status).toBe(200);
      expect((await fetch(`${origin}/plain`)).status).toBe(401);
    }
  });

  it('a request straight from the socket is read from its raw header lines (two lines → 400)', async () => {
    const guards = auth();
    const app = new Hono<TokenwardEnv>();
    app.get('/me', guards.requireAuth(), (c) => c.json({ subject: getAuth(c).subject }));
    const origin = await serveOnLoopback(app.fetch);
    const good = await ctx.issuer.tokens.valid();
    // Two Authorization lines, really sent as two lines on the wire.
    const { status } = await send(
      origin,
      {
        method: 'GET',
        path: '/me',
        headers: [
          ['Authorization', bearer(good)],
          ['Authorization', bearer(good)],
        ],
      },
      'two-lines',
    );
    expect(status).toBe(400);
    expect((await fetch(`${origin}/me`, withToken(good))).status).toBe(200);
  });
});

describe('getAuth', () => {
  it('throws a clear error on an unguarded route and returns the identity on a guarded one', async () => {
    const guards = auth();
    const app = new Hono<TokenwardEnv>();
    app.get('/open', (c) => {
      try {
        getAuth(c);
        return c.json({ threw: false });
      } catch (error) {
        return c.json({ threw: error instanceof Error, message: (error as Error).message });
      }
    });
    app.get('/guarded', guards.requireAuth(), (c) => {
      const identity = getAuth(c);
      return c.json({ same: identity === c.var.auth, subject: identity.subject });
    });

    const open = (await (await app.request('/open')).json()) as { threw: boolean; message: string };
    expect(open.threw).toBe(true);
    expect(open.message).toMatch(/requireAuth\(\)/);
    const guarded = await app.request('/guarded', withToken(await ctx.issuer.tokens.valid()));
    expect(await guarded.json()).toEqual({ same: true, subject: 'user-123' });
  });

  it('throws for an anonymous request under optional auth', async () => {
    const app = new Hono<TokenwardEnv>();
    app.get('/maybe', auth().requireAuth({ optional: true }), (c) => {
      expect(() => getAuth(c)).toThrow(/requireAuth/);
      return c.json({ auth: c.var.auth ?? null });
    });
    const response = await app.request('/maybe');
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ auth: null });
  });
});

describe('delegateErrors: true', () => {
  it("app.onError receives an HTTPException whose getResponse() is tokenward's (401 and 403); the handler never runs", async () => {
    const guards = auth({ delegateErrors: true });
    const app = new Hono<TokenwardEnv>();
    const handler = vi.fn((c) => c.json({}));
    app.get('/r', guards.requireAuth(), guards.requireScope('read:report'), handler);
    const caught: { error: Error; auth: unknown }[] = [];
    app.onError((error, c) => {
      caught.push({ error, auth: c.var.auth });
      if (error instanceof HTTPException) return error.getResponse();
      return c.text('unexpected', 500);
    });

    const missing = await app.request('/r');
    expect(missing.status).toBe(401);
    expect(missing.headers.get('www-authenticate')).toBe('Bearer');
    expect(await missing.json()).toEqual({
      error: 'unauthorized',
      error_description: 'A bearer token is required',
    });

    const forbidden = await app.request('/r', withToken(await ctx.issuer.tokens.valid()));
    expect(forbidden.status).toBe(403);
    expect(forbidden.headers.get('www-authenticate')).toContain('scope="read:report"');
    expect(await forbidden.json()).toMatchObject({ error: 'insufficient_scope' });

    expect(handler).not.toHaveBeenCalled();
    expect(caught).toHaveLength(2);
    const [first, second] = caught as [(typeof caught)[0], (typeof caught)[0]];
    expect(first.error).toBeInstanceOf(HTTPException);
    const unauthorized = first.error as HTTPException;
    expect(unauthorized.status).toBe(401);
    expect(unauthorized.message).toBe('A bearer token is required');
    expect(unauthorized.cause).toBeInstanceOf(AuthError);
    expect((unauthorized.cause as AuthError).code).toBe('missing_token');
    expect(first.auth).toBeUndefined();
    const insufficient = second.error as HTTPException;
    expect(insufficient.status).toBe(403);
    expect((insufficient.cause as AuthError).code).toBe('insufficient_scope');
    expect(second.auth).toBeUndefined();
  });

  it('getResponse() carries the status, every tokenward header and the JSON body', async () => {
    const app = new Hono();
    app.get('/r', auth({ delegateErrors: true }).requireAuth(), (c) => c.text('ok'));
    let response: Response | undefined;
    app.onError((error) => {
      response = (error as HTTPException).getResponse();
      return new Response(null, { status: 599 });
    });
    await app.request('/r', withToken(await ctx.issuer.tokens.expired()));
    expect(response?.status).toBe(401);
    expect(Object.fromEntries(response?.headers ?? [])).toEqual({
      'cache-control': 'no-store',
      'content-type': 'application/json; charset=utf-8',
      'www-authenticate': expect.stringMatching(
        /^Bearer error="invalid_token", error_description=/,
      ),
    });
    expect(await response?.json()).toMatchObject({ error: 'invalid_token' });
  });

  it("without app.onError, Hono answers with the exception's response", async () => {
    const guards = auth({ delegateErrors: true });
    const app = new Hono();
    app.get('/r', guards.requireAuth(), guards.requireScope('read:report'), (c) => c.text('ok'));
    const origin = await serveOnLoopback(app.fetch);

    const missing = await fetch(`${origin}/r`);
    expect(missing.status).toBe(401);
    expect(missing.headers.get('www-authenticate')).toBe('Bearer');
    expect(await missing.json()).toEqual({
      error: 'unauthorized',
      error_description: 'A bearer token is required',
    });
    const forbidden = await app.request('/r', withToken(await ctx.issuer.tokens.valid()));
    expect(forbidden.status).toBe(403);
    expect(forbidden.headers.get('www-authenticate')).toContain('error="insufficient_scope"');
    const malformed = await app.request('/r', { headers: { authorization: 'Bearer a b' } });
    expect(malformed.status).toBe(400);
    expect(malformed.headers.get('www-authenticate')).toMatch(/^Bearer error="invalid_request"/);
  });
});

describe('async failures never hang or leak a rejection', () => {
  it('a requirePolicy that rejects or throws answers 403; the handler never runs', async () => {
    const guards = auth();
    const app = new Hono<TokenwardEnv>();
    const handler = vi.fn((c) => c.text('ok'));
    app.get(
      '/reject',
      guards.requireAuth(),
      guards.requirePolicy(() => Promise.reject(new Error('db down'))),
      handler,
    );
    app.get(
      '/throw',
      guards.requireAuth(),
      guards.requirePolicy(() => {
        throw new Error('bug');
      }),
      handler,
    );
    const token = await ctx.issuer.tokens.valid();
    for (const path of ['/reject', '/throw']) {
      const response = await app.request(path, withToken(token));
      expect(response.status).toBe(403);
      expect(await response.json()).toMatchObject({ error: 'insufficient_scope' });
    }
    expect(handler).not.toHaveBeenCalled();
  });

  it('a validate hook that throws or rejects answers 401 invalid_token', async () => {
    const app = new Hono<TokenwardEnv>();
    const handler = vi.fn((c) => c.text('ok'));
    const throwing = auth({
      validate: () => {
        throw new Error('validator bug');
      },
    });
    const rejecting = auth({ validate: () => Promise.reject(new Error('validator down')) });
    app.get('/throwing', throwing.requireAuth(), handler);
    app.get('/rejecting', rejecting.requireAuth(), handler);
    const token = await ctx.issuer.tokens.valid();
    for (const path of ['/throwing', '/rejecting']) {
      const response = await app.request(path, withToken(token));
      expect(response.status).toBe(401);
      expect(response.headers.get('www-authenticate')).toMatch(/^Bearer error="invalid_token"/);
    }
    expect(handler).not.toHaveBeenCalled();
  });

  it('an onDecision observer that throws changes nothing', async () => {
    const guards = auth({
      onDecision: () => {
        throw new Error('observer bug');
      },
    });
    const app = new Hono<TokenwardEnv>();
    app.get('/r', guards.requireAuth(), guards.requireScope('read:report'), (c) => c.text('ok'));
    const allowed = await app.request(
      '/r',
      withToken(await ctx.issuer.mintToken({ scope: 'read:report' })),
    );
    expect(allowed.status).toBe(200);
    expect((await app.request('/r', withToken(await ctx.issuer.tokens.valid()))).status).toBe(403);
    expect((await app.request('/r')).status).toBe(401);
  });

  it('with delegateErrors, a rejecting policy reaches onError as a 403', async () => {
    const guards = auth({ delegateErrors: true });
    const app = new Hono<TokenwardEnv>();
    app.get(
      '/r',
      guards.requireAuth(),
      guards.requirePolicy(async () => {
        throw new Error('db down');
      }),
      (c) => c.text('ok'),
    );
    const caught: Error[] = [];
    app.onError((error) => {
      caught.push(error);
      return (error as HTTPException).getResponse();
    });
    const response = await app.request('/r', withToken(await ctx.issuer.tokens.valid()));
    expect(response.status).toBe(403);
    const cause = caught[0]?.cause as AuthError;
    expect(cause.code).toBe('policy_denied');
    expect((cause.cause as Error).message).toBe('db down');
  });
});

describe('configuration errors at creation', () => {
  it('throws a ConfigurationError naming the option when the guards are created', () => {
    const { issuer, jwks } = ctx.options();
    let error: unknown;
    try {
      tokenward({ issuer, jwks });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigurationError);
    expect((error as ConfigurationError).option).toBe('audience');
    expect((error as Error).message).toMatch(/"audience"/);
    expect(() => auth({ clockTolerance: 3600 })).toThrow(/clockTolerance/);
    expect(() => auth({ realm: 'a"b' })).toThrow(/realm/);
  });
});

describe('route params and route groups', () => {
  it('requireOrganization reads the decoded :orgId on the route', async () => {
    const guards = auth();
    const app = new Hono<TokenwardEnv>();
    app.get(
      '/orgs/:orgId',
      guards.requireAuth(),
      guards.requireOrganization({ param: 'orgId' }),
      guards.requireOrgScope('read:report'),
      (c) => c.json({ org: c.req.param('orgId'), bound: c.var.auth?.organizationId }),
    );
    const token = await ctx.issuer.mintToken({ organization_id: 'org 1', scope: 'read:report' });

    const same = await app.request('/orgs/org%201', withToken(token));
    expect(same.status).toBe(200);
    expect(await same.json()).toEqual({ org: 'org 1', bound: 'org 1' });
    const other = await app.request('/orgs/org-2', withToken(token));
    expect(other.status).toBe(403);
    expect(await other.json()).toMatchObject({ error: 'insufficient_scope' });
    const unbound = await app.request('/orgs/org%201', withToken(await ctx.issuer.tokens.valid()));
    expect(unbound.status).toBe(403);
  });

  it('requireOrganization reads :orgId in middleware mounted with app.use("/orgs/:orgId/*")', async () => {
    const guards = auth();
    const app = new Hono<TokenwardEnv>();
    app.use('/orgs/:orgId/*', guards.requireAuth(), guards.requireOrganization({ param: 'orgId' }));
    app.get('/orgs/:orgId/reports', (c) => c.json({ org: c.var.auth?.organizationId }));
    const token = await ctx.issuer.mintToken({ organization_id: 'org-1' });
    expect((await app.request('/orgs/org-1/reports', withToken(token))).status).toBe(200);
    expect((await app.request('/orgs/org-2/reports', withToken(token))).status).toBe(403);
    expect((await app.request('/orgs/org-1/reports')).status).toBe(401);
  });

  it('app.use("/api/*", requireAuth()) guards a route group and leaves the rest open', async () => {
    const guards = auth();
    const app = new Hono<TokenwardEnv>();
    app.use('/api/*', guards.requireAuth());
    app.get('/health', (c) => c.json({ ok: true }));
    app.get('/api/me', (c) => c.json({ subject: getAuth(c).subject }));
    app.get('/api/reports', guards.requireScope('read:report'), (c) => c.json({ reports: [] }));
    const reports = new Hono<TokenwardEnv>();
    reports.get('/', (c) => c.json({ subject: c.var.auth?.subject }));
    app.route('/api/v2/reports', reports);
    const origin = await serveOnLoopback(app.fetch);
    const token = await ctx.issuer.tokens.valid();

    expect((await app.request('/health')).status).toBe(200);
    expect((await fetch(`${origin}/api/me`)).status).toBe(401);
    const me = await fetch(`${origin}/api/me`, withToken(token));
    expect(await me.json()).toEqual({ subject: 'user-123' });
    expect((await app.request('/api/reports', withToken(token))).status).toBe(403);
    expect((await app.request('/api/v2/reports')).status).toBe(401);
    const v2 = await app.request('/api/v2/reports', withToken(token));
    expect(await v2.json()).toEqual({ subject: 'user-123' });
  });

  it('an authorization guard without requireAuth fails closed with 401', async () => {
    const app = new Hono<TokenwardEnv>();
    const handler = vi.fn((c) => c.text('ok'));
    app.get('/r', auth().requireScope('read:report'), handler);
    const response = await app.request(
      '/r',
      withToken(await ctx.issuer.mintToken({ scope: 'read:report' })),
    );
    expect(response.status).toBe(401);
    expect(handler).not.toHaveBeenCalled();
  });
});

describe('headers set before the guard', () => {
  // As on Express and Fastify: a refusal keeps headers set earlier with `c.header()` or on
  // `c.res` (CORS, a request id), and tokenward's own `cache-control` and challenge win over them.
  it('keeps a header set with c.header() before the guard (e.g. a request id)', async () => {
    const app = new Hono<TokenwardEnv>();
    app.use('*', async (c, next) => {
      c.header('x-request-id', 'req-1');
      await next();
    });
    app.get('/r', auth().requireAuth(), (c) => c.text('ok'));
    const response = await app.request('/r');
    expect(response.status).toBe(401);
    expect(response.headers.get('www-authenticate')).toBe('Bearer');
    expect(response.headers.get('x-request-id')).toBe('req-1');
  });

  it('keeps the CORS headers of hono/cors on a refusal', async () => {
    const app = new Hono<TokenwardEnv>();
    app.use('*', cors({ origin: 'https://app.example.test' }));
    app.get('/r', auth().requireAuth(), (c) => c.text('ok'));
    const response = await app.request('/r', { headers: { origin: 'https://app.example.test' } });
    expect(response.status).toBe(401);
    expect(response.headers.get('access-control-allow-origin')).toBe('https://app.example.test');
    expect(response.headers.get('www-authenticate')).toBe('Bearer');
    expect(response.headers.get('cache-control')).toBe('no-store');
  });

  it("lets tokenward's cache-control: no-store win over an earlier Cache-Control", async () => {
    const app = new Hono<TokenwardEnv>();
    app.use('*', cors({ origin: 'https://app.example.test' }));
    app.use('*', async (c, next) => {
      c.header('cache-control', 'public, max-age=60');
      await next();
    });
    app.get('/r', auth().requireAuth(), (c) => c.text('ok'));
    const response = await app.request('/r', { headers: { origin: 'https://app.example.test' } });
    expect(response.status).toBe(401);
    expect(response.headers.get('access-control-allow-origin')).toBe('https://app.example.test');
    expect(response.headers.get('cache-control')).toBe('no-store');
  });
});

describe('optional auth', () => {
  it('anonymous → c.var.auth undefined; a present invalid token → 401', async () => {
    const app = new Hono<TokenwardEnv>();
    app.get('/maybe', auth().requireAuth({ optional: true }), (c) =>
      c.json({ anonymous: c.var.auth === undefined, subject: c.var.auth?.subject ?? null }),
    );
    const anonymous = await app.request('/maybe');
    expect(anonymous.status).toBe(200);
    expect(await anonymous.json()).toEqual({ anonymous: true, subject: null });
    const invalid = await app.request('/maybe', withToken(await ctx.issuer.tokens.algNone()));
    expect(invalid.status).toBe(401);
    expect(invalid.headers.get('www-authenticate')).toMatch(/^Bearer error="invalid_token"/);
    const valid = await app.request('/maybe', withToken(await ctx.issuer.tokens.valid()));
    expect(await valid.json()).toEqual({ anonymous: false, subject: 'user-123' });
  });
});

describe('form body tokens (tokenLocations.body)', () => {
  const form = (body: string, headers: Record<string, string> = {}): RequestInit => ({
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
    body,
  });

  function formApp() {
    const guards = auth({ tokenLocations: { body: true } });
    const app = new Hono<TokenwardEnv>();
    app.post('/r', guards.requireAuth(), async (c) => {
      const body = await c.req.parseBody();
      return c.json({ subject: getAuth(c).subject, note: body.note ?? null });
    });
    return app;
  }

  it('the adapter parses the form body itself, and the handler can still read it', async () => {
    const app = formApp();
    const origin = await serveOnLoopback(app.fetch);
    const token = await ctx.issuer.tokens.valid();
    for (const send of [
      (init: RequestInit) => app.request('/r', init),
      (init: RequestInit) => fetch(`${origin}/r`, init),
    ]) {
      const response = await send(form(`access_token=${token}&note=hi`));
      expect(response.status).toBe(200);
      expect(await response.json()).toEqual({ subject: 'user-123', note: 'hi' });
    }
  });

  it('refuses a token sent twice (header + body, or twice in the body) with 400', async () => {
    const app = formApp();
    const token = await ctx.issuer.tokens.valid();
    const both = await app.request(
      '/r',
      form(`access_token=${token}`, { authorization: bearer(token) }),
    );
    expect(both.status).toBe(400);
    expect(both.headers.get('www-authenticate')).toMatch(/^Bearer error="invalid_request"/);
    const twice = await app.request('/r', form(`access_token=${token}&access_token=${token}`));
    expect(twice.status).toBe(400);
  });

  it('ignores body tokens in other content types and when the option is off', async () => {
    const token = await ctx.issuer.tokens.valid();
    const json = await formApp().request('/r', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ access_token: token }),
    });
    expect(json.status).toBe(401);
    expect(json.headers.get('www-authenticate')).toBe('Bearer');

    const off = new Hono<TokenwardEnv>();
    off.post('/r', auth().requireAuth(), (c) => c.text('ok'));
    const response = await off.request('/r', form(`access_token=${token}`));
    expect(response.status).toBe(401);
    expect(response.headers.get('www-authenticate')).toBe('Bearer');
  });

  it('with the option on, an anonymous optional request leaves the body readable', async () => {
    const app = new Hono<TokenwardEnv>();
    app.post(
      '/r',
      auth({ tokenLocations: { body: true } }).requireAuth({ optional: true }),
      async (c) => c.json({ text: await c.req.text(), auth: c.var.auth ?? null }),
    );
    const response = await app.request('/r', form('note=hi'));
    expect(await response.json()).toEqual({ text: 'note=hi', auth: null });
  });
});
