import 'reflect-metadata';
import { Controller, Get, Module, Param } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter } from '@nestjs/platform-fastify';
import { createTestIssuer, type TestIssuer } from '@tokenward/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  Auth,
  type AuthContext,
  Public,
  RequireOrganization,
  RequireOrgScope,
  RequireScope,
  TokenwardModule,
} from '../src/index.js';

let issuer: TestIssuer;

@Controller()
class ReportsController {
  @Public()
  @Get('health')
  health() {
    return { ok: true };
  }

  @RequireScope('read:report')
  @Get('reports')
  list(@Auth() auth: AuthContext) {
    return { sub: auth.subject };
  }

  @RequireOrganization({ param: 'orgId' })
  @RequireOrgScope('read:report')
  @Get('orgs/:orgId/reports')
  org(@Param('orgId') orgId: string) {
    return { orgId };
  }
}

function appModule() {
  @Module({
    imports: [
      TokenwardModule.forRoot({
        issuer: issuer.issuer,
        audience: 'https://api.example.test',
        organizationTokens: true,
        globalGuard: true,
      }),
    ],
    controllers: [ReportsController],
  })
  class AppModule {}
  return AppModule;
}

beforeAll(async () => {
  issuer = await createTestIssuer();
});
afterAll(() => issuer.close());

describe.each(['express', 'fastify'])('nest on %s', (platform) => {
  it('guards routes', async () => {
    const app =
      platform === 'express'
        ? await NestFactory.create(appModule(), { logger: false })
        : await NestFactory.create(appModule(), new FastifyAdapter(), { logger: false });
    await app.listen(0, '127.0.0.1');
    const url = await app.getUrl();
    try {
      expect((await fetch(`${url}/health`)).status).toBe(200);
      const none = await fetch(`${url}/reports`);
      expect(none.status).toBe(401);
      expect(none.headers.get('www-authenticate')).toBe('Bearer');
      const token = await issuer.mintToken({ scope: 'read:report' });
      const ok = await fetch(`${url}/reports`, { headers: { authorization: `Bearer ${token}` } });
      expect(ok.status).toBe(200);
      expect(await ok.json()).toEqual({ sub: 'user-123' });
      const other = await issuer.mintToken({ scope: 'write:report' });
      const denied = await fetch(`${url}/reports`, {
        headers: { authorization: `Bearer ${other}` },
      });
      expect(denied.status).toBe(403);
      expect(denied.headers.get('www-authenticate')).toContain('scope="read:report"');
      expect(await denied.text()).toBe(
        '{"error":"insufficient_scope","error_description":"The token lacks a required scope"}',
      );
      const org = await issuer.mintToken({
        aud: 'urn:logto:organization:o1',
        scope: 'read:report',
      });
      const orgOk = await fetch(`${url}/orgs/o1/reports`, {
        headers: { authorization: `Bearer ${org}` },
      });
      expect(orgOk.status).toBe(200);
      const orgNo = await fetch(`${url}/orgs/o2/reports`, {
        headers: { authorization: `Bearer ${org}` },
      });
      expect(orgNo.status).toBe(403);
    } finally {
      await app.close();
    }
  });
});
