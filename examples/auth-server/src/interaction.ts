import type { IncomingMessage, ServerResponse } from 'node:http';
import type Provider from 'oidc-provider';
import { findUser, organizationOfResource, permissionsOfResource } from './directory.js';

/** Form bodies are tiny: a username and a password. */
const MAX_FORM_BYTES = 4096;

/** Interaction routes, outside the issuer path (Logto serves its sign-in pages the same way). */
const INTERACTION_PATH = /^\/interaction\/([A-Za-z0-9_-]+)(\/login)?$/;

function json(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'cache-control': 'no-store',
    'content-length': Buffer.byteLength(text),
  });
  res.end(text);
}

async function readForm(req: IncomingMessage): Promise<URLSearchParams> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_FORM_BYTES) throw new Error('form too large');
    chunks.push(chunk as Buffer);
  }
  return new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
}

function list(value: unknown): string[] {
  if (typeof value === 'string') return value.split(' ').filter((s) => s !== '');
  if (Array.isArray(value)) return value.filter((v): v is string => typeof v === 'string');
  return [];
}

/**
 * The sign-in "page", headless: `GET /interaction/:uid` describes the pending prompt as JSON;
 * `POST /interaction/:uid/login` with a form `username`, `password` signs the user in and gives
 * consent in one step (a first-party app, as in Logto). Consent grants the requested scopes the
 * resource defines; which of them the user really holds is decided again at the token endpoint
 * (getResourceServerInfo), so a token never carries a permission the user lacks.
 * Wrong credentials: 401 JSON, the interaction stays open. An `organization_id` in the
 * authorization request the user is not a member of: the flow ends with `access_denied`.
 *
 * @returns false when the path is not an interaction route.
 */
export async function handleInteraction(
  provider: Provider,
  req: IncomingMessage,
  res: ServerResponse,
  pathname: string,
): Promise<boolean> {
  const match = INTERACTION_PATH.exec(pathname);
  if (match === null) return false;
  const isLogin = match[2] !== undefined;
  const details = await provider.interactionDetails(req, res);
  if (details.uid !== match[1]) {
    json(res, 400, { error: 'invalid_request', error_description: 'interaction mismatch' });
    return true;
  }
  const { params } = details;
  if (!isLogin) {
    if (req.method !== 'GET') {
      json(res, 405, { error: 'method_not_allowed' });
      return true;
    }
    json(res, 200, {
      uid: details.uid,
      prompt: details.prompt.name,
      client_id: params.client_id,
      scope: params.scope,
      resource: params.resource,
      organization_id: params.organization_id,
      login: `/interaction/${details.uid}/login`,
    });
    return true;
  }
  if (req.method !== 'POST') {
    json(res, 405, { error: 'method_not_allowed' });
    return true;
  }

  const form = await readForm(req);
  const user = findUser(form.get('username') ?? '');
  if (user === undefined || user.password !== form.get('password')) {
    json(res, 401, {
      error: 'invalid_credentials',
      error_description: 'wrong username or password',
    });
    return true;
  }
  const organization = params.organization_id;
  if (typeof organization === 'string' && user.organizations[organization] === undefined) {
    await provider.interactionFinished(req, res, {
      error: 'access_denied',
      error_description: 'the organization does not exist or you are not a member of it',
    });
    return true;
  }

  const grant =
    (details.grantId === undefined ? undefined : await provider.Grant.find(details.grantId)) ??
    new provider.Grant({ accountId: user.username, clientId: String(params.client_id) });
  const requested = list(params.scope);
  if (requested.includes('openid')) grant.addOIDCScope('openid');
  for (const resource of list(params.resource)) {
    const defined = permissionsOfResource(resource) ?? [];
    const scopes = requested.filter((scope) => defined.includes(scope));
    // An organization resource with no scope requested is still a grant of that resource.
    if (scopes.length > 0 || organizationOfResource(resource) !== undefined) {
      grant.addResourceScope(resource, scopes.join(' '));
    }
  }
  const grantId = await grant.save();
  await provider.interactionFinished(
    req,
    res,
    { login: { accountId: user.username }, consent: { grantId } },
    { mergeWithLastSubmission: false },
  );
  return true;
}
