import { getAuth, policyDecisionPoint, type TokenwardEnv, tokenward } from '@tokenward/hono';
import { Hono } from 'hono';
import { ApiError } from './api-error.js';
import { readJsonBody } from './read-json-body.js';
import { reportTitle } from './report-title.js';

/** Settings of the reports API. */
export interface AppConfig {
  /** Trusted issuer; keys are discovered from it. */
  issuer: string;
  /** This API's resource indicator (the tokens' `aud`). */
  audience: string;
  /** Optional fetch for discovery and JWKS (tests, or a Workers service binding). */
  fetch?: typeof fetch;
  /** Base URL of an AuthZEN PDP (`AUTHZEN_PDP`); `/documents/:id` exists only with it. */
  pdp?: string | undefined;
}

const reports = [
  { id: 'r1', title: 'Quarterly revenue' },
  { id: 'r2', title: 'Churn by cohort' },
];

/** The reports API on Hono: runs on Node, Cloudflare Workers, Deno and Bun. */
export function createApp(config: AppConfig): Hono<TokenwardEnv> {
  const auth = tokenward({
    issuer: config.issuer,
    audience: config.audience,
    organizationTokens: true,
    ...(config.fetch ? { fetch: config.fetch } : {}),
  });
  const app = new Hono<TokenwardEnv>();
  // A path that is not valid percent-encoding is refused before routing (Hono would keep it raw).
  app.use(async (c, next) => {
    try {
      decodeURIComponent(new URL(c.req.url).pathname);
    } catch {
      throw ApiError.badPath();
    }
    await next();
  });

  app.get('/health', (c) => c.json({ ok: true }));

  app.get('/me', auth.requireAuth(), (c) => {
    const { subject, clientId, scopes, organizationId } = getAuth(c);
    return c.json({ sub: subject, clientId, scopes, organizationId: organizationId ?? null });
  });

  app.get('/optional', auth.requireAuth({ optional: true }), (c) =>
    c.json({ authenticated: c.var.auth !== undefined }),
  );

  app.get('/reports', auth.requireAuth(), auth.requireScope('read:report'), (c) => c.json(reports));

  // The body is read inside the handler, so only after the guards: no token, no body reading.
  app.post('/reports', auth.requireAuth(), auth.requireScope('write:report'), async (c) => {
    const title = reportTitle(await readJsonBody(c.req.raw));
    return c.json({ id: `r${reports.length + 1}`, title, createdBy: getAuth(c).subject }, 201);
  });

  app.get(
    '/orgs/:orgId/reports',
    auth.requireAuth(),
    auth.requireOrganization({ param: 'orgId' }),
    auth.requireOrgScope('read:report'),
    (c) => c.json(reports.map((r) => ({ ...r, organizationId: c.req.param('orgId') }))),
  );

  app.get('/admin', auth.requireAuth(), auth.requireRole('admin'), (c) => c.json({ ok: true }));

  app.get(
    '/orgs/:orgId/admin',
    auth.requireAuth(),
    auth.requireOrganization({ param: 'orgId' }),
    auth.requireOrgRole('admin'),
    (c) => c.json({ ok: true, organizationId: c.req.param('orgId') }),
  );

  // Delegated decision: the PDP reads `document :id` for the token's subject (403 on deny, 503
  // when it cannot be asked). Without a PDP the route does not exist (404).
  if (config.pdp !== undefined) {
    const pdp = policyDecisionPoint({ url: config.pdp });
    app.get(
      '/documents/:id',
      auth.requireAuth(),
      auth.requirePermission(pdp, {
        action: 'read',
        resource: (request) => ({ type: 'document', id: String(request.params?.id) }),
      }),
      (c) => c.json({ id: c.req.param('id'), readBy: getAuth(c).subject }),
    );
  }

  // Unknown routes and methods, then every error: a small JSON answer, never Hono's text pages.
  app.notFound((c) => c.json(ApiError.notFound().body, 404));
  app.onError((error, c) => {
    const answer = ApiError.from(error);
    if (answer.status >= 500) console.error(error);
    return c.json(answer.body, answer.status as 400);
  });

  return app;
}
