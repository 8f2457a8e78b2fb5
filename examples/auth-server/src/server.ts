/**
 * A real OAuth 2.0 authorization server for the examples and the end-to-end tests:
 * [oidc-provider](https://github.com/panva/node-oidc-provider) (the OpenID-certified server Logto is
 * built on), configured the way Logto uses it, listening on 127.0.0.1 only.
 *
 * @example
 * ```ts
 * import { startAuthServer } from '@tokenward-examples/auth-server/server';
 *
 * const server = await startAuthServer();                 // an ephemeral port on 127.0.0.1
 * const app = createApp({ issuer: server.issuer, audience: server.resources.reports });
 * const { accessToken } = await server.getClientCredentialsToken({
 *   clientId: server.clients.reader.clientId,
 *   resource: server.resources.reports,
 *   scope: 'read:report',
 * });
 * // GET /reports with `authorization: Bearer ${accessToken}` → 200
 * await server.close();
 * ```
 * @packageDocumentation
 */
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type Provider from 'oidc-provider';
import { errors } from 'oidc-provider';
import {
  MACHINE_CLIENTS,
  type MachineClient,
  ORGANIZATION_RESOURCE_PREFIX,
  ORGANIZATIONS,
  type OrganizationId,
  OTHER_API,
  type PublicClient,
  REPORTS_API,
  USERS,
  WEB_CLIENT,
} from './directory.js';
import { handleInteraction } from './interaction.js';
import { createMemoryAdapter } from './memory-adapter.js';
import { createProvider } from './provider.js';
import { generateSigningKey, type SigningKey } from './signing-key.js';
import {
  type IssuedToken,
  postTokenRequest,
  runAuthorizationCodeFlow,
  TokenRequestError,
} from './token-client.js';

export type { OrganizationId, PublicClient } from './directory.js';
export type { IssuedToken } from './token-client.js';
export { TokenRequestError };

/** Where the issuer lives on the server (Logto style): `http://127.0.0.1:<port>/oidc`. */
const ISSUER_PATH = '/oidc';

/** Options of {@link startAuthServer}. */
export interface AuthServerOptions {
  /** TCP port. Default `0`: an ephemeral port (read it from `issuer` or `port`). */
  port?: number;
  /** Interface to listen on. Only `'127.0.0.1'` (the default): the client secrets are fixed development values. */
  host?: '127.0.0.1';
}

/** A confidential machine client's credentials. */
export interface MachineClientCredentials {
  readonly clientId: string;
  readonly clientSecret: string;
}

/** A user's sign-in credentials and global roles. */
export interface UserCredentials {
  readonly username: string;
  readonly password: string;
  /** Put in the `roles` claim of the user's tokens bound to no organization. */
  readonly roles: readonly string[];
}

/** A client-credentials token request (RFC 6749 §4.4 with RFC 8707 `resource`). */
export interface ClientCredentialsRequest {
  /** e.g. `server.clients.reader.clientId`. */
  clientId: string;
  /** Default: the secret the server knows for `clientId` (all are in `server.clients`). */
  clientSecret?: string;
  /**
   * The resource indicator, which becomes the token's `aud`: an API (`server.resources.reports`,
   * `server.resources.other`) or an organization (`server.resources.organization('org-a')`).
   * Omitted: oidc-provider issues an opaque token with no audience.
   */
  resource?: string;
  /** Space-delimited scopes to request. The token carries only those the client was granted. */
  scope?: string;
  /**
   * Bind the token to an organization (Logto's `organization_id` parameter): with an API
   * resource, an organization-bound API token (`aud` = the API, `organization_id` claim, the
   * API permissions granted inside that organization). The client must be a member, else
   * `invalid_target`.
   */
  organizationId?: string;
}

/** A user token request: the authorization code flow with PKCE, driven over HTTP. */
export interface UserTokenRequest {
  /** `'alice'` (role `admin`) or `'bob'`; see `server.users`. */
  user: string;
  /** Default: the user's password from `server.users`. Wrong: rejects with `invalid_credentials`. */
  password?: string;
  /** Space-delimited, e.g. `'openid read:report'` (`openid` adds an ID token to the result). */
  scope: string;
  /** API or organization resource indicator, as in {@link ClientCredentialsRequest.resource}. */
  resource: string;
  /** As in {@link ClientCredentialsRequest.organizationId}; sent with the authorization request and the code exchange. */
  organizationId?: string;
}

