import { AuthError } from '../errors/auth-error.js';
import { ConfigurationError } from '../errors/configuration-error.js';
import { KeySetMisconfiguration } from '../keys/key-set-misconfiguration.js';
import type { ResolvedIssuer } from './resolve-issuer.js';
import { describeKeys } from './resolve-issuer.js';

/**
 * Fetch and import one issuer's keys now, and turn what is certainly a configuration problem into
 * a {@link ConfigurationError} naming the option and both values: a discovery document naming
 * another issuer, a key set with no usable key, or keys none of which fits the allowed
 * algorithms. An outage (key server down, timeout) rejects as before, with the key-set error.
 */
export async function warmIssuer(issuer: ResolvedIssuer): Promise<void> {
  try {
    await issuer.keys.warmup();
  } catch (error) {
    const misconfiguration = keySetMisconfiguration(error);
    if (misconfiguration === undefined) throw error;
    throw new ConfigurationError(
      `${issuer.path}${misconfiguration.code === 'discovery_issuer_mismatch' ? 'issuer' : issuer.keysOption}`,
      misconfiguration.detail,
    );
  }
  const unfit = unfitKeys(issuer);
  if (unfit !== undefined) throw new ConfigurationError(`${issuer.path}algorithms`, unfit);
}

/** The key-set misconfiguration behind a key-set error (its cause), if that is what it is. */
export function keySetMisconfiguration(error: unknown): KeySetMisconfiguration | undefined {
  if (error instanceof KeySetMisconfiguration) return error;
  if (error instanceof AuthError && error.cause instanceof KeySetMisconfiguration) {
    return error.cause;
  }
  return undefined;
}

/**
 * When the issuer holds keys and none fits an allowed algorithm: a sentence naming both. Cheap
 * when the keys are fine (stops at the first key that fits).
 */
export function unfitKeys(issuer: ResolvedIssuer): string | undefined {
  const keys = issuer.keys.heldKeys?.();
  if (keys === undefined || keys.length === 0) return undefined;
  for (const key of keys) {
    for (const alg of issuer.algorithms) if (key.fits(alg)) return undefined;
  }
  return (
    `the key set of the issuer ${JSON.stringify(issuer.issuer)} has no key for the allowed ` +
    `algorithms (${[...issuer.algorithms].join(', ')}); it holds: ${describeKeys(keys)}. ` +
    `Allow the algorithm the issuer signs with in "${issuer.path}algorithms", or fix the key set.`
  );
}
