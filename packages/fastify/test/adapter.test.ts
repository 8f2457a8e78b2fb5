import fastifyAuth from '@fastify/auth';
import formbody from '@fastify/formbody';
import {
  AuthError,
  ConfigurationError,
  createFastifyTokenward,
  getAuth,
  TokenwardHttpError,
  tokenwardPlugin,
} from '@tokenward/fastify';
import Fastify, { type FastifyInstance, type FastifyRequest } from 'fastify';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { AUDIENCE, bearer, failOnUnhandledRejection, useIssuer } from './fixtures.js';

const ctx = useIssuer();
failOnUnhandledRejection();

const apps: FastifyInstance[] = [];
/** A Fastify app closed after the test. */
function app(): FastifyInstance {
  const instance = Fastify();
  apps.push(instance);
  return instance;
}
afterEach(async () => {
  await Promise.all(apps.splice(0).map((instance) => instance.close()));
});

describe('plugin', () => {
  it('is named @tokenward/fastify and declares fastify 5.x (fastify-plugin metadata)', () => {
    const meta = (tokenwardPlugin as unknown as Record<symbol, unknown>)[
      Symbol.for('plugin-meta')
    ] as { name?: string; fastify?: string };
    expect(meta.name).toBe('@tokenward/fastify');
    expect(meta.fastify).toBe('5.x');
    // Not encapsulated: the decorators land in the context that registers it.
    expect(
      (tokenwardPlugin as unknown as Record<symbol, unknown>)[Symbol.for('skip-override')],
    ).toBe(true);
  });

  it('decorates request.auth with null until requireAuth runs', async () => {
    const fastify = app();
    await fastify.register(tokenwardPlugin, ctx.options());
    const seenBefore: unknown[] = [];
    fastify.get('/open', async (request) => ({ auth: request.auth, has: 'auth' in request }));
    fastify.get(
      '/guarded',
      {
        onRequest: [
          async (request: FastifyRequest) => {
            seenBefore.push(request.auth);
          },
          fastify.tokenward.requireAuth(),
        ],
      },
      async (request) => ({ subject: request.auth?.subject }),
    );

    const open = await fastify.inject('/open');
    expect(open.json()).toEqual({ auth: null, has: true });
    const guarded = await fastify.inject({
      url: '/guarded',
      headers: { authorization: bearer(await ctx.issuer.tokens.valid()) },
    });
    expect(guarded.json()).toEqual({ subject: 'user-123' });
    expect(seenBefore).toEqual([null]);
  });

  it('serves over a real listening server on 127.0.0.1', async () => {
    const fastify = app();
    await fastify.register(tokenwardPlugin, ctx.options());
    fastify.get(
      '/reports',
      {
        onRequest: [fastify.tokenward.requireAuth(), fastify.tokenward.requireScope('read:report')],
      },
      async (request) => ({ subject: getAuth(request).subject }),
    );
    const address = await fastify.listen({ port: 0, host: '127.0.0.1' });
    expect(address).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);

    const ok = await fetch(`${address}/reports`, {
      headers: { authorization: bearer(await ctx.issuer.mintToken({ scope: 'read:report' })) },
    });
    expect(ok.status).toBe(200);
    expect(await ok.json()).toEqual({ subject: 'user-123' });

    const missing = await fetch(`${address}/reports`);
    expect(missing.status).toBe(401);
    expect(missing.headers.get('www-authenticate')).toBe('Bearer');
    expect(missing.headers.get('content-type')).toBe('application/json; charset=utf-8');
    expect(missing.headers.get('cache-control')).toBe('no-store');
    expect(await missing.json()).toEqual({
      error: 'unauthorized',
      error_description: 'A bearer token is required',
    });

    const forbidden = await fetch(`${address}/reports`, {
      headers: { authorization: bearer(await ctx.issuer.tokens.valid()) },
    });
    expect(forbidden.status).toBe(403);
    expect(forbidden.headers.get('www-authenticate')).toContain('scope="read:report"');
    await forbidden.body?.cancel();
  });

  it('does not leak request.auth from one request to the next', async () => {
    const fastify = app();
    await fastify.register(tokenwardPlugin, ctx.options());
    fastify.get(
      '/maybe',
      { onRequest: fastify.tokenward.requireAuth({ optional: true }) },
      async (request) => ({ auth: request.auth?.subject ?? null }),
    );
    const first = await fastify.inject({
      url: '/maybe',
      headers: { authorization: bearer(await ctx.issuer.tokens.valid()) },
    });
    expect(first.json()).toEqual({ auth: 'user-123' });
    const second = await fastify.inject('/maybe');
    expect(second.json()).toEqual({ auth: null });
  });
});

