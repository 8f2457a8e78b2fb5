/**
 * The reports API on Express, Fastify, Hono and NestJS against a real authorization server:
 * oidc-provider configured like Logto (`examples/auth-server`), on 127.0.0.1. Every token comes
 * from its token endpoint over HTTP — client credentials, organization-bound API tokens,
 * organization tokens, and user tokens from the authorization code flow with PKCE — and the apps
 * discover the issuer's keys themselves.
 */
import {
  type AuthServer,
  type IssuedToken,
  startAuthServer,
  TokenRequestError,
} from '@tokenward-examples/auth-server/server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Answer, call, decodeJwt, type RunningApp, startExampleApps } from './example-apps.js';

let server: AuthServer;
let apps: RunningApp[];

/** Every token the tests use, obtained once over HTTP. */
interface Tokens {
  reader: IssuedToken;
  writer: IssuedToken;
  noPermissions: IssuedToken;
  orgBoundA: IssuedToken;
  orgBoundB: IssuedToken;
  orgTokenA: IssuedToken;
  otherApi: IssuedToken;
  opaque: IssuedToken;
  alice: IssuedToken;
  bob: IssuedToken;
  aliceOrgBoundA: IssuedToken;
  aliceOrgTokenA: IssuedToken;
}
let tokens: Tokens;

beforeAll(async () => {
  server = await startAuthServer();
  const { clients, resources } = server;
  const machine = (
    client: { clientId: string },
    resource: string | undefined,
    scope: string,
    organizationId?: string,
  ) =>
    server.getClientCredentialsToken({
      clientId: client.clientId,
      ...(resource === undefined ? {} : { resource }),
      scope,
      ...(organizationId === undefined ? {} : { organizationId }),
    });
  const both = 'read:report write:report';
  const [
    reader,
    writer,
    noPermissions,
    orgBoundA,
    orgBoundB,
    orgTokenA,
    otherApi,
    opaque,
    alice,
    bob,
    aliceOrgBoundA,
    aliceOrgTokenA,
  ] = await Promise.all([
    machine(clients.reader, resources.reports, both),
    machine(clients.writer, resources.reports, both),
    machine(clients.noPermissions, resources.reports, both),
    machine(clients.orgMember, resources.reports, both, 'org-a'),
    machine(clients.orgMember, resources.reports, both, 'org-b'),
    machine(clients.orgMember, resources.organization('org-a'), 'read:report invite:member'),
    machine(clients.writer, resources.other, 'read:report'),
    machine(clients.reader, undefined, 'read:report'),
    server.getUserToken({ user: 'alice', scope: `openid ${both}`, resource: resources.reports }),
    server.getUserToken({ user: 'bob', scope: `openid ${both}`, resource: resources.reports }),
    server.getUserToken({
      user: 'alice',
      scope: both,
      resource: resources.reports,
      organizationId: 'org-a',
    }),
    server.getUserToken({
      user: 'alice',
      scope: 'read:report invite:member',
      resource: resources.organization('org-a'),
    }),
  ]);
  tokens = {
    reader,
    writer,
    noPermissions,
    orgBoundA,
    orgBoundB,
    orgTokenA,
    otherApi,
    opaque,
    alice,
    bob,
    aliceOrgBoundA,
    aliceOrgTokenA,
  };
  apps = await startExampleApps({ issuer: server.issuer, audience: resources.reports });
});

afterAll(async () => {
  await Promise.all((apps ?? []).map((app) => app.close()));
  await server?.close();
});

/** 403 `insufficient_scope` naming the missing scope. */
function expectForbidden(answer: Answer, scope: string): void {
  expect(answer.status).toBe(403);
  expect(answer.challenge).toMatch(/^Bearer error="insufficient_scope"/);
  expect(answer.challenge).toContain(`scope="${scope}"`);
  expect(answer.body).toMatchObject({ error: 'insufficient_scope' });
}

/** 403 for a token bound to another organization than the route's (no scope is missing). */
function expectOtherOrganization(answer: Answer): void {
  expect(answer.status).toBe(403);
  expect(answer.challenge).toMatch(/^Bearer error="insufficient_scope"/);
  expect(answer.challenge).not.toContain('scope=');
  expect(answer.body).toMatchObject({ error: 'insufficient_scope' });
}

/** 403 `insufficient_scope` with exactly this description and no `scope` (a role or binding refusal). */
function expectRefused(answer: Answer, description: string): void {
  expect(answer.status).toBe(403);
  expect(answer.challenge).toBe(
    `Bearer error="insufficient_scope", error_description="${description}"`,
  );
  expect(answer.body).toEqual({ error: 'insufficient_scope', error_description: description });
}