/** A running authorization server. */
export interface AuthServer {
  /** `http://127.0.0.1:<port>/oidc` — the tokens' `iss`, the APIs' `ISSUER`. */
  readonly issuer: string;
  /** The port it listens on. */
  readonly port: number;
  /** `<issuer>/.well-known/openid-configuration`. */
  readonly discoveryUrl: string;
  /** `<issuer>/jwks`: every published public key. */
  readonly jwksUri: string;
  /** `<issuer>/token`. */
  readonly tokenEndpoint: string;
  /** `<issuer>/auth`. */
  readonly authorizationEndpoint: string;
  /** Resource indicators: the two APIs, and the organization-token resource of an organization. */
  readonly resources: {
    /** `https://api.reports.example` (`read:report`, `write:report`): the examples' `AUDIENCE`. */
    readonly reports: string;
    /** `https://other.example` (`read:report`): another API, whose tokens the reports API refuses. */
    readonly other: string;
    /** `urn:logto:organization:<id>` (organization permissions `read:report`, `invite:member`). */
    organization(id: string): string;
  };
  /**
   * The clients, by role:
   * - `reader` — reports API `read:report`;
   * - `writer` — reports API `read:report write:report`, other API `read:report`;
   * - `noPermissions` — nothing, member of no organization;
   * - `orgMember` — no global permission; member of org-a (organization `read:report
   *   invite:member`, reports API `read:report`) and org-b (organization `read:report`, reports
   *   API `read:report`);
   * - `web` — the public client users sign in with (authorization code + PKCE, no secret).
   */
  readonly clients: {
    readonly reader: MachineClientCredentials;
    readonly writer: MachineClientCredentials;
    readonly noPermissions: MachineClientCredentials;
    readonly orgMember: MachineClientCredentials;
    readonly web: PublicClient;
  };
  /**
   * The users:
   * - `alice` — role `admin`; reports API `read:report write:report`; member of org-a
   *   (organization `read:report invite:member`, reports API `read:report`);
   * - `bob` — no role; reports API `read:report`; member of org-b (organization `read:report`,
   *   reports API `read:report`).
   */
  readonly users: { readonly alice: UserCredentials; readonly bob: UserCredentials };
  /** `['org-a', 'org-b']`. */
  readonly organizations: readonly OrganizationId[];
  /** The `kid` signing new tokens (changes on {@link AuthServer.rotateKeys}). */
  readonly signingKeyId: string;
  /** Every published `kid`, newest first. */
  readonly publishedKeyIds: readonly string[];
  /**
   * A token from the token endpoint with `grant_type=client_credentials`, exactly as a client
   * gets one (HTTP Basic client authentication, form body). Rejects with a
   * {@link TokenRequestError} carrying the OAuth error (`invalid_client`, `invalid_target`, ...).
   */
  getClientCredentialsToken(request: ClientCredentialsRequest): Promise<IssuedToken>;
  /**
   * A user's token through the authorization code flow with PKCE (S256), over HTTP: the
   * authorization request, the sign-in interaction (a form POST of username and password;
   * consent is given at once, as for a first-party app), the redirect with `code`, and the code
   * exchange. `sub` is the username, `client_id` is `clients.web.clientId`; `roles` is added when
   * the token is bound to no organization. Rejects with a {@link TokenRequestError}.
   */
  getUserToken(request: UserTokenRequest): Promise<IssuedToken>;
  /**
   * Publish a new signing key and sign every new token with it, at once; every earlier key stays
   * published, so tokens it signed keep verifying. An API that cached the old key set sees an
   * unknown `kid` and refetches the JWKS at once (tokenward: at most one such refetch per
   * `keySet.cooldown`, 30 s by default).
   */
  rotateKeys(): Promise<void>;
  /** Stop listening and drop open connections. */
  close(): Promise<void>;
}

type MountedRequest = IncomingMessage & { originalUrl?: string };

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'cache-control': 'no-store',
    'content-length': Buffer.byteLength(text),
  });
  res.end(text);
}

function credentialsOf(client: MachineClient): MachineClientCredentials {
  return { clientId: client.clientId, clientSecret: client.clientSecret };
}

function userCredentials(user: { username: string; password: string; roles: readonly string[] }) {
  return { username: user.username, password: user.password, roles: [...user.roles] };
}

/**
 * Start the authorization server on 127.0.0.1 (an ephemeral port unless `port` is given).
 *
 * What it models (see the README): the reports API `https://api.reports.example` with
 * permissions `read:report`, `write:report`; another API `https://other.example`; machine
 * clients with different grants; organizations `org-a`, `org-b` with organization-bound API
 * tokens (`organization_id`) and organization tokens (`aud` = `urn:logto:organization:<id>`);
 * users signing in with the authorization code flow and PKCE; signing-key rotation. Keys are
 * ES256, generated in memory at startup.
 */