describe('headers set before the guard', () => {
  it("keeps earlier headers such as CORS on a refusal, and tokenward's own headers win", async () => {
    const fastify = app();
    await fastify.register(tokenwardPlugin, ctx.options());
    fastify.addHook('onRequest', async (_request, reply) => {
      reply.header('access-control-allow-origin', 'https://app.example.test');
      reply.header('cache-control', 'public, max-age=60');
    });
    fastify.get('/r', { onRequest: fastify.tokenward.requireAuth() }, async () => ({}));
    const response = await fastify.inject('/r');
    expect(response.statusCode).toBe(401);
    expect(response.headers['access-control-allow-origin']).toBe('https://app.example.test');
    expect(response.headers['cache-control']).toBe('no-store');
    expect(response.headers['www-authenticate']).toBe('Bearer');
  });
});

describe('getAuth', () => {
  it('throws a clear error on an unguarded route and returns the identity on a guarded one', async () => {
    const fastify = app();
    await fastify.register(tokenwardPlugin, ctx.options());
    fastify.get('/open', async (request) => {
      try {
        getAuth(request);
        return { threw: false };
      } catch (error) {
        return { threw: error instanceof Error, message: (error as Error).message };
      }
    });
    fastify.get('/guarded', { onRequest: fastify.tokenward.requireAuth() }, async (request) => {
      const identity = getAuth(request);
      return { same: identity === request.auth, subject: identity.subject };
    });

    const open = (await fastify.inject('/open')).json();
    expect(open.threw).toBe(true);
    expect(open.message).toMatch(/requireAuth\(\)/);
    const guarded = await fastify.inject({
      url: '/guarded',
      headers: { authorization: bearer(await ctx.issuer.tokens.valid()) },
    });
    expect(guarded.json()).toEqual({ same: true, subject: 'user-123' });
  });

  it('throws for an anonymous request under optional auth', async () => {
    const fastify = app();
    await fastify.register(tokenwardPlugin, ctx.options());
    fastify.get(
      '/maybe',
      { onRequest: fastify.tokenward.requireAuth({ optional: true }) },
      async (request) => {
        expect(() => getAuth(request)).toThrow(/requireAuth/);
        return { auth: request.auth };
      },
    );
    const response = await fastify.inject('/maybe');
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual({ auth: null });
  });
});

