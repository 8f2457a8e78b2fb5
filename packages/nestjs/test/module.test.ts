import 'reflect-metadata';
import {
  Controller,
  Get,
  Inject,
  Injectable,
  Module,
  type ModuleMetadata,
  Req,
  UseGuards,
} from '@nestjs/common';
import type { Tokenward } from '@tokenward/core';
import { createTestIssuer, type TestIssuer } from '@tokenward/testing';
import { afterAll, beforeAll, describe, expect, expectTypeOf, it } from 'vitest';
import {
  Auth,
  ConfigurationError,
  type OPTIONS_TYPE,
  Public,
  TOKENWARD,
  TOKENWARD_MODULE_OPTIONS,
  TokenwardGuard,
  TokenwardModule,
  type TokenwardModuleOptions,
} from '../src/index.js';
import {
  AUDIENCE,
  createApp,
  PLATFORMS,
  type Platform,
  type RunningApp,
  startApp,
} from './helpers.js';

let issuer: TestIssuer;
beforeAll(async () => {
  issuer = await createTestIssuer();
});
afterAll(() => issuer.close());

// ---------------------------------------------------------------------------------------------
// A tiny stand-in for @nestjs/config: a module exporting a service that holds settings.
// ---------------------------------------------------------------------------------------------

const SETTINGS = Symbol('settings');

@Injectable()
class ConfigServiceLike {
  constructor(@Inject(SETTINGS) private readonly values: Record<string, string>) {}
  get(key: string): string {
    const value = this.values[key];
    if (value === undefined) throw new Error(`no setting ${key}`);
    return value;
  }
}

function configModuleLike(values: () => Record<string, string>) {
  @Module({
    providers: [{ provide: SETTINGS, useFactory: values }, ConfigServiceLike],
    exports: [ConfigServiceLike],
  })
  class ConfigModuleLike {}
  return ConfigModuleLike;
}

// ---------------------------------------------------------------------------------------------
// Controllers
// ---------------------------------------------------------------------------------------------

@Controller('plain')
class PlainController {
  @Get('a')
  a() {
    return { route: 'a' };
  }
  @Public()
  @Get('open')
  open() {
    return { route: 'open' };
  }
  @Get('me')
  me(@Auth('subject') subject: string | undefined) {
    return { subject: subject ?? null };
  }
}

@Public()
@Controller('public')
class PublicController {
  @Get('a')
  a() {
    return { route: 'public-a' };
  }
  @Get('b')
  b() {
    return { route: 'public-b' };
  }
}

@UseGuards(TokenwardGuard)
@Controller('guarded-class')
class GuardedClassController {
  @Get('a')
  a(@Auth('subject') subject: string) {
    return { subject };
  }
}

@Controller('guarded-method')
class GuardedMethodController {
  @UseGuards(TokenwardGuard)
  @Get('locked')
  locked(@Auth('subject') subject: string) {
    return { subject };
  }
  @Get('open')
  open(@Req() request: { auth?: unknown }) {
    return { auth: request.auth ?? null };
  }
}

@Controller('core')
class CoreController {
  constructor(
    @Inject(TOKENWARD) private readonly tokenward: Tokenward,
    @Inject(TOKENWARD_MODULE_OPTIONS) private readonly options: TokenwardModuleOptions,
  ) {}
  @Public()
  @Get('status')
  status() {
    return { status: this.tokenward.status(), audience: this.options.audience };
  }
}

/** A feature module that does NOT import TokenwardModule. */
@Injectable()
class FeatureService {
  constructor(@Inject(TOKENWARD) readonly tokenward: Tokenward) {}
}

@Controller('feature')
class FeatureController {
  constructor(private readonly service: FeatureService) {}
  @Get('issuers')
  issuers() {
    return { issuers: Object.keys(this.service.tokenward.status()) };
  }
}

@UseGuards(TokenwardGuard)
@Controller('feature-guarded')
class FeatureGuardedController {
  @Get()
  get(@Auth('subject') subject: string) {
    return { subject };
  }
}

function appModule(metadata: ModuleMetadata) {
  @Module(metadata)
  class AppModule {}
  return AppModule;
}

function boot(platform: Platform, metadata: ModuleMetadata): Promise<RunningApp> {
  return startApp(appModule(metadata), platform);
}

