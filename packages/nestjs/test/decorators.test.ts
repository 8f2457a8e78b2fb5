import 'reflect-metadata';
import { Controller, Get, Injectable, Module, Param, UseGuards } from '@nestjs/common';
import { createTestIssuer, type TestIssuer } from '@tokenward/testing';
import { afterAll, beforeAll, beforeEach, describe, expect, expectTypeOf, it } from 'vitest';
import {
  Auth,
  type AuthContext,
  OptionalAuth,
  Public,
  RequireAnyOrgRole,
  RequireAnyRole,
  RequireAnyScope,
  RequireClaim,
  RequireOrganization,
  RequireOrgRole,
  RequireOrgScope,
  RequirePolicy,
  RequireRole,
  RequireScope,
  TokenwardGuard,
  TokenwardModule,
  type TokenwardPolicy,
} from '../src/index.js';
import { AUDIENCE, PLATFORMS, type RunningApp, startApp } from './helpers.js';

let issuer: TestIssuer;
/** Handlers that ran, in order. */
const calls: string[] = [];

// ---------------------------------------------------------------------------------------------
// Services and policies
// ---------------------------------------------------------------------------------------------

/** A service a policy injects: the subjects allowed to see audits. */
@Injectable()
class AllowList {
  readonly subjects = new Set(['auditor-1']);
  has(subject: string | undefined): boolean {
    return subject !== undefined && this.subjects.has(subject);
  }
}

/** A policy registered as a provider; DI gives it the AllowList. */
@Injectable()
class RegisteredPolicy implements TokenwardPolicy {
  constructor(private readonly allowList: AllowList) {}
  allow(auth: AuthContext): boolean {
    return this.allowList.has(auth.subject);
  }
}

/** A policy that is NOT a provider, with a dependency (resolved via moduleRef.create). */
@Injectable()
class UnregisteredPolicy implements TokenwardPolicy {
  constructor(private readonly allowList: AllowList) {}
  allow(auth: AuthContext): boolean {
    return this.allowList.has(auth.subject);
  }
}

/** A policy that is NOT a provider and has no dependency. */
@Injectable()
class StandalonePolicy implements TokenwardPolicy {
  async allow(auth: AuthContext): Promise<boolean> {
    return auth.claims.sub === 'auditor-1';
  }
}

// ---------------------------------------------------------------------------------------------
// Controllers
// ---------------------------------------------------------------------------------------------

@RequireScope('read:report')
@Controller('reports')
class ReportsController {
  @Get()
  list() {
    calls.push('list');
    return { ok: true };
  }

  @RequireRole('admin')
  @Get('admin')
  admin() {
    calls.push('admin');
    return { ok: true };
  }

  @RequireScope('write:report')
  @RequireRole('editor')
  @Get('edit')
  edit() {
    calls.push('edit');
    return { ok: true };
  }

  @RequireScope('export:report')
  @RequireScope('audit:report')
  @Get('export')
  export() {
    calls.push('export');
    return { ok: true };
  }

  @Public()
  @Get('public')
  open() {
    calls.push('public');
    return { ok: true };
  }
}

@Controller('any')
class AnyController {
  @RequireAnyScope('read:report', 'read:all')
  @Get('scope')
  scope() {
    return { ok: true };
  }

  @RequireAnyRole('admin', 'auditor')
  @Get('role')
  role() {
    return { ok: true };
  }
}

@Controller('orgs/:orgId')
class OrgController {
  @RequireOrganization({ param: 'orgId' })
  @RequireOrgScope('read:member')
  @Get('members')
  members(@Param('orgId') orgId: string, @Auth('organizationId') bound: string) {
    calls.push('members');
    return { orgId, bound };
  }

  @RequireOrganization({ param: 'orgId' })
  @RequireOrgRole('admin')
  @Get('admin')
  admin() {
    calls.push('org-admin');
    return { ok: true };
  }

  @RequireOrganization({ param: 'orgId' })
  @RequireAnyOrgRole('owner', 'admin')
  @Get('manage')
  manage() {
    calls.push('org-manage');
    return { ok: true };
  }
}

@Controller('claims')
class ClaimsController {
  @RequireClaim('tier', { equals: 'pro' })
  @Get('pro')
  pro() {
    return { ok: true };
  }

  @RequireClaim('groups', { includes: 'beta' })
  @Get('beta')
  beta() {
    return { ok: true };
  }

  @RequireClaim('age', (value) => typeof value === 'number' && value >= 18)
  @Get('adult')
  adult() {
    return { ok: true };
  }
}

