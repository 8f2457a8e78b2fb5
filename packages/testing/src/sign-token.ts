import { type CompactJWSHeaderParameters, CompactSign } from 'jose';
import type { TestKey } from './test-key.js';
import { withoutUndefined } from './without-undefined.js';

/**
 * Signs `claims` as a compact JWS with `key`.
 *
 * The header is `{ alg: key.alg, typ: 'at+jwt', kid: key.kid }` merged with `headerOverrides`;
 * header members and claims set to `undefined` are removed. The payload is the claims serialized
 * with `JSON.stringify` as they are, so malformed claim values (e.g. a string `exp`) are possible.
 *
 * @throws TypeError when `headerOverrides` contains `alg`.
 * @internal
 */
export async function signToken(
  key: TestKey,
  claims: Record<string, unknown>,
  headerOverrides: Record<string, unknown> = {},
): Promise<string> {
  if (Object.hasOwn(headerOverrides, 'alg')) {
    throw new TypeError(
      "MintOptions.header.alg cannot be overridden; the alg is always the signing key's",
    );
  }
  const header = withoutUndefined({
    typ: 'at+jwt',
    kid: key.kid,
    ...headerOverrides,
    alg: key.alg,
  });
  const payload = new TextEncoder().encode(JSON.stringify(withoutUndefined(claims)));
  return new CompactSign(payload)
    .setProtectedHeader(header as CompactJWSHeaderParameters)
    .sign(key.privateKey);
}
