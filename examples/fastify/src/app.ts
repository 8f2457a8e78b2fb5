import { getAuth, policyDecisionPoint, tokenwardPlugin } from '@tokenward/fastify';
import Fastify, { type FastifyError, type FastifyInstance, type FastifyReply } from 'fastify';
import { ApiError } from './api-error.js';
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

/** Fastify's error codes that have an answer of their own. */
const answers = new Map<unknown, () => ApiError>([
  ['FST_ERR_BAD_URL', ApiError.badPath],
  ['FST_ERR_CTP_INVALID_JSON_BODY', ApiError.badJson],
]);

/** Every error: a small JSON answer, never a stack, a file path or Fastify's own message. */
function sendError(error: FastifyError | ApiError, reply: FastifyReply): FastifyReply {
  const known = answers.get('code' in error ? error.code : undefined);
  const answer = known ? known() : ApiError.from(error);
  if (answer.status >= 500) console.error(error);
  return reply.code(answer.status).send(answer.body);
}

/** The reports API on Fastify. */
export async function createApp(config: AppConfig): Promise<FastifyInstance> {
  const app = Fastify({
    bodyLimit: ApiError.bodyLimit,
    // A path that is not valid percent-encoding (FST_ERR_BAD_URL): 400, before routing.
    frameworkErrors: (error, _request, reply) => sendError(error, reply as FastifyReply),
  });
  // Bodies are parsed after the onRequest guards. JSON only: an empty body is no body, any other
  // non-empty media type is a 415 (not Fastify's text/plain parser).
  const parseJson = app.getDefaultJsonParser('error', 'error');
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body, done) => {
    if (body === '') done(null, undefined);
    else parseJson(request, body as string, done);
  });
  app.addContentTypeParser('*', (request, _payload, done) => {
    const { 'content-length': length, 'transfer-encoding': chunked } = request.headers;
    done(chunked === undefined && !(Number(length) > 0) ? null : ApiError.notJson(), undefined);
  });
  // Unknown routes are answered in onRequest, so their body is never read (no 400 or 413 for a 404).
  app.addHook('onRequest', async (request, reply) => {
    if (request.is404) return sendError(ApiError.notFound(), reply);
  });
  app.setNotFoundHandler((_request, reply) => sendError(ApiError.notFound(), reply));
  app.setErrorHandler((error: FastifyError, _request, reply) => sendError(error, reply));
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
      const title = reportTitle(request.body);
      reply.code(201);
      return { id: `r${reports.length + 1}`, title, createdBy: getAuth(request).subject };
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

  // Delegated decision: the PDP reads `document :id` for the token's subject (403 on deny, 503
  // when it cannot be asked). Without a PDP the route does not exist (404).
  if (config.pdp !== undefined) {
    const pdp = policyDecisionPoint({ url: config.pdp });
    const readDocument = app.tokenward.requirePermission(pdp, {
      action: 'read',
      resource: (request) => ({ type: 'document', id: String(request.params?.id) }),
    });
    app.get<{ Params: { id: string } }>(
      '/documents/:id',
      { onRequest: [requireAuth(), readDocument] },
      async (request) => ({ id: request.params.id, readBy: getAuth(request).subject }),
    );
  }

  return app;
}
