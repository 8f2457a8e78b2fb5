import { getAuth, policyDecisionPoint, tokenward } from '@tokenward/express';
import express, { type ErrorRequestHandler, type Express } from 'express';
import { ApiError } from './api-error.js';
import { jsonBody } from './json-body.js';
import { reportTitle } from './report-title.js';

/** Settings of the reports API. */
export interface AppConfig {
  /** Trusted issuer; keys are discovered from it. */
  issuer: string;
  /** This API's resource indicator (the tokens' `aud`). */
  audience: string;
  /** Optional fetch for discovery and JWKS (tests). */
  fetch?: typeof fetch;
  /** Base URL of an AuthZEN PDP (`AUTHZEN_PDP`); `/documents/:id` exists only with it. */
  pdp?: string | undefined;
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
  app.disable('x-powered-by');
  // A path that is not valid percent-encoding is refused before routing (400, not a decode error).
  app.use((req, _res, next) => {
    try {
      decodeURIComponent(req.path);
    } catch {
      return next(ApiError.badPath());
    }
    next();
  });

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

  // The body is parsed only on this route, after the guards: no token, no body parsing.
  app.post(
    '/reports',
    auth.requireAuth(),
    auth.requireScope('write:report'),
    jsonBody,
    (req, res) => {
      const title = reportTitle(req.body);
      res
        .status(201)
        .json({ id: `r${reports.length + 1}`, title, createdBy: getAuth(req).subject });
    },
  );

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

  // Delegated decision: the PDP reads `document :id` for the token's subject (403 on deny, 503
  // when it cannot be asked). Without a PDP the route does not exist (404).
  if (config.pdp !== undefined) {
    const pdp = policyDecisionPoint({ url: config.pdp });
    app.get(
      '/documents/:id',
      auth.requireAuth(),
      auth.requirePermission(pdp, {
        action: 'read',
        resource: (req) => ({ type: 'document', id: String(req.params?.id) }),
      }),
      (req, res) => {
        res.json({ id: req.params.id, readBy: getAuth(req).subject });
      },
    );
  }

  // Unknown routes and methods, then every error: a small JSON answer, never Express's HTML page.
  app.use((_req, _res, next) => next(ApiError.notFound()));
  app.use(((error, _req, res, next) => {
    if (res.headersSent) return next(error);
    const answer = ApiError.from(error);
    if (answer.status >= 500) console.error(error);
    res.status(answer.status).json(answer.body);
  }) satisfies ErrorRequestHandler);

  return app;
}
