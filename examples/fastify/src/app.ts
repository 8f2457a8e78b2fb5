import { getAuth, tokenwardPlugin } from '@tokenward/fastify';
import Fastify, { type FastifyInstance } from 'fastify';

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

/** The reports API on Fastify. */
export async function createApp(config: AppConfig): Promise<FastifyInstance> {
  const app = Fastify();
  await app.register(tokenwardPlugin, {
    issuer: config.issuer,
    audience: config.audience,
    organizationTokens: true,
    ...(config.fetch ? { fetch: config.fetch } : {}),
  });
  const { requireAuth, requireScope, requireOrganization, requireOrgScope, requireRole } =
    app.tokenward;

  app.get('/health', async () => ({ ok: true }));

  app.get('/me', { onRequest: [requireAuth()] }, async (request) => {
    const { subject, clientId, scopes, organizationId } = getAuth(request);
    return { sub: subject, clientId, scopes, organizationId: organizationId ?? null };
  });

  app.get('/optional', { onRequest: [requireAuth({ optional: true })] }, async (request) => ({
    authenticated: request.auth !== null,
  }));

  app.get('/reports', { onRequest: [requireAuth(), requireScope('read:report')] }, async () => {
    return reports;
  });

  app.post(
    '/reports',
    { onRequest: [requireAuth(), requireScope('write:report')] },
    async (request, reply) => {
      reply.code(201);
      return { id: `r${reports.length + 1}`, createdBy: getAuth(request).subject };
    },
  );

  app.get<{ Params: { orgId: string } }>(
    '/orgs/:orgId/reports',
    {
      onRequest: [
        requireAuth(),
        requireOrganization({ param: 'orgId' }),
        requireOrgScope('read:report'),
      ],
    },
    async (request) => reports.map((r) => ({ ...r, organizationId: request.params.orgId })),
  );

  app.get('/admin', { onRequest: [requireAuth(), requireRole('admin')] }, async () => ({
    ok: true,
  }));

  app.get<{ Params: { orgId: string } }>(
    '/orgs/:orgId/admin',
    {
      onRequest: [
        requireAuth(),
        requireOrganization({ param: 'orgId' }),
        app.tokenward.requireOrgRole('admin'),
      ],
    },
    async (request) => ({ ok: true, organizationId: request.params.orgId }),
  );

  return app;
}
