import 'reflect-metadata';
import { Module, UseGuards } from '@nestjs/common';
import {
  ConnectedSocket,
  MessageBody,
  SubscribeMessage,
  WebSocketGateway,
} from '@nestjs/websockets';
import { createTestIssuer, type TestIssuer } from '@tokenward/testing';
import { io, type Socket } from 'socket.io-client';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  Auth,
  type AuthContext,
  RequireScope,
  TokenwardGuard,
  TokenwardModule,
} from '../src/index.js';
import { AUDIENCE, PLATFORMS, type RunningApp, startApp } from './helpers.js';

let issuer: TestIssuer;
const calls: unknown[] = [];

@WebSocketGateway()
class ReportsGateway {
  @UseGuards(TokenwardGuard)
  @RequireScope('read:report')
  @SubscribeMessage('reports')
  reports(
    @MessageBody() body: unknown,
    @Auth() auth: AuthContext,
    @Auth('subject') subject: string,
    @ConnectedSocket() client: { auth?: AuthContext },
  ) {
    calls.push(body);
    return {
      subject: auth.subject,
      field: subject,
      scopes: auth.scopes,
      clientAuthSubject: client.auth?.subject ?? null,
    };
  }

  @SubscribeMessage('ping')
  ping() {
    return 'pong';
  }
}

function appModule() {
  @Module({
    imports: [TokenwardModule.forRoot({ issuer: issuer.issuer, audience: AUDIENCE })],
    providers: [ReportsGateway],
  })
  class AppModule {}
  return AppModule;
}

/** The first `event` a socket receives (socket.io sockets are not Node EventEmitters). */
function next<T>(socket: Socket, event: string): Promise<T> {
  return new Promise((resolve) => socket.once(event, resolve as (...args: unknown[]) => void));
}

interface WsRefusal {
  status: number;
  error: string;
  error_description: string;
}

beforeAll(async () => {
  issuer = await createTestIssuer();
});
afterAll(() => issuer.close());

describe.each(PLATFORMS)('socket.io gateway on %s', (platform) => {
  let app: RunningApp;
  const sockets: Socket[] = [];

  async function connect(options: {
    auth?: Record<string, unknown>;
    headers?: Record<string, string>;
  }): Promise<Socket> {
    const socket = io(app.url, {
      transports: ['websocket'],
      reconnection: false,
      forceNew: true,
      ...(options.auth === undefined ? {} : { auth: options.auth }),
      ...(options.headers === undefined ? {} : { extraHeaders: options.headers }),
    });
    sockets.push(socket);
    await next(socket, 'connect');
    return socket;
  }

  /** Send `reports` and wait for the refusal; fail if the handler acknowledges instead. */
  async function refusal(socket: Socket): Promise<WsRefusal> {
    const exception = next<WsRefusal>(socket, 'exception');
    let acked = false;
    socket.emit('reports', { n: 1 }, () => {
      acked = true;
    });
    const payload = await exception;
    // Give a (wrong) acknowledgement the chance to arrive after the exception.
    expect(await socket.timeout(2000).emitWithAck('ping', {})).toBe('pong');
    expect(acked).toBe(false);
    return payload;
  }

  beforeAll(async () => {
    app = await startApp(appModule(), platform);
  });
  afterAll(() => app.close());
  beforeEach(() => {
    calls.length = 0;
  });
  afterEach(() => {
    for (const socket of sockets.splice(0)) socket.disconnect();
  });

  it('accepts a token in the handshake auth ({ auth: { token } })', async () => {
    const token = await issuer.mintToken({ scope: 'read:report' });
    const socket = await connect({ auth: { token } });
    const reply = await socket.timeout(2000).emitWithAck('reports', { n: 1 });
    expect(reply).toEqual({
      subject: 'user-123',
      field: 'user-123',
      scopes: ['read:report'],
      clientAuthSubject: 'user-123',
    });
    expect(calls).toEqual([{ n: 1 }]);
  });

  it('accepts a token in an Authorization handshake header', async () => {
    const token = await issuer.mintToken({ scope: 'read:report', sub: 'header-user' });
    const socket = await connect({ headers: { Authorization: `Bearer ${token}` } });
    const reply = await socket.timeout(2000).emitWithAck('reports', { n: 2 });
    expect(reply).toMatchObject({ subject: 'header-user', clientAuthSubject: 'header-user' });
    expect(calls).toEqual([{ n: 2 }]);
  });

  it('refuses a connection without a token: exception event with status 401', async () => {
    const socket = await connect({});
    expect(await refusal(socket)).toEqual({
      status: 401,
      error: 'unauthorized',
      error_description: 'A bearer token is required',
    });
    expect(calls).toEqual([]);
  });

  it('refuses an invalid token with status 401 invalid_token', async () => {
    const socket = await connect({ auth: { token: await issuer.tokens.expired() } });
    expect(await refusal(socket)).toEqual({
      status: 401,
      error: 'invalid_token',
      error_description: 'The token has expired',
    });
    const forged = await connect({ auth: { token: await issuer.tokens.foreignKey() } });
    expect(await refusal(forged)).toMatchObject({ status: 401, error: 'invalid_token' });
    expect(calls).toEqual([]);
  });

  it('refuses a missing scope with status 403 insufficient_scope', async () => {
    const socket = await connect({ auth: { token: await issuer.mintToken({ scope: 'other' }) } });
    expect(await refusal(socket)).toEqual({
      status: 403,
      error: 'insufficient_scope',
      error_description: 'The token lacks a required scope',
    });
    expect(calls).toEqual([]);
  });

  it('refuses a token sent both in auth and in the header (400 invalid_request)', async () => {
    const token = await issuer.mintToken({ scope: 'read:report' });
    const socket = await connect({
      auth: { token },
      headers: { Authorization: `Bearer ${token}` },
    });
    expect(await refusal(socket)).toMatchObject({ status: 400, error: 'invalid_request' });
    expect(calls).toEqual([]);
  });

  it('ignores a non-string auth.token (401, not a crash)', async () => {
    const socket = await connect({ auth: { token: { not: 'a string' } } });
    expect(await refusal(socket)).toMatchObject({ status: 401, error: 'unauthorized' });
  });
});
