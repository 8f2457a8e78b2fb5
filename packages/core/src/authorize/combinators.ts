import { InsufficientScopeError } from '../errors/auth-error.js';
import { MisconfigurationError } from '../errors/misconfiguration-error.js';
import type { Requirement, RequirementResult } from './requirement.js';

function checkRequirements(
  list: readonly Requirement[],
  kind: string,
): asserts list is readonly Requirement[] {
  if (list.length === 0) throw new TypeError(`tokenward: ${kind}() needs at least one requirement`);
  for (const r of list) {
    if (r === null || typeof r !== 'object' || typeof r.check !== 'function') {
      throw new TypeError(`tokenward: ${kind}() takes requirements`);
    }
  }
}

/** Every requirement must hold; evaluated in order, the first denial is returned. */
export function allOf(...requirements: Requirement[]): Requirement {
  checkRequirements(requirements, 'allOf');
  return {
    description: `all of (${requirements.map((r) => r.description).join(', ')})`,
    check(auth, request, context) {
      for (let i = 0; i < requirements.length; i++) {
        const result = (requirements[i] as Requirement).check(auth, request, context);
        if (result instanceof Promise) {
          return result.then(async (first) => {
            if (first !== undefined) return first;
            for (let j = i + 1; j < requirements.length; j++) {
              const next = await (requirements[j] as Requirement).check(auth, request, context);
              if (next !== undefined) return next;
            }
            return undefined;
          });
        }
        if (result !== undefined) return result;
      }
      return undefined;
    },
  };
}

/**
 * At least one requirement must hold; evaluated in order until one allows. When all deny, the
 * denial carries the union of the scopes the alternatives asked for.
 */
export function anyOf(...requirements: Requirement[]): Requirement {
  checkRequirements(requirements, 'anyOf');
  const description = `any of (${requirements.map((r) => r.description).join(', ')})`;
  return {
    description,
    async check(auth, request, context) {
      const denials: RequirementResult[] = [];
      for (const requirement of requirements) {
        const result = await requirement.check(auth, request, context);
        if (result === undefined) return undefined;
        denials.push(result);
      }
      // A misconfigured alternative (500) is not hidden behind a 403 blaming the client.
      const misconfigured = denials.find((d) => d instanceof MisconfigurationError);
      if (misconfigured !== undefined) return misconfigured;
      const scopes = [...new Set(denials.flatMap((d) => d?.scopes ?? []))];
      if (denials.length === 1) return denials[0];
      // Keep a code all alternatives agree on (e.g. missing_role); otherwise insufficient_scope.
      const first = denials[0]?.code ?? 'insufficient_scope';
      const code = denials.every((d) => d?.code === first) ? first : 'insufficient_scope';
      return new InsufficientScopeError(code, 'None of the alternatives is satisfied', { scopes });
    },
  };
}