function expectInvalidToken(answer: Answer): void {
  expect(answer.status).toBe(401);
  expect(answer.challenge).toMatch(/^Bearer error="invalid_token"/);
  expect(answer.body).toMatchObject({ error: 'invalid_token' });
}

describe('the authorization server (oidc-provider, configured like Logto)', () => {
  it('publishes discovery with the issuer the apps are configured with', async () => {
    const response = await fetch(server.discoveryUrl);
    const metadata = (await response.json()) as Record<string, unknown>;
    expect(metadata).toMatchObject({
      issuer: server.issuer,
      jwks_uri: server.jwksUri,
      token_endpoint: server.tokenEndpoint,
      authorization_endpoint: server.authorizationEndpoint,
    });
    expect(server.issuer).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/oidc$/);
  });

  it('issues RFC 9068 JWT access tokens: typ at+jwt, ES256, the current kid, aud = resource', () => {
    const { header, payload } = decodeJwt(tokens.reader.accessToken);
    expect(header).toEqual({ alg: 'ES256', typ: 'at+jwt', kid: server.signingKeyId });
    expect(payload).toMatchObject({
      iss: server.issuer,
      aud: 'https://api.reports.example',
      sub: 'reports-reader',
      client_id: 'reports-reader',
      scope: 'read:report',
    });
    expect(payload).toHaveProperty('jti');
    expect(payload).toHaveProperty('iat');
    expect(payload).toHaveProperty('exp');
  });

  it('grants a client only its permissions: the rest of the requested scopes are dropped', () => {
    expect(tokens.reader.scope).toBe('read:report');
    expect(tokens.writer.scope).toBe('read:report write:report');
    // No permission at all: still a token (for the API), with no scope claim.
    expect(tokens.noPermissions.scope).toBeUndefined();
    expect(decodeJwt(tokens.noPermissions.accessToken).payload).not.toHaveProperty('scope');
  });

  it('binds API tokens to an organization with organization_id', () => {
    expect(decodeJwt(tokens.orgBoundA.accessToken).payload).toMatchObject({
      aud: 'https://api.reports.example',
      organization_id: 'org-a',
      scope: 'read:report',
    });
    expect(decodeJwt(tokens.orgBoundB.accessToken).payload).toMatchObject({
      organization_id: 'org-b',
    });
  });

  it('puts organization roles, never global ones, in tokens bound to an organization', () => {
    const roles = (token: IssuedToken) => decodeJwt(token.accessToken).payload.roles;
    // alice: global role admin, and organization role admin in org-a.
    expect(roles(tokens.alice)).toEqual(['admin']);
    expect(roles(tokens.aliceOrgBoundA)).toEqual(['admin']);
    expect(roles(tokens.aliceOrgTokenA)).toEqual(['admin']);
    // The org-member client: organization role member in org-a, none in org-b.
    expect(roles(tokens.orgBoundA)).toEqual(['member']);
    expect(roles(tokens.orgTokenA)).toEqual(['member']);
    expect(roles(tokens.orgBoundB)).toBeUndefined();
    expect(roles(tokens.reader)).toBeUndefined();
  });

  it('issues organization tokens for urn:logto:organization:<id> with organization permissions', () => {
    const { payload } = decodeJwt(tokens.orgTokenA.accessToken);
    expect(payload).toMatchObject({
      aud: 'urn:logto:organization:org-a',
      scope: 'read:report invite:member',
    });
    expect(payload).not.toHaveProperty('organization_id');
  });

  it('issues user tokens from the authorization code flow with PKCE', () => {
    const alice = decodeJwt(tokens.alice.accessToken);
    expect(alice.header.typ).toBe('at+jwt');
    expect(alice.payload).toMatchObject({
      sub: 'alice',
      client_id: 'reports-web',
      aud: 'https://api.reports.example',
      scope: 'read:report write:report',
      roles: ['admin'],
    });
    expect(tokens.alice.idToken).toBeDefined();
    // bob holds read:report only; he has no role.
    expect(decodeJwt(tokens.bob.accessToken).payload).toMatchObject({ scope: 'read:report' });
    expect(decodeJwt(tokens.bob.accessToken).payload).not.toHaveProperty('roles');
    expect(decodeJwt(tokens.aliceOrgBoundA.accessToken).payload).toMatchObject({
      sub: 'alice',
      organization_id: 'org-a',
      scope: 'read:report',
    });
    expect(decodeJwt(tokens.aliceOrgTokenA.accessToken).payload).toMatchObject({
      sub: 'alice',
      aud: 'urn:logto:organization:org-a',
      scope: 'read:report invite:member',
    });
  });

  it('refuses unknown resources, non-members, wrong secrets and wrong passwords', async () => {
    const { clients, resources } = server;
    await expect(
      server.getClientCredentialsToken({
        clientId: clients.reader.clientId,
        resource: 'https://unknown.example',
        scope: 'read:report',
      }),
    ).rejects.toMatchObject({ status: 400, error: 'invalid_target' });
    await expect(
      server.getClientCredentialsToken({
        clientId: clients.reader.clientId,
        resource: resources.reports,
        scope: 'read:report',
        organizationId: 'org-a',
      }),
    ).rejects.toMatchObject({ status: 400, error: 'invalid_target' });
    await expect(
      server.getClientCredentialsToken({
        clientId: clients.noPermissions.clientId,
        resource: resources.organization('org-b'),
        scope: 'read:report',
      }),
    ).rejects.toMatchObject({ status: 400, error: 'invalid_target' });
    await expect(
      server.getClientCredentialsToken({
        clientId: clients.reader.clientId,
        clientSecret: 'wrong',
        resource: resources.reports,
        scope: 'read:report',
      }),
    ).rejects.toMatchObject({ status: 401, error: 'invalid_client' });
    await expect(
      server.getUserToken({
        user: 'alice',
        scope: 'read:report',
        resource: resources.reports,
        organizationId: 'org-b',
      }),
    ).rejects.toMatchObject({ error: 'access_denied' });
    await expect(
      server.getUserToken({
        user: 'bob',
        password: 'wrong',
        scope: 'read:report',
        resource: resources.reports,
      }),
    ).rejects.toBeInstanceOf(TokenRequestError);
  });
});