describe('delegateErrors: true', () => {
  it('setErrorHandler receives a TokenwardHttpError with statusCode and headers (401 and 403); the handler never runs', async () => {
    const fastify = app();
    await fastify.register(tokenwardPlugin, { ...ctx.options(), delegateErrors: true });
    const caught: { error: unknown; auth: unknown }[] = [];
    fastify.setErrorHandler((error, request, reply) => {
      caught.push({ error, auth: request.auth });
      const httpError = error as TokenwardHttpError;
      return reply.code(httpError.statusCode).headers(httpError.headers).send(httpError.body);
    });
    const handler = vi.fn(async () => ({}));
    fastify.get(
      '/r',
      {
        onRequest: [fastify.tokenward.requireAuth(), fastify.tokenward.requireScope('read:report')],
      },
      handler,
    );

    const missing = await fastify.inject('/r');
    expect(missing.statusCode).toBe(401);
    expect(missing.headers['www-authenticate']).toBe('Bearer');
    expect(missing.json()).toEqual({
      error: 'unauthorized',
      error_description: 'A bearer token is required',
    });

    const forbidden = await fastify.inject({
      url: '/r',
      headers: { authorization: bearer(await ctx.issuer.tokens.valid()) },
    });
    expect(forbidden.statusCode).toBe(403);
    expect(forbidden.headers['www-authenticate']).toContain('scope="read:report"');

    expect(handler).not.toHaveBeenCalled();
    expect(caught).toHaveLength(2);
    const [first, second] = caught as [(typeof caught)[0], (typeof caught)[0]];
    expect(first.error).toBeInstanceOf(TokenwardHttpError);
    const unauthorized = first.error as TokenwardHttpError;
    expect(unauthorized.statusCode).toBe(401);
    expect(unauthorized.status).toBe(401);
    expect(unauthorized.headers['www-authenticate']).toBe('Bearer');
    expect(unauthorized.authError).toBeInstanceOf(AuthError);
    expect(unauthorized.authError.code).toBe('missing_token');
    expect(first.auth).toBeNull();
    const insufficient = second.error as TokenwardHttpError;
    expect(insufficient.statusCode).toBe(403);
    expect(insufficient.headers['www-authenticate']).toMatch(
      /^Bearer error="insufficient_scope", error_description="[^"]+", scope="read:report"$/,
    );
    expect(insufficient.authError.code).toBe('insufficient_scope');
    expect(JSON.parse(insufficient.body)).toMatchObject({ error: 'insufficient_scope' });
    // No identity stays attached on any failure, a 403 included.
    expect(second.auth).toBeNull();
  });

  it("Fastify's default error handler sends the status and www-authenticate of the error", async () => {
    const fastify = app();
    await fastify.register(tokenwardPlugin, { ...ctx.options(), delegateErrors: true });
    const handler = vi.fn(async () => ({}));
    fastify.get(
      '/r',
      {
        onRequest: [fastify.tokenward.requireAuth(), fastify.tokenward.requireScope('read:report')],
      },
      handler,
    );

    const missing = await fastify.inject('/r');
    expect(missing.statusCode).toBe(401);
    expect(missing.headers['www-authenticate']).toBe('Bearer');
    expect(missing.headers['cache-control']).toBe('no-store');
    // Fastify's own error body, not tokenward's.
    expect(missing.json()).toEqual({
      statusCode: 401,
      error: 'Unauthorized',
      message: 'A bearer token is required',
    });

    const invalid = await fastify.inject({
      url: '/r',
      headers: { authorization: bearer(await ctx.issuer.tokens.wrongIssuer()) },
    });
    expect(invalid.statusCode).toBe(401);
    expect(invalid.headers['www-authenticate']).toMatch(/^Bearer error="invalid_token"/);

    const forbidden = await fastify.inject({
      url: '/r',
      headers: { authorization: bearer(await ctx.issuer.tokens.valid()) },
    });
    expect(forbidden.statusCode).toBe(403);
    expect(forbidden.headers['www-authenticate']).toContain('error="insufficient_scope"');
    expect(forbidden.json()).toMatchObject({ statusCode: 403, error: 'Forbidden' });

    const malformed = await fastify.inject({ url: '/r', headers: { authorization: 'Bearer a b' } });
    expect(malformed.statusCode).toBe(400);
    expect(malformed.headers['www-authenticate']).toMatch(/^Bearer error="invalid_request"/);
    expect(handler).not.toHaveBeenCalled();
  });
});

