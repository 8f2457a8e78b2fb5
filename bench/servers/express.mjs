/** Express 5: bare, a no-op guard, tokenward, and express-oauth2-jwt-bearer (Auth0's middleware). */
import { tokenward } from '@tokenward/express';
import express from 'express';
import { auth } from 'express-oauth2-jwt-bearer';
import { BODY, config, ROUTE, ready, tokenwardOptions, unknownVariant } from './common.mjs';

const app = express();
app.disable('x-powered-by');
const handler = (_req, res) => {
  res.json(BODY);
};

switch (config.variant) {
  case 'bare':
    app.get(ROUTE, handler);
    break;
  case 'noop':
    app.get(ROUTE, (_req, _res, next) => next(), handler);
    break;
  case 'tokenward': {
    const guards = tokenward(tokenwardOptions());
    await guards.core.warmup();
    app.get(ROUTE, guards.requireAuth(), handler);
    break;
  }
  case 'express-oauth2-jwt-bearer': {
    // Keys by OIDC discovery from issuerBaseURL, then the JWKS (jose createRemoteJWKSet), as its
    // README shows. Discovery and JWKS are fetched on the first request (sanity check).
    const guard = auth({
      issuerBaseURL: config.issuer,
      audience: config.audience,
      tokenSigningAlg: 'RS256',
    });
    app.get(ROUTE, guard, handler);
    break;
  }
  default:
    unknownVariant();
}

// Peers answer errors through Express's error handler: a plain status, no HTML stack.
app.use((err, _req, res, _next) => {
  const status = err.status ?? err.statusCode ?? 500;
  if (err.headers) res.set(err.headers);
  res.status(status).json({ error: err.code ?? 'error' });
});

const server = app.listen(0, '127.0.0.1', () => ready(server.address().port));
