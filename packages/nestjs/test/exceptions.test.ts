import 'reflect-metadata';
import {
  type ArgumentsHost,
  Catch,
  Controller,
  type ExceptionFilter,
  Get,
  HttpException,
  Module,
} from '@nestjs/common';
import { APP_FILTER, HttpAdapterHost } from '@nestjs/core';
import { createTestIssuer, type TestIssuer } from '@tokenward/testing';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { AuthError, RequireScope, TokenwardModule } from '../src/index.js';
import { AUDIENCE, PLATFORMS, type RunningApp, startApp } from './helpers.js';

// Nest-specific surface of refusals: the guard sets tokenward's headers on the response and throws
// an exception that Nest's exception layer renders. These tests prove that the layer keeps the
// headers and (by default) tokenward's exact body, on both platforms. The per-token status and
// challenge matrix lives in the cross-adapter conformance table (test/conformance).

let up: TestIssuer;
/** An issuer whose key server is down (its HTTP server is closed). */
let down: TestIssuer;
let downToken: string;
const calls: string[] = [];

@Controller('reports')
class ReportsController {
  @RequireScope('read:report')
  @Get()
  list() {
    calls.push('reports');
    return { ok: true };
  }
}

function options(nestExceptions: boolean) {
  return {
    issuers: [
      { issuer: up.issuer, audience: AUDIENCE },
      { issuer: down.issuer, audience: AUDIENCE, jwksUri: down.jwksUri },
    ],
    keySet: { timeout: 1000 },
    globalGuard: true,
    nestExceptions,
  };
}

/** A refusal as it reached the client. */
interface Seen {
  status: number;
  body: string;
  wwwAuthenticate: string | null;
  cacheControl: string | null;
  retryAfter: string | null;
  contentType: string | null;
}

async function see(res: Response): Promise<Seen> {
  return {
    status: res.status,
    body: await res.text(),
    wwwAuthenticate: res.headers.get('www-authenticate'),
    cacheControl: res.headers.get('cache-control'),
    retryAfter: res.headers.get('retry-after'),
    contentType: res.headers.get('content-type'),
  };
}

/** The four refusal kinds, sent to `/reports`. */
function refusals(app: RunningApp) {
  return {
    missing: () => app.get('/reports'),
    invalid: async () => app.get('/reports', await up.tokens.expired()),
    malformed: () => app.get('/reports', undefined, { authorization: 'Bearer a b' }),
    forbidden: async () => app.get('/reports', await up.mintToken({ scope: 'write:report' })),
    unavailable: () => app.get('/reports', downToken),
  };
}

beforeAll(async () => {
  up = await createTestIssuer();
  down = await createTestIssuer();
  downToken = await down.mintToken({ scope: 'read:report' });
  await down.close();
});
afterAll(() => up.close());
beforeEach(() => {
  calls.length = 0;
});

describe.each(PLATFORMS)('default refusals on %s', (platform) => {
  let app: RunningApp;
  beforeAll(async () => {
    @Module({
      imports: [TokenwardModule.forRoot(options(false))],
      controllers: [ReportsController],
    })
    class AppModule {}
    app = await startApp(AppModule, platform);
  });
  afterAll(() => app.close());

  it('401 without a token: bare challenge and tokenward body', async () => {
    expect(await see(await refusals(app).missing())).toEqual({
      status: 401,
      body: '{"error":"unauthorized","error_description":"A bearer token is required"}',
      wwwAuthenticate: 'Bearer',
      cacheControl: 'no-store',
      retryAfter: null,
      contentType: 'application/json; charset=utf-8',
    });
  });

  it('401 with an invalid token: invalid_token challenge', async () => {
    expect(await see(await refusals(app).invalid())).toEqual({
      status: 401,
      body: '{"error":"invalid_token","error_description":"The token has expired"}',
      wwwAuthenticate: 'Bearer error="invalid_token", error_description="The token has expired"',
      cacheControl: 'no-store',
      retryAfter: null,
      contentType: 'application/json; charset=utf-8',
    });
  });

  it('400 with a malformed Authorization header: invalid_request', async () => {
    expect(await see(await refusals(app).malformed())).toEqual({
      status: 400,
      body: '{"error":"invalid_request","error_description":"The Authorization header is malformed"}',
      wwwAuthenticate:
        'Bearer error="invalid_request", error_description="The Authorization header is malformed"',
      cacheControl: 'no-store',
      retryAfter: null,
      contentType: 'application/json; charset=utf-8',
    });
  });

  it('403 with a missing scope: insufficient_scope with the scope', async () => {
    expect(await see(await refusals(app).forbidden())).toEqual({
      status: 403,
      body: '{"error":"insufficient_scope","error_description":"The token lacks a required scope"}',
      wwwAuthenticate:
        'Bearer error="insufficient_scope", error_description="The token lacks a required scope", scope="read:report"',
      cacheControl: 'no-store',
      retryAfter: null,
      contentType: 'application/json; charset=utf-8',
    });
  });

  it('503 when the key server is down: Retry-After, no challenge', async () => {
    const seen = await see(await refusals(app).unavailable());
    expect(seen).toEqual({
      status: 503,
      body: '{"error":"temporarily_unavailable","error_description":"The token signing keys are unavailable"}',
      wwwAuthenticate: null,
      cacheControl: 'no-store',
      retryAfter: expect.stringMatching(/^[1-9]\d*$/),
      contentType: 'application/json; charset=utf-8',
    });
    // Still 503 (never 401) on the next request, served from the failure backoff.
    expect((await refusals(app).unavailable()).status).toBe(503);
  });

  it('never runs the handler', async () => {
    const r = refusals(app);
    for (const send of Object.values(r)) await send();
    expect(calls).toEqual([]);
  });
});

