import type {
  AuthZenAction,
  AuthZenEvaluation,
  AuthZenProperties,
  AuthZenResource,
  AuthZenSubject,
} from '../authzen/authzen-types.js';
import { PdpUnavailableError } from '../authzen/pdp-unavailable-error.js';
import { PolicyDecisionPoint } from '../authzen/policy-decision-point.js';
import type { TokenRequest } from '../bearer/token-request.js';
import { InsufficientScopeError } from '../errors/auth-error.js';
import type { AuthContext } from '../verify/auth-context.js';
import type { Requirement, RequirementResult } from './requirement.js';

/** A value, or a typed function of the request and the verified identity giving it. */
export type FromRequest<T, Raw = unknown> =
  | T
  | ((request: TokenRequest<Raw>, auth: AuthContext) => T | Promise<T>);

/** What one PDP evaluation asks, beside the subject (taken from the verified identity). */
export interface PermissionSpec<Raw = unknown> {
  /** The action: a name (`'read'`) or `{ name, properties }`, or a function of the request. */
  readonly action: FromRequest<string | AuthZenAction, Raw>;
  /** The resource, usually from route parameters: `(req) => ({ type: 'document', id: ... })`. */
  readonly resource: FromRequest<AuthZenResource, Raw>;
  /** The evaluation context (e.g. `{ method }`). Default: none. */
  readonly context?: FromRequest<AuthZenProperties, Raw>;
}

function denied(cause?: unknown) {
  return new InsufficientScopeError(
    'permission_denied',
    'The request is not allowed',
    cause === undefined ? undefined : { cause },
  );
}

/**
 * The default subject: `{ type: 'user', id: sub }` (also for machine tokens, whose `sub` is the
 * client), or `{ type: 'client', id: client_id }` for a token without `sub`; with `properties`
 * `roles`, `scopes`, `client_id` and `organization_id` as the token has them.
 */
export function defaultSubject(auth: AuthContext): AuthZenSubject {
  const properties: Record<string, unknown> = { roles: [...auth.roles], scopes: [...auth.scopes] };
  if (auth.clientId !== undefined) properties.client_id = auth.clientId;
  if (auth.organizationId !== undefined) properties.organization_id = auth.organizationId;
  if (auth.subject !== undefined) return { type: 'user', id: auth.subject, properties };
  return { type: 'client', id: auth.clientId ?? '', properties };
}

async function resolved<T>(source: FromRequest<T>, request: TokenRequest, auth: AuthContext) {
  return typeof source === 'function'
    ? (source as (r: TokenRequest, a: AuthContext) => T | Promise<T>)(request, auth)
    : source;
}

const named = (v: unknown, key: string) =>
  v !== null &&
  typeof v === 'object' &&
  typeof (v as Record<string, unknown>)[key] === 'string' &&
  (v as Record<string, string>)[key] !== '';

async function evaluationOf(
  spec: PermissionSpec,
  subject: AuthZenSubject,
  request: TokenRequest,
  auth: AuthContext,
): Promise<AuthZenEvaluation> {
  const rawAction = await resolved(spec.action, request, auth);
  const action = typeof rawAction === 'string' ? { name: rawAction } : rawAction;
  const resource = await resolved(spec.resource, request, auth);
  const context =
    spec.context === undefined ? undefined : await resolved(spec.context, request, auth);
  if (!named(action, 'name')) throw new TypeError('permission(): the action has no name');
  if (!named(resource, 'type') || !named(resource, 'id')) {
    throw new TypeError('permission(): the resource needs a non-empty type and id');
  }
  return context === undefined
    ? { subject, action, resource }
    : { subject, action, resource, context };
}

function checkSpec(spec: PermissionSpec, i: number): void {
  const where = `tokenward: permission() evaluation ${i + 1}`;
  if (spec === null || typeof spec !== 'object')
    throw new TypeError(`${where} must be { action, resource, context? }`);
  const action = spec.action;
  if (
    !(
      typeof action === 'function' ||
      (typeof action === 'string' && action !== '') ||
      named(action, 'name')
    )
  ) {
    throw new TypeError(`${where}: action must be a non-empty name, { name }, or a function`);
  }
  if (
    !(
      typeof spec.resource === 'function' ||
      (named(spec.resource, 'type') && named(spec.resource, 'id'))
    )
  ) {
    throw new TypeError(`${where}: resource must be { type, id } or a function of the request`);
  }
}

/**
 * Ask an AuthZEN policy decision point: allowed only when it permits every evaluation (several
 * are sent as one batch where the PDP supports it). Deny → 403 `permission_denied`; a PDP that
 * cannot be asked → 503 `pdp_unavailable` (or 403 with `failMode: 'deny'`); never allowed then.
 */
export function permission<Raw = unknown>(
  pdp: PolicyDecisionPoint,
  ...specs: PermissionSpec<Raw>[]
): Requirement {
  if (!(pdp instanceof PolicyDecisionPoint)) {
    throw new TypeError('tokenward: permission() needs a PDP from policyDecisionPoint() first');
  }
  if (specs.length === 0)
    throw new TypeError('tokenward: permission() needs at least one { action, resource }');
  for (const [i, spec] of specs.entries()) checkSpec(spec as PermissionSpec, i);
  const describe = (a: unknown) =>
    typeof a === 'string' ? a : named(a, 'name') ? (a as AuthZenAction).name : 'action';
  const description = `permission ${specs.map((s) => describe(s.action)).join(', ')} (AuthZEN)`;
  const subjectOf = pdp.options.subject ?? defaultSubject;
  return {
    description,
    async check(auth, request): Promise<RequirementResult> {
      let evaluations: AuthZenEvaluation[];
      try {
        const subject = subjectOf(auth);
        if (!named(subject, 'type') || !named(subject, 'id')) return denied();
        const req = request ?? { authorization: undefined };
        evaluations = await Promise.all(
          specs.map((spec) => evaluationOf(spec as PermissionSpec, subject, req, auth)),
        );
      } catch (cause) {
        return denied(cause);
      }
      let decisions: readonly boolean[];
      try {
        decisions = await pdp.evaluate(evaluations);
      } catch (cause) {
        return pdp.options.failMode === 'deny'
          ? denied(cause)
          : new PdpUnavailableError(undefined, { cause });
      }
      return decisions.every((decision) => decision === true) ? undefined : denied();
    },
  };
}
