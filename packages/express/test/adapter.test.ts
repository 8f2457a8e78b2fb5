import {
  AuthError,
  ConfigurationError,
  getAuth,
  type TokenClaims,
  TokenwardHttpError,
  tokenward,
} from '@tokenward/express';
import express, { type ErrorRequestHandler, type Request } from 'express';
import request from 'supertest';
import { describe, expect, it, vi } from 'vitest';
import { bearer, failOnUnhandledRejection, listen, origin, useIssuer } from './fixtures.js';

const ctx = useIssuer();
const rejections = failOnUnhandledRejection();

/** Everything an error handler saw, for assertions. */
interface Caught {
  error: unknown;
  auth: Request['auth'];
  hadAuthProperty: boolean;
}

/** An error handler that records the error and answers like tokenward would have. */
function recordingErrorHandler(caught: Caught[]): ErrorRequestHandler {
  return (error, req, res, _next) => {
    caught.push({ error, auth: req.auth, hadAuthProperty: 'auth' in req });
    if (error instanceof TokenwardHttpError) {
      res.status(error.status).set(error.headers).send(error.body);
    } else {
      res.status(500).json({ unexpected: String(error) });
    }
  };
}

describe('real HTTP on 127.0.0.1', () => {
  it('answers a guarded route over a listening server (fetch, no supertest)', async () => {
    const auth = tokenward(ctx.options());
    const app = express();
    app.get('/reports', auth.requireAuth(), auth.requireScope('read:report'), (req, res) => {
      res.json({ subject: getAuth(req).subject, scopes: req.auth?.scopes });
    });
    const server = await listen(app);
    const url = `${origin(server)}/reports`;

    const ok = await fetch(url, {
      headers: { authorization: bearer(await ctx.issuer.mintToken({ scope: 'read:report' })) },
    });
    expect(ok.status).toBe(200);
    expect(await ok.json()).toEqual({ subject: 'user-123', scopes: ['read:report'] });

    const missing = await fetch(url);
    expect(missing.status).toBe(401);
    expect(missing.headers.get('www-authenticate')).toBe('Bearer');
    expect(missing.headers.get('cache-control')).toBe('no-store');
    expect(missing.headers.get('content-type')).toBe('application/json; charset=utf-8');
    expect(await missing.json()).toEqual({
      error: 'unauthorized',
      error_description: 'A bearer token is required',
    });

    const forbidden = await fetch(url, {
      headers: { authorization: bearer(await ctx.issuer.mintToken({ scope: 'other' })) },
    });
    expect(forbidden.status).toBe(403);
    expect(forbidden.headers.get('www-authenticate')).toContain('scope="read:report"');
    await forbidden.body?.cancel();
  });
});

describe('getAuth', () => {
  it('throws a clear error on a route without requireAuth, and returns the identity on a guarded one', async () => {
    const auth = tokenward(ctx.options());
    const app = express();
    app.get('/open', (req, res) => {
      try {
        getAuth(req);
        res.json({ threw: false });
      } catch (error) {
        res.json({
          threw: true,
          isError: error instanceof Error,
          message: (error as Error).message,
        });
      }
    });
    app.get('/guarded', auth.requireAuth(), (req, res) => {
      const identity = getAuth(req);
      res.json({ same: identity === req.auth, subject: identity.subject, issuer: identity.issuer });
    });
    const server = await listen(app);

    const open = await request(server).get('/open');
    expect(open.body.threw).toBe(true);
    expect(open.body.isError).toBe(true);
    expect(open.body.message).toMatch(/requireAuth\(\)/);

    const guarded = await request(server)
      .get('/guarded')
      .set('authorization', bearer(await ctx.issuer.tokens.valid()));
    expect(guarded.status).toBe(200);
    expect(guarded.body).toEqual({ same: true, subject: 'user-123', issuer: ctx.issuer.issuer });
  });

  it('throws for an anonymous request let through by optional auth', async () => {
    const auth = tokenward(ctx.options());
    const app = express();
    app.get('/maybe', auth.requireAuth({ optional: true }), (req, res) => {
      expect(() => getAuth(req)).toThrow(/requireAuth/);
      res.json({ anonymous: req.auth === undefined });
    });
    const server = await listen(app);
    const response = await request(server).get('/maybe');
    expect(response.status).toBe(200);
    expect(response.body).toEqual({ anonymous: true });
  });
});

