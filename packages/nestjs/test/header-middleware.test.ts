import 'reflect-metadata';
import {
  Controller,
  Get,
  type MiddlewareConsumer,
  Module,
  type NestMiddleware,
  type NestModule,
} from '@nestjs/common';
import { createTestIssuer, type TestIssuer } from '@tokenward/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Auth, TokenwardModule } from '../src/index.js';
import { AUDIENCE, PLATFORMS, startApp } from './helpers.js';

let issuer: TestIssuer;
beforeAll(async () => {
  issuer = await createTestIssuer({ audience: AUDIENCE });
});
afterAll(async () => {
  await issuer.close();
});

type NodeRequest = { headers: Record<string, string | string[] | undefined> };

/** The session-cookie pattern: a cookie turned into a bearer header before the guard runs. */
class CookieToBearer implements NestMiddleware {
  use(req: NodeRequest, _res: unknown, next: () => void) {
    const cookie = /(?:^|; )at=([^;]+)/.exec(String(req.headers.cookie ?? ''))?.[1];
    if (cookie !== undefined) req.headers.authorization = `Bearer ${cookie}`;
    next();
  }
}

class StripAuthorization implements NestMiddleware {
  use(req: NodeRequest, _res: unknown, next: () => void) {
    delete req.headers.authorization;
    next();
  }
}

@Controller()
class MeController {
  @Get('from-cookie')
  fromCookie(@Auth('subject') subject: string) {
    return { subject };
  }
  @Get('stripped')
  stripped(@Auth('subject') subject: string) {
    return { subject };
  }
  @Get('plain')
  plain(@Auth('subject') subject: string) {
    return { subject };
  }
}

describe.each(PLATFORMS)(
  'an Authorization header set by a middleware before the guard, on %s',
  (platform) => {
    it('counts when set or removed; untouched requests still read the raw lines', async () => {
      @Module({
        imports: [
          TokenwardModule.forRoot({
            issuer: issuer.issuer,
            audience: AUDIENCE,
            jwks: issuer.jwks(),
            globalGuard: true,
          }),
        ],
        controllers: [MeController],
      })
      class AppModule implements NestModule {
        configure(consumer: MiddlewareConsumer) {
          consumer.apply(CookieToBearer).forRoutes('from-cookie');
          consumer.apply(StripAuthorization).forRoutes('stripped');
        }
      }
      const app = await startApp(AppModule, platform);
      try {
        const good = await issuer.tokens.valid();
        const fromCookie = await app.get('/from-cookie', undefined, { cookie: `at=${good}` });
        expect(fromCookie.status).toBe(200);
        expect(await fromCookie.json()).toEqual({ subject: 'user-123' });
        const stripped = await app.get('/stripped', good);
        expect(stripped.status).toBe(401);
        expect(stripped.headers.get('www-authenticate')).toBe('Bearer');
        expect((await app.get('/plain', good)).status).toBe(200);
        expect((await app.get('/plain')).status).toBe(401);
      } finally {
        await app.close();
      }
    });
  },
);
