/**
 * EXAMPLES.md's `GET /documents/:id` on the four examples, decided by a real PDP — Cerbos with the
 * repository's policies (`test/fixtures/cerbos/document.yaml`) — for tokens from the real
 * authorization server (oidc-provider): `public-*` for every user, `own-<sub>` for that user,
 * everything for a holder of the global role `admin` (alice), nothing else (bob).
 */
import {
  type AuthServer,
  type IssuedToken,
  startAuthServer,
} from '@tokenward-examples/auth-server/server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CerbosPdp, startCerbos } from '../helpers/cerbos.js';
import { call, decodeJwt, type RunningApp, startExampleApps } from './example-apps.js';
import { startExampleServers } from './example-servers.js';

let server: AuthServer;
let cerbos: CerbosPdp;
let apps: RunningApp[];
let withoutPdp: RunningApp[];
let pdpDown: RunningApp[];
let alice: IssuedToken;
let bob: IssuedToken;
let bobSub: string;

beforeAll(async () => {
  [server, cerbos] = await Promise.all([startAuthServer(), startCerbos()]);
  const audience = server.resources.reports;
  const both = 'openid read:report';
  [alice, bob] = await Promise.all([
    server.getUserToken({ user: 'alice', scope: both, resource: audience }),
    server.getUserToken({ user: 'bob', scope: both, resource: audience }),
  ]);
  bobSub = String(decodeJwt(bob.accessToken).payload.sub);
  const issuer = server.issuer;
  [apps, withoutPdp, pdpDown] = await Promise.all([
    startExampleApps({ issuer, audience, pdp: cerbos.url }),
    startExampleApps({ issuer, audience }),
    startExampleApps({ issuer, audience, pdp: 'http://127.0.0.1:9' }),
  ]);
}, 120_000);

afterAll(async () => {
  await Promise.all(
    [...(apps ?? []), ...(withoutPdp ?? []), ...(pdpDown ?? [])].map((a) => a.close()),
  );
  await Promise.all([server?.close(), cerbos?.close()]);
});

describe.each(['express', 'fastify', 'hono', 'nestjs'])(
  '%s: GET /documents/:id asks Cerbos',
  (name) => {
    const app = () => apps.find((a) => a.name === name) as RunningApp;

    it('permits a public document, and the own document of the subject', async () => {
      const pub = await call(app(), 'GET', '/documents/public-1', bob.accessToken);
      expect([pub.status, pub.body]).toEqual([200, { id: 'public-1', readBy: bobSub }]);
      expect((await call(app(), 'GET', `/documents/own-${bobSub}`, bob.accessToken)).status).toBe(
        200,
      );
    });

    it('denies with 403 insufficient_scope (permission_denied) what the policy does not allow', async () => {
      const answer = await call(app(), 'GET', '/documents/secret-1', bob.accessToken);
      expect(answer.status).toBe(403);
      expect(answer.challenge).toContain('error="insufficient_scope"');
      expect(answer.body).toEqual({
        error: 'insufficient_scope',
        error_description: 'The request is not allowed',
      });
      expect(
        (await call(app(), 'GET', '/documents/own-someone-else', bob.accessToken)).status,
      ).toBe(403);
    });

    it('the global role from the token reaches the policy (alice is admin)', async () => {
      expect((await call(app(), 'GET', '/documents/secret-1', alice.accessToken)).status).toBe(200);
    });

    it('401 without a token (the PDP is not asked)', async () => {
      expect((await call(app(), 'GET', '/documents/public-1')).status).toBe(401);
    });

    it('503 when the PDP is unreachable', async () => {
      const down = pdpDown.find((a) => a.name === name) as RunningApp;
      const answer = await call(down, 'GET', '/documents/public-1', bob.accessToken);
      expect([answer.status, answer.challenge]).toEqual([503, null]);
      expect(answer.body).toEqual({
        error: 'temporarily_unavailable',
        error_description: 'The authorization service is temporarily unavailable',
      });
    });

    it('404 with the JSON error body without AUTHZEN_PDP', async () => {
      const plain = withoutPdp.find((a) => a.name === name) as RunningApp;
      const answer = await call(plain, 'GET', '/documents/public-1', bob.accessToken);
      expect(answer.status).toBe(404);
      expect(answer.body).toMatchObject({ error: 'not_found' });
    });
  },
);

describe('the shipped servers read AUTHZEN_PDP', () => {
  it('every example (own process) answers /documents/:id from Cerbos', async () => {
    const servers = await startExampleServers(
      { issuer: server.issuer, audience: server.resources.reports, pdp: cerbos.url },
      'production',
    );
    try {
      for (const s of servers) {
        expect((await call(s, 'GET', '/documents/public-1', bob.accessToken)).status, s.name).toBe(
          200,
        );
        expect((await call(s, 'GET', '/documents/secret-1', bob.accessToken)).status, s.name).toBe(
          403,
        );
      }
    } finally {
      await Promise.all(servers.map((s) => s.close()));
    }
  }, 120_000);
});