describe('delegateErrors: true', () => {
  it('hands a 401 to the error handler as a TokenwardHttpError; the handler never runs and req.auth stays unset', async () => {
    const auth = tokenward({ ...ctx.options(), delegateErrors: true });
    const app = express();
    const handler = vi.fn((_req: Request, res: express.Response) => {
      res.json({});
    });
    const later = vi.fn((_req: Request, _res: express.Response, next: express.NextFunction) =>
      next(),
    );
    app.get('/r', auth.requireAuth(), later, handler);
    const caught: Caught[] = [];
    app.use(recordingErrorHandler(caught));
    const server = await listen(app);

    const response = await request(server).get('/r');
    expect(response.status).toBe(401);
    expect(response.headers['www-authenticate']).toBe('Bearer');
    expect(handler).not.toHaveBeenCalled();
    expect(later).not.toHaveBeenCalled();
    expect(caught).toHaveLength(1);
    const { error, auth: seenAuth } = caught[0]!;
    expect(error).toBeInstanceOf(TokenwardHttpError);
    const httpError = error as TokenwardHttpError;
    expect(httpError.name).toBe('TokenwardHttpError');
    expect(httpError.status).toBe(401);
    expect(httpError.statusCode).toBe(401);
    expect(httpError.expose).toBe(true);
    expect(httpError.headers).toEqual({
      'content-type': 'application/json; charset=utf-8',
      'cache-control': 'no-store',
      'www-authenticate': 'Bearer',
    });
    expect(JSON.parse(httpError.body)).toEqual({
      error: 'unauthorized',
      error_description: 'A bearer token is required',
    });
    expect(httpError.authError).toBeInstanceOf(AuthError);
    expect(httpError.authError.code).toBe('missing_token');
    expect(httpError.cause).toBe(httpError.authError);
    expect(seenAuth).toBeUndefined();
  });

  it('hands an invalid token (401 invalid_token) to the error handler without setting req.auth', async () => {
    const auth = tokenward({ ...ctx.options(), delegateErrors: true });
    const app = express();
    app.get('/r', auth.requireAuth(), (_req, res) => {
      res.json({ reached: true });
    });
    const caught: Caught[] = [];
    app.use(recordingErrorHandler(caught));
    const server = await listen(app);

    const response = await request(server)
      .get('/r')
      .set('authorization', bearer(await ctx.issuer.tokens.expired()));
    expect(response.status).toBe(401);
    expect(response.headers['www-authenticate']).toMatch(/^Bearer error="invalid_token"/);
    const [{ error, auth: seenAuth, hadAuthProperty }] = caught as [Caught];
    expect((error as TokenwardHttpError).authError.code).toBe('token_expired');
    expect(seenAuth).toBeUndefined();
    expect(hadAuthProperty).toBe(false);
  });

  it('hands a 403 to the error handler with the missing scope; no identity stays attached', async () => {
    const auth = tokenward({ ...ctx.options(), delegateErrors: true });
    const app = express();
    const handler = vi.fn((_req: Request, res: express.Response) => {
      res.json({});
    });
    app.get('/r', auth.requireAuth(), auth.requireScope('read:report', 'write:report'), handler);
    const caught: Caught[] = [];
    app.use(recordingErrorHandler(caught));
    const server = await listen(app);

    const response = await request(server)
      .get('/r')
      .set('authorization', bearer(await ctx.issuer.mintToken({ scope: 'read:report' })));
    expect(response.status).toBe(403);
    expect(handler).not.toHaveBeenCalled();
    const [{ error, auth: seenAuth }] = caught as [Caught];
    const httpError = error as TokenwardHttpError;
    expect(httpError).toBeInstanceOf(TokenwardHttpError);
    expect(httpError.status).toBe(403);
    expect(httpError.statusCode).toBe(403);
    // Only the missing permission is named.
    expect(httpError.headers['www-authenticate']).toMatch(
      /^Bearer error="insufficient_scope", error_description="[^"]+", scope="write:report"$/,
    );
    expect(JSON.parse(httpError.body)).toMatchObject({ error: 'insufficient_scope' });
    expect(httpError.authError.code).toBe('insufficient_scope');
    expect(httpError.authError.status).toBe(403);
    // No identity stays attached on any failure (audit logs get it from onDecision).
    expect(seenAuth).toBeUndefined();
    expect(response.headers['www-authenticate']).toBe(httpError.headers['www-authenticate']);
  });

  it("Express's default error handler (no custom one) answers with the error's status and headers", async () => {
    const auth = tokenward({ ...ctx.options(), delegateErrors: true });
    const app = express();
    app.get('/r', auth.requireAuth(), auth.requireScope('read:report'), (_req, res) => {
      res.json({});
    });
    const server = await listen(app);

    const missing = await request(server).get('/r');
    expect(missing.status).toBe(401);
    expect(missing.headers['www-authenticate']).toBe('Bearer');
    expect(missing.headers['cache-control']).toBe('no-store');

    const forbidden = await request(server)
      .get('/r')
      .set('authorization', bearer(await ctx.issuer.tokens.valid()));
    expect(forbidden.status).toBe(403);
    expect(forbidden.headers['www-authenticate']).toContain('error="insufficient_scope"');
  });

  it('does not leak delegateErrors into the core options', () => {
    expect(() => tokenward({ ...ctx.options(), delegateErrors: true })).not.toThrow();
    expect(() => tokenward({ ...ctx.options(), delegateErrors: false })).not.toThrow();
  });
});