describe('async failures never hang or leak a rejection', () => {
  it('a requirePolicy that rejects or throws answers 403; the handler never runs', async () => {
    const fastify = app();
    await fastify.register(tokenwardPlugin, ctx.options());
    const handler = vi.fn(async () => ({}));
    const { requireAuth, requirePolicy } = fastify.tokenward;
    fastify.get(
      '/reject',
      { onRequest: [requireAuth(), requirePolicy(() => Promise.reject(new Error('db down')))] },
      handler,
    );
    fastify.get(
      '/throw',
      {
        onRequest: [
          requireAuth(),
          requirePolicy(() => {
            throw new Error('bug');
          }),
        ],
      },
      handler,
    );
    const authorization = bearer(await ctx.issuer.tokens.valid());
    for (const url of ['/reject', '/throw']) {
      const response = await fastify.inject({ url, headers: { authorization } });
      expect(response.statusCode).toBe(403);
      expect(response.json()).toMatchObject({ error: 'insufficient_scope' });
    }
    expect(handler).not.toHaveBeenCalled();
  });

  it('a validate hook that throws or rejects answers 401 invalid_token', async () => {
    const throwing = createFastifyTokenward({
      ...ctx.options(),
      validate: () => {
        throw new Error('validator bug');
      },
    });
    const rejecting = createFastifyTokenward({
      ...ctx.options(),
      validate: async () => {
        throw new Error('validator down');
      },
    });
    const fastify = app();
    const handler = vi.fn(async () => ({}));
    fastify.decorateRequest('auth', null);
    fastify.get('/throwing', { onRequest: throwing.requireAuth() }, handler);
    fastify.get('/rejecting', { onRequest: rejecting.requireAuth() }, handler);
    const authorization = bearer(await ctx.issuer.tokens.valid());
    for (const url of ['/throwing', '/rejecting']) {
      const response = await fastify.inject({ url, headers: { authorization } });
      expect(response.statusCode).toBe(401);
      expect(response.headers['www-authenticate']).toMatch(/^Bearer error="invalid_token"/);
    }
    expect(handler).not.toHaveBeenCalled();
  });

  it('an onDecision observer that throws changes nothing', async () => {
    const fastify = app();
    await fastify.register(tokenwardPlugin, {
      ...ctx.options(),
      onDecision: () => {
        throw new Error('observer bug');
      },
    });
    fastify.get(
      '/r',
      {
        onRequest: [fastify.tokenward.requireAuth(), fastify.tokenward.requireScope('read:report')],
      },
      async () => ({ ok: true }),
    );
    const allowed = await fastify.inject({
      url: '/r',
      headers: { authorization: bearer(await ctx.issuer.mintToken({ scope: 'read:report' })) },
    });
    expect(allowed.statusCode).toBe(200);
    const denied = await fastify.inject({
      url: '/r',
      headers: { authorization: bearer(await ctx.issuer.tokens.valid()) },
    });
    expect(denied.statusCode).toBe(403);
    expect((await fastify.inject('/r')).statusCode).toBe(401);
  });

  it('with delegateErrors, a rejecting policy reaches the error handler as a 403', async () => {
    const fastify = app();
    await fastify.register(tokenwardPlugin, { ...ctx.options(), delegateErrors: true });
    const caught: unknown[] = [];
    fastify.setErrorHandler((error, _request, reply) => {
      caught.push(error);
      const httpError = error as TokenwardHttpError;
      return reply.code(httpError.statusCode).headers(httpError.headers).send(httpError.body);
    });
    fastify.get(
      '/r',
      {
        onRequest: [
          fastify.tokenward.requireAuth(),
          fastify.tokenward.requirePolicy(async () => {
            throw new Error('db down');
          }),
        ],
      },
      async () => ({}),
    );
    const response = await fastify.inject({
      url: '/r',
      headers: { authorization: bearer(await ctx.issuer.tokens.valid()) },
    });
    expect(response.statusCode).toBe(403);
    expect((caught[0] as TokenwardHttpError).authError.code).toBe('policy_denied');
  });
});

describe('configuration errors at startup', () => {
  it('registering the plugin without an audience fails at ready(), naming the option', async () => {
    const fastify = app();
    const { issuer, jwks } = ctx.options();
    fastify.register(tokenwardPlugin, { issuer, jwks });
    const error = await fastify.ready().then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(ConfigurationError);
    expect((error as ConfigurationError).option).toBe('audience');
    expect((error as Error).message).toMatch(/"audience"/);
  });

  it('awaiting register() rejects too, and createFastifyTokenward throws synchronously', async () => {
    const fastify = app();
    await expect(
      fastify.register(tokenwardPlugin, { ...ctx.options(), algorithms: [] }),
    ).rejects.toThrow(/algorithms/);
    expect(() => createFastifyTokenward({ ...ctx.options(), issuer: undefined })).toThrow(
      ConfigurationError,
    );
    expect(() => createFastifyTokenward({ ...ctx.options(), issuer: undefined })).toThrow(
      /"issuer"/,
    );
  });
});

describe('onRequest: guards run before the body is parsed', () => {
  it('an invalid JSON body without a token gets 401, not the JSON parser 400; the handler never runs', async () => {
    const fastify = app();
    await fastify.register(tokenwardPlugin, ctx.options());
    const parsed = vi.fn();
    fastify.addHook('preValidation', async () => {
      parsed();
    });
    const handler = vi.fn(async () => ({}));
    fastify.post('/r', { onRequest: fastify.tokenward.requireAuth() }, handler);

    const response = await fastify.inject({
      method: 'POST',
      url: '/r',
      headers: { 'content-type': 'application/json' },
      payload: '{"not json',
    });
    expect(response.statusCode).toBe(401);
    expect(response.headers['www-authenticate']).toBe('Bearer');
    expect(handler).not.toHaveBeenCalled();
    expect(parsed).not.toHaveBeenCalled();

    // With a valid token the parser runs after the guard and refuses the body itself.
    const authorized = await fastify.inject({
      method: 'POST',
      url: '/r',
      headers: {
        'content-type': 'application/json',
        authorization: bearer(await ctx.issuer.tokens.valid()),
      },
      payload: '{"not json',
    });
    expect(authorized.statusCode).toBe(400);
    expect(authorized.json()).toMatchObject({ code: 'FST_ERR_CTP_INVALID_JSON_BODY' });
    expect(handler).not.toHaveBeenCalled();
  });
});

