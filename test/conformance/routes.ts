/**
 * The route spec every conformance app mounts, and the contract an app factory implements.
 *
 * Framework-free and runtime-agnostic (no `node:` imports): an app factory for another framework
 * or runtime (NestJS on Express/Fastify, Hono on Bun/Deno/workerd) imports this file, turns each
 * {@link MountSpec} into one tokenward configuration of its adapter and each {@link RouteSpec}
 * into a route guarded with that adapter's own guards (see {@link guardsFor}), and answers with
 * {@link handlerCall} from the route handler.
 */
import {
  type AuthContext,
  allOf,
  anyOf,
  type ClaimMatcher,
  type PermissionSpec,
  type PolicyDecisionPoint,
  type PolicyFunction,
  policyDecisionPoint,
  type Requirement,
  roles,
  scopes,
  type TokenwardOptions,
} from '@tokenward/core';

// ---------------------------------------------------------------------------------------------
// The contract of an app factory (one file under `apps/`, default export).
// ---------------------------------------------------------------------------------------------

/** Request header carrying the per-request id under which the handler records its call. */
export const CASE_HEADER = 'x-case';

/** What a route handler saw. Also the JSON body every handler answers with (same key order). */
export interface HandlerCall {
  /** Route pattern including the mount prefix, e.g. `/orgs/:orgId/reports`. */
  readonly route: string;
  /** Whether the adapter attached a verified identity (`req.auth`, `request.auth`, `c.var.auth`). */
  readonly authenticated: boolean;
  /** `auth.subject`, or null. */
  readonly subject: string | null;
  /** `auth.organizationId`, or null. */
  readonly organizationId: string | null;
}

/** Where the test reads which handlers ran. May be async (an app in another process/runtime). */
export interface HandlerCallLog {
  get(caseId: string): HandlerCall | undefined | Promise<HandlerCall | undefined>;
}

/** A running conformance app. */
export interface ConformanceApp {
  /** Origin of a real HTTP server on 127.0.0.1, e.g. `http://127.0.0.1:41234`. */
  readonly url: string;
  /** Handler calls, keyed by the {@link CASE_HEADER} value of the request. */
  readonly handlerCalls: HandlerCallLog;
  /** Stop the server (idempotent). */
  close(): Promise<void>;
}

/**
 * What every file under `apps/` exports as `default` (one factory, or an array of them — e.g.
 * NestJS on its Express and Fastify platforms).
 */
export interface AppFactory {
  /** Shown in test names, e.g. `express`, `hono-node`, `nestjs-fastify`. */
  readonly name: string;
  /**
   * Rows whose situation cannot be expressed with this adapter's model, by case name, with the
   * reason (e.g. NestJS's global guard always authenticates first, so an authorization guard
   * without authentication — `/no-auth` — cannot be built). Those rows are skipped, loudly.
   */
  readonly notApplicable?: Readonly<Record<string, string>>;
  /**
   * Build an app with one tokenward configuration per mount, mount every route under its prefix
   * with the adapter's idiomatic guards, and listen on 127.0.0.1 on a random port. `mounts` is
   * `buildMounts(env)`; an app running in another process or runtime gets `env` (plain JSON)
   * across and calls {@link buildMounts} there, since routes hold functions (policy, requirement).
   */
  start(mounts: readonly MountSpec[], env: MountEnv): Promise<ConformanceApp>;
}

// ---------------------------------------------------------------------------------------------
// The route spec.
// ---------------------------------------------------------------------------------------------