@Controller('policies')
class PolicyController {
  @RequirePolicy((auth, request) => {
    // The policy sees the request through the core's neutral view.
    return request?.header?.('x-tenant') === auth.claims.tenant;
  }, 'tenant header matches')
  @Get('fn')
  fn() {
    calls.push('fn');
    return { ok: true };
  }

  @RequirePolicy(async () => {
    throw new Error('policy crashed');
  })
  @Get('throws')
  throws() {
    calls.push('throws');
    return { ok: true };
  }

  @RequirePolicy(RegisteredPolicy)
  @Get('registered')
  registered() {
    calls.push('registered');
    return { ok: true };
  }

  @RequirePolicy(UnregisteredPolicy)
  @Get('unregistered')
  unregistered() {
    calls.push('unregistered');
    return { ok: true };
  }

  @RequirePolicy(StandalonePolicy)
  @Get('standalone')
  standalone() {
    calls.push('standalone');
    return { ok: true };
  }
}

@OptionalAuth()
@Controller('optional')
class OptionalController {
  @Get()
  who(@Auth() auth: AuthContext | undefined) {
    calls.push('optional');
    return { authenticated: auth !== undefined, subject: auth?.subject ?? null };
  }

  @RequireScope('read:report')
  @Get('scoped')
  scoped(@Auth('subject') subject: string | undefined) {
    calls.push('optional-scoped');
    return { subject: subject ?? null };
  }
}

@Controller('auth')
class AuthParamController {
  @Get()
  full(@Auth() auth: AuthContext) {
    return { auth };
  }

  @Get('subject')
  subject(@Auth('subject') subject: string, @Auth('scopes') scopes: readonly string[]) {
    return { subject, scopes };
  }
}

/** A public controller with a method that declares a requirement. */
@Public()
@Controller('public-class')
class PublicClassController {
  @Get()
  open() {
    calls.push('public-class');
    return { ok: true };
  }

  @RequireScope('admin:report')
  @Get('scoped')
  scoped() {
    calls.push('public-class-scoped');
    return { ok: true };
  }
}

function globalGuardModule() {
  @Module({
    imports: [
      TokenwardModule.forRoot({
        issuer: issuer.issuer,
        audience: AUDIENCE,
        organizationTokens: true,
        globalGuard: true,
      }),
    ],
    controllers: [
      ReportsController,
      AnyController,
      OrgController,
      ClaimsController,
      PolicyController,
      OptionalController,
      AuthParamController,
      PublicClassController,
    ],
    providers: [AllowList, RegisteredPolicy],
  })
  class AppModule {}
  return AppModule;
}

beforeAll(async () => {
  issuer = await createTestIssuer();
});
afterAll(() => issuer.close());
beforeEach(() => {
  calls.length = 0;
});