describe('encapsulation', () => {
  it('registered at the root, fastify.tokenward guards the routes of a prefixed child plugin', async () => {
    const fastify = app();
    await fastify.register(tokenwardPlugin, ctx.options());
    fastify.get('/health', async () => ({ ok: true }));
    await fastify.register(
      async (child) => {
        child.addHook('onRequest', child.tokenward.requireAuth());
        child.get('/me', async (request) => ({ subject: getAuth(request).subject }));
        child.get(
          '/reports',
          { onRequest: child.tokenward.requireScope('read:report') },
          async () => ({ reports: [] }),
        );
      },
      { prefix: '/api' },
    );

    expect((await fastify.inject('/health')).statusCode).toBe(200);
    expect((await fastify.inject('/api/me')).statusCode).toBe(401);
    const authorization = bearer(await ctx.issuer.tokens.valid());
    const me = await fastify.inject({ url: '/api/me', headers: { authorization } });
    expect(me.json()).toEqual({ subject: 'user-123' });
    const reports = await fastify.inject({ url: '/api/reports', headers: { authorization } });
    expect(reports.statusCode).toBe(403);
  });

  it('two plugin instances with different options in sibling contexts each guard their own routes', async () => {
    const fastify = app();
    const otherAudience = 'https://other.example.test';
    for (const [prefix, audience] of [
      ['/a', AUDIENCE],
      ['/b', otherAudience],
    ] as const) {
      await fastify.register(
        async (child) => {
          await child.register(tokenwardPlugin, { ...ctx.options(), audience });
          child.get('/r', { onRequest: child.tokenward.requireAuth() }, async (request) => ({
            audiences: request.auth?.audiences,
          }));
        },
        { prefix },
      );
    }
    expect(fastify.hasDecorator('tokenward')).toBe(false);

    const forA = bearer(await ctx.issuer.tokens.valid());
    const forB = bearer(await ctx.issuer.mintToken({ aud: otherAudience }));
    expect(
      (await fastify.inject({ url: '/a/r', headers: { authorization: forA } })).json(),
    ).toEqual({ audiences: [AUDIENCE] });
    expect(
      (await fastify.inject({ url: '/b/r', headers: { authorization: forB } })).json(),
    ).toEqual({ audiences: [otherAudience] });
    const crossAB = await fastify.inject({ url: '/b/r', headers: { authorization: forA } });
    expect(crossAB.statusCode).toBe(401);
    expect(crossAB.headers['www-authenticate']).toMatch(/^Bearer error="invalid_token"/);
    expect(
      (await fastify.inject({ url: '/a/r', headers: { authorization: forB } })).statusCode,
    ).toBe(401);
  });

  it('registering it again in a descendant of a context that has it fails at startup with a clear error', async () => {
    // A child cannot override the root configuration by registering the plugin again; use
    // createFastifyTokenward() (or sibling contexts) for a second configuration.
    const fastify = app();
    await fastify.register(tokenwardPlugin, ctx.options());
    fastify.register(async (child) => {
      await child.register(tokenwardPlugin, { ...ctx.options(), audience: 'https://x.test' });
    });
    const error = await fastify.ready().then(
      () => undefined,
      (e: unknown) => e,
    );
    expect((error as Error).message).toMatch(
      /tokenward: @tokenward\/fastify is already registered/,
    );
  });
});