describe('req.auth after a refusal (default mode)', () => {
  it('a 401 leaves req.auth unset and later middleware never runs', async () => {
    const auth = tokenward(ctx.options());
    const app = express();
    const seen: Request[] = [];
    app.use((req, _res, next) => {
      seen.push(req);
      next();
    });
    const later = vi.fn();
    app.get('/r', auth.requireAuth(), later);
    const server = await listen(app);

    const response = await request(server)
      .get('/r')
      .set('authorization', bearer(await ctx.issuer.tokens.wrongAudience()));
    expect(response.status).toBe(401);
    expect(JSON.parse(response.text)).toMatchObject({ error: 'invalid_token' });
    expect(later).not.toHaveBeenCalled();
    expect(seen).toHaveLength(1);
    expect(seen[0]!.auth).toBeUndefined();
  });
});

describe('async failures never hang or leak a rejection', () => {
  it('a requirePolicy that rejects answers 403 policy_denied; the handler never runs', async () => {
    const decisions: string[] = [];
    const auth = tokenward({
      ...ctx.options(),
      onDecision: (event) => decisions.push(`${event.outcome}:${event.code ?? ''}`),
    });
    const app = express();
    const handler = vi.fn();
    app.get(
      '/reject',
      auth.requireAuth(),
      auth.requirePolicy(() => Promise.reject(new Error('db down'))),
      handler,
    );
    app.get(
      '/throw',
      auth.requireAuth(),
      auth.requirePolicy(() => {
        throw new Error('bug');
      }),
      handler,
    );
    const server = await listen(app);
    const token = bearer(await ctx.issuer.tokens.valid());

    for (const path of ['/reject', '/throw']) {
      const response = await request(server).get(path).set('authorization', token).timeout(5000);
      expect(response.status).toBe(403);
      expect(response.headers['www-authenticate']).toContain('error="insufficient_scope"');
    }
    expect(handler).not.toHaveBeenCalled();
    expect(decisions).toEqual([
      'allowed:',
      'denied:policy_denied',
      'allowed:',
      'denied:policy_denied',
    ]);
  });

  it('a validate hook that throws or rejects answers 401 invalid_token', async () => {
    const app = express();
    const throwing = tokenward({
      ...ctx.options(),
      validate: () => {
        throw new Error('validator bug');
      },
    });
    const rejecting = tokenward({
      ...ctx.options(),
      validate: () => Promise.reject(new Error('validator down')),
    });
    const handler = vi.fn();
    app.get('/throwing', throwing.requireAuth(), handler);
    app.get('/rejecting', rejecting.requireAuth(), handler);
    const server = await listen(app);
    const token = bearer(await ctx.issuer.tokens.valid());

    for (const path of ['/throwing', '/rejecting']) {
      const response = await request(server).get(path).set('authorization', token).timeout(5000);
      expect(response.status).toBe(401);
      expect(response.headers['www-authenticate']).toMatch(/^Bearer error="invalid_token"/);
    }
    expect(handler).not.toHaveBeenCalled();
  });

  it('an onDecision observer that throws changes nothing', async () => {
    const auth = tokenward({
      ...ctx.options(),
      onDecision: () => {
        throw new Error('observer bug');
      },
    });
    const app = express();
    app.get('/r', auth.requireAuth(), auth.requireScope('read:report'), (_req, res) => {
      res.json({ ok: true });
    });
    const server = await listen(app);

    const allowed = await request(server)
      .get('/r')
      .set('authorization', bearer(await ctx.issuer.mintToken({ scope: 'read:report' })))
      .timeout(5000);
    expect(allowed.status).toBe(200);
    const denied = await request(server)
      .get('/r')
      .set('authorization', bearer(await ctx.issuer.tokens.valid()))
      .timeout(5000);
    expect(denied.status).toBe(403);
    const missing = await request(server).get('/r').timeout(5000);
    expect(missing.status).toBe(401);
  });

  it('with delegateErrors, a rejecting policy still reaches the error handler as a 403', async () => {
    const auth = tokenward({ ...ctx.options(), delegateErrors: true });
    const app = express();
    app.get(
      '/r',
      auth.requireAuth(),
      auth.requirePolicy(async () => {
        throw new Error('db down');
      }),
      (_req, res) => {
        res.json({});
      },
    );
    const caught: Caught[] = [];
    app.use(recordingErrorHandler(caught));
    const server = await listen(app);
    const response = await request(server)
      .get('/r')
      .set('authorization', bearer(await ctx.issuer.tokens.valid()))
      .timeout(5000);
    expect(response.status).toBe(403);
    const httpError = caught[0]!.error as TokenwardHttpError;
    expect(httpError.authError.code).toBe('policy_denied');
    expect((httpError.authError.cause as Error).message).toBe('db down');
  });
});