describe.each(PLATFORMS)('decorators on %s (globalGuard)', (platform) => {
  let app: RunningApp;
  beforeAll(async () => {
    app = await startApp(globalGuardModule(), platform);
  });
  afterAll(() => app.close());

  const mint = (claims: Record<string, unknown>) => issuer.mintToken(claims);

  it('combines class-level and method-level requirements (all must hold)', async () => {
    const reader = await mint({ scope: 'read:report' });
    const readerAdmin = await mint({ scope: 'read:report', roles: ['admin'] });
    const adminOnly = await mint({ roles: ['admin'] });

    expect((await app.get('/reports', reader)).status).toBe(200);
    expect((await app.get('/reports/admin', readerAdmin)).status).toBe(200);

    const noRole = await app.get('/reports/admin', reader);
    expect(noRole.status).toBe(403);
    expect(noRole.headers.get('www-authenticate')).toContain('error="insufficient_scope"');
    // The class-level scope still applies to a method with its own requirement.
    const noScope = await app.get('/reports/admin', adminOnly);
    expect(noScope.status).toBe(403);
    expect(noScope.headers.get('www-authenticate')).toContain('scope="read:report"');
    expect(calls).toEqual(['list', 'admin']);
  });

  it('accumulates several @Require* decorators on one method', async () => {
    const all = await mint({ scope: 'read:report write:report', roles: ['editor'] });
    expect((await app.get('/reports/edit', all)).status).toBe(200);
    for (const token of [
      await mint({ scope: 'read:report write:report' }),
      await mint({ scope: 'read:report', roles: ['editor'] }),
      await mint({ scope: 'write:report', roles: ['editor'] }),
    ]) {
      expect((await app.get('/reports/edit', token)).status).toBe(403);
    }

    // Two @RequireScope on the same method: both scopes are required.
    const both = await mint({ scope: 'read:report export:report audit:report' });
    expect((await app.get('/reports/export', both)).status).toBe(200);
    const oneMissing = await app.get(
      '/reports/export',
      await mint({ scope: 'read:report export:report' }),
    );
    expect(oneMissing.status).toBe(403);
    expect(oneMissing.headers.get('www-authenticate')).toContain('scope="audit:report"');
    expect(calls).toEqual(['edit', 'export']);
  });

  it('@Public() on a method opens it despite class-level requirements', async () => {
    expect((await app.get('/reports/public')).status).toBe(200);
    expect(calls).toEqual(['public']);
  });

  // Fail closed: a method's own requirement wins over a class-wide @Public().
  it('enforces a method requirement inside a @Public() controller', async () => {
    expect((await app.get('/public-class')).status).toBe(200);
    const anonymous = await app.get('/public-class/scoped');
    expect(anonymous.status).toBe(401);
    const reader = await app.get('/public-class/scoped', await mint({ scope: 'read:report' }));
    expect(reader.status).toBe(403);
    expect(calls).toEqual(['public-class']);
  });

  it('@RequireAnyScope and @RequireAnyRole need one of the alternatives', async () => {
    expect((await app.get('/any/scope', await mint({ scope: 'read:all' }))).status).toBe(200);
    expect((await app.get('/any/scope', await mint({ scope: 'read:report' }))).status).toBe(200);
    const none = await app.get('/any/scope', await mint({ scope: 'write:report' }));
    expect(none.status).toBe(403);
    expect(none.headers.get('www-authenticate')).toContain('scope="read:report read:all"');

    expect((await app.get('/any/role', await mint({ roles: ['auditor'] }))).status).toBe(200);
    expect((await app.get('/any/role', await mint({ roles: ['viewer'] }))).status).toBe(403);
  });

  it('@RequireOrganization({ param }) + @RequireOrgScope read the route parameter', async () => {
    const bound = await mint({ organization_id: 'acme', scope: 'read:member' });
    const ok = await app.get('/orgs/acme/members', bound);
    expect(ok.status).toBe(200);
    expect(await ok.json()).toEqual({ orgId: 'acme', bound: 'acme' });
    const orgToken = await mint({ aud: 'urn:logto:organization:acme', scope: 'read:member' });
    expect((await app.get('/orgs/acme/members', orgToken)).status).toBe(200);

    expect((await app.get('/orgs/other/members', bound)).status).toBe(403);
    // Percent-encoded parameter is decoded by the framework before comparison.
    expect((await app.get('/orgs/ac%6De/members', bound)).status).toBe(200);
    const noScope = await app.get('/orgs/acme/members', await mint({ organization_id: 'acme' }));
    expect(noScope.status).toBe(403);
    expect(noScope.headers.get('www-authenticate')).toContain('scope="read:member"');
    // A global permission is not an organization permission.
    const global = await app.get('/orgs/acme/members', await mint({ scope: 'read:member' }));
    expect(global.status).toBe(403);
    expect(calls).toEqual(['members', 'members', 'members']);
  });

  it('@RequireRole and @RequireAnyRole never accept a token bound to an organization', async () => {
    const boundAuditor = await mint({ organization_id: 'acme', roles: ['auditor'] });
    const refused = await app.get('/any/role', boundAuditor);
    expect(refused.status).toBe(403);
    expect(await refused.json()).toEqual({
      error: 'insufficient_scope',
      error_description: 'A token bound to an organization does not grant API-wide roles',
    });
    const orgToken = await mint({ aud: 'urn:logto:organization:acme', roles: ['auditor'] });
    expect((await app.get('/any/role', orgToken)).status).toBe(403);
    const boundAdmin = await mint({ organization_id: 'acme', roles: ['admin'] });
    const admin = await app.get('/reports/admin', boundAdmin);
    expect(admin.status).toBe(403);
    expect(calls).toEqual([]);
  });

  it('@RequireOrgRole and @RequireAnyOrgRole need a token bound to the organization with the role', async () => {
    const admin = await mint({ organization_id: 'acme', roles: ['admin'] });
    expect((await app.get('/orgs/acme/admin', admin)).status).toBe(200);
    const orgToken = await mint({ aud: 'urn:logto:organization:acme', roles: ['admin'] });
    expect((await app.get('/orgs/acme/admin', orgToken)).status).toBe(200);
    // Another organization, another role, or an unbound (global) admin: refused.
    expect((await app.get('/orgs/other/admin', admin)).status).toBe(403);
    const member = await mint({ organization_id: 'acme', roles: ['member'] });
    const noRole = await app.get('/orgs/acme/admin', member);
    expect(noRole.status).toBe(403);
    expect((await noRole.json()).error_description).toBe(
      'The token lacks a required organization role',
    );
    const globalAdmin = await app.get('/orgs/acme/admin', await mint({ roles: ['admin'] }));
    expect(globalAdmin.status).toBe(403);

    const owner = await mint({ organization_id: 'acme', roles: ['owner'] });
    expect((await app.get('/orgs/acme/manage', owner)).status).toBe(200);
    expect((await app.get('/orgs/acme/manage', member)).status).toBe(403);
    expect(calls).toEqual(['org-admin', 'org-admin', 'org-manage']);
  });

  it('@RequireClaim matches equals, includes and predicates', async () => {
    expect((await app.get('/claims/pro', await mint({ tier: 'pro' }))).status).toBe(200);
    expect((await app.get('/claims/pro', await mint({ tier: 'free' }))).status).toBe(403);
    expect((await app.get('/claims/pro', await mint({}))).status).toBe(403);
    expect((await app.get('/claims/beta', await mint({ groups: ['a', 'beta'] }))).status).toBe(200);
    expect((await app.get('/claims/beta', await mint({ groups: ['a'] }))).status).toBe(403);
    expect((await app.get('/claims/adult', await mint({ age: 30 }))).status).toBe(200);
    expect((await app.get('/claims/adult', await mint({ age: 12 }))).status).toBe(403);
    expect((await app.get('/claims/adult', await mint({ age: '30' }))).status).toBe(403);
  });

  it('@RequirePolicy(fn) receives the identity and the request', async () => {
    const token = await mint({ tenant: 't1' });
    expect((await app.get('/policies/fn', token, { 'x-tenant': 't1' })).status).toBe(200);
    const wrong = await app.get('/policies/fn', token, { 'x-tenant': 't2' });
    expect(wrong.status).toBe(403);
    expect(await wrong.json()).toEqual({
      error: 'insufficient_scope',
      error_description: 'The request is not allowed',
    });
    // A throwing policy denies (403), never 500.
    expect((await app.get('/policies/throws', token)).status).toBe(403);
    expect(calls).toEqual(['fn']);
  });

  it('@RequirePolicy(RegisteredPolicy) is resolved from the container with its dependencies', async () => {
    expect((await app.get('/policies/registered', await mint({ sub: 'auditor-1' }))).status).toBe(
      200,
    );
    expect((await app.get('/policies/registered', await mint({ sub: 'user-9' }))).status).toBe(403);
    expect(calls).toEqual(['registered']);
  });

  it('@RequirePolicy(StandalonePolicy) works without being a provider', async () => {
    expect((await app.get('/policies/standalone', await mint({ sub: 'auditor-1' }))).status).toBe(
      200,
    );
    expect((await app.get('/policies/standalone', await mint({ sub: 'user-9' }))).status).toBe(403);
  });

  // Under `globalGuard: true` too, an unregistered policy class gets the app's providers injected
  // (here AllowList), as under @UseGuards() (see below).
  it('@RequirePolicy(UnregisteredPolicy) resolves its dependencies', async () => {
    const ok = await app.get('/policies/unregistered', await mint({ sub: 'auditor-1' }));
    expect(ok.status).toBe(200);
  });

  it('@OptionalAuth(): anonymous passes with @Auth() undefined; a token attaches the identity', async () => {
    const anonymous = await app.get('/optional');
    expect(anonymous.status).toBe(200);
    expect(await anonymous.json()).toEqual({ authenticated: false, subject: null });

    const known = await app.get('/optional', await mint({}));
    expect(await known.json()).toEqual({ authenticated: true, subject: 'user-123' });

    const invalid = await app.get('/optional', await issuer.tokens.expired());
    expect(invalid.status).toBe(401);
    expect(invalid.headers.get('www-authenticate')).toContain('error="invalid_token"');
    const malformed = await app.get('/optional', undefined, { authorization: 'Bearer a b' });
    expect(malformed.status).toBe(400);
    expect(calls).toEqual(['optional', 'optional']);
  });

  it('@OptionalAuth() with a requirement fails closed for anonymous requests (401)', async () => {
    const anonymous = await app.get('/optional/scoped');
    expect(anonymous.status).toBe(401);
    expect(anonymous.headers.get('www-authenticate')).toBe('Bearer');
    const ok = await app.get('/optional/scoped', await mint({ scope: 'read:report' }));
    expect(await ok.json()).toEqual({ subject: 'user-123' });
    expect((await app.get('/optional/scoped', await mint({}))).status).toBe(403);
    expect(calls).toEqual(['optional-scoped']);
  });

  it('@Auth() gives the AuthContext and @Auth(field) one field; the token is not in it', async () => {
    const token = await mint({ scope: 'read:report write:report', roles: ['admin'] });
    const res = await app.get('/auth', token);
    const { auth } = (await res.json()) as { auth: Record<string, unknown> };
    expect(auth).toMatchObject({
      subject: 'user-123',
      clientId: 'client-abc',
      issuer: issuer.issuer,
      audiences: [AUDIENCE],
      scopes: ['read:report', 'write:report'],
      roles: ['admin'],
      organizationToken: false,
      isMachine: false,
    });
    expect(JSON.stringify(auth)).not.toContain(token.split('.')[2]);

    const field = await app.get('/auth/subject', token);
    expect(await field.json()).toEqual({
      subject: 'user-123',
      scopes: ['read:report', 'write:report'],
    });
  });
});

