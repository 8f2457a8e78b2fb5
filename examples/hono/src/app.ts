import { getAuth, type TokenwardEnv, tokenward } from '@tokenward/hono';
import { Hono } from 'hono';

/** Settings of the reports API. */
export interface AppConfig {
  /** Trusted issuer; keys are discovered from it. */
  issuer: string;
  /** This API's resource indicator (the tokens' `aud`). */
  audience: string;
  /** Optional fetch for discovery and JWKS (tests, or a Workers service binding). */
  fetch?: typeof fetch;
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

  app.get('/health', (c) => c.json({ ok: true }));

  app.get('/me', auth.requireAuth(), (c) => {
    const { subject, clientId, scopes, organizationId } = getAuth(c);
    return c.json({ sub: subject, clientId, scopes, organizationId: organizationId ?? null });
  });

  app.get('/optional', auth.requireAuth({ optional: true }), (c) =>
    c.json({ authenticated: c.var.auth !== undefined }),
  );

  app.get('/reports', auth.requireAuth(), auth.requireScope('read:report'), (c) => c.json(reports));

  app.post('/reports', auth.requireAuth(), auth.requireScope('write:report'), (c) =>
    c.json({ id: `r${reports.length + 1}`, createdBy: getAuth(c).subject }, 201),
  );

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

  return app;
}
