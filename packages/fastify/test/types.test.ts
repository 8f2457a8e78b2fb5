import type {
  AuthContext as CoreAuthContext,
  TokenRequest,
  Tokenward,
  TokenwardOptions,
} from '@tokenward/core';
import {
  type AuthContext,
  createFastifyTokenward,
  type FastifyTokenward,
  type FastifyTokenwardOptions,
  getAuth,
  type RequireAuthOptions,
  type TokenwardHook,
  tokenwardPlugin,
} from '@tokenward/fastify';
import Fastify, {
  type FastifyPluginAsync,
  type FastifyRequest,
  type onRequestHookHandler,
  type preHandlerHookHandler,
} from 'fastify';
import { describe, expectTypeOf, it } from 'vitest';

const options = {
  issuer: 'https://issuer.test',
  audience: 'https://api.example.test',
  jwks: { keys: [] },
} satisfies FastifyTokenwardOptions;

/** The body is only type-checked, never run (no keys, no server). */
const typeOnly = (_check: () => void | Promise<void>): void => {};

describe('@tokenward/fastify types', () => {
  it('request.auth is AuthContext | null', () => {
    expectTypeOf<FastifyRequest['auth']>().toEqualTypeOf<AuthContext | null>();
    expectTypeOf<AuthContext>().toEqualTypeOf<CoreAuthContext>();
  });

  it('fastify.tokenward is FastifyTokenward after register, and request.auth is typed in handlers', () =>
    typeOnly(async () => {
      const app = Fastify();
      await app.register(tokenwardPlugin, { ...options, delegateErrors: true });
      expectTypeOf(app.tokenward).toEqualTypeOf<FastifyTokenward>();
      expectTypeOf(app.tokenward.core).toEqualTypeOf<Tokenward>();
      app.get(
        '/r',
        { onRequest: [app.tokenward.requireAuth(), app.tokenward.requireScope('read:report')] },
        async (request) => {
          expectTypeOf(request.auth).toEqualTypeOf<AuthContext | null>();
          // @ts-expect-error possibly null until narrowed
          request.auth.subject;
          return { subject: getAuth(request).subject };
        },
      );
      app.register(
        async (child) => {
          expectTypeOf(child.tokenward).toEqualTypeOf<FastifyTokenward>();
          child.addHook('onRequest', child.tokenward.requireAuth());
          child.addHook('preHandler', child.tokenward.requireScope('a'));
        },
        { prefix: '/api' },
      );
    }));

  it('the plugin takes the adapter options', () => {
    expectTypeOf(tokenwardPlugin).toExtend<FastifyPluginAsync<FastifyTokenwardOptions>>();
  });

  it('getAuth takes a Fastify request and returns AuthContext', () => {
    expectTypeOf(getAuth).parameter(0).toEqualTypeOf<FastifyRequest>();
    expectTypeOf(getAuth).returns.toEqualTypeOf<AuthContext>();
  });

  it('guards are callback-style onRequest hooks, usable as preHandler hooks too', () =>
    typeOnly(() => {
      const guards = createFastifyTokenward(options);
      expectTypeOf<TokenwardHook>().toEqualTypeOf<onRequestHookHandler>();
      expectTypeOf(guards.requireAuth()).toEqualTypeOf<TokenwardHook>();
      expectTypeOf(guards.requireAuth).parameter(0).toEqualTypeOf<RequireAuthOptions | undefined>();
      expectTypeOf(guards.requireScope('a')).toEqualTypeOf<TokenwardHook>();
      expectTypeOf(guards.requireAnyScope('a')).toEqualTypeOf<TokenwardHook>();
      expectTypeOf(guards.requireRole('a')).toEqualTypeOf<TokenwardHook>();
      expectTypeOf(guards.requireAnyRole('a')).toEqualTypeOf<TokenwardHook>();
      expectTypeOf(guards.requireOrganization({ param: 'orgId' })).toEqualTypeOf<TokenwardHook>();
      expectTypeOf(guards.requireOrgScope('a')).toEqualTypeOf<TokenwardHook>();
      expectTypeOf(guards.requireOrgRole('a', 'b')).toEqualTypeOf<TokenwardHook>();
      expectTypeOf(guards.requireAnyOrgRole('a')).toEqualTypeOf<TokenwardHook>();
      expectTypeOf(guards.requireClaim('tier', { equals: 'pro' })).toEqualTypeOf<TokenwardHook>();
      expectTypeOf(guards.requirePolicy(() => true)).toEqualTypeOf<TokenwardHook>();
      expectTypeOf(guards.requireAuth()).toExtend<preHandlerHookHandler>();
      const app = Fastify();
      app.post('/form', { preHandler: [guards.requireAuth()] }, async () => ({}));
    }));

  it('requirePolicy receives the Fastify request as TokenRequest.raw', () =>
    typeOnly(() => {
      createFastifyTokenward(options).requirePolicy((auth, request) => {
        expectTypeOf(auth).toEqualTypeOf<AuthContext>();
        expectTypeOf(request).toEqualTypeOf<TokenRequest<FastifyRequest> | undefined>();
        return true;
      });
    }));

  it('options accept the core options plus delegateErrors', () =>
    typeOnly(async () => {
      expectTypeOf<FastifyTokenwardOptions>().toExtend<TokenwardOptions>();
      expectTypeOf<TokenwardOptions>().toExtend<FastifyTokenwardOptions>();
      expectTypeOf<FastifyTokenwardOptions['delegateErrors']>().toEqualTypeOf<
        boolean | undefined
      >();
      createFastifyTokenward({ ...options, delegateErrors: true, tokenLocations: { body: true } });
      // @ts-expect-error delegateErrors is a boolean
      createFastifyTokenward({ ...options, delegateErrors: 1 });
      const app = Fastify();
      // @ts-expect-error audience must be a string or string array
      await app.register(tokenwardPlugin, { ...options, audience: 1 });
    }));
});
