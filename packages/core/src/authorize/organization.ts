import type { TokenRequest } from '../bearer/token-request.js';
import { InsufficientScopeError } from '../errors/auth-error.js';
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
 */
export function organization(source: OrganizationSource): Requirement {
  let read: (request: TokenRequest) => unknown;
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