export async function startAuthServer(options: AuthServerOptions = {}): Promise<AuthServer> {
  const host = options.host ?? '127.0.0.1';
  if (host !== '127.0.0.1') throw new TypeError('startAuthServer: host must be 127.0.0.1');
  const port = options.port ?? 0;
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new TypeError('startAuthServer: port must be an integer from 0 to 65535');
  }

  let current: { provider: Provider; callback: ReturnType<Provider['callback']> } | undefined;

  const route = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    if (current === undefined) return sendJson(res, 503, { error: 'temporarily_unavailable' });
    const rawUrl = req.url ?? '/';
    const { pathname } = new URL(rawUrl, 'http://127.0.0.1');
    if (pathname === ISSUER_PATH || pathname.startsWith(`${ISSUER_PATH}/`)) {
      // Mount oidc-provider under /oidc the way Express does: it derives its URLs from
      // originalUrl minus url.
      (req as MountedRequest).originalUrl = rawUrl;
      req.url = rawUrl.slice(ISSUER_PATH.length) || '/';
      return current.callback(req, res);
    }
    if (await handleInteraction(current.provider, req, res, pathname)) return;
    sendJson(res, 404, { error: 'not_found' });
  };

  const server = createServer((req, res) => {
    route(req, res).catch((error: unknown) => {
      if (res.headersSent) {
        res.destroy();
      } else if (error instanceof errors.OIDCProviderError) {
        sendJson(res, error.statusCode, {
          error: error.error,
          error_description: error.error_description,
        });
      } else {
        sendJson(res, 500, { error: 'server_error' });
      }
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });

  const actualPort = (server.address() as AddressInfo).port;
  const issuer = `http://${host}:${actualPort}${ISSUER_PATH}`;
  const tokenEndpoint = `${issuer}/token`;
  const cookieKeys = [randomBytes(32).toString('base64url')];
  const adapter = createMemoryAdapter();
  let keys: SigningKey[] = [await generateSigningKey()];

  const install = (): void => {
    const provider = createProvider({
      issuer,
      keys,
      signingKid: (keys[0] as SigningKey).kid,
      cookieKeys,
      adapter,
    });
    current = { provider, callback: provider.callback() };
  };
  install();

  const secretOf = (clientId: string): string | undefined =>
    Object.values(MACHINE_CLIENTS).find((client) => client.clientId === clientId)?.clientSecret;

  return {
    issuer,
    port: actualPort,
    discoveryUrl: `${issuer}/.well-known/openid-configuration`,
    jwksUri: `${issuer}/jwks`,
    tokenEndpoint,
    authorizationEndpoint: `${issuer}/auth`,
    resources: {
      reports: REPORTS_API,
      other: OTHER_API,
      organization: (id) => `${ORGANIZATION_RESOURCE_PREFIX}${id}`,
    },
    clients: {
      reader: credentialsOf(MACHINE_CLIENTS.reader),
      writer: credentialsOf(MACHINE_CLIENTS.writer),
      noPermissions: credentialsOf(MACHINE_CLIENTS.noPermissions),
      orgMember: credentialsOf(MACHINE_CLIENTS.orgMember),
      web: { ...WEB_CLIENT },
    },
    users: { alice: userCredentials(USERS.alice), bob: userCredentials(USERS.bob) },
    organizations: [...ORGANIZATIONS],
    get signingKeyId() {
      return (keys[0] as SigningKey).kid;
    },
    get publishedKeyIds() {
      return keys.map((key) => key.kid);
    },
    getClientCredentialsToken(request) {
      const clientSecret = request.clientSecret ?? secretOf(request.clientId) ?? '';
      return postTokenRequest(
        tokenEndpoint,
        {
          grant_type: 'client_credentials',
          resource: request.resource,
          scope: request.scope,
          organization_id: request.organizationId,
        },
        { clientId: request.clientId, clientSecret },
      );
    },
    getUserToken(request) {
      const known = Object.hasOwn(USERS, request.user)
        ? USERS[request.user as keyof typeof USERS]
        : undefined;
      return runAuthorizationCodeFlow({
        issuer,
        tokenEndpoint,
        clientId: WEB_CLIENT.clientId,
        redirectUri: WEB_CLIENT.redirectUri,
        username: request.user,
        password: request.password ?? known?.password ?? '',
        scope: request.scope,
        resource: request.resource,
        organizationId: request.organizationId,
      });
    },
    async rotateKeys() {
      keys = [await generateSigningKey(), ...keys];
      install();
    },
    close() {
      return new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      });
    },
  };
}