describe('a response already sent while a guard was deciding', () => {
  // When something answered while tokenward was still deciding (a request-timeout middleware
  // answers 503 later), writing the refusal must not throw ERR_HTTP_HEADERS_SENT into the promise
  // chain: an unhandled rejection crashes a Node process under --unhandled-rejections=throw.
  it('a refusal after a timeout middleware answered does not leak an unhandled rejection', async () => {
    const auth = tokenward(ctx.options());
    const app = express();
    app.use((_req, res, next) => {
      setTimeout(() => {
        if (!res.headersSent) res.status(503).json({ error: 'timeout' });
      }, 20);
      next();
    });
    const slowDenial = () => new Promise<boolean>((resolve) => setTimeout(resolve, 80, false));
    app.get('/r', auth.requireAuth(), auth.requirePolicy(slowDenial), (_req, res) => {
      res.json({});
    });
    const server = await listen(app);
    const response = await request(server)
      .get('/r')
      .set('authorization', bearer(await ctx.issuer.tokens.valid()));
    expect(response.status).toBe(503);
    await new Promise((resolve) => setTimeout(resolve, 120));
    // Drained and checked here, so that a leak names this test.
    const leaked = await rejections.take();
    expect(leaked.map((e) => (e as { code?: string }).code)).toEqual([]);
  });
});

describe('headers set by earlier middleware', () => {
  it("keeps headers such as CORS set before the guard on a refusal, and tokenward's own headers win", async () => {
    const auth = tokenward(ctx.options());
    const app = express();
    app.use((_req, res, next) => {
      res.set('access-control-allow-origin', 'https://app.example.test');
      res.set('cache-control', 'public, max-age=60');
      next();
    });
    app.get('/r', auth.requireAuth(), (_req, res) => {
      res.json({});
    });
    const server = await listen(app);
    const response = await request(server).get('/r');
    expect(response.status).toBe(401);
    expect(response.headers['access-control-allow-origin']).toBe('https://app.example.test');
    expect(response.headers['cache-control']).toBe('no-store');
    expect(response.headers['www-authenticate']).toBe('Bearer');
  });
});

describe('guard order', () => {
  it('an authorization guard without requireAuth fails closed with 401', async () => {
    const auth = tokenward(ctx.options());
    const app = express();
    const handler = vi.fn();
    app.get('/r', auth.requireScope('read:report'), handler);
    const server = await listen(app);
    const response = await request(server)
      .get('/r')
      .set('authorization', bearer(await ctx.issuer.mintToken({ scope: 'read:report' })));
    expect(response.status).toBe(401);
    expect(handler).not.toHaveBeenCalled();
  });
});

