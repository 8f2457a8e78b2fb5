/**
 * Signing-key rotation at a real authorization server (oidc-provider, `examples/auth-server`):
 * after `rotateKeys()` the server publishes a new key and signs with it, keeping the old one
 * published. Every example app must accept a token signed with the new key (it refetches the JWKS
 * on the unknown `kid`) and keep accepting tokens signed with the old key.
 *
 * tokenward refetches at once for the first unknown `kid` (a routine fetch does not start the
 * cooldown), then at most once per `keySet.cooldown` (30 s by default). So the first rotation is
 * picked up immediately; for the second, moments later, the clock (`Date`, which the server and
 * tokenward both read) is moved past the cooldown instead of waiting for it. Only `Date` is faked:
 * timers and I/O are real.
 */
import {
  type AuthServer,
  type IssuedToken,
  startAuthServer,
} from '@tokenward-examples/auth-server/server';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { call, decodeJwt, type RunningApp, startExampleApps } from './example-apps.js';

/** tokenward's default `keySet.cooldown`, ms. */
const KEY_SET_COOLDOWN = 30_000;

let server: AuthServer;
let apps: RunningApp[];

beforeAll(async () => {
  // Before the apps exist: tokenward reads `Date.now` when a guard is created.
  vi.useFakeTimers({ toFake: ['Date'], shouldAdvanceTime: true });
  server = await startAuthServer();
  apps = await startExampleApps({ issuer: server.issuer, audience: server.resources.reports });
});

afterAll(async () => {
  await Promise.all((apps ?? []).map((app) => app.close()));
  await server?.close();
  vi.useRealTimers();
});

function readerToken(): Promise<IssuedToken> {
  return server.getClientCredentialsToken({
    clientId: server.clients.reader.clientId,
    resource: server.resources.reports,
    scope: 'read:report',
  });
}

describe('signing-key rotation', () => {
  it('new-key tokens are accepted once published; old-key tokens keep working', async () => {
    const firstKid = server.signingKeyId;
    const old = await readerToken();
    expect(decodeJwt(old.accessToken).header.kid).toBe(firstKid);
    // Every app fetches the JWKS (one key) and accepts the token.
    for (const app of apps) {
      expect((await call(app, 'GET', '/reports', old.accessToken)).status, app.name).toBe(200);
    }

    await server.rotateKeys();
    expect(server.signingKeyId).not.toBe(firstKid);
    expect(server.publishedKeyIds).toEqual([server.signingKeyId, firstKid]);
    const jwks = (await (await fetch(server.jwksUri)).json()) as { keys: { kid: string }[] };
    expect(jwks.keys.map((key) => key.kid)).toEqual([server.signingKeyId, firstKid]);

    // No waiting: the apps fetched the JWKS moments ago, yet the new kid is fetched for at once.
    const fresh = await readerToken();
    expect(decodeJwt(fresh.accessToken).header.kid).toBe(server.signingKeyId);

    for (const app of apps) {
      const answer = await call(app, 'GET', '/reports', fresh.accessToken);
      expect(answer.status, `${app.name}: new key`).toBe(200);
      expect((await call(app, 'GET', '/reports', old.accessToken)).status, app.name).toBe(200);
      expect((await call(app, 'GET', '/me', fresh.accessToken)).body, app.name).toMatchObject({
        sub: 'reports-reader',
        scopes: ['read:report'],
      });
    }
  });

  it('a second rotation: tokens of all three keys verify', async () => {
    const before = await readerToken();
    await server.rotateKeys();
    expect(server.publishedKeyIds).toHaveLength(3);
    // Within the cooldown of the first rotation's refetch, a second new kid is not fetched for.
    const tooSoon = await readerToken();
    for (const app of apps) {
      expect((await call(app, 'GET', '/reports', tooSoon.accessToken)).status, app.name).toBe(401);
    }
    vi.setSystemTime(Date.now() + KEY_SET_COOLDOWN + 1_000);
    const after = await readerToken();
    expect(decodeJwt(after.accessToken).header.kid).toBe(server.signingKeyId);
    for (const app of apps) {
      expect((await call(app, 'GET', '/reports', after.accessToken)).status, app.name).toBe(200);
      expect((await call(app, 'GET', '/reports', before.accessToken)).status, app.name).toBe(200);
    }
  });
});
