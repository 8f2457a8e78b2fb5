/**
 * Who exists on the example authorization server and what each may do — the data a Logto tenant
 * keeps in its console: API resources and their permissions, organizations and their
 * permissions, machine clients, users, memberships and roles.
 */

/** The reports API (the examples' `AUDIENCE`). */
export const REPORTS_API = 'https://api.reports.example';

/** A second API. Its tokens carry `aud` = this URI and must be refused by the reports API. */
export const OTHER_API = 'https://other.example';

/** Resource-indicator prefix of an organization token (`urn:logto:organization:<id>`). */
export const ORGANIZATION_RESOURCE_PREFIX = 'urn:logto:organization:';

/** The organizations (tenants). */
export const ORGANIZATIONS = ['org-a', 'org-b'] as const;

/** An organization id. */
export type OrganizationId = (typeof ORGANIZATIONS)[number];

/** API resources → the permissions (scopes) they define. */
export const API_RESOURCES: Readonly<Record<string, readonly string[]>> = {
  [REPORTS_API]: ['read:report', 'write:report'],
  [OTHER_API]: ['read:report'],
};

/** Permissions defined by the organization template (the same for every organization). */
export const ORGANIZATION_PERMISSIONS: readonly string[] = ['read:report', 'invite:member'];

/** Roles defined by the organization template (the same for every organization). */
export const ORGANIZATION_ROLES: readonly string[] = ['admin', 'member'];

/** A member's rights inside one organization. */
export interface Membership {
  /** Organization permissions, granted in organization tokens (`aud` = `urn:logto:organization:<id>`). */
  readonly organizationPermissions: readonly string[];
  /** API resource → permissions granted in organization-bound API tokens (`aud` = the API, `organization_id`). */
  readonly apiPermissions: Readonly<Record<string, readonly string[]>>;
  /**
   * Organization roles (from {@link ORGANIZATION_ROLES}), put in the `roles` claim of every token
   * bound to this organization: organization tokens and organization-bound API tokens.
   */
  readonly roles: readonly string[];
}

/** A machine client or a user: what it may be granted. */
export interface Principal {
  /** API resource → global permissions (tokens bound to no organization). */
  readonly permissions: Readonly<Record<string, readonly string[]>>;
  /** Organization id → membership. Not a member: absent. */
  readonly organizations: Readonly<Partial<Record<string, Membership>>>;
  /** Global roles, put in the `roles` claim of tokens bound to no organization (users only). */
  readonly roles: readonly string[];
}

/** A confidential machine-to-machine client (client credentials, `client_secret_basic`). */
export interface MachineClient extends Principal {
  readonly clientId: string;
  /** A fixed development secret: the server only listens on 127.0.0.1. */
  readonly clientSecret: string;
}

/** A user who signs in through the authorization code flow. */
export interface User extends Principal {
  /** Also the token's `sub`. */
  readonly username: string;
  /** A fixed development password. */
  readonly password: string;
}

/** The public client users sign in with (authorization code + PKCE, no secret), like a Logto SPA. */
export interface PublicClient {
  readonly clientId: string;
  /** Its only registered redirect URI (loopback, RFC 8252). Never actually served. */
  readonly redirectUri: string;
}

const none: Principal = { permissions: {}, organizations: {}, roles: [] };

/** The machine clients, by role in the examples. */
export const MACHINE_CLIENTS = {
  /** `read:report` on the reports API. */
  reader: {
    ...none,
    clientId: 'reports-reader',
    clientSecret: 'reports-reader-secret',
    permissions: { [REPORTS_API]: ['read:report'] },
  },
  /** `read:report` and `write:report` on the reports API; `read:report` on the other API. */
  writer: {
    ...none,
    clientId: 'reports-writer',
    clientSecret: 'reports-writer-secret',
    permissions: { [REPORTS_API]: ['read:report', 'write:report'], [OTHER_API]: ['read:report'] },
  },
  /** No permission on any API, member of no organization. */
  noPermissions: {
    ...none,
    clientId: 'reports-none',
    clientSecret: 'reports-none-secret',
  },
  /**
   * No global permission. Member of org-a (organization role `member`, organization
   * `read:report invite:member`; reports API `read:report`) and org-b (no organization role,
   * organization `read:report`; reports API `read:report`).
   */
  orgMember: {
    ...none,
    clientId: 'reports-org-member',
    clientSecret: 'reports-org-member-secret',
    organizations: {
      'org-a': {
        organizationPermissions: ['read:report', 'invite:member'],
        apiPermissions: { [REPORTS_API]: ['read:report'] },
        roles: ['member'],
      },
      'org-b': {
        organizationPermissions: ['read:report'],
        apiPermissions: { [REPORTS_API]: ['read:report'] },
        roles: [],
      },
    },
  },
} as const satisfies Record<string, MachineClient>;

/** The users. */
export const USERS = {
  /** Role `admin`; reports API `read:report write:report`; member of org-a (organization role `admin`, organization `read:report invite:member`, reports API `read:report`). */
  alice: {
    username: 'alice',
    password: 'alice-password',
    roles: ['admin'],
    permissions: { [REPORTS_API]: ['read:report', 'write:report'] },
    organizations: {
      'org-a': {
        organizationPermissions: ['read:report', 'invite:member'],
        apiPermissions: { [REPORTS_API]: ['read:report'] },
        roles: ['admin'],
      },
    },
  },
  /** No role; reports API `read:report`; member of org-b (organization role `member`, organization `read:report`, reports API `read:report`). */
  bob: {
    username: 'bob',
    password: 'bob-password',
    roles: [],
    permissions: { [REPORTS_API]: ['read:report'] },
    organizations: {
      'org-b': {
        organizationPermissions: ['read:report'],
        apiPermissions: { [REPORTS_API]: ['read:report'] },
        roles: ['member'],
      },
    },
  },
} as const satisfies Record<string, User>;

/** The public client for user sign-in. */
export const WEB_CLIENT: PublicClient = {
  clientId: 'reports-web',
  redirectUri: 'http://127.0.0.1/callback',
};

/** The machine client with this id, if any. */
export function findMachineClient(clientId: string): MachineClient | undefined {
  return Object.values(MACHINE_CLIENTS).find((client) => client.clientId === clientId);
}

/** The user with this username (= account id = `sub`), if any. */
export function findUser(username: string): User | undefined {
  return Object.hasOwn(USERS, username) ? USERS[username as keyof typeof USERS] : undefined;
}

/** The organization id named by an organization resource indicator, or undefined. */
export function organizationOfResource(resource: string): string | undefined {
  return resource.startsWith(ORGANIZATION_RESOURCE_PREFIX)
    ? resource.slice(ORGANIZATION_RESOURCE_PREFIX.length)
    : undefined;
}

/** Whether `id` names an existing organization. */
export function isOrganization(id: string): id is OrganizationId {
  return (ORGANIZATIONS as readonly string[]).includes(id);
}

/**
 * Every permission a resource indicator defines: an API's permissions, or the organization
 * template's for an existing organization's `urn:logto:organization:<id>`. Unknown: undefined.
 */
export function permissionsOfResource(resource: string): readonly string[] | undefined {
  const organization = organizationOfResource(resource);
  if (organization !== undefined) {
    return isOrganization(organization) ? ORGANIZATION_PERMISSIONS : undefined;
  }
  return Object.hasOwn(API_RESOURCES, resource) ? API_RESOURCES[resource] : undefined;
}
