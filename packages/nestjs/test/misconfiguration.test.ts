/**
 * Server misconfiguration on NestJS (Express and Fastify platforms): unknown option names stop the
 * app from booting, and a guard reading a route parameter the route does not have answers 500
 * (both body modes) with one logged error — never a 403.
 */
import 'reflect-metadata';
import { Controller, Get, Module, UseGuards } from '@nestjs/common';
import { createTestIssuer, type TestIssuer } from '@tokenward/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ConfigurationError,
  RequireOrganization,
  TokenwardGuard,
  TokenwardModule,
  type TokenwardModuleOptions,
} from '../src/index.js';
import { AUDIENCE, createApp, PLATFORMS, startApp } from './helpers.js';

let issuer: TestIssuer;
beforeAll(async () => {
  issuer = await createTestIssuer();
});
afterAll(() => issuer.close());

@Controller('orgs/:orgId')
@UseGuards(TokenwardGuard)
class MisnamedController {
  @RequireOrganization({ param: 'orgID' })
  @Get('reports')
  reports() {
    return { ran: true };
  }

  @RequireOrganization({ param: 'orgId' })
  @Get('fine')
  fine() {
    return { ran: true };
  }
}

function appModule(options: Partial<TokenwardModuleOptions> & Record<string, unknown>) {
  @Module({
    imports: [
      TokenwardModule.forRoot({ issuer: issuer.issuer, audience: AUDIENCE, ...options } as never),
    ],
    controllers: [MisnamedController],
  })
  class AppModule {}
  return AppModule;
}

describe.each(PLATFORMS)('NestJS on %s', (platform) => {
  it.each([
    ['audiance', 'audience'],
    ['nestException', 'nestExceptions'],
    ['globalGaurd', 'globalGuard'],
  ])('boot fails on %s, suggesting %s', async (name, suggestion) => {
    const created = createApp(appModule({ [name]: true }), platform);
    await expect(created).rejects.toBeInstanceOf(ConfigurationError);
    await expect(created).rejects.toThrow(`did you mean "${suggestion}"?`);
  });

  it.each([false, true])(
    'a guard reading a missing route parameter answers 500 (nestExceptions %s), logged once',
    async (nestExceptions) => {
      const errors: string[] = [];
      const running = await startApp(
        appModule({
          nestExceptions,
          logger: { warn: () => {}, error: (message: string) => errors.push(message) },
        }),
        platform,
      );
      try {
        const token = await issuer.mintToken({ organization_id: 'org-1' });
        for (let i = 0; i < 2; i++) {
          const res = await running.get('/orgs/org-1/reports', token);
          expect(res.status).toBe(500);
          const body = (await res.json()) as Record<string, unknown>;
          if (!nestExceptions) {
            expect(body).toEqual({
              error: 'server_error',
              error_description: 'The server is not configured correctly',
            });
          }
        }
        expect((await running.get('/orgs/org-1/fine', token)).status).toBe(200);
        expect((await running.get('/orgs/org-2/fine', token)).status).toBe(403);
        expect(errors).toHaveLength(1);
        expect(errors[0]).toContain('"orgID"');
      } finally {
        await running.close();
      }
    },
  );
});
