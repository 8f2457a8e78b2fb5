import type {
  AuthContext as CoreAuthContext,
  TokenRequest,
  TokenwardOptions,
} from '@tokenward/core';
import {
  type AuthContext,
  getAuth,
  type HonoTokenward,
  type HonoTokenwardOptions,
  type RequireAuthOptions,
  type TokenwardEnv,
  type TokenwardMiddleware,
  tokenward,
} from '@tokenward/hono';
import { type Context, Hono, type MiddlewareHandler } from 'hono';
import { describe, expectTypeOf, it } from 'vitest';

const options = {
  issuer: 'https://issuer.test',
  audience: 'https://api.example.test',
  jwks: { keys: [] },
} satisfies HonoTokenwardOptions;

/** The body is only type-checked, never run (no keys). */
const typeOnly = (_check: () => void): void => {};

describe('@tokenward/hono types', () => {
  it('c.var.auth is AuthContext | undefined on Hono<TokenwardEnv>', () => {
    expectTypeOf<TokenwardEnv['Variables']['auth']>().toEqualTypeOf<AuthContext | undefined>();
    expectTypeOf<AuthContext>().toEqualTypeOf<CoreAuthContext>();
    const app = new Hono<TokenwardEnv>();
    app.get('/r', (c) => {
      expectTypeOf(c.var.auth).toEqualTypeOf<AuthContext | undefined>();
      expectTypeOf(c.get('auth')).toEqualTypeOf<AuthContext | undefined>();
      // @ts-expect-error possibly undefined until narrowed
      c.var.auth.subject;
      return c.json({ subject: c.var.auth?.subject ?? null });
    });
  });

  it('the guard types c.var.auth on a route of a plain Hono app too', () =>
    typeOnly(() => {
      const auth = tokenward(options);
      new Hono().get('/r', auth.requireAuth(), auth.requireScope('read:report'), (c) => {
        expectTypeOf(c.var.auth).toEqualTypeOf<AuthContext | undefined>();
        return c.text('ok');
      });
    }));

  it('getAuth takes any Context and returns AuthContext', () => {
    expectTypeOf(getAuth).parameter(0).toEqualTypeOf<Context>();
    expectTypeOf(getAuth).returns.toEqualTypeOf<AuthContext>();
  });

  it('every guard is Hono middleware over TokenwardEnv', () =>
    typeOnly(() => {
      const auth = tokenward(options);
      expectTypeOf(auth).toEqualTypeOf<HonoTokenward>();
      expectTypeOf<TokenwardMiddleware>().toEqualTypeOf<MiddlewareHandler<TokenwardEnv>>();
      expectTypeOf(auth.requireAuth()).toEqualTypeOf<TokenwardMiddleware>();
      expectTypeOf(auth.requireAuth).parameter(0).toEqualTypeOf<RequireAuthOptions | undefined>();
      expectTypeOf(auth.requireScope('a')).toEqualTypeOf<TokenwardMiddleware>();
      expectTypeOf(auth.requireAnyScope('a')).toEqualTypeOf<TokenwardMiddleware>();
      expectTypeOf(auth.requireRole('a')).toEqualTypeOf<TokenwardMiddleware>();
      expectTypeOf(auth.requireAnyRole('a')).toEqualTypeOf<TokenwardMiddleware>();
      expectTypeOf(
        auth.requireOrganization({ param: 'orgId' }),
      ).toEqualTypeOf<TokenwardMiddleware>();
      expectTypeOf(auth.requireOrgScope('a')).toEqualTypeOf<TokenwardMiddleware>();
      expectTypeOf(auth.requireOrgRole('a', 'b')).toEqualTypeOf<TokenwardMiddleware>();
      expectTypeOf(auth.requireAnyOrgRole('a')).toEqualTypeOf<TokenwardMiddleware>();
      expectTypeOf(
        auth.requireClaim('tier', { equals: 'pro' }),
      ).toEqualTypeOf<TokenwardMiddleware>();
      expectTypeOf(auth.requirePolicy(() => true)).toEqualTypeOf<TokenwardMiddleware>();
      const app = new Hono<TokenwardEnv>();
      app.use('/api/*', auth.requireAuth());
      app.get(
        '/orgs/:orgId',
        auth.requireAuth(),
        auth.requireOrganization({ param: 'orgId' }),
        (c) => c.json({ org: c.req.param('orgId'), auth: getAuth(c).organizationId ?? null }),
      );
    }));

  it('requirePolicy receives the Hono Context as TokenRequest.raw', () =>
    typeOnly(() => {
      tokenward(options).requirePolicy((auth, request) => {
        expectTypeOf(auth).toEqualTypeOf<AuthContext>();
        expectTypeOf(request).toEqualTypeOf<TokenRequest<Context> | undefined>();
        return true;
      });
    }));

  it('options accept the core options plus delegateErrors', () =>
    typeOnly(() => {
      expectTypeOf<HonoTokenwardOptions>().toExtend<TokenwardOptions>();
      expectTypeOf<TokenwardOptions>().toExtend<HonoTokenwardOptions>();
      expectTypeOf<HonoTokenwardOptions['delegateErrors']>().toEqualTypeOf<boolean | undefined>();
      tokenward({ ...options, delegateErrors: true, tokenLocations: { body: true } });
      // @ts-expect-error delegateErrors is a boolean
      tokenward({ ...options, delegateErrors: 'yes' });
    }));
});