@UseGuards(TokenwardGuard)
@Controller('local')
class LocalPolicyController {
  @RequirePolicy(UnregisteredPolicy)
  @Get('unregistered')
  unregistered() {
    return { ok: true };
  }

  @RequirePolicy(RegisteredPolicy)
  @Get('registered')
  registered() {
    return { ok: true };
  }
}

describe.each(PLATFORMS)('policy classes under @UseGuards(TokenwardGuard) on %s', (platform) => {
  let app: RunningApp;
  beforeAll(async () => {
    @Module({
      imports: [TokenwardModule.forRoot({ issuer: issuer.issuer, audience: AUDIENCE })],
      controllers: [LocalPolicyController],
      providers: [AllowList, RegisteredPolicy],
    })
    class AppModule {}
    app = await startApp(AppModule, platform);
  });
  afterAll(() => app.close());

  it('resolves registered and unregistered policy classes with their dependencies', async () => {
    const auditor = await issuer.mintToken({ sub: 'auditor-1' });
    const other = await issuer.mintToken({ sub: 'user-9' });
    expect((await app.get('/local/registered', auditor)).status).toBe(200);
    expect((await app.get('/local/registered', other)).status).toBe(403);
    expect((await app.get('/local/unregistered', auditor)).status).toBe(200);
    expect((await app.get('/local/unregistered', other)).status).toBe(403);
    expect((await app.get('/local/unregistered')).status).toBe(401);
  });
});

