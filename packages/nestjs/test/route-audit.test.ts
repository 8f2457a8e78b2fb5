// Issue #12 item 2, defence in depth: at bootstrap the app refuses to start when a route carries
// tokenward metadata that no TokenwardGuard runs for (metadata written without the decorators), or
// when a @Public() route reads @Auth(); it names each route.
import 'reflect-metadata';
import {
  Controller,
  Get,
  Module,
  type ModuleMetadata,
  SetMetadata,
  UseGuards,
} from '@nestjs/common';
import { scopes } from '@tokenward/core';
import { createTestIssuer, type TestIssuer } from '@tokenward/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  Auth,
  type AuthContext,
  OptionalAuth,
  OptionalAuthMeta,
  Public,
  RequirementsMeta,
  RouteConfigurationError,
  TokenwardGuard,
  TokenwardModule,
} from '../src/index.js';
import { AUDIENCE, createApp, PLATFORMS, type Platform, startApp } from './helpers.js';

let issuer: TestIssuer;
beforeAll(async () => {
  issuer = await createTestIssuer();
});
afterAll(() => issuer.close());

/** Requirements set with the raw metadata decorator: no guard comes with them. */
@Controller('raw')
class RawMetadataController {
  @RequirementsMeta([scopes('read:report')])
  @Get('list')
  list() {
    return { ok: true };
  }

  @Get('open')
  open() {
    return { ok: true };
  }

  /** A method that is not a route: never reported. */
  helper() {
    return 1;
  }
}

/** Metadata on the class, set without the decorators. */
@SetMetadata(OptionalAuthMeta.KEY, true)
@Controller('raw-class')
class RawClassController {
  @Get()
  get() {
    return { ok: true };
  }
}

@UseGuards(TokenwardGuard)
@Controller('raw-guarded')
class RawGuardedController {
  @RequirementsMeta([scopes('read:report')])
  @Get()
  get() {
    return { ok: true };
  }
}

@Controller('public-auth')
class PublicAuthController {
  @Public()
  @Get()
  me(@Auth() auth: AuthContext) {
    return { sub: auth.subject };
  }

  @OptionalAuth()
  @Public()
  @Get('optional')
  optional(@Auth() auth: AuthContext | undefined) {
    return { sub: auth?.subject ?? null };
  }
}

function module(metadata: ModuleMetadata, globalGuard = false) {
  @Module({
    ...metadata,
    imports: [TokenwardModule.forRoot({ issuer: issuer.issuer, audience: AUDIENCE, globalGuard })],
  })
  class AppModule {}
  return AppModule;
}

async function bootError(platform: Platform, metadata: ModuleMetadata): Promise<unknown> {
  const app = await createApp(module(metadata), platform);
  try {
    await app.listen(0, '127.0.0.1');
  } catch (error) {
    return error;
  } finally {
    await app.close();
  }
  throw new Error('the app started');
}

describe.each(PLATFORMS)('route audit at bootstrap on %s', (platform) => {
  it('refuses to start with unguarded tokenward routes, naming each', async () => {
    const error = await bootError(platform, {
      controllers: [RawMetadataController, RawClassController, RawGuardedController],
    });
    expect(error).toBeInstanceOf(RouteConfigurationError);
    expect((error as RouteConfigurationError).routes).toEqual([
      'RawMetadataController.list',
      'RawClassController.get',
    ]);
    expect((error as Error).message).toContain('no TokenwardGuard runs for them');
  });

  it('starts them under globalGuard: true, and they fail closed', async () => {
    const app = await startApp(
      module({ controllers: [RawMetadataController, RawClassController] }, true),
      platform,
    );
    try {
      expect((await app.get('/raw/list')).status).toBe(401);
      const reader = await issuer.mintToken({ scope: 'read:report' });
      expect((await app.get('/raw/list', reader)).status).toBe(200);
      expect((await app.get('/raw/list', await issuer.mintToken())).status).toBe(403);
    } finally {
      await app.close();
    }
  });

  it('starts them under @UseGuards(TokenwardGuard)', async () => {
    const app = await startApp(module({ controllers: [RawGuardedController] }), platform);
    try {
      expect((await app.get('/raw-guarded')).status).toBe(401);
    } finally {
      await app.close();
    }
  });

  it('refuses to start a @Public() route that reads @Auth() outside @OptionalAuth()', async () => {
    const error = await bootError(platform, { controllers: [PublicAuthController] });
    expect(error).toBeInstanceOf(RouteConfigurationError);
    expect((error as RouteConfigurationError).routes).toEqual(['PublicAuthController.me']);
    expect((error as Error).message).toContain('@Public() routes read @Auth()');
  });
});
