import { getAuth, tokenward } from '@tokenward/express';
import express, { type Express } from 'express';

/** Settings of the reports API. */
export interface AppConfig {
  /** Trusted issuer; keys are discovered from it. */
  issuer: string;
  /** This API's resource indicator (the tokens' `aud`). */
  audience: string;
  /** Optional fetch for discovery and JWKS (tests). */
  fetch?: typeof fetch;
}

const reports = [
  { id: 'r1', title: 'Quarterly revenue' },
  { id: 'r2', title: 'Churn by cohort' },
];

/** The reports API on Express. */
export function createApp(config: AppConfig): Express {
  const auth = tokenward({
    issuer: config.issuer,
    audience: config.audience,
    organizationTokens: true,
    ...(config.fetch ? { fetch: config.fetch } : {}),
  });
  const app = express();
  app.use(express.json());

  app.get('/health', (_req, res) => {
    res.json({ ok: true });
  });

  app.get('/me', auth.requireAuth(), (req, res) => {
    const { subject, clientId, scopes, organizationId } = getAuth(req);
    res.json({ sub: subject, clientId, scopes, organizationId: organizationId ?? null });
  });

  app.get('/optional', auth.requireAuth({ optional: true }), (req, res) => {
    res.json({ authenticated: req.auth !== undefined });
  });

  app.get('/reports', auth.requireAuth(), auth.requireScope('read:report'), (_req, res) => {
    res.json(reports);
  });

  app.post('/reports', auth.requireAuth(), auth.requireScope('write:report'), (req, res) => {
    res.status(201).json({ id: `r${reports.length + 1}`, createdBy: getAuth(req).subject });
  });

  app.get(
    '/orgs/:orgId/reports',
    auth.requireAuth(),
    auth.requireOrganization({ param: 'orgId' }),
    auth.requireOrgScope('read:report'),
    (req, res) => {
      res.json(reports.map((r) => ({ ...r, organizationId: req.params.orgId })));
    },
  );

  app.get('/admin', auth.requireAuth(), auth.requireRole('admin'), (_req, res) => {
    res.json({ ok: true });
  });

  app.get(
    '/orgs/:orgId/admin',
    auth.requireAuth(),
    auth.requireOrganization({ param: 'orgId' }),
    auth.requireOrgRole('admin'),
    (req, res) => {
      res.json({ ok: true, organizationId: req.params.orgId });
    },
  );

  return app;
}