describe('decorator types', () => {
  it('are class and method decorators; @Auth() is a parameter decorator', () => {
    expectTypeOf(RequireScope('a')).toEqualTypeOf<ClassDecorator & MethodDecorator>();
    expectTypeOf(RequireOrgRole('a', 'b')).toEqualTypeOf<ClassDecorator & MethodDecorator>();
    expectTypeOf(RequireAnyOrgRole('a')).toEqualTypeOf<ClassDecorator & MethodDecorator>();
    expectTypeOf(RequireOrganization({ param: 'orgId' })).toEqualTypeOf<
      ClassDecorator & MethodDecorator
    >();
    expectTypeOf(Public()).toEqualTypeOf<ClassDecorator & MethodDecorator>();
    expectTypeOf(OptionalAuth()).toEqualTypeOf<ClassDecorator & MethodDecorator>();
    expectTypeOf(Auth()).toEqualTypeOf<ParameterDecorator>();
    expectTypeOf(Auth('subject')).toEqualTypeOf<ParameterDecorator>();
    expectTypeOf<TokenwardPolicy['allow']>().returns.toEqualTypeOf<boolean | Promise<boolean>>();
  });

  it('RequirePolicy takes a policy function or a policy class, nothing else', () => {
    RequirePolicy((auth) => auth.scopes.includes('x'));
    RequirePolicy(RegisteredPolicy);
    class NotAPolicy {
      check() {
        return true;
      }
    }
    // @ts-expect-error a class without allow() is neither a PolicyFunction nor a TokenwardPolicy
    expect(() => RequirePolicy(NotAPolicy)).not.toThrow();
  });
});
