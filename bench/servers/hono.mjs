/** Hono 4 on @hono/node-server: bare, a no-op guard, tokenward, and hono/jwk (JWKS URL, or keys fetched once). */
import { serve } from '@hono/node-server';
import { tokenward } from '@tokenward/hono';
import { Hono } from 'hono';
import { jwk } from 'hono/jwk';
import {
  BODY,
  config,
  fetchJwks,
  ROUTE,
  ready,
  tokenwardOptions,
  unknownVariant,
} from './common.mjs';

const app = new Hono();
const handler = (c) => c.json(BODY);
const verification = { iss: config.issuer, aud: config.audience, typ: 'at+jwt' };

switch (config.variant) {
  case 'bare':
    app.get(ROUTE, handler);
    break;
  case 'noop':
    app.get(
      ROUTE,
      async (_c, next) => {
        await next();
      },
      handler,
    );
    break;
  case 'tokenward': {
    const auth = tokenward(tokenwardOptions());
    await auth.core.warmup();
    app.get(ROUTE, auth.requireAuth(), handler);
    break;
  }
  case 'hono-jwk-uri':
    // The documented jwks_uri option: hono/jwk fetches the JWKS on every request (no cache) and
    // imports the key with WebCrypto every time.
    app.get(ROUTE, jwk({ jwks_uri: config.jwksUri, alg: ['RS256'], verification }), handler);
    break;
  case 'hono-jwk-keys': {
    // The workaround: fetch the public keys once at startup and pass them as `keys`
    // (hono/jwk still imports the key with WebCrypto on every request).
    const { keys } = await fetchJwks();
    app.get(ROUTE, jwk({ keys, alg: ['RS256'], verification }), handler);
    break;
  }
  default:
    unknownVariant();
}

serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, (info) => ready(info.port));