/** One guard of a route's chain, named after the adapter method it maps to. */
export type GuardSpec =
  | { readonly guard: 'requireAuth'; readonly optional?: boolean }
  | { readonly guard: 'requireScope'; readonly names: readonly string[] }
  | { readonly guard: 'requireAnyScope'; readonly names: readonly string[] }
  | { readonly guard: 'requireRole'; readonly names: readonly string[] }
  | { readonly guard: 'requireAnyRole'; readonly names: readonly string[] }
  | { readonly guard: 'requireOrganization'; readonly param: string }
  | { readonly guard: 'requireOrgScope'; readonly names: readonly string[] }
  | { readonly guard: 'requireOrgRole'; readonly names: readonly string[] }
  | { readonly guard: 'requireAnyOrgRole'; readonly names: readonly string[] }
  | { readonly guard: 'requireClaim'; readonly name: string; readonly matcher: ClaimMatcher }
  | { readonly guard: 'requirePolicy'; readonly policy: PolicyFunction; readonly label: string }
  | { readonly guard: 'require'; readonly requirement: Requirement }
  | {
      readonly guard: 'requirePermission';
      readonly pdp: PolicyDecisionPoint;
      readonly specs: readonly PermissionSpec[];
    };

/** HTTP methods used by the table. */
export type Method = 'GET' | 'POST';

/** One route: a path (Express/Fastify/Hono `:param` syntax) and its guard chain, in order. */
export interface RouteSpec {
  readonly path: string;
  readonly methods: readonly Method[];
  readonly guards: readonly GuardSpec[];
}

/** One tokenward configuration and the routes mounted under its prefix. */
export interface MountSpec {
  /** For messages only. */
  readonly name: string;
  /** `''` or a path prefix such as `/down`. */
  readonly prefix: string;
  /** Core options (plain data). */
  readonly options: TokenwardOptions;
  readonly routes: readonly RouteSpec[];
}

/** The guard methods every adapter offers (the core `GuardSet` plus `requireAuth`). */
export interface AdapterGuards<G> {
  requireAuth(options?: { optional?: boolean }): G;
  require(requirement: Requirement): G;
  requireScope(...names: string[]): G;
  requireAnyScope(...names: string[]): G;
  requireRole(...names: string[]): G;
  requireAnyRole(...names: string[]): G;
  requireOrganization(source: { param: string }): G;
  requireOrgScope(...names: string[]): G;
  requireOrgRole(...names: string[]): G;
  requireAnyOrgRole(...names: string[]): G;
  requireClaim(name: string, matcher: ClaimMatcher): G;
  requirePolicy(fn: PolicyFunction, description?: string): G;
  requirePermission(pdp: PolicyDecisionPoint, ...specs: PermissionSpec[]): G;
}

/** Build a route's guard chain with an adapter's own guard methods. */
export function guardsFor<G>(tw: AdapterGuards<G>, route: RouteSpec): G[] {
  return route.guards.map((spec) => guardFor(tw, spec));
}

function guardFor<G>(tw: AdapterGuards<G>, spec: GuardSpec): G {
  switch (spec.guard) {
    case 'requireAuth':
      return spec.optional === true ? tw.requireAuth({ optional: true }) : tw.requireAuth();
    case 'requireScope':
      return tw.requireScope(...spec.names);
    case 'requireAnyScope':
      return tw.requireAnyScope(...spec.names);
    case 'requireRole':
      return tw.requireRole(...spec.names);
    case 'requireAnyRole':
      return tw.requireAnyRole(...spec.names);
    case 'requireOrganization':
      return tw.requireOrganization({ param: spec.param });
    case 'requireOrgScope':
      return tw.requireOrgScope(...spec.names);
    case 'requireOrgRole':
      return tw.requireOrgRole(...spec.names);
    case 'requireAnyOrgRole':
      return tw.requireAnyOrgRole(...spec.names);
    case 'requireClaim':
      return tw.requireClaim(spec.name, spec.matcher);
    case 'requirePolicy':
      return tw.requirePolicy(spec.policy, spec.label);
    case 'require':
      return tw.require(spec.requirement);
    case 'requirePermission':
      return tw.requirePermission(spec.pdp, ...spec.specs);
  }
  throw new Error(`unknown guard ${JSON.stringify(spec satisfies never)}`);
}

