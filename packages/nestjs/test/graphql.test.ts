import 'reflect-metadata';
import { ApolloDriver, type ApolloDriverConfig } from '@nestjs/apollo';
import { Module, UseGuards } from '@nestjs/common';
import { GraphQLModule, Query, Resolver } from '@nestjs/graphql';
import { createTestIssuer, type TestIssuer } from '@tokenward/testing';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  Auth,
  type AuthContext,
  RequireScope,
  TokenwardGuard,
  TokenwardModule,
} from '../src/index.js';
import { AUDIENCE, type RunningApp, startApp } from './helpers.js';

// GraphQL on the Express platform (Apollo). The guard finds the request in the GraphQL context's
// `req` (Apollo's default context), so no `getRequest` override is needed for this setup.

let issuer: TestIssuer;
const calls: string[] = [];

@Resolver()
class ReportsResolver {
  @UseGuards(TokenwardGuard)
  @RequireScope('read:report')
  @Query('reports')
  reports(@Auth('subject') subject: string): string[] {
    calls.push('reports');
    return [`report-of-${subject}`];
  }

  @UseGuards(TokenwardGuard)
  @Query('me')
  me(@Auth() auth: AuthContext): string | undefined {
    calls.push('me');
    return auth.subject;
  }

  @Query('health')
  health(): string {
    return 'ok';
  }
}

function appModule(nestExceptions: boolean) {
  @Module({
    imports: [
      TokenwardModule.forRoot({ issuer: issuer.issuer, audience: AUDIENCE, nestExceptions }),
      GraphQLModule.forRoot<ApolloDriverConfig>({
        driver: ApolloDriver,
        typeDefs: 'type Query { reports: [String!]! me: String health: String! }',
        includeStacktraceInErrorResponses: false,
      }),
    ],
    providers: [ReportsResolver],
  })
  class AppModule {}
  return AppModule;
}

interface GraphQLResponse {
  data?: Record<string, unknown> | null;
  errors?: { message: string; path?: string[]; extensions?: Record<string, unknown> }[];
}

async function query(app: RunningApp, source: string, token?: string) {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (token !== undefined) headers.authorization = `Bearer ${token}`;
  const res = await fetch(`${app.url}/graphql`, {
    method: 'POST',
    headers,
    body: JSON.stringify({ query: source }),
  });
  return { res, body: (await res.json()) as GraphQLResponse };
}

beforeAll(async () => {
  issuer = await createTestIssuer();
});
afterAll(() => issuer.close());
beforeEach(() => {
  calls.length = 0;
});

describe.each([false, true])(
  'GraphQL (Apollo, Express) with nestExceptions: %s',
  (nestExceptions) => {
    let app: RunningApp;
    beforeAll(async () => {
      app = await startApp(appModule(nestExceptions), 'express');
    });
    afterAll(() => app.close());

    it('runs the resolver with the identity from the GraphQL context request', async () => {
      const token = await issuer.mintToken({ scope: 'read:report' });
      const { body } = await query(app, '{ reports me }', token);
      expect(body.errors).toBeUndefined();
      expect(body.data).toEqual({ reports: ['report-of-user-123'], me: 'user-123' });
      expect(calls.sort()).toEqual(['me', 'reports']);
    });

    it('leaves unguarded fields open', async () => {
      const { body } = await query(app, '{ health }');
      expect(body).toEqual({ data: { health: 'ok' } });
    });

    it('does not run the resolver when the scope is missing or the token is absent/invalid', async () => {
      const other = await issuer.mintToken({ scope: 'write:report' });
      const denied = await query(app, '{ reports }', other);
      expect(denied.body.data).toBeNull();
      expect(denied.body.errors).toHaveLength(1);
      expect(denied.body.errors?.[0]?.path).toEqual(['reports']);
      const anonymous = await query(app, '{ me }');
      expect(anonymous.body.errors?.[0]?.path).toEqual(['me']);
      const expired = await query(app, '{ me }', await issuer.tokens.expired());
      expect(expired.body.errors?.[0]?.path).toEqual(['me']);
      expect(calls).toEqual([]);
    });

    // A denial must reach the GraphQL client as UNAUTHENTICATED / FORBIDDEN with its reason, not
    // as an INTERNAL_SERVER_ERROR the client cannot tell from a server bug.
    it('reports a missing scope as FORBIDDEN (403) with the reason', async () => {
      const token = await issuer.mintToken({ scope: 'write:report' });
      const { body } = await query(app, '{ reports }', token);
      const error = body.errors?.[0];
      expect(error?.extensions?.code).toBe('FORBIDDEN');
      expect(error?.message).toBe('The token lacks a required scope');
    });

    it('reports a missing token as UNAUTHENTICATED (401) with the reason', async () => {
      const { body } = await query(app, '{ me }');
      const error = body.errors?.[0];
      expect(error?.extensions?.code).toBe('UNAUTHENTICATED');
      expect(error?.message).toBe('A bearer token is required');
    });

    if (nestExceptions) {
      it("carries Nest's exception body, with the status, in extensions.originalError", async () => {
        const token = await issuer.mintToken({ scope: 'write:report' });
        const { body } = await query(app, '{ reports }', token);
        expect(body.errors?.[0]?.extensions?.originalError).toMatchObject({
          statusCode: 403,
          message: 'The token lacks a required scope',
        });
      });
    }
  },
);
