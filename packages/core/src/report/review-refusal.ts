import type { AuthError } from '../errors/auth-error.js';
import { MisconfigurationError } from '../errors/misconfiguration-error.js';
import type { ResolvedOptions } from '../verify/resolve-options.js';
import { keySetMisconfiguration, unfitKeys } from '../verify/warm-issuer.js';

/**
 * Look at a refusal for a configuration problem before it is rendered, and report it once. Never
 * changes the answer (the caller renders `refusal` as it is).
 * - a key-set 503 caused by configuration (discovery names another issuer, no usable key; its
 *   `cause` is a `KeySetMisconfiguration`) is logged as an error naming the option and both values.
 *   The client still gets the ordinary `keys_unavailable` 503 with `Retry-After`: it cannot tell a
 *   misconfigured key infrastructure from a failing one and is not told; the operator is;
 * - a {@link MisconfigurationError} (a route parameter the route lacks, 500) is logged as an error;
 * - a `no_matching_key` or `algorithm_not_allowed` refusal while an issuer holds keys none of
 *   which fits its allowed algorithms is logged as a warning (the answer stays 401).
 * Costs nothing beyond a code comparison for other refusals.
 */
export function reviewRefusal(refusal: AuthError, options: ResolvedOptions): void {
  if (refusal instanceof MisconfigurationError) {
    options.report.report(
      'error',
      `${refusal.code}|${refusal.detail}`,
      `${refusal.detail} Requests meeting this are answered 500 (${refusal.code}) until it is fixed.`,
      refusal.details,
    );
    return;
  }
  if (refusal.status === 503) {
    const keySet = keySetMisconfiguration(refusal);
    if (keySet === undefined) return;
    const issuer = options.issuers.get(keySet.issuer);
    const option =
      issuer === undefined
        ? undefined
        : `${issuer.path}${keySet.code === 'discovery_issuer_mismatch' ? 'issuer' : issuer.keysOption}`;
    const detail = option === undefined ? keySet.detail : `${keySet.detail} (option "${option}")`;
    options.report.report(
      'error',
      `${keySet.code}|${keySet.detail}`,
      `${detail} Requests meeting this are answered 503 (${refusal.code}, ${keySet.code}) until ` +
        'it is fixed.',
      { code: keySet.code, ...keySet.details, ...(option === undefined ? {} : { option }) },
    );
    return;
  }
  if (refusal.code === 'no_matching_key' || refusal.code === 'algorithm_not_allowed') {
    for (const issuer of options.issuers.values()) {
      const key = `unfit keys|${issuer.issuer}`;
      if (options.report.has(key)) continue;
      const unfit = unfitKeys(issuer);
      if (unfit !== undefined) {
        options.report.report('warn', key, `${unfit} Tokens are refused (401 ${refusal.code}).`, {
          option: `${issuer.path}algorithms`,
          issuer: issuer.issuer,
          algorithms: [...issuer.algorithms],
        });
      }
    }
  }
}