/** What a handler records and answers, from the identity its adapter attached (or not). */
export function handlerCall(
  mount: MountSpec,
  route: RouteSpec,
  auth: AuthContext | null | undefined,
): HandlerCall {
  return {
    route: `${mount.prefix}${route.path}`,
    authenticated: auth !== null && auth !== undefined,
    subject: auth?.subject ?? null,
    organizationId: auth?.organizationId ?? null,
  };
}

/** An in-process {@link HandlerCallLog} the route handlers write to. */
export class CallLog implements HandlerCallLog {
  readonly #calls = new Map<string, HandlerCall>();

  /** Record a call under the request's {@link CASE_HEADER} value (ignored when absent). */
  record(caseId: string | undefined, call: HandlerCall): void {
    if (caseId !== undefined && caseId !== '') this.#calls.set(caseId, call);
  }

  get(caseId: string): HandlerCall | undefined {
    return this.#calls.get(caseId);
  }
}

const requireAuth: GuardSpec = { guard: 'requireAuth' };

/** The request's organization (`:orgId`) must be the token's. */
const orgParam: GuardSpec = { guard: 'requireOrganization', param: 'orgId' };

/** The custom policy of `/policy`: only user-123 (async on purpose). */
const onlyUser123: PolicyFunction = async (auth) => auth.subject === 'user-123';

/** The routes of the main configuration. */
export const MAIN_ROUTES: readonly RouteSpec[] = [
  { path: '/public', methods: ['GET'], guards: [] },
  { path: '/auth', methods: ['GET', 'POST'], guards: [requireAuth] },
  { path: '/optional', methods: ['GET'], guards: [{ guard: 'requireAuth', optional: true }] },
  {
    path: '/scope',
    methods: ['GET'],
    guards: [requireAuth, { guard: 'requireScope', names: ['read:report'] }],
  },
  {
    path: '/scopes',
    methods: ['GET'],
    guards: [requireAuth, { guard: 'requireScope', names: ['read:report', 'write:report'] }],
  },
  {
    path: '/any-scope',
    methods: ['GET'],
    guards: [requireAuth, { guard: 'requireAnyScope', names: ['read:report', 'admin:all'] }],
  },
  {
    path: '/role',
    methods: ['GET'],
    guards: [requireAuth, { guard: 'requireRole', names: ['admin'] }],
  },
  {
    path: '/orgs/:orgId/reports',
    methods: ['GET'],
    guards: [
      requireAuth,
      { guard: 'requireOrganization', param: 'orgId' },
      { guard: 'requireOrgScope', names: ['read:report'] },
    ],
  },
  {
    path: '/any-role',
    methods: ['GET'],
    guards: [requireAuth, { guard: 'requireAnyRole', names: ['owner', 'admin'] }],
  },
  {
    path: '/orgs/:orgId/admin',
    methods: ['GET'],
    guards: [requireAuth, orgParam, { guard: 'requireOrgRole', names: ['admin'] }],
  },
  {
    path: '/orgs/:orgId/manage',
    methods: ['GET'],
    guards: [requireAuth, orgParam, { guard: 'requireAnyOrgRole', names: ['owner', 'admin'] }],
  },
  // The organization role guard alone (no organization parameter): it requires a bound token.
  {
    path: '/org-role',
    methods: ['GET'],
    guards: [requireAuth, { guard: 'requireOrgRole', names: ['admin'] }],
  },
  {
    path: '/org-scope',
    methods: ['GET'],
    guards: [requireAuth, { guard: 'requireOrgScope', names: ['invite:member'] }],
  },
  {
    path: '/claim',
    methods: ['GET'],
    guards: [requireAuth, { guard: 'requireClaim', name: 'tier', matcher: { equals: 'pro' } }],
  },
  {
    path: '/policy',
    methods: ['GET'],
    guards: [requireAuth, { guard: 'requirePolicy', policy: onlyUser123, label: 'only user-123' }],
  },
  {
    path: '/composite',
    methods: ['GET'],
    guards: [
      requireAuth,
      {
        guard: 'require',
        requirement: anyOf(scopes('admin:all'), allOf(roles('editor'), scopes('read:report'))),
      },
    ],
  },
  // An authorization guard without requireAuth: must fail closed (401), even with a valid token.
  {
    path: '/no-auth',
    methods: ['GET'],
    guards: [{ guard: 'requireScope', names: ['read:report'] }],
  },
];

