/** Fastify 5: bare, a no-op guard, tokenward, and @fastify/jwt with get-jwks (without and with fast-jwt's cache). */
import fastifyJwt from '@fastify/jwt';
import { tokenwardPlugin } from '@tokenward/fastify';
import Fastify from 'fastify';
import buildGetJwks from 'get-jwks';
import { BODY, config, ROUTE, ready, tokenwardOptions, unknownVariant } from './common.mjs';

const app = Fastify({ logger: false });
const handler = async () => BODY;

switch (config.variant) {
  case 'bare':
    app.get(ROUTE, handler);
    break;
  case 'noop':
    // What every guarded Fastify app has, minus the guard: a plugin registered before the route
    // (here an empty one) and one onRequest hook.
    await app.register(async () => {});
    app.get(ROUTE, { onRequest: [(_request, _reply, done) => done()] }, handler);
    break;
  case 'tokenward': {
    // Register, fetch the keys, declare the route: the order of the other frameworks' servers.
    // (Declaring the route, then `await app.after()`, then the warmup left every server process
    // measured ~15% slower — see README, findings.)
    await app.register(tokenwardPlugin, tokenwardOptions());
    await app.tokenward.core.warmup();
    app.get(ROUTE, { onRequest: [app.tokenward.requireAuth()] }, handler);
    break;
  }
  case 'fastify-jwt':
  case 'fastify-jwt-cache': {
    // The "Verifying with JWKS" recipe of @fastify/jwt's README: get-jwks finds the JWKS by OIDC
    // discovery from the token's iss (allowed issuers only) and caches the JWK; getPublicKey()
    // converts it to PEM on every call; fast-jwt verifies. `cache: true` adds fast-jwt's
    // verified-token cache (1,000 entries by default).
    const getJwks = buildGetJwks({ providerDiscovery: true, issuersWhitelist: [config.issuer] });
    await app.register(fastifyJwt, {
      decode: { complete: true },
      secret: (_request, token) => {
        const {
          header: { kid, alg },
          payload: { iss },
        } = token;
        return getJwks.getPublicKey({ kid, domain: iss, alg });
      },
      verify: {
        algorithms: ['RS256'],
        allowedIss: config.issuer,
        allowedAud: config.audience,
        ...(config.variant === 'fastify-jwt-cache' ? { cache: true } : {}),
      },
    });
    const verify = async (request) => {
      await request.jwtVerify();
    };
    app.get(ROUTE, { onRequest: [verify] }, handler);
    break;
  }
  default:
    unknownVariant();
}

await app.listen({ port: 0, host: '127.0.0.1' });
ready(app.server.address().port);