describe('@fastify/auth', () => {
  async function withFastifyAuth(delegateErrors: boolean) {
    const fastify = app();
    await fastify.register(tokenwardPlugin, { ...ctx.options(), delegateErrors });
    await fastify.register(fastifyAuth);
    return fastify;
  }

  /** An API-key alternative, in @fastify/auth's callback style. */
  function apiKey(request: FastifyRequest, _reply: unknown, done: (error?: Error) => void) {
    if (request.headers['x-api-key'] === 'secret') done();
    else done(Object.assign(new Error('bad api key'), { statusCode: 401 }));
  }

  it("relation 'and' composes requireAuth and requireScope in either mode", async () => {
    for (const delegateErrors of [false, true]) {
      const fastify = await withFastifyAuth(delegateErrors);
      const handler = vi.fn(async (request: FastifyRequest) => ({
        subject: request.auth?.subject,
      }));
      const { requireAuth, requireScope } = fastify.tokenward;
      fastify.get(
        '/r',
        {
          preHandler: fastify.auth([requireAuth(), requireScope('read:report')], {
            relation: 'and',
          }),
        },
        handler,
      );
      const missing = await fastify.inject('/r');
      expect(missing.statusCode).toBe(401);
      expect(missing.headers['www-authenticate']).toBe('Bearer');
      const forbidden = await fastify.inject({
        url: '/r',
        headers: { authorization: bearer(await ctx.issuer.tokens.valid()) },
      });
      expect(forbidden.statusCode).toBe(403);
      expect(forbidden.headers['www-authenticate']).toContain('scope="read:report"');
      expect(handler).not.toHaveBeenCalled();
      const ok = await fastify.inject({
        url: '/r',
        headers: { authorization: bearer(await ctx.issuer.mintToken({ scope: 'read:report' })) },
      });
      expect(ok.statusCode).toBe(200);
      expect(ok.json()).toEqual({ subject: 'user-123' });
    }
  });

  it("relation 'or' falls through to another strategy only with delegateErrors: true", async () => {
    const delegating = await withFastifyAuth(true);
    delegating.get(
      '/r',
      { preHandler: delegating.auth([delegating.tokenward.requireAuth(), apiKey]) },
      async (request) => ({ auth: request.auth?.subject ?? null }),
    );
    const byKey = await delegating.inject({ url: '/r', headers: { 'x-api-key': 'secret' } });
    expect(byKey.statusCode).toBe(200);
    expect(byKey.json()).toEqual({ auth: null });
    const byToken = await delegating.inject({
      url: '/r',
      headers: { authorization: bearer(await ctx.issuer.tokens.valid()) },
    });
    expect(byToken.json()).toEqual({ auth: 'user-123' });
    // Neither: @fastify/auth reports the LAST strategy's error, so the bearer challenge is lost.
    const neither = await delegating.inject('/r');
    expect(neither.statusCode).toBe(401);
    expect(neither.json()).toMatchObject({ message: 'bad api key' });
    expect(neither.headers['www-authenticate']).toBeUndefined();

    // Default mode: the tokenward hook answers 401 itself and resolves, which @fastify/auth counts
    // as a success, so the API key is never consulted.
    const answering = await withFastifyAuth(false);
    const handler = vi.fn(async () => ({}));
    answering.get(
      '/r',
      { preHandler: answering.auth([answering.tokenward.requireAuth(), apiKey]) },
      handler,
    );
    const keyOnly = await answering.inject({ url: '/r', headers: { 'x-api-key': 'secret' } });
    expect(keyOnly.statusCode).toBe(401);
    expect(keyOnly.headers['www-authenticate']).toBe('Bearer');
    expect(handler).not.toHaveBeenCalled();
  });
});

describe('optional auth', () => {
  it('anonymous → request.auth null; a present invalid token → 401', async () => {
    const fastify = app();
    await fastify.register(tokenwardPlugin, ctx.options());
    fastify.get(
      '/maybe',
      { onRequest: fastify.tokenward.requireAuth({ optional: true }) },
      async (request) => ({ auth: request.auth?.subject ?? request.auth }),
    );
    const anonymous = await fastify.inject('/maybe');
    expect(anonymous.statusCode).toBe(200);
    expect(anonymous.json()).toEqual({ auth: null });
    const invalid = await fastify.inject({
      url: '/maybe',
      headers: { authorization: bearer(await ctx.issuer.tokens.notYetValid()) },
    });
    expect(invalid.statusCode).toBe(401);
    expect(invalid.headers['www-authenticate']).toMatch(/^Bearer error="invalid_token"/);
    const valid = await fastify.inject({
      url: '/maybe',
      headers: { authorization: bearer(await ctx.issuer.tokens.valid()) },
    });
    expect(valid.json()).toEqual({ auth: 'user-123' });
  });
});

