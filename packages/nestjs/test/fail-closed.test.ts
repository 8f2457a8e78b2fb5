// Issue #12 item 2: a route that carries tokenward metadata never runs unguarded, whatever the
// guard placement (none, global, controller, method, all stacked), on both platforms; a valid
// token still passes, and the token is verified once per request however many guards stack.
import 'reflect-metadata';
import { Controller, Get, Module, UseGuards } from '@nestjs/common';
import { claim, type DecisionEvent } from '@tokenward/core';
import { createTestIssuer, type TestIssuer } from '@tokenward/testing';
import { afterAll, beforeAll, beforeEach, describe, expect, expectTypeOf, it } from 'vitest';
import {
  Auth,
  type AuthContext,
  ConfigurationError,
  OptionalAuth,
  Public,
  Require,
  RequireAuth,
  RequireRole,
  RequireScope,
  RouteConfigurationError,
  TokenwardGuard,
  TokenwardModule,
} from '../src/index.js';
import { AUDIENCE, PLATFORMS, type RunningApp, startApp } from './helpers.js';

let issuer: TestIssuer;
/** Handlers that ran. */
const calls: string[] = [];
/** Every decision of the core, in order. */
const decisions: DecisionEvent[] = [];

/** Where `@UseGuards(TokenwardGuard)` is written, beside the tokenward decorators. */
type Placement = 'none' | 'class' | 'method' | 'stacked';

const CONFIGURATIONS: readonly { name: string; globalGuard: boolean; placement: Placement }[] = [
  { name: 'decorators only', globalGuard: false, placement: 'none' },
  { name: 'globalGuard: true', globalGuard: true, placement: 'none' },
  { name: 'controller @UseGuards', globalGuard: false, placement: 'class' },
  { name: 'method @UseGuards', globalGuard: false, placement: 'method' },
  { name: 'global + controller + method guards', globalGuard: true, placement: 'stacked' },
];

/** `@UseGuards(TokenwardGuard)` when `on`, else a decorator that does nothing. */
function guardIf(on: boolean): ClassDecorator & MethodDecorator {
  return on ? UseGuards(TokenwardGuard) : () => undefined;
}

/** The controllers of one configuration: the same routes, guards written where it says. */
function controllers(placement: Placement) {
  const classGuard = guardIf(placement === 'class' || placement === 'stacked');
  const methodGuard = guardIf(placement === 'method' || placement === 'stacked');

  @classGuard
  @Controller('t')
  class MethodsController {
    @methodGuard
    @RequireScope('read:report')
    @Get('scope')
    scope() {
      calls.push('scope');
      return { ok: true };
    }

    @RequireRole('admin')
    @methodGuard
    @Get('role')
    role() {
      calls.push('role');
      return { ok: true };
    }

    @RequireAuth()
    @methodGuard
    @Get('auth')
    auth() {
      calls.push('auth');
      return { ok: true };
    }

    @methodGuard
    @Require(claim('tier', { equals: 'pro' }))
    @Get('claim')
    claim() {
      calls.push('claim');
      return { ok: true };
    }

    @methodGuard
    @Get('param')
    param(@Auth() auth: AuthContext) {
      calls.push('param');
      return { sub: auth.subject };
    }

    @methodGuard
    @Get('field')
    field(@Auth('subject') subject: string) {
      calls.push('field');
      return { sub: subject };
    }

    @methodGuard
    @OptionalAuth()
    @Get('optional')
    optional(@Auth() auth: AuthContext | undefined) {
      calls.push('optional');
      return { sub: auth?.subject ?? null };
    }
  }

  @classGuard
  @RequireScope('read:report')
  @Controller('c')
  class ScopedController {
    @methodGuard
    @Get('list')
    list() {
      calls.push('c-list');
      return { ok: true };
    }

    @Public()
    @Get('public')
    open() {
      calls.push('c-public');
      return { ok: true };
    }
  }

  @classGuard
  @Public()
  @Controller('p')
  class PublicController {
    @Get('open')
    open() {
      calls.push('p-open');
      return { ok: true };
    }

    @methodGuard
    @RequireScope('read:report')
    @Get('scoped')
    scoped() {
      calls.push('p-scoped');
      return { ok: true };
    }

    @Get('me')
    me(@Auth('subject') subject: string) {
      calls.push('p-me');
      return { sub: subject };
    }
  }

  return [MethodsController, ScopedController, PublicController];
}

/** Every decorated route, and the claims of a token that satisfies it. */
const GUARDED: readonly [path: string, claims: Record<string, unknown>][] = [
  ['/t/scope', { scope: 'read:report' }],
  ['/t/role', { roles: ['admin'] }],
  ['/t/auth', {}],
  ['/t/claim', { tier: 'pro' }],
  ['/t/param', {}],
  ['/t/field', {}],
  ['/c/list', { scope: 'read:report' }],
  ['/p/scoped', { scope: 'read:report' }],
  ['/p/me', {}],
];

