import type { TokenRequest } from '../bearer/token-request.js';
import { InsufficientScopeError } from '../errors/auth-error.js';
import { MisconfigurationError } from '../errors/misconfiguration-error.js';
import { quoteValue } from '../report/quote-value.js';
import type { Requirement } from './requirement.js';

/** Where the request names its organization. */
export type OrganizationSource =
  | {
      /** Route parameter holding the organization id, e.g. `'orgId'` for `/orgs/:orgId/...`. */
      param: string;
    }
  | {
      /** Read the organization id from the request yourself (header, host, ...). */
      from: (request: TokenRequest) => string | undefined;
    };

/**
 * The organization named by the request must equal the one the token is bound to (exact string
 * match of the decoded route parameter; no case folding, no trimming). A token bound to no
 * organization, or a request naming none, is refused (403).
 *
 * With `{ param }`, a route that has no such parameter (`params` lacks the name, or the request
 * has no route parameters at all) is a server misconfiguration — a typo in the name, or a router
 * that does not see its parent's parameters: 500 `route_param_missing` for every request, with the
 * parameter named in the logged error, rather than a 403 blaming the client.
 */
export function organization(source: OrganizationSource): Requirement {
  let read: (request: TokenRequest) => unknown;
  let misconfigured: (request: TokenRequest | undefined) => MisconfigurationError | undefined =
    () => undefined;
  let label: string;
  if (source !== null && typeof source === 'object' && 'param' in source) {
    const name = source.param;
    if (typeof name !== 'string' || name === '') {
      throw new TypeError('tokenward: organization({ param }) needs a parameter name');
    }
    read = (request) => {
      const params = request.params;
      return params !== undefined && Object.hasOwn(params, name) ? params[name] : undefined;
    };
    misconfigured = (request) => {
      const params = request?.params;
      if (params !== undefined && params !== null && Object.hasOwn(params, name)) return undefined;
      // An optional parameter the route declares but this URL leaves out: the request names no
      // organization (403 below), the route is fine.
      if (declaresParam(request?.route?.(), name)) return undefined;
      return missingParam(name, params);
    };
    label = `:${name}`;
  } else if (source !== null && typeof source === 'object' && typeof source.from === 'function') {
    read = source.from;
    label = 'custom';
  } else {
    throw new TypeError('tokenward: organization() needs { param } or { from }');
  }
  return {
    description: `organization ${label}`,
    check(auth, request) {
      const wrongRoute = misconfigured(request);
      if (wrongRoute !== undefined) return wrongRoute;
      if (auth.organizationId === undefined) {
        return new InsufficientScopeError(
          'organization_required',
          'A token bound to an organization is required',
        );
      }
      let wanted: unknown;
      try {
        wanted = request === undefined ? undefined : read(request);
      } catch (cause) {
        return new InsufficientScopeError(
          'organization_mismatch',
          'The request names no organization the token is bound to',
          { cause },
        );
      }
      if (typeof wanted !== 'string' || wanted !== auth.organizationId) {
        return new InsufficientScopeError(
          'organization_mismatch',
          'The token is bound to another organization',
        );
      }
      return undefined;
    },
  };
}

/**
 * Whether a route pattern declares the parameter `name` (`:name`, `:"name"`, optional or not).
 * Run only when the parameter is missing from the request (never on the allowed path).
 */
export function declaresParam(pattern: unknown, name: string): boolean {
  if (typeof pattern !== 'string') return false;
  for (const marker of [`:${name}`, `:"${name}"`]) {
    let at = pattern.indexOf(marker);
    while (at !== -1) {
      const next = pattern.charAt(at + marker.length);
      if (next === '' || !/[\w$]/.test(next)) return true;
      at = pattern.indexOf(marker, at + 1);
    }
  }
  return false;
}

/** Route parameter names quoted in the logged error, at most. */
const MAX_NAMES = 20;

function missingParam(
  name: string,
  params: Readonly<Record<string, unknown>> | null | undefined,
): MisconfigurationError {
  const present = params === undefined || params === null ? undefined : Object.keys(params);
  const listed =
    present === undefined
      ? 'the request has no route parameters'
      : present.length === 0
        ? 'the route has no parameters'
        : `its parameters: ${present.slice(0, MAX_NAMES).map(quoteValue).join(', ')}`;
  return new MisconfigurationError(
    'route_param_missing',
    `requireOrganization({ param: ${quoteValue(name)} }) reads the route parameter ` +
      `${quoteValue(name)}, which this route does not have (${listed}). Fix the name in the ` +
      'guard or in the route pattern; a router mounted under the parameter must see its ' +
      "parent's parameters (Express: Router({ mergeParams: true })).",
    { param: name, routeParams: present?.slice(0, MAX_NAMES) },
  );
}