describe('form body tokens (tokenLocations.body)', () => {
  async function formApp(parser: boolean) {
    const fastify = app();
    if (parser) await fastify.register(formbody);
    await fastify.register(tokenwardPlugin, { ...ctx.options(), tokenLocations: { body: true } });
    const handler = async (request: FastifyRequest) => ({ subject: getAuth(request).subject });
    fastify.post('/on-request', { onRequest: fastify.tokenward.requireAuth() }, handler);
    fastify.post('/pre-handler', { preHandler: fastify.tokenward.requireAuth() }, handler);
    return fastify;
  }
  const form = async (fastify: FastifyInstance, url: string, payload?: string) =>
    fastify.inject({
      method: 'POST',
      url,
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: payload ?? `access_token=${await ctx.issuer.tokens.valid()}&note=hi`,
    });

  it('in onRequest the body is not parsed yet, so a form token is never seen (401, bare challenge)', async () => {
    const fastify = await formApp(true);
    const response = await form(fastify, '/on-request');
    expect(response.statusCode).toBe(401);
    expect(response.headers['www-authenticate']).toBe('Bearer');
  });

  it('the same hook in preHandler reads the form token parsed by @fastify/formbody', async () => {
    const fastify = await formApp(true);
    const response = await form(fastify, '/pre-handler');
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual({ subject: 'user-123' });

    const token = await ctx.issuer.tokens.valid();
    const twice = await form(
      fastify,
      '/pre-handler',
      `access_token=${token}&access_token=${token}`,
    );
    expect(twice.statusCode).toBe(400);
    expect(twice.headers['www-authenticate']).toMatch(/^Bearer error="invalid_request"/);
  });

  it('in preHandler without a form parser Fastify itself refuses the body (415) before the guard', async () => {
    const fastify = await formApp(false);
    const response = await form(fastify, '/pre-handler');
    expect(response.statusCode).toBe(415);
    expect(response.headers['www-authenticate']).toBeUndefined();
  });
});

describe('route params', () => {
  it('requireOrganization reads the decoded route parameter in onRequest', async () => {
    const fastify = app();
    await fastify.register(tokenwardPlugin, ctx.options());
    fastify.get(
      '/orgs/:orgId/reports',
      {
        onRequest: [
          fastify.tokenward.requireAuth(),
          fastify.tokenward.requireOrganization({ param: 'orgId' }),
        ],
      },
      async (request) => ({ org: request.auth?.organizationId }),
    );
    const authorization = bearer(await ctx.issuer.mintToken({ organization_id: 'org 1' }));
    const same = await fastify.inject({ url: '/orgs/org%201/reports', headers: { authorization } });
    expect(same.statusCode).toBe(200);
    expect(same.json()).toEqual({ org: 'org 1' });
    const other = await fastify.inject({ url: '/orgs/org-2/reports', headers: { authorization } });
    expect(other.statusCode).toBe(403);
  });
});

describe('an Authorization header set by a hook before the guard', () => {
  it('counts when set or removed on request.headers; untouched requests still read the raw lines', async () => {
    const good = await ctx.issuer.tokens.valid();
    const server = app();
    await server.register(tokenwardPlugin, ctx.options());
    const fromCookie = (request: FastifyRequest, _reply: unknown, done: () => void) => {
      const cookie = /(?:^|; )at=([^;]+)/.exec(request.headers.cookie ?? '')?.[1];
      if (cookie !== undefined) request.headers.authorization = `Bearer ${cookie}`;
      done();
    };
    const stripped = (request: FastifyRequest, _reply: unknown, done: () => void) => {
      delete request.headers.authorization;
      done();
    };
    const handler = async (request: FastifyRequest) => ({ subject: getAuth(request).subject });
    server.get(
      '/from-cookie',
      { onRequest: [fromCookie, server.tokenward.requireAuth()] },
      handler,
    );
    server.get('/stripped', { onRequest: [stripped, server.tokenward.requireAuth()] }, handler);
    server.get('/plain', { onRequest: [server.tokenward.requireAuth()] }, handler);
    const base = await server.listen({ port: 0, host: '127.0.0.1' });

    const cookie = await fetch(`${base}/from-cookie`, { headers: { cookie: `at=${good}` } });
    expect(cookie.status).toBe(200);
    expect(await cookie.json()).toEqual({ subject: 'user-123' });
    const removed = await fetch(`${base}/stripped`, { headers: { authorization: bearer(good) } });
    expect(removed.status).toBe(401);
    expect(removed.headers.get('www-authenticate')).toBe('Bearer');
    expect(
      (await fetch(`${base}/plain`, { headers: { authorization: bearer(good) } })).status,
    ).toBe(200);
    expect((await fetch(`${base}/plain`)).status).toBe(401);
  });
});