/**
 * Routes of the `rbac` configuration: a global role map and an organization template that give
 * the same role name (`admin`) different permissions, and a template that does not define `owner`.
 */
const RBAC_ROUTES: readonly RouteSpec[] = [
  {
    path: '/scope',
    methods: ['GET'],
    guards: [requireAuth, { guard: 'requireScope', names: ['read:report'] }],
  },
  {
    path: '/orgs/:orgId/reports',
    methods: ['GET'],
    guards: [requireAuth, orgParam, { guard: 'requireOrgScope', names: ['read:report'] }],
  },
  {
    path: '/orgs/:orgId/admin',
    methods: ['GET'],
    guards: [requireAuth, orgParam, { guard: 'requireOrgRole', names: ['admin'] }],
  },
  {
    path: '/orgs/:orgId/owner',
    methods: ['GET'],
    guards: [requireAuth, orgParam, { guard: 'requireOrgRole', names: ['owner'] }],
  },
  {
    path: '/orgs/:orgId/manage',
    methods: ['GET'],
    guards: [requireAuth, orgParam, { guard: 'requireAnyOrgRole', names: ['owner', 'admin'] }],
  },
];

/** Routes of the configurations whose key server is broken. */
const KEYLESS_ROUTES: readonly RouteSpec[] = [
  { path: '/auth', methods: ['GET'], guards: [requireAuth] },
  {
    path: '/scope',
    methods: ['GET'],
    guards: [requireAuth, { guard: 'requireScope', names: ['read:report'] }],
  },
];

/** What the configurations depend on: plain JSON, made by the test from its fixture. */
export interface MountEnv {
  /** `iss` of the trusted issuer (discovery and JWKS served on 127.0.0.1). */
  readonly trustedIssuer: string;
  /** `iss` of the issuer whose JWKS answers 500. */
  readonly faultyIssuer: string;
  /** The API's resource indicator. */
  readonly audience: string;
  /** A JWKS URL on a closed port of 127.0.0.1. */
  readonly closedJwksUri: string;
  /**
   * Base URL of the test's AuthZEN PDP on 127.0.0.1 (`../helpers/tiny-pdp.ts`); without it (and
   * {@link closedPdpUrl}) the PDP configurations are not mounted.
   */
  readonly pdpUrl?: string;
  /** A PDP URL on a closed port of 127.0.0.1. */
  readonly closedPdpUrl?: string;
}

/**
 * Every configuration:
 *
 * - `main` (no prefix): the trusted issuer, keys found by discovery, organization tokens on,
 *   header tokens only, no realm;
 * - `query` (`/query`): the same with `tokenLocations.query` on;
 * - `rbac` (`/rbac`): the trusted issuer with RBAC maps — global `admin` grants `read:report`,
 *   organization `admin` grants `invite:member` and `member` grants `read:report`; the
 *   organization template defines no `owner`;
 * - `down` (`/down`): the trusted issuer with its `jwksUri` on a closed port of 127.0.0.1;
 * - `faulty` (`/faulty`): another issuer whose JWKS answers 500.
 */
