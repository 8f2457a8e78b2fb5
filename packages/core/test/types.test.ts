import { exportJWK, generateKeyPair, type JWK, type JWTHeaderParameters, SignJWT } from 'jose';
import { beforeAll, describe, expect, expectTypeOf, it } from 'vitest';
import {
  type AuthContext,
  type AuthError,
  type AuthErrorCode,
  type AuthenticateOptions,
  type AuthPhase,
  createTokenward,
  type DecisionEvent,
  type GuardSet,
  type HttpResponse,
  type Outcome,
  type Requirement,
  type RequirementContext,
  type RequirementResult,
  type TokenClaims,
  type TokenRequest,
  type Tokenward,
  type TokenwardLogger,
  type TokenwardOptions,
} from '../src/index.js';

declare module '../src/index.js' {
  interface TokenClaims {
    tenant?: string;
  }
}

const ISSUER = 'https://issuer.example';
const AUDIENCE = 'https://api.reports.example';

/** The AuthContext fields, pinned once for the type test and the runtime check. */
const AUTH_CONTEXT_FIELDS = [
  'audiences',
  'claims',
  'clientId',
  'expiresAt',
  'header',
  'isMachine',
  'issuer',
  'organizationId',
  'organizationToken',
  'roles',
  'scopes',
  'subject',
  'tokenId',
] as const;

let privateKey: CryptoKey;
let publicJwk: JWK;
let tw: Tokenward;

beforeAll(async () => {
  const pair = await generateKeyPair('ES256');
  privateKey = pair.privateKey;
  publicJwk = await exportJWK(pair.publicKey);
  tw = createTokenward({ issuer: ISSUER, audience: AUDIENCE, jwks: [publicJwk] });
});

async function bearer(claims: Record<string, unknown> = {}): Promise<TokenRequest> {
  const token = await new SignJWT({ iss: ISSUER, aud: AUDIENCE, sub: 'user-1', ...claims })
    .setProtectedHeader({ alg: 'ES256' })
    .setExpirationTime('5m')
    .sign(privateKey);
  return { authorization: `Bearer ${token}` };
}

describe('AuthContext', () => {
  it('has exactly the pinned shape', async () => {
    expectTypeOf<AuthContext>().toEqualTypeOf<{
      readonly subject: string | undefined;
      readonly clientId: string | undefined;
      readonly issuer: string;
      readonly audiences: readonly string[];
      readonly scopes: readonly string[];
      readonly roles: readonly string[];
      readonly organizationId: string | undefined;
      readonly organizationToken: boolean;
      readonly isMachine: boolean;
      readonly expiresAt: number;
      readonly tokenId: string | undefined;
      readonly claims: Readonly<TokenClaims>;
      readonly header: Readonly<JWTHeaderParameters>;
    }>();
    expectTypeOf<keyof AuthContext>().toEqualTypeOf<(typeof AUTH_CONTEXT_FIELDS)[number]>();

    // The runtime object has the same fields, and is frozen.
    const outcome = await tw.authenticate(await bearer());
    if (!outcome.ok) throw new Error(outcome.error.code);
    expect(Object.keys(outcome.auth).sort()).toEqual([...AUTH_CONTEXT_FIELDS]);
    expect(Object.isFrozen(outcome.auth)).toBe(true);
    expect(Object.isFrozen(outcome.auth.claims)).toBe(true);
    expect(Object.isFrozen(outcome.auth.scopes)).toBe(true);
  });

  it('takes custom claims as a type parameter', () => {
    expectTypeOf<AuthContext<{ tier: 'free' | 'pro' }>['claims']>().toEqualTypeOf<
      Readonly<{ tier: 'free' | 'pro' }>
    >();
  });

  it('never carries the raw token', () => {
    expectTypeOf<AuthContext>().not.toHaveProperty('token');
    expectTypeOf<DecisionEvent>().not.toHaveProperty('token');
    expectTypeOf<DecisionEvent>().not.toHaveProperty('claims');
  });
});

describe('TokenClaims declaration merging', () => {
  it('adds user claims to AuthContext.claims', async () => {
    expectTypeOf<TokenClaims['tenant']>().toEqualTypeOf<string | undefined>();
    expectTypeOf<AuthContext['claims']['tenant']>().toEqualTypeOf<string | undefined>();
    // The built-in claims are still there.
    expectTypeOf<TokenClaims['scope']>().toEqualTypeOf<string | undefined>();
    expectTypeOf<TokenClaims['organization_id']>().toEqualTypeOf<string | undefined>();
    expectTypeOf<TokenClaims['client_id']>().toEqualTypeOf<string | undefined>();
    expectTypeOf<TokenClaims['sub']>().toEqualTypeOf<string | undefined>();

    const outcome = await tw.authenticate(await bearer({ tenant: 'acme' }));
    if (!outcome.ok) throw new Error(outcome.error.code);
    expectTypeOf(outcome.auth.claims.tenant).toEqualTypeOf<string | undefined>();
    expect(outcome.auth.claims.tenant).toBe('acme');
  });
});

