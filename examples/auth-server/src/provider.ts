import type { JWK } from 'jose';
import Provider, {
  type AccessToken,
  type AdapterFactory,
  type CanBePromise,
  type ClientCredentials,
  type ClientMetadata,
  type Configuration,
  errors,
  type KoaContextWithOIDC,
  type JWK as OidcJwk,
  type ResourceServer,
  type TokenEndpointGrantContext,
  type UnknownObject,
} from 'oidc-provider';
import {
  findMachineClient,
  findUser,
  isOrganization,
  MACHINE_CLIENTS,
  organizationOfResource,
  type Principal,
  permissionsOfResource,
  WEB_CLIENT,
} from './directory.js';

/** The JWS algorithm of every token (ID tokens and JWT access tokens). */
export const SIGNING_ALGORITHM = 'ES256';

/** Access token lifetime, seconds. */
const ACCESS_TOKEN_TTL = 3600;

/** The extra parameter that binds a token to an organization (Logto's name). */
const ORGANIZATION_PARAM = 'organization_id';

/** Token-endpoint grants that accept `organization_id`. */
const ORGANIZATION_GRANTS = new Set(['client_credentials', 'authorization_code']);

/** What a provider is built from. */
export interface ProviderSetup {
  /** `http://127.0.0.1:<port>/oidc`. */
  readonly issuer: string;
  /** Private signing JWKs, all published; the one with `signingKid` signs. */
  readonly keys: readonly JWK[];
  /** The `kid` that signs new tokens. */
  readonly signingKid: string;
  /** Secrets signing the interaction and session cookies (kept across key rotations). */
  readonly cookieKeys: readonly string[];
  /** Storage for sessions, interactions, grants and codes (kept across key rotations). */
  readonly adapter: AdapterFactory;
}

/**
 * oidc-provider, extended by one thing: the token endpoint also accepts `organization_id` for
 * client credentials and authorization codes (Logto's parameter). oidc-provider keeps a per-grant
 * allowlist of parameters and drops every other one; `extraParams` only reaches the authorization
 * endpoint. The built-in grant handlers are kept: the constructor registers them through this
 * method, which only widens their parameter list.
 */
class OrganizationAwareProvider extends Provider {
  override registerGrantType<Params extends object = UnknownObject>(
    name: string,
    handler: (ctx: TokenEndpointGrantContext<Params>) => CanBePromise<void>,
    params?: string | readonly string[] | ReadonlySet<string>,
    duplicates?: string | readonly string[] | ReadonlySet<string>,
  ): void {
    let widened = params;
    if (ORGANIZATION_GRANTS.has(name)) {
      const list = typeof params === 'string' ? [params] : [...(params ?? [])];
      widened = new Set([...list, ORGANIZATION_PARAM]);
    }
    super.registerGrantType(name, handler, widened, duplicates);
  }
}

function stringParam(ctx: KoaContextWithOIDC, name: string): string | undefined {
  const value = ctx.oidc.params?.[name];
  return typeof value === 'string' && value !== '' ? value : undefined;
}

const nobody: Principal = { permissions: {}, organizations: {}, roles: [] };

/**
 * Whose permissions a token request is about: the machine client (client credentials) or the
 * signed-in user (authorization code). Undefined outside the token endpoint: at the
 * authorization endpoint nobody has signed in yet, so the whole resource is offered and the
 * token endpoint narrows it down.
 */
function principalOf(ctx: KoaContextWithOIDC, clientId: string): Principal | undefined {
  if (ctx.oidc.route !== 'token') return undefined;
  if (stringParam(ctx, 'grant_type') === 'client_credentials') {
    return findMachineClient(clientId) ?? nobody;
  }
  const accountId = ctx.oidc.account?.accountId;
  return (accountId === undefined ? undefined : findUser(accountId)) ?? nobody;
}

/** One error for an unknown organization and a non-member, so ids cannot be probed. */
function organizationDenied(): errors.InvalidTarget {
  return new errors.InvalidTarget('the organization does not exist or you are not a member of it');
}

/**
 * `features.resourceIndicators.getResourceServerInfo`: which scopes a token for this resource
 * may carry. oidc-provider issues `requested ∩ returned scope`, so returning only the principal's
 * permissions is what keeps a client from getting scopes it was not granted (the rest are
 * silently dropped, as Logto does). Unknown resources and organization misuse: `invalid_target`.
 */