/** Routes with a requirement beyond a valid token: a token without it gets 403. */
const NEEDS_MORE = new Set(['/t/scope', '/t/role', '/t/claim', '/c/list', '/p/scoped']);

beforeAll(async () => {
  issuer = await createTestIssuer();
});
afterAll(() => issuer.close());
beforeEach(() => {
  calls.length = 0;
  decisions.length = 0;
});

/** Bad credentials of every kind: none of them may reach a decorated handler. */
async function badCredentials(): Promise<[string, string | undefined][]> {
  return [
    ['no token', undefined],
    ['garbage', 'not-a-jwt'],
    ['expired', await issuer.tokens.expired()],
    ['another audience', await issuer.tokens.wrongAudience()],
    ['another issuer', await issuer.tokens.wrongIssuer()],
    ['foreign key', await issuer.tokens.foreignKey()],
    ['alg none', await issuer.tokens.algNone()],
  ];
}

describe.each(PLATFORMS)('decorated routes fail closed on %s', (platform) => {
  describe.each(CONFIGURATIONS)('$name', ({ globalGuard, placement }) => {
    let app: RunningApp;
    beforeAll(async () => {
      @Module({
        imports: [
          TokenwardModule.forRoot({
            issuer: issuer.issuer,
            audience: AUDIENCE,
            globalGuard,
            onDecision: (event) => decisions.push(event),
          }),
        ],
        controllers: controllers(placement),
      })
      class AppModule {}
      app = await startApp(AppModule, platform);
    });
    afterAll(() => app.close());

    it('no decorated route answers 2xx without a valid token', async () => {
      for (const [label, token] of await badCredentials()) {
        for (const [path] of GUARDED) {
          const res = await app.get(path, token);
          expect([400, 401], `${label} on ${path}`).toContain(res.status);
          if (token === undefined) expect(res.headers.get('www-authenticate')).toBe('Bearer');
        }
      }
      expect(calls).toEqual([]);
    });

    it('a valid token passes, verified exactly once per request', async () => {
      for (const [path, claims] of GUARDED) {
        decisions.length = 0;
        const res = await app.get(path, await issuer.mintToken(claims));
        expect(res.status, path).toBe(200);
        const authentications = decisions.filter((d) => d.step === 'authenticate');
        expect(authentications, path).toHaveLength(1);
      }
      expect(calls).toEqual([
        ...['scope', 'role', 'auth', 'claim', 'param', 'field'],
        ...['c-list', 'p-scoped', 'p-me'],
      ]);
    });

    it('a valid token without the requirement gets 403 and no handler', async () => {
      const plain = await issuer.mintToken({});
      for (const path of NEEDS_MORE) {
        const res = await app.get(path, plain);
        expect(res.status, path).toBe(403);
        expect(res.headers.get('www-authenticate')).toContain('error="insufficient_scope"');
      }
      expect(calls).toEqual([]);
    });

    it('@Auth() gives the verified identity', async () => {
      const token = await issuer.mintToken({ sub: 'someone' });
      expect(await (await app.get('/t/param', token)).json()).toEqual({ sub: 'someone' });
      expect(await (await app.get('/t/field', token)).json()).toEqual({ sub: 'someone' });
      expect(await (await app.get('/p/me', token)).json()).toEqual({ sub: 'someone' });
    });

    it('@OptionalAuth(): anonymous passes with @Auth() undefined; bad tokens are refused', async () => {
      const anonymous = await app.get('/t/optional');
      expect(anonymous.status).toBe(200);
      expect(await anonymous.json()).toEqual({ sub: null });
      const known = await app.get('/t/optional', await issuer.mintToken({ sub: 'someone' }));
      expect(await known.json()).toEqual({ sub: 'someone' });
      for (const [label, token] of (await badCredentials()).slice(1)) {
        expect([400, 401], label).toContain((await app.get('/t/optional', token)).status);
      }
      expect(calls).toEqual(['optional', 'optional']);
    });

    it('@Public() opens what it marks, and only that', async () => {
      expect((await app.get('/c/public')).status).toBe(200);
      expect((await app.get('/p/open')).status).toBe(200);
      expect((await app.get('/p/open', 'not-a-jwt')).status).toBe(200);
      expect(calls).toEqual(['c-public', 'p-open', 'p-open']);
    });
  });
});

describe('fail-closed types', () => {
  it('RequireAuth is a class and method decorator; RouteConfigurationError names routes', () => {
    expectTypeOf(RequireAuth()).toEqualTypeOf<ClassDecorator & MethodDecorator>();
    expectTypeOf(Auth()).toEqualTypeOf<ParameterDecorator>();
    expectTypeOf<RouteConfigurationError>().toExtend<ConfigurationError>();
    expectTypeOf<RouteConfigurationError['routes']>().toEqualTypeOf<readonly string[]>();
    const error = new RouteConfigurationError(['A.b', 'C.d'], 'a problem');
    expect(error).toBeInstanceOf(ConfigurationError);
    expect(error.message).toBe('tokenward: a problem: A.b, C.d');
    expect(error.option).toBe('A.b, C.d');
  });
});
