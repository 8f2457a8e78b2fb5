// Issue #12 item 2: the guard the decorators add and the guards users write verify a request once
// — but only for the same invocation and the same core: another core still verifies, the next
// WebSocket message is verified again, and a subclass of the guard listed on the route decides.
import 'reflect-metadata';
import {
  Controller,
  type ExecutionContext,
  Get,
  Injectable,
  type LoggerService,
  Module,
  UseGuards,
} from '@nestjs/common';
import { SubscribeMessage, WebSocketGateway } from '@nestjs/websockets';
import type { DecisionEvent } from '@tokenward/core';
import { createTestIssuer, type TestIssuer } from '@tokenward/testing';
import { io, type Socket } from 'socket.io-client';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  Auth,
  type AuthContext,
  RequireAuth,
  RequireScope,
  TokenwardGuard,
  TokenwardModule,
} from '../src/index.js';
import { AUDIENCE, createApp, PLATFORMS, startApp } from './helpers.js';

const OTHER_AUDIENCE = 'https://other-api.example.test';

let issuer: TestIssuer;
const decisions: (DecisionEvent & { core: string })[] = [];
const calls: string[] = [];
const onDecision = (core: string) => (event: DecisionEvent) => decisions.push({ ...event, core });
const authentications = (core?: string) =>
  decisions.filter((d) => d.step === 'authenticate' && (core === undefined || d.core === core));

beforeAll(async () => {
  issuer = await createTestIssuer();
});
afterAll(() => issuer.close());
beforeEach(() => {
  decisions.length = 0;
  calls.length = 0;
});

/** A subclass reading the token from `x-api-token` instead of the Authorization header. */
@Injectable()
class HeaderGuard extends TokenwardGuard {
  protected override toTokenRequest(request: object | undefined, context: ExecutionContext) {
    const base = super.toTokenRequest(request, context);
    const value = base.header?.('x-api-token');
    return { ...base, authorization: value === undefined ? undefined : `Bearer ${value}` };
  }
}

/** A subclass that lets everything through without attaching an identity. */
@Injectable()
class SkippingGuard extends TokenwardGuard {
  override canActivate(): boolean {
    return true;
  }
}

@Controller('feature')
class FeatureController {
  @RequireScope('read:report')
  @Get()
  get(@Auth('audiences') audiences: readonly string[]) {
    calls.push('feature');
    return { audiences };
  }
}

@Controller('sub')
class SubclassController {
  // Listed above the decorator, so Nest runs the plain guard first: it steps aside.
  @UseGuards(HeaderGuard)
  @RequireScope('read:report')
  @Get('method')
  method() {
    calls.push('method');
    return { ok: true };
  }

  @UseGuards(SkippingGuard)
  @Get('me')
  me(@Auth() auth: AuthContext) {
    calls.push('me');
    return { sub: auth.subject };
  }
}

@UseGuards(HeaderGuard)
@Controller('sub-class')
class SubclassOnClassController {
  @RequireScope('read:report')
  @Get()
  get() {
    calls.push('class');
    return { ok: true };
  }
}