function resourceServerInfo(signingKid: string) {
  return (ctx: KoaContextWithOIDC, indicator: string, client: { clientId: string }) => {
    const all = permissionsOfResource(indicator);
    const organizationInUrn = organizationOfResource(indicator);
    if (all === undefined) {
      throw organizationInUrn === undefined ? new errors.InvalidTarget() : organizationDenied();
    }
    const requestedOrganization = stringParam(ctx, ORGANIZATION_PARAM);
    const principal = principalOf(ctx, client.clientId);
    let scope: readonly string[] = all;
    if (organizationInUrn !== undefined) {
      // Organization token: aud = urn:logto:organization:<id>, organization permissions.
      if (requestedOrganization !== undefined && requestedOrganization !== organizationInUrn) {
        throw new errors.InvalidRequest('organization_id does not match the resource');
      }
      if (principal !== undefined) {
        const membership = principal.organizations[organizationInUrn];
        if (membership === undefined) throw organizationDenied();
        scope = membership.organizationPermissions;
      }
    } else if (requestedOrganization !== undefined) {
      // Organization-bound API token: aud = the API, organization_id claim, API permissions
      // granted inside that organization.
      if (!isOrganization(requestedOrganization)) throw organizationDenied();
      if (principal !== undefined) {
        const membership = principal.organizations[requestedOrganization];
        if (membership === undefined) throw organizationDenied();
        scope = membership.apiPermissions[indicator] ?? [];
      }
    } else if (principal !== undefined) {
      scope = principal.permissions[indicator] ?? [];
    }
    const info: ResourceServer = {
      scope: scope.join(' '),
      audience: indicator,
      accessTokenTTL: ACCESS_TOKEN_TTL,
      accessTokenFormat: 'jwt',
      jwt: { sign: { alg: SIGNING_ALGORITHM, kid: signingKid } },
    };
    return info;
  };
}

/**
 * `extraTokenClaims`: `organization_id` on organization-bound API tokens (membership was checked
 * by getResourceServerInfo); `roles`: on a token bound to an organization (organization token or
 * organization-bound API token), the principal's roles in that organization — never its global
 * ones; on a user token bound to no organization, the user's global roles. Organization tokens
 * name their organization in `aud` only.
 */
function extraTokenClaims(ctx: KoaContextWithOIDC, token: AccessToken | ClientCredentials) {
  const audience = token.resourceServer?.audience;
  if (audience === undefined) return undefined;
  const claims: Record<string, unknown> = {};
  const organization = stringParam(ctx, ORGANIZATION_PARAM);
  const organizationInUrn = organizationOfResource(audience);
  if (organization !== undefined && organizationInUrn === undefined) {
    claims.organization_id = organization;
  }
  const boundTo = organizationInUrn ?? organization;
  const accountId = 'accountId' in token ? token.accountId : undefined;
  const user = accountId === undefined ? undefined : findUser(accountId);
  const principal: Principal | undefined =
    user ?? (accountId === undefined ? findMachineClient(token.clientId ?? '') : undefined);
  const roles =
    boundTo === undefined ? (user?.roles ?? []) : (principal?.organizations[boundTo]?.roles ?? []);
  if (roles.length > 0) claims.roles = [...roles];
  return Object.keys(claims).length === 0 ? undefined : claims;
}

function clientMetadata(): ClientMetadata[] {
  const machines = Object.values(MACHINE_CLIENTS).map(
    (client): ClientMetadata => ({
      client_id: client.clientId,
      client_secret: client.clientSecret,
      grant_types: ['client_credentials'],
      response_types: [],
      redirect_uris: [],
      token_endpoint_auth_method: 'client_secret_basic',
    }),
  );
  const web: ClientMetadata = {
    client_id: WEB_CLIENT.clientId,
    application_type: 'native',
    token_endpoint_auth_method: 'none',
    grant_types: ['authorization_code'],
    response_types: ['code'],
    redirect_uris: [WEB_CLIENT.redirectUri],
  };
  return [...machines, web];
}

/**
 * A new oidc-provider configured the way Logto uses it: resource indicators (RFC 8707) with JWT
 * access tokens (`typ: at+jwt`, ES256), client credentials for machine clients, authorization
 * code + PKCE for users (interactions at `/interaction/:uid`, outside the issuer path),
 * `organization_id` as an extra parameter, organization tokens as the resource indicator
 * `urn:logto:organization:<id>`.
 */
export function createProvider(setup: ProviderSetup): Provider {
  const configuration: Configuration = {
    adapter: setup.adapter,
    clients: clientMetadata(),
    jwks: { keys: setup.keys.map((key) => ({ ...key })) as OidcJwk[] },
    cookies: { keys: [...setup.cookieKeys] },
    clientDefaults: { id_token_signed_response_alg: SIGNING_ALGORITHM },
    features: {
      devInteractions: { enabled: false },
      clientCredentials: { enabled: true },
      resourceIndicators: {
        enabled: true,
        // No resource requested: no audience, so oidc-provider issues an opaque token (usable at
        // its userinfo endpoint only). Several granted: the client must pick one.
        defaultResource: (_ctx, _client, oneOf) => oneOf,
        useGrantedResource: () => false,
        getResourceServerInfo: resourceServerInfo(setup.signingKid),
      },
    },
    extraParams: [ORGANIZATION_PARAM],
    extraTokenClaims,
    findAccount: (_ctx, id) => {
      const user = findUser(id);
      if (user === undefined) return undefined;
      return { accountId: user.username, claims: () => ({ sub: user.username }) };
    },
    interactions: { url: (_ctx, interaction) => `/interaction/${interaction.uid}` },
    ttl: {
      AccessToken: ACCESS_TOKEN_TTL,
      AuthorizationCode: 60,
      ClientCredentials: ACCESS_TOKEN_TTL,
      Grant: 3600,
      IdToken: 3600,
      Interaction: 600,
      Session: 3600,
    },
  };
  return new OrganizationAwareProvider(setup.issuer, configuration);
}
