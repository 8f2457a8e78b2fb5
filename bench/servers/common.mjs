/**
 * What every benchmark server shares: its configuration (from the BENCH_SERVER environment
 * variable, set by http.mjs), the response body, and the READY line.
 */
import { exitWithParent } from '../lib/children.mjs';

exitWithParent();
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => process.exit(0));

/** `{ variant, issuer, audience, jwksUri, twOptions }` */
export const config = JSON.parse(process.env.BENCH_SERVER ?? '{}');

/** The route every variant serves. */
export const ROUTE = '/hello';

/** The same small JSON body for every variant. */
export const BODY = { ok: true };

/** tokenward's options: discovery from the issuer, as the README shows, plus --tw-options. */
export function tokenwardOptions() {
  return { issuer: config.issuer, audience: config.audience, ...config.twOptions };
}

/** Fetch the issuer's public JWKS once (for variants configured with local keys). */
export async function fetchJwks() {
  const response = await fetch(config.jwksUri);
  if (!response.ok) throw new Error(`JWKS fetch failed: ${response.status}`);
  return response.json();
}

export function unknownVariant() {
  throw new Error(`unknown variant "${config.variant}"`);
}

/** Tell the parent which port we listen on. */
export function ready(port) {
  process.stdout.write(`READY ${port}\n`);
}
