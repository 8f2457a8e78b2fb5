import type {
  AuthContext as CoreAuthContext,
  TokenRequest,
  TokenwardOptions,
} from '@tokenward/core';
import {
  type AuthContext,
  type ExpressTokenward,
  type ExpressTokenwardOptions,
  getAuth,
  policyDecisionPoint,
  type RequireAuthOptions,
  tokenward,
} from '@tokenward/express';
import express, { type Request, type RequestHandler } from 'express';
import { describe, expectTypeOf, it } from 'vitest';

const options = {
  issuer: 'https://issuer.test',
  audience: 'https://api.example.test',
  jwks: { keys: [] },
} satisfies ExpressTokenwardOptions;

/** The body is only type-checked, never run (no keys, no server). */
const typeOnly = (_check: () => void): void => {};

describe('@tokenward/express types', () => {
  it('merges req.auth into Express.Request as AuthContext | undefined', () => {
    expectTypeOf<Request['auth']>().toEqualTypeOf<AuthContext | undefined>();
    expectTypeOf<AuthContext>().toEqualTypeOf<CoreAuthContext>();
    const handler: RequestHandler = (req, res) => {
      expectTypeOf(req.auth).toEqualTypeOf<AuthContext | undefined>();
      // @ts-expect-error possibly undefined until narrowed
      req.auth.subject;
      if (req.auth !== undefined) expectTypeOf(req.auth.scopes).toEqualTypeOf<readonly string[]>();
      res.end();
    };
    expectTypeOf(handler).toBeFunction();
  });

  it('getAuth takes an Express request and returns AuthContext', () => {
    expectTypeOf(getAuth).parameter(0).toEqualTypeOf<Request>();
    expectTypeOf(getAuth).returns.toEqualTypeOf<AuthContext>();
  });

  it('every guard is an Express RequestHandler usable in app.get', () =>
    typeOnly(() => {
      const auth = tokenward(options);
      expectTypeOf(auth).toEqualTypeOf<ExpressTokenward>();
      expectTypeOf(auth.requireAuth()).toEqualTypeOf<RequestHandler>();
      expectTypeOf(auth.requireAuth).parameter(0).toEqualTypeOf<RequireAuthOptions | undefined>();
      expectTypeOf(auth.requireScope('a', 'b')).toEqualTypeOf<RequestHandler>();
      expectTypeOf(auth.requireAnyScope('a')).toEqualTypeOf<RequestHandler>();
      expectTypeOf(auth.requireRole('a')).toEqualTypeOf<RequestHandler>();
      expectTypeOf(auth.requireAnyRole('a')).toEqualTypeOf<RequestHandler>();
      expectTypeOf(auth.requireOrganization({ param: 'orgId' })).toEqualTypeOf<RequestHandler>();
      expectTypeOf(auth.requireOrgScope('a')).toEqualTypeOf<RequestHandler>();
      expectTypeOf(auth.requireOrgRole('a', 'b')).toEqualTypeOf<RequestHandler>();
      expectTypeOf(auth.requireAnyOrgRole('a')).toEqualTypeOf<RequestHandler>();
      expectTypeOf(auth.requireClaim('tier', { equals: 'pro' })).toEqualTypeOf<RequestHandler>();
      expectTypeOf(auth.requirePolicy(() => true)).toEqualTypeOf<RequestHandler>();
      const app = express();
      app.get('/r', auth.requireAuth(), auth.requireScope('read:report'), (req, res) => {
        res.json({ subject: getAuth(req).subject });
      });
      app.use('/api', auth.requireAuth({ optional: true }));
    }));

  it('requirePolicy receives the Express request as TokenRequest.raw', () =>
    typeOnly(() => {
      const auth = tokenward(options);
      auth.requirePolicy((ctx, request) => {
        expectTypeOf(ctx).toEqualTypeOf<AuthContext>();
        expectTypeOf(request).toEqualTypeOf<TokenRequest<Request> | undefined>();
        expectTypeOf(request?.raw).toEqualTypeOf<Request | undefined>();
        return Promise.resolve(true);
      });
    }));

  it('options accept the core options plus delegateErrors', () =>
    typeOnly(() => {
      expectTypeOf<ExpressTokenwardOptions>().toExtend<TokenwardOptions>();
      expectTypeOf<TokenwardOptions>().toExtend<ExpressTokenwardOptions>();
      expectTypeOf<ExpressTokenwardOptions['delegateErrors']>().toEqualTypeOf<
        boolean | undefined
      >();
      tokenward({ ...options, delegateErrors: true, tokenLocations: { body: true }, realm: 'api' });
      // @ts-expect-error delegateErrors is a boolean
      tokenward({ ...options, delegateErrors: 'yes' });
      // @ts-expect-error unknown option
      tokenward({ ...options, delegate: true });
    }));

  it('requirePermission: action and resource are typed functions of the Express request', () => {
    typeOnly(() => {
      const tw = tokenward(options);
      const pdp = policyDecisionPoint({ url: 'https://pdp.test' });
      const guard = tw.requirePermission(pdp, {
        action: 'read',
        resource: (req, auth) => {
          expectTypeOf(req).toEqualTypeOf<TokenRequest<Request>>();
          expectTypeOf(auth).toEqualTypeOf<CoreAuthContext>();
          return { type: 'document', id: String(req.raw?.params.id) };
        },
      });
      expectTypeOf(guard).toEqualTypeOf<RequestHandler>();
      // @ts-expect-error a resource needs an id
      tw.requirePermission(pdp, { action: 'read', resource: { type: 'document' } });
    });
  });
});