async function withApp(
  platform: Platform,
  metadata: ModuleMetadata,
  body: (app: RunningApp) => Promise<void>,
): Promise<void> {
  const app = await boot(platform, metadata);
  try {
    await body(app);
  } finally {
    await app.close();
  }
}

describe.each(PLATFORMS)('TokenwardModule on %s', (platform) => {
  describe('forRootAsync', () => {
    it('injects the config service into the factory and verifies with its options', async () => {
      const factoryAudience = 'https://factory-audience.example.test';
      const seen: unknown[] = [];
      const ConfigModuleLike = configModuleLike(() => ({
        issuer: issuer.issuer,
        audience: factoryAudience,
      }));
      await withApp(
        platform,
        {
          imports: [
            TokenwardModule.forRootAsync({
              imports: [ConfigModuleLike],
              inject: [ConfigServiceLike],
              useFactory: async (config: ConfigServiceLike) => {
                seen.push(config);
                return { issuer: config.get('issuer'), audience: config.get('audience') };
              },
              globalGuard: true,
            }),
          ],
          controllers: [PlainController, CoreController],
        },
        async (app) => {
          expect(seen).toHaveLength(1);
          expect(seen[0]).toBeInstanceOf(ConfigServiceLike);
          // The factory's audience is the one enforced ...
          const mine = await issuer.mintToken({ aud: factoryAudience });
          const ok = await app.get('/plain/me', mine);
          expect(ok.status).toBe(200);
          expect(await ok.json()).toEqual({ subject: 'user-123' });
          // ... and the issuer's default audience is not.
          const other = await app.get('/plain/me', await issuer.mintToken());
          expect(other.status).toBe(401);
          expect(other.headers.get('www-authenticate')).toContain('error="invalid_token"');
          // TOKENWARD_MODULE_OPTIONS holds the factory's result.
          const status = await app.get('/core/status');
          expect((await status.json()).audience).toBe(factoryAudience);
        },
      );
    });

    it('supports useClass with a create() factory method', async () => {
      @Injectable()
      class TokenwardConfig {
        create(): TokenwardModuleOptions {
          return { issuer: issuer.issuer, audience: AUDIENCE };
        }
      }
      await withApp(
        platform,
        {
          imports: [TokenwardModule.forRootAsync({ useClass: TokenwardConfig, globalGuard: true })],
          controllers: [PlainController],
        },
        async (app) => {
          expect((await app.get('/plain/a')).status).toBe(401);
          expect((await app.get('/plain/a', await issuer.mintToken())).status).toBe(200);
        },
      );
    });

    it('fails app creation with a ConfigurationError naming a bad factory option', async () => {
      const ConfigModuleLike = configModuleLike(() => ({ issuer: issuer.issuer }));
      const created = createApp(
        appModule({
          imports: [
            TokenwardModule.forRootAsync({
              imports: [ConfigModuleLike],
              inject: [ConfigServiceLike],
              useFactory: (config: ConfigServiceLike) => ({ issuer: config.get('issuer') }),
            }),
          ],
        }),
        platform,
      );
      await expect(created).rejects.toBeInstanceOf(ConfigurationError);
      await expect(created).rejects.toMatchObject({
        option: 'audience',
        message: expect.stringContaining('"audience"'),
      });
    });
  });

  describe('forRoot', () => {
    it('fails app creation with a ConfigurationError naming a missing audience', async () => {
      const created = createApp(
        appModule({
          imports: [TokenwardModule.forRoot({ issuer: issuer.issuer, globalGuard: true })],
          controllers: [PlainController],
        }),
        platform,
      );
      await expect(created).rejects.toBeInstanceOf(ConfigurationError);
      await expect(created).rejects.toMatchObject({ option: 'audience' });
    });

    it('fails app creation with a ConfigurationError naming a bad algorithm list', async () => {
      const created = createApp(
        appModule({
          imports: [
            TokenwardModule.forRoot({
              issuer: issuer.issuer,
              audience: AUDIENCE,
              algorithms: ['none'],
            }),
          ],
        }),
        platform,
      );
      await expect(created).rejects.toMatchObject({
        name: 'ConfigurationError',
        option: 'algorithms[0]',
      });
    });

    it('TOKENWARD injects the core instance the guard uses (warmup, status)', async () => {
      await withApp(
        platform,
        {
          imports: [
            TokenwardModule.forRoot({
              issuer: issuer.issuer,
              audience: AUDIENCE,
              globalGuard: true,
            }),
          ],
          controllers: [PlainController, CoreController],
        },
        async (app) => {
          const before = await (await app.get('/core/status')).json();
          expect(before.status[issuer.issuer]).toMatchObject({ state: 'empty', keys: 0 });

          const tokenward = app.app.get<Tokenward>(TOKENWARD);
          const jwksBefore = issuer.requestCount('/jwks');
          await tokenward.warmup();
          expect(issuer.requestCount('/jwks')).toBe(jwksBefore + 1);
          const after = await (await app.get('/core/status')).json();
          expect(after.status[issuer.issuer]).toMatchObject({ state: 'fresh', keys: 1 });

          // The guard verifies with the warmed-up instance: no further key fetch.
          expect((await app.get('/plain/a', await issuer.mintToken())).status).toBe(200);
          expect(issuer.requestCount('/jwks')).toBe(jwksBefore + 1);
          // The guard is a provider too.
          expect(app.app.get(TokenwardGuard)).toBeInstanceOf(TokenwardGuard);
        },
      );
    });
  });

  describe('globalGuard: true', () => {
    it('protects every route (fail closed); @Public() on a method or a controller opens it', async () => {
      await withApp(
        platform,
        {
          imports: [
            TokenwardModule.forRoot({
              issuer: issuer.issuer,
              audience: AUDIENCE,
              globalGuard: true,
            }),
          ],
          controllers: [PlainController, PublicController],
        },
        async (app) => {
          const token = await issuer.mintToken();
          // An undecorated route needs a valid token.
          const none = await app.get('/plain/a');
          expect(none.status).toBe(401);
          expect(none.headers.get('www-authenticate')).toBe('Bearer');
          expect((await app.get('/plain/a', token)).status).toBe(200);
          // @Public() on the method.
          const open = await app.get('/plain/open');
          expect(open.status).toBe(200);
          expect(await open.json()).toEqual({ route: 'open' });
          // @Public() on the controller opens all its methods.
          expect((await app.get('/public/a')).status).toBe(200);
          expect((await app.get('/public/b')).status).toBe(200);
          // A public route ignores even a broken token (it never authenticates).
          expect((await app.get('/public/a', 'not a token!')).status).toBe(200);
        },
      );
    });

    it('also protects routes of feature modules', async () => {
      @Module({ controllers: [FeatureController], providers: [FeatureService] })
      class FeatureModule {}
      await withApp(
        platform,
        {
          imports: [
            TokenwardModule.forRoot({
              issuer: issuer.issuer,
              audience: AUDIENCE,
              globalGuard: true,
            }),
            FeatureModule,
          ],
        },
        async (app) => {
          expect((await app.get('/feature/issuers')).status).toBe(401);
          expect((await app.get('/feature/issuers', await issuer.mintToken())).status).toBe(200);
        },
      );
    });
  });

  describe('without globalGuard', () => {
    it('leaves routes without any tokenward decorator open; @Auth() alone guards its route', async () => {
      await withApp(
        platform,
        {
          imports: [TokenwardModule.forRoot({ issuer: issuer.issuer, audience: AUDIENCE })],
          controllers: [PlainController],
        },
        async (app) => {
          expect((await app.get('/plain/a')).status).toBe(200);
          // `@Auth()` puts the guard on its method: no token, no handler.
          const res = await app.get('/plain/me');
          expect(res.status).toBe(401);
          expect(res.headers.get('www-authenticate')).toBe('Bearer');
          const ok = await app.get('/plain/me', await issuer.mintToken());
          expect(await ok.json()).toEqual({ subject: 'user-123' });
        },
      );
    });

    // Regression: TokenwardModule must export TOKENWARD_GUARD_SETTINGS. Nest builds an enhancer
    // named in @UseGuards() inside the controller's own module, so without that export the app
    // does not boot ("Nest can't resolve dependencies of the TokenwardGuard (Symbol(tokenward:core),
    // ?, Reflector, ModuleRef)").
    it('boots with @UseGuards(TokenwardGuard) on a controller of the app module', async () => {
      await withApp(
        platform,
        {
          imports: [TokenwardModule.forRoot({ issuer: issuer.issuer, audience: AUDIENCE })],
          controllers: [GuardedClassController],
        },
        async (app) => {
          expect((await app.get('/guarded-class/a')).status).toBe(401);
          expect((await app.get('/guarded-class/a', await issuer.mintToken())).status).toBe(200);
        },
      );
    });

    it('@UseGuards(TokenwardGuard) on a controller or a method protects exactly those routes', async () => {
      await withApp(
        platform,
        {
          imports: [TokenwardModule.forRoot({ issuer: issuer.issuer, audience: AUDIENCE })],
          controllers: [GuardedClassController, GuardedMethodController, PlainController],
        },
        async (app) => {
          const token = await issuer.mintToken();
          expect((await app.get('/guarded-class/a')).status).toBe(401);
          const ok = await app.get('/guarded-class/a', token);
          expect(ok.status).toBe(200);
          expect(await ok.json()).toEqual({ subject: 'user-123' });

          const locked = await app.get('/guarded-method/locked');
          expect(locked.status).toBe(401);
          expect(locked.headers.get('www-authenticate')).toBe('Bearer');
          expect((await app.get('/guarded-method/locked', token)).status).toBe(200);
          // The unguarded sibling is open and gets no identity, even when a token is sent.
          const open = await app.get('/guarded-method/open', token);
          expect(open.status).toBe(200);
          expect(await open.json()).toEqual({ auth: null });
          expect((await app.get('/plain/a')).status).toBe(200);
        },
      );
    });
  });

  describe('isGlobal', () => {
    it('defaults to true: a feature module injects TOKENWARD without importing the module', async () => {
      @Module({ controllers: [FeatureController], providers: [FeatureService] })
      class FeatureModule {}
      await withApp(
        platform,
        {
          imports: [
            TokenwardModule.forRoot({ issuer: issuer.issuer, audience: AUDIENCE }),
            FeatureModule,
          ],
        },
        async (app) => {
          const res = await app.get('/feature/issuers');
          expect(res.status).toBe(200);
          expect(await res.json()).toEqual({ issuers: [issuer.issuer] });
        },
      );
    });

    // Regression (same missing export): the guard is built inside the feature module.
    it('defaults to true: a feature module uses @UseGuards(TokenwardGuard)', async () => {
      @Module({ controllers: [FeatureGuardedController] })
      class FeatureModule {}
      await withApp(
        platform,
        {
          imports: [
            TokenwardModule.forRoot({ issuer: issuer.issuer, audience: AUDIENCE }),
            FeatureModule,
          ],
        },
        async (app) => {
          expect((await app.get('/feature-guarded')).status).toBe(401);
          expect((await app.get('/feature-guarded', await issuer.mintToken())).status).toBe(200);
        },
      );
    });

    it('isGlobal: false keeps the providers out of modules that do not import it', async () => {
      @Module({ controllers: [FeatureController], providers: [FeatureService] })
      class FeatureModule {}
      const created = createApp(
        appModule({
          imports: [
            TokenwardModule.forRoot({ issuer: issuer.issuer, audience: AUDIENCE, isGlobal: false }),
            FeatureModule,
          ],
        }),
        platform,
      );
      await expect(created).rejects.toThrow(/can't resolve dependencies of the FeatureService/);
    });
  });
});

describe('module types', () => {
  it('forRoot takes the tokenward options plus the module extras', () => {
    expectTypeOf<typeof OPTIONS_TYPE>().toExtend<TokenwardModuleOptions>();
    expectTypeOf<typeof OPTIONS_TYPE>().toHaveProperty('globalGuard');
    expectTypeOf<typeof OPTIONS_TYPE>().toHaveProperty('isGlobal');
    expectTypeOf<TokenwardModuleOptions>().toHaveProperty('nestExceptions');
    type AsyncOptions = Parameters<typeof TokenwardModule.forRootAsync>[0];
    expectTypeOf<ReturnType<NonNullable<AsyncOptions['useFactory']>>>().toEqualTypeOf<
      TokenwardModuleOptions | Promise<TokenwardModuleOptions>
    >();
    expectTypeOf<AsyncOptions>().toHaveProperty('globalGuard');
  });
});