describe.each(PLATFORMS)('nestExceptions: true on %s', (platform) => {
  let app: RunningApp;
  beforeAll(async () => {
    @Module({
      imports: [TokenwardModule.forRoot(options(true))],
      controllers: [ReportsController],
    })
    class AppModule {}
    app = await startApp(AppModule, platform);
  });
  afterAll(() => app.close());

  it("401/400/403/503 use Nest's body shape with the same status and headers", async () => {
    const r = refusals(app);
    const cases = [
      [await r.missing(), 401, 'A bearer token is required', 'Bearer'],
      [
        await r.invalid(),
        401,
        'The token has expired',
        'Bearer error="invalid_token", error_description="The token has expired"',
      ],
      [
        await r.malformed(),
        400,
        'The Authorization header is malformed',
        'Bearer error="invalid_request", error_description="The Authorization header is malformed"',
      ],
      [
        await r.forbidden(),
        403,
        'The token lacks a required scope',
        'Bearer error="insufficient_scope", error_description="The token lacks a required scope", scope="read:report"',
      ],
      [await r.unavailable(), 503, 'The token signing keys are unavailable', null],
    ] as const;
    for (const [res, status, message, challenge] of cases) {
      expect(res.status).toBe(status);
      const body = (await res.json()) as Record<string, unknown>;
      expect(body).toMatchObject({ statusCode: status, message });
      expect(res.headers.get('www-authenticate')).toBe(challenge);
      expect(res.headers.get('cache-control')).toBe('no-store');
      expect(res.headers.get('retry-after')).toEqual(
        status === 503 ? expect.stringMatching(/^[1-9]\d*$/) : null,
      );
    }
    expect(calls).toEqual([]);
  });

  // Nest's usual body: the reason in `message`, the status's reason phrase in `error`.
  it("the body's `error` field is Nest's reason phrase", async () => {
    const r = refusals(app);
    expect(await (await r.missing()).json()).toEqual({
      message: 'A bearer token is required',
      error: 'Unauthorized',
      statusCode: 401,
    });
    expect(await (await r.forbidden()).json()).toEqual({
      message: 'The token lacks a required scope',
      error: 'Forbidden',
      statusCode: 403,
    });
  });
});

/** A global filter that renders refusals itself from the exception's `cause`. */
@Catch(HttpException)
class AuthErrorFilter implements ExceptionFilter {
  static readonly caught: HttpException[] = [];
  constructor(private readonly adapterHost: HttpAdapterHost) {}
  catch(exception: HttpException, host: ArgumentsHost): void {
    AuthErrorFilter.caught.push(exception);
    const cause = exception.cause;
    const body =
      cause instanceof AuthError
        ? { custom: true, code: cause.code, phase: cause.phase }
        : { custom: true, code: null, phase: null };
    const { httpAdapter } = this.adapterHost;
    httpAdapter.reply(host.switchToHttp().getResponse(), body, exception.getStatus());
  }
}

describe.each(
  PLATFORMS.flatMap((platform) => [false, true].map((nest) => [platform, nest] as const)),
)('a custom global exception filter on %s (nestExceptions: %s)', (platform, nestExceptions) => {
  let app: RunningApp;
  beforeAll(async () => {
    @Module({
      imports: [TokenwardModule.forRoot(options(nestExceptions))],
      controllers: [ReportsController],
      providers: [{ provide: APP_FILTER, useClass: AuthErrorFilter }],
    })
    class AppModule {}
    app = await startApp(AppModule, platform);
  });
  afterAll(() => app.close());
  beforeEach(() => {
    AuthErrorFilter.caught.length = 0;
  });

  it('receives an HttpException whose cause is the AuthError; the headers survive', async () => {
    const r = refusals(app);
    const missing = await r.missing();
    expect(missing.status).toBe(401);
    expect(await missing.json()).toEqual({
      custom: true,
      code: 'missing_token',
      phase: 'credentials',
    });
    expect(missing.headers.get('www-authenticate')).toBe('Bearer');
    expect(missing.headers.get('cache-control')).toBe('no-store');

    const forbidden = await r.forbidden();
    expect(forbidden.status).toBe(403);
    expect(await forbidden.json()).toEqual({
      custom: true,
      code: 'insufficient_scope',
      phase: 'authorization',
    });
    expect(forbidden.headers.get('www-authenticate')).toContain('scope="read:report"');

    const unavailable = await r.unavailable();
    expect(unavailable.status).toBe(503);
    expect(await unavailable.json()).toMatchObject({ code: 'keys_unavailable' });
    expect(unavailable.headers.get('retry-after')).toMatch(/^[1-9]\d*$/);

    expect(AuthErrorFilter.caught).toHaveLength(3);
    for (const exception of AuthErrorFilter.caught) {
      expect(exception).toBeInstanceOf(HttpException);
      expect(exception.cause).toBeInstanceOf(AuthError);
      expect(exception.getStatus()).toBe((exception.cause as AuthError).status);
    }
    expect(calls).toEqual([]);
  });
});