export function buildMounts(env: MountEnv): MountSpec[] {
  const { audience, trustedIssuer: issuer } = env;
  return [
    {
      name: 'main',
      prefix: '',
      options: { issuer, audience, organizationTokens: true },
      routes: MAIN_ROUTES,
    },
    {
      name: 'query',
      prefix: '/query',
      options: {
        issuer,
        audience,
        organizationTokens: true,
        tokenLocations: { query: true },
      },
      routes: [{ path: '/auth', methods: ['GET'], guards: [requireAuth] }],
    },
    {
      name: 'rbac',
      prefix: '/rbac',
      options: {
        issuer,
        audience,
        organizationTokens: true,
        rbac: {
          roles: { admin: ['read:report'] },
          organizationRoles: { admin: ['invite:member'], member: ['read:report'] },
        },
      },
      routes: RBAC_ROUTES,
    },
    {
      name: 'down',
      prefix: '/down',
      options: { issuer, audience, jwksUri: env.closedJwksUri },
      routes: KEYLESS_ROUTES,
    },
    {
      name: 'faulty',
      prefix: '/faulty',
      options: { issuer: env.faultyIssuer, audience },
      routes: KEYLESS_ROUTES,
    },
    ...misconfiguredMounts(env),
    ...pdpMounts(env),
  ];
}

/** `GET /documents/:id` of EXAMPLES.md: read the document named by the route parameter. */
const readDocument: PermissionSpec = {
  action: 'read',
  resource: (request) => ({ type: 'document', id: String(request.params?.id ?? '') }),
};

/**
 * Configurations asking an AuthZEN PDP (the tiny PDP: `public-*` and `own-<sub>` documents are
 * readable, ids `fault-*` stage PDP faults):
 * - `pdp` (`/pdp`): `/documents/:id` (one evaluation) and `/pair/:id` (that document and
 *   `public-0`, one batch request);
 * - `pdp-down` (`/pdp-down`): the same route with the PDP on a closed port (no retries).
 */
function pdpMounts(env: MountEnv): MountSpec[] {
  const { audience, trustedIssuer: issuer, pdpUrl, closedPdpUrl } = env;
  if (pdpUrl === undefined || closedPdpUrl === undefined) return [];
  const pdp = policyDecisionPoint({ url: pdpUrl });
  const down = policyDecisionPoint({ url: closedPdpUrl, retries: 0 });
  const pair: PermissionSpec = { action: 'read', resource: { type: 'document', id: 'public-0' } };
  return [
    {
      name: 'pdp',
      prefix: '/pdp',
      options: { issuer, audience },
      routes: [
        {
          path: '/documents/:id',
          methods: ['GET'],
          guards: [requireAuth, { guard: 'requirePermission', pdp, specs: [readDocument] }],
        },
        {
          path: '/pair/:id',
          methods: ['GET'],
          guards: [requireAuth, { guard: 'requirePermission', pdp, specs: [readDocument, pair] }],
        },
      ],
    },
    {
      name: 'pdp-down',
      prefix: '/pdp-down',
      options: { issuer, audience },
      routes: [
        {
          path: '/documents/:id',
          methods: ['GET'],
          guards: [requireAuth, { guard: 'requirePermission', pdp: down, specs: [readDocument] }],
        },
      ],
    },
  ];
}

/**
 * Configurations that are wrong on the server side:
 * - `misnamed` (`/misnamed`): an organization guard reading `orgID` on a route with `:orgId`
 *   (500 `server_error`, never a 401/403);
 * - `slashed` (`/slashed`): the trusted issuer configured with a trailing slash, so discovery
 *   names another issuer (tokens minted with that `iss` reach the key set): the ordinary key-set
 *   503 with `Retry-After`, never a 500 (reported to the operator, not the client).
 */
function misconfiguredMounts(env: MountEnv): MountSpec[] {
  const { audience, trustedIssuer: issuer } = env;
  return [
    {
      name: 'misnamed',
      prefix: '/misnamed',
      options: { issuer, audience, organizationTokens: true },
      routes: [
        {
          path: '/orgs/:orgId/reports',
          methods: ['GET'],
          guards: [requireAuth, { guard: 'requireOrganization', param: 'orgID' }],
        },
      ],
    },
    {
      name: 'slashed',
      prefix: '/slashed',
      options: { issuer: `${issuer}/`, audience },
      routes: [{ path: '/auth', methods: ['GET'], guards: [requireAuth] }],
    },
  ];
}