describe.each(PLATFORMS)('verification once per request, on %s', (platform) => {
  it('a global guard of one core does not stand in for the route guard of another core', async () => {
    @Module({
      imports: [
        TokenwardModule.forRoot({
          issuer: issuer.issuer,
          audience: OTHER_AUDIENCE,
          isGlobal: false,
          onDecision: onDecision('feature'),
        }),
      ],
      controllers: [FeatureController],
    })
    class FeatureModule {}
    @Module({
      imports: [
        TokenwardModule.forRoot({
          issuer: issuer.issuer,
          audience: AUDIENCE,
          isGlobal: false,
          globalGuard: true,
          onDecision: onDecision('global'),
        }),
        FeatureModule,
      ],
    })
    class AppModule {}
    const app = await startApp(AppModule, platform);
    try {
      const scope = 'read:report';
      const globalOnly = await issuer.mintToken({ scope });
      const featureOnly = await issuer.mintToken({ scope, aud: OTHER_AUDIENCE });
      expect((await app.get('/feature', globalOnly)).status).toBe(401);
      expect((await app.get('/feature', featureOnly)).status).toBe(401);
      expect(calls).toEqual([]);
      decisions.length = 0;
      const both = await issuer.mintToken({ scope, aud: [AUDIENCE, OTHER_AUDIENCE] });
      const ok = await app.get('/feature', both);
      expect(ok.status).toBe(200);
      expect(await ok.json()).toEqual({ audiences: [AUDIENCE, OTHER_AUDIENCE] });
      expect(authentications('global')).toHaveLength(1);
      expect(authentications('feature')).toHaveLength(1);
    } finally {
      await app.close();
    }
  });

  it('a subclass of the guard listed on the route verifies; the plain guard steps aside', async () => {
    @Module({
      imports: [
        TokenwardModule.forRoot({
          issuer: issuer.issuer,
          audience: AUDIENCE,
          onDecision: onDecision('app'),
        }),
      ],
      controllers: [SubclassController, SubclassOnClassController],
    })
    class AppModule {}
    const app = await startApp(AppModule, platform);
    try {
      const token = await issuer.mintToken({ scope: 'read:report' });
      for (const path of ['/sub/method', '/sub-class']) {
        decisions.length = 0;
        expect((await app.get(path, undefined, { 'x-api-token': token })).status, path).toBe(200);
        expect(authentications(), path).toHaveLength(1);
        expect((await app.get(path)).status, path).toBe(401);
        // The subclass reads only x-api-token: the Authorization header is not its channel.
        expect((await app.get(path, token)).status, path).toBe(401);
        const lacking = await issuer.mintToken({});
        expect((await app.get(path, undefined, { 'x-api-token': lacking })).status).toBe(403);
      }
      expect(calls).toEqual(['method', 'class']);
    } finally {
      await app.close();
    }
  });

  it('@Auth() without an identity is a RouteConfigurationError naming the route: logged, 500', async () => {
    const logged: string[] = [];
    const capture = (...args: unknown[]) => {
      for (const arg of args)
        logged.push(arg instanceof Error ? `${arg.name}: ${arg.message}` : String(arg));
    };
    const logger: LoggerService = { log: () => {}, warn: capture, error: capture };
    @Module({
      imports: [TokenwardModule.forRoot({ issuer: issuer.issuer, audience: AUDIENCE })],
      controllers: [SubclassController],
    })
    class AppModule {}
    const app = await createApp(AppModule, platform, { logger });
    await app.listen(0, '127.0.0.1');
    try {
      const token = await issuer.mintToken();
      for (const sent of [undefined, token]) {
        const res = await fetch(`${await app.getUrl()}/sub/me`, {
          headers: sent === undefined ? {} : { authorization: `Bearer ${sent}` },
        });
        expect(res.status).toBe(500);
        expect(res.headers.get('content-type')).toContain('application/json');
        const body = await res.text();
        expect(JSON.parse(body)).toEqual({ statusCode: 500, message: 'Internal server error' });
        expect(body).not.toContain(token);
      }
      expect(calls).toEqual([]);
      const errors = logged.filter((line) => line.includes('SubclassController.me'));
      expect(errors).toHaveLength(2);
      expect(errors[0]).toContain('ConfigurationError: tokenward: @Auth() read on a route');
      expect(logged.join('\n')).not.toMatch(/TypeError|Cannot read properties/);
      expect(logged.join('\n')).not.toContain(token);
    } finally {
      await app.close();
    }
  });
});

@WebSocketGateway()
class ReportsGateway {
  @RequireAuth()
  @SubscribeMessage('whoami')
  whoami(@Auth('subject') subject: string) {
    calls.push('whoami');
    return subject;
  }

  @RequireScope('admin:report')
  @SubscribeMessage('admin')
  admin() {
    calls.push('admin');
    return 'admin';
  }
}

describe.each(PLATFORMS)('socket.io gateway with decorators only, on %s', (platform) => {
  it('each message is verified on its own: one handler passing does not open another', async () => {
    @Module({
      imports: [
        TokenwardModule.forRoot({
          issuer: issuer.issuer,
          audience: AUDIENCE,
          onDecision: onDecision('ws'),
        }),
      ],
      providers: [ReportsGateway],
    })
    class AppModule {}
    const app = await startApp(AppModule, platform);
    const sockets: Socket[] = [];
    const connect = async (token?: string) => {
      const socket = io(app.url, {
        transports: ['websocket'],
        reconnection: false,
        forceNew: true,
        ...(token === undefined ? {} : { auth: { token } }),
      });
      sockets.push(socket);
      await new Promise<void>((resolve) => socket.once('connect', () => resolve()));
      return socket;
    };
    const refused = (socket: Socket, event: string) =>
      new Promise<{ status: number }>((resolve, reject) => {
        socket.once('exception', resolve);
        // An acknowledgement means the handler ran: fail at once rather than time out.
        socket.emit(event, {}, (reply: unknown) =>
          reject(new Error(`${event} was answered: ${JSON.stringify(reply)}`)),
        );
      });
    try {
      const socket = await connect(await issuer.mintToken({ scope: 'read:report' }));
      expect(await socket.timeout(2000).emitWithAck('whoami', {})).toBe('user-123');
      expect(await refused(socket, 'admin')).toMatchObject({ status: 403 });
      expect(await socket.timeout(2000).emitWithAck('whoami', {})).toBe('user-123');
      expect(authentications('ws')).toHaveLength(3);

      const anonymous = await connect();
      expect(await refused(anonymous, 'whoami')).toMatchObject({ status: 401 });
      expect(await refused(anonymous, 'admin')).toMatchObject({ status: 401 });
      expect(calls).toEqual(['whoami', 'whoami']);
    } finally {
      for (const socket of sockets) socket.disconnect();
      await app.close();
    }
  });
});