describe('configuration errors at creation', () => {
  it('throws a ConfigurationError naming the option when the guards are created', () => {
    const { issuer, jwks } = ctx.options();
    const create = () => tokenward({ issuer, jwks });
    expect(create).toThrow(ConfigurationError);
    expect(create).toThrow(/audience/);
    try {
      create();
    } catch (error) {
      expect((error as ConfigurationError).option).toBe('audience');
    }
    expect(() => tokenward({ audience: 'https://api.example.test', jwks })).toThrow(/"issuer"/);
    expect(() => tokenward({ ...ctx.options(), algorithms: ['none'] })).toThrow(ConfigurationError);
    expect(() => tokenward({ ...ctx.options(), tokenLocations: { body: 'yes' as never } })).toThrow(
      /tokenLocations\.body/,
    );
  });
});

describe('optional auth', () => {
  it('lets anonymous requests through with req.auth undefined, refuses a present invalid token', async () => {
    const auth = tokenward(ctx.options());
    const app = express();
    app.get('/maybe', auth.requireAuth({ optional: true }), (req, res) => {
      res.json({ hasAuth: 'auth' in req, subject: req.auth?.subject ?? null });
    });
    const server = await listen(app);

    const anonymous = await request(server).get('/maybe');
    expect(anonymous.status).toBe(200);
    expect(anonymous.body).toEqual({ hasAuth: true, subject: null });

    const invalid = await request(server)
      .get('/maybe')
      .set('authorization', bearer(await ctx.issuer.tokens.foreignKey()));
    expect(invalid.status).toBe(401);
    expect(invalid.headers['www-authenticate']).toMatch(/^Bearer error="invalid_token"/);

    const valid = await request(server)
      .get('/maybe')
      .set('authorization', bearer(await ctx.issuer.tokens.valid()));
    expect(valid.body).toEqual({ hasAuth: true, subject: 'user-123' });
  });
});

describe('form body tokens (tokenLocations.body)', () => {
  async function formApp(parser: express.RequestHandler | undefined) {
    const auth = tokenward({ ...ctx.options(), tokenLocations: { body: true } });
    const app = express();
    if (parser) app.use(parser);
    app.post('/r', auth.requireAuth(), (req, res) => {
      res.json({ subject: getAuth(req).subject, note: (req.body as { note?: string }).note });
    });
    return listen(app);
  }

  it('reads access_token from a body parsed by express.urlencoded()', async () => {
    const server = await formApp(express.urlencoded({ extended: false }));
    const token = await ctx.issuer.tokens.valid();
    const response = await request(server)
      .post('/r')
      .type('form')
      .send({ access_token: token, note: 'hi' });
    expect(response.status).toBe(200);
    expect(response.body).toEqual({ subject: 'user-123', note: 'hi' });

    const both = await request(server)
      .post('/r')
      .set('authorization', bearer(token))
      .type('form')
      .send({ access_token: token });
    expect(both.status).toBe(400);
    expect(both.headers['www-authenticate']).toMatch(/^Bearer error="invalid_request"/);

    const json = await request(server).post('/r').send({ access_token: token });
    expect(json.status).toBe(401);
    expect(json.headers['www-authenticate']).toBe('Bearer');
  });

  it('refuses a repeated access_token parsed by express.urlencoded({ extended: true }) (400)', async () => {
    const server = await formApp(express.urlencoded({ extended: true }));
    const token = await ctx.issuer.tokens.valid();
    const response = await request(server)
      .post('/r')
      .type('form')
      .send(`access_token=${token}&access_token=${token}`);
    expect(response.status).toBe(400);
    expect(response.headers['www-authenticate']).toMatch(/^Bearer error="invalid_request"/);
  });

  it('without a body parser the form token is not seen (401, bare challenge)', async () => {
    const server = await formApp(undefined);
    const response = await request(server)
      .post('/r')
      .type('form')
      .send({ access_token: await ctx.issuer.tokens.valid() });
    expect(response.status).toBe(401);
    expect(response.headers['www-authenticate']).toBe('Bearer');
  });
});