describe('Outcome', () => {
  it('narrows on ok', async () => {
    for (const request of [await bearer(), { authorization: undefined }]) {
      const outcome = await tw.authenticate(request);
      expectTypeOf(outcome).toEqualTypeOf<Outcome<AuthContext>>();
      if (outcome.ok) {
        expectTypeOf(outcome.auth).toEqualTypeOf<AuthContext>();
        expectTypeOf(outcome).not.toHaveProperty('error');
        expectTypeOf(outcome).not.toHaveProperty('response');
        expect(outcome.auth.subject).toBe('user-1');
      } else {
        expectTypeOf(outcome.error).toEqualTypeOf<AuthError>();
        expectTypeOf(outcome.response).toEqualTypeOf<HttpResponse>();
        expectTypeOf(outcome).not.toHaveProperty('auth');
        expect(outcome.response.status).toBe(401);
      }
    }
  });

  it('defaults to AuthContext and is read-only', () => {
    expectTypeOf<Outcome>().toEqualTypeOf<Outcome<AuthContext>>();
    expectTypeOf<Outcome<number>>().toEqualTypeOf<
      | { readonly ok: true; readonly auth: number }
      | { readonly ok: false; readonly error: AuthError; readonly response: HttpResponse }
    >();
  });

  it('pins the error and response types', () => {
    expectTypeOf<AuthError['code']>().toEqualTypeOf<AuthErrorCode>();
    expectTypeOf<AuthError['phase']>().toEqualTypeOf<AuthPhase>();
    expectTypeOf<AuthError['status']>().toEqualTypeOf<number>();
    expectTypeOf<HttpResponse>().toEqualTypeOf<{
      status: number;
      headers: Readonly<Record<string, string>>;
      body: string;
    }>();
  });
});

describe('misconfiguration reporting', () => {
  it('types the logger option and the route pattern of a request', () => {
    expectTypeOf<TokenwardOptions['logger']>().toEqualTypeOf<TokenwardLogger | false | undefined>();
    expectTypeOf<TokenwardLogger['warn']>().toEqualTypeOf<
      (message: string, details?: Readonly<Record<string, unknown>>) => void
    >();
    expectTypeOf<TokenRequest['route']>().toEqualTypeOf<(() => string | undefined) | undefined>();
    expectTypeOf<'route_param_missing'>().toExtend<AuthErrorCode>();
    expectTypeOf<'server'>().toExtend<AuthPhase>();
  });
});

describe('Tokenward.authenticate overloads', () => {
  it('returns Outcome<AuthContext> unless optional is true', async () => {
    const request = { authorization: undefined };
    const required = tw.authenticate(request);
    expectTypeOf(required).toEqualTypeOf<Promise<Outcome<AuthContext>>>();
    const explicit = tw.authenticate(request, { optional: false });
    expectTypeOf(explicit).toEqualTypeOf<Promise<Outcome<AuthContext>>>();
    const empty = tw.authenticate(request, {});
    expectTypeOf(empty).toEqualTypeOf<Promise<Outcome<AuthContext>>>();
    for (const outcome of await Promise.all([required, explicit, empty])) {
      expect(outcome.ok).toBe(false);
    }
  });

  it('returns Outcome<AuthContext | undefined> with { optional: true }', async () => {
    const request = { authorization: undefined };
    const optional = tw.authenticate(request, { optional: true });
    expectTypeOf(optional).toEqualTypeOf<Promise<Outcome<AuthContext | undefined>>>();
    const options: AuthenticateOptions = { optional: true };
    const widened = tw.authenticate(request, options);
    expectTypeOf(widened).toEqualTypeOf<Promise<Outcome<AuthContext | undefined>>>();
    expect(await optional).toEqual({ ok: true, auth: undefined });
    expect(await widened).toEqual({ ok: true, auth: undefined });
  });

  it('types authorize and verify', () => {
    expectTypeOf(tw.authorize).parameter(1).toEqualTypeOf<AuthContext | undefined>();
    expectTypeOf(tw.authorize).returns.toEqualTypeOf<Promise<Outcome<AuthContext>>>();
    expectTypeOf(tw.verify).returns.toEqualTypeOf<Promise<AuthContext>>();
    expectTypeOf<ReturnType<Requirement['check']>>().toEqualTypeOf<
      RequirementResult | Promise<RequirementResult>
    >();
    expectTypeOf<RequirementResult>().toEqualTypeOf<AuthError | undefined>();
    expectTypeOf<Parameters<Requirement['check']>[2]>().toEqualTypeOf<
      RequirementContext | undefined
    >();
    expectTypeOf<RequirementContext['organizationRoles']>().toEqualTypeOf<
      ReadonlySet<string> | undefined
    >();
  });

  it('names the organization-binding refusal and the organization role guards', () => {
    expectTypeOf<'organization_bound_token'>().toExtend<AuthErrorCode>();
    expectTypeOf<GuardSet<string>['requireOrgRole']>().toEqualTypeOf<
      (...required: string[]) => string
    >();
    expectTypeOf<GuardSet<string>['requireAnyOrgRole']>().toEqualTypeOf<
      (...required: string[]) => string
    >();
  });
});