describe.each(['express', 'fastify', 'hono', 'nestjs'] as const)(
  'the reports API on %s',
  (name) => {
    const app = () => apps.find((a) => a.name === name) as RunningApp;

    it('answers /health without a token', async () => {
      expect(await call(app(), 'GET', '/health')).toMatchObject({
        status: 200,
        body: { ok: true },
      });
    });

    it('401 with a bare Bearer challenge when no token is sent', async () => {
      const answer = await call(app(), 'GET', '/reports');
      expect(answer.status).toBe(401);
      expect(answer.challenge).toBe('Bearer');
    });

    it('/optional: anonymous without a token, authenticated with one', async () => {
      expect((await call(app(), 'GET', '/optional')).body).toEqual({ authenticated: false });
      expect((await call(app(), 'GET', '/optional', tokens.reader.accessToken)).body).toEqual({
        authenticated: true,
      });
    });

    it('read-only client: GET /reports 200, POST /reports 403 scope="write:report"', async () => {
      expect((await call(app(), 'GET', '/reports', tokens.reader.accessToken)).status).toBe(200);
      expectForbidden(
        await call(app(), 'POST', '/reports', tokens.reader.accessToken),
        'write:report',
      );
    });

    it('client with both permissions: POST /reports 201', async () => {
      const answer = await call(app(), 'POST', '/reports', tokens.writer.accessToken);
      expect(answer.status).toBe(201);
      expect(answer.body).toMatchObject({ createdBy: 'reports-writer' });
    });

    it('client with no permission: 403 on GET and POST /reports', async () => {
      expectForbidden(
        await call(app(), 'GET', '/reports', tokens.noPermissions.accessToken),
        'read:report',
      );
      expectForbidden(
        await call(app(), 'POST', '/reports', tokens.noPermissions.accessToken),
        'write:report',
      );
    });

    it('organization-bound API token for org-a: its organization only, never a global route', async () => {
      const token = tokens.orgBoundA.accessToken;
      const own = await call(app(), 'GET', '/orgs/org-a/reports', token);
      expect(own.status).toBe(200);
      expect(own.body).toEqual(
        expect.arrayContaining([expect.objectContaining({ organizationId: 'org-a' })]),
      );
      expectOtherOrganization(await call(app(), 'GET', '/orgs/org-b/reports', token));
      expectForbidden(await call(app(), 'GET', '/reports', token), 'read:report');
      // The same client bound to org-b reaches org-b.
      const other = await call(app(), 'GET', '/orgs/org-b/reports', tokens.orgBoundB.accessToken);
      expect(other.status).toBe(200);
    });

    it('organization token for org-a: 200 on org-a, 403 on org-b and on the global route', async () => {
      const token = tokens.orgTokenA.accessToken;
      expect((await call(app(), 'GET', '/orgs/org-a/reports', token)).status).toBe(200);
      expectOtherOrganization(await call(app(), 'GET', '/orgs/org-b/reports', token));
      expectForbidden(await call(app(), 'GET', '/reports', token), 'read:report');
    });

    it('a global token is refused on an organization route', async () => {
      const answer = await call(app(), 'GET', '/orgs/org-a/reports', tokens.writer.accessToken);
      expect(answer.status).toBe(403);
      expect(answer.body).toMatchObject({ error: 'insufficient_scope' });
    });

    it('/me reports sub, clientId, scopes and organizationId as issued', async () => {
      const me = async (token: IssuedToken) =>
        (await call(app(), 'GET', '/me', token.accessToken)).body;
      expect(await me(tokens.reader)).toEqual({
        sub: 'reports-reader',
        clientId: 'reports-reader',
        scopes: ['read:report'],
        organizationId: null,
      });
      expect(await me(tokens.noPermissions)).toEqual({
        sub: 'reports-none',
        clientId: 'reports-none',
        scopes: [],
        organizationId: null,
      });
      expect(await me(tokens.orgBoundA)).toEqual({
        sub: 'reports-org-member',
        clientId: 'reports-org-member',
        scopes: ['read:report'],
        organizationId: 'org-a',
      });
      expect(await me(tokens.orgTokenA)).toEqual({
        sub: 'reports-org-member',
        clientId: 'reports-org-member',
        scopes: ['read:report', 'invite:member'],
        organizationId: 'org-a',
      });
      expect(await me(tokens.alice)).toEqual({
        sub: 'alice',
        clientId: 'reports-web',
        scopes: ['read:report', 'write:report'],
        organizationId: null,
      });
    });

    it('user tokens: permissions and organizations as the server granted them', async () => {
      expect((await call(app(), 'POST', '/reports', tokens.alice.accessToken)).status).toBe(201);
      expect((await call(app(), 'GET', '/reports', tokens.bob.accessToken)).status).toBe(200);
      expectForbidden(
        await call(app(), 'POST', '/reports', tokens.bob.accessToken),
        'write:report',
      );
      for (const token of [tokens.aliceOrgBoundA, tokens.aliceOrgTokenA]) {
        expect((await call(app(), 'GET', '/orgs/org-a/reports', token.accessToken)).status).toBe(
          200,
        );
        expectOtherOrganization(await call(app(), 'GET', '/orgs/org-b/reports', token.accessToken));
      }
    });

    it('/admin: 200 with the admin role, 403 without it', async () => {
      expect((await call(app(), 'GET', '/admin', tokens.alice.accessToken)).status).toBe(200);
      for (const token of [tokens.bob, tokens.writer]) {
        expectRefused(
          await call(app(), 'GET', '/admin', token.accessToken),
          'The token lacks a required role',
        );
      }
    });

    it('/admin: tokens bound to an organization never pass, even with role admin in it', async () => {
      for (const token of [tokens.aliceOrgBoundA, tokens.aliceOrgTokenA, tokens.orgBoundA]) {
        expectRefused(
          await call(app(), 'GET', '/admin', token.accessToken),
          'A token bound to an organization does not grant API-wide roles',
        );
      }
    });

    it('/orgs/:orgId/admin: a token bound to :orgId with organization role admin', async () => {
      for (const token of [tokens.aliceOrgBoundA, tokens.aliceOrgTokenA]) {
        const own = await call(app(), 'GET', '/orgs/org-a/admin', token.accessToken);
        expect(own.status).toBe(200);
        expect(own.body).toEqual({ ok: true, organizationId: 'org-a' });
        expectRefused(
          await call(app(), 'GET', '/orgs/org-b/admin', token.accessToken),
          'The token is bound to another organization',
        );
      }
      const refusals: [IssuedToken, string][] = [
        // The global admin role is not an organization role.
        [tokens.alice, 'A token bound to an organization is required'],
        // Organization role member, not admin.
        [tokens.orgBoundA, 'The token lacks a required organization role'],
        [tokens.orgTokenA, 'The token lacks a required organization role'],
      ];
      for (const [token, description] of refusals) {
        expectRefused(
          await call(app(), 'GET', '/orgs/org-a/admin', token.accessToken),
          description,
        );
      }
      expect((await call(app(), 'GET', '/orgs/org-a/admin')).status).toBe(401);
    });

    it('401 invalid_token for a token issued for another resource', async () => {
      expect(decodeJwt(tokens.otherApi.accessToken).payload.aud).toBe('https://other.example');
      expectInvalidToken(await call(app(), 'GET', '/reports', tokens.otherApi.accessToken));
      expectInvalidToken(await call(app(), 'GET', '/me', tokens.otherApi.accessToken));
    });

    it('401 invalid_token for an opaque token (no resource requested) and for an ID token', async () => {
      expect(tokens.opaque.accessToken.split('.')).toHaveLength(1);
      expectInvalidToken(await call(app(), 'GET', '/reports', tokens.opaque.accessToken));
      expectInvalidToken(await call(app(), 'GET', '/me', tokens.alice.idToken as string));
    });
  },
);