describe('route params', () => {
  it('requireOrganization reads the decoded route parameter', async () => {
    const auth = tokenward(ctx.options());
    const app = express();
    app.get(
      '/orgs/:orgId/reports',
      auth.requireAuth(),
      auth.requireOrganization({ param: 'orgId' }),
      (req, res) => {
        res.json({ org: req.auth?.organizationId });
      },
    );
    const server = await listen(app);
    const token = bearer(await ctx.issuer.mintToken({ organization_id: 'org 1' }));

    const same = await request(server).get('/orgs/org%201/reports').set('authorization', token);
    expect(same.status).toBe(200);
    expect(same.body).toEqual({ org: 'org 1' });
    const other = await request(server).get('/orgs/org-2/reports').set('authorization', token);
    expect(other.status).toBe(403);
  });
});

describe('route params in a mounted Router', () => {
  it('needs Router({ mergeParams: true }) to see the parent :orgId (plain Express behaviour)', async () => {
    const auth = tokenward({ ...ctx.options(), logger: false });
    const app = express();
    for (const [prefix, mergeParams] of [
      ['/merged', true],
      ['/plain', false],
    ] as const) {
      const router = express.Router({ mergeParams });
      router.use(auth.requireAuth(), auth.requireOrganization({ param: 'orgId' }));
      router.get('/reports', (req, res) => {
        res.json({ org: req.auth?.organizationId });
      });
      app.use(`${prefix}/orgs/:orgId`, router);
    }
    const server = await listen(app);
    const token = bearer(await ctx.issuer.mintToken({ organization_id: 'org-1' }));

    const merged = await request(server)
      .get('/merged/orgs/org-1/reports')
      .set('authorization', token);
    expect(merged.status).toBe(200);
    expect(merged.body).toEqual({ org: 'org-1' });
    // Without mergeParams the router's req.params lacks orgId: the route cannot name an
    // organization at all — a server misconfiguration (500, logged), not a 403 blaming the client.
    const plain = await request(server)
      .get('/plain/orgs/org-1/reports')
      .set('authorization', token);
    expect(plain.status).toBe(500);
    expect(plain.body.error).toBe('server_error');
  });
});

describe('claims typing at runtime', () => {
  it('exposes the verified claims on req.auth', async () => {
    const auth = tokenward(ctx.options());
    const app = express();
    app.get('/r', auth.requireAuth(), (req, res) => {
      const claims: TokenClaims = getAuth(req).claims;
      res.json({ client: claims.client_id });
    });
    const server = await listen(app);
    const response = await request(server)
      .get('/r')
      .set('authorization', bearer(await ctx.issuer.tokens.valid()));
    expect(response.body).toEqual({ client: 'client-abc' });
  });
});

describe('an Authorization header set by a middleware before the guard', () => {
  it('counts when set or removed on req.headers; untouched requests still read the raw lines', async () => {
    const auth = tokenward(ctx.options());
    const good = await ctx.issuer.tokens.valid();
    const app = express();
    // The session-cookie pattern: a cookie turned into a bearer header.
    app.use('/from-cookie', (req, _res, next) => {
      const cookie = /(?:^|; )at=([^;]+)/.exec(req.headers.cookie ?? '')?.[1];
      if (cookie !== undefined) req.headers.authorization = `Bearer ${cookie}`;
      next();
    });
    app.use('/stripped', (req, _res, next) => {
      delete req.headers.authorization;
      next();
    });
    for (const path of ['/from-cookie', '/stripped', '/plain']) {
      app.get(path, auth.requireAuth(), (req, res) => {
        res.json({ subject: getAuth(req).subject });
      });
    }
    const base = origin(await listen(app));

    const fromCookie = await fetch(`${base}/from-cookie`, { headers: { cookie: `at=${good}` } });
    expect(fromCookie.status).toBe(200);
    expect(await fromCookie.json()).toEqual({ subject: 'user-123' });
    const stripped = await fetch(`${base}/stripped`, { headers: { authorization: bearer(good) } });
    expect(stripped.status).toBe(401);
    expect(stripped.headers.get('www-authenticate')).toBe('Bearer');
    expect(
      (await fetch(`${base}/plain`, { headers: { authorization: bearer(good) } })).status,
    ).toBe(200);
    expect((await fetch(`${base}/plain`)).status).toBe(401);
  });
});
