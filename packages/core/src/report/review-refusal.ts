import type { AuthError } from '../errors/auth-error.js';
import { MisconfigurationError } from '../errors/misconfiguration-error.js';
import type { ResolvedOptions } from '../verify/resolve-options.js';
import { keySetMisconfiguration, unfitKeys } from '../verify/warm-issuer.js';

/**
 * Look at a refusal for a configuration problem before it is rendered, and report it once:
 * - a key-set failure caused by configuration (discovery names another issuer, no usable key)
 *   becomes a {@link MisconfigurationError} (500, not a 503 inviting retries), logged as an error;
 * - any other {@link MisconfigurationError} (a route parameter the route lacks) is logged as an
 *   error;
 * - a `no_matching_key` or `algorithm_not_allowed` refusal while an issuer holds keys none of
 *   which fits its allowed algorithms is logged as a warning (the answer stays 401).
 * Returns the refusal to render. Costs nothing beyond a code comparison for other refusals.
 */
export function reviewRefusal(refusal: AuthError, options: ResolvedOptions): AuthError {
  const keySet = refusal.status === 503 ? keySetMisconfiguration(refusal) : undefined;
  let reviewed = refusal;
  if (keySet !== undefined) {
    const issuer = options.issuers.get(keySet.issuer);
    const option =
      issuer === undefined
        ? undefined
        : `${issuer.path}${keySet.code === 'discovery_issuer_mismatch' ? 'issuer' : issuer.keysOption}`;
    reviewed = new MisconfigurationError(
      keySet.code,
      option === undefined ? keySet.detail : `${keySet.detail} (option "${option}")`,
      { ...keySet.details, ...(option === undefined ? {} : { option }) },
      { cause: keySet },
    );
  }
  if (reviewed instanceof MisconfigurationError) {
    options.report.report(
      'error',
      `${reviewed.code}|${reviewed.detail}`,
      `${reviewed.detail} Requests meeting this are answered 500 (${reviewed.code}) until it is fixed.`,
      reviewed.details,
    );
  } else if (reviewed.code === 'no_matching_key' || reviewed.code === 'algorithm_not_allowed') {
    for (const issuer of options.issuers.values()) {
      const key = `unfit keys|${issuer.issuer}`;
      if (options.report.has(key)) continue;
      const unfit = unfitKeys(issuer);
      if (unfit !== undefined) {
        options.report.report('warn', key, `${unfit} Tokens are refused (401 ${reviewed.code}).`, {
          option: `${issuer.path}algorithms`,
          issuer: issuer.issuer,
          algorithms: [...issuer.algorithms],
        });
      }
    }
  }
  return reviewed;
}
