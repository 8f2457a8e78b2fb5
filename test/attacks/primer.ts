/**
 * The primer of a row run on one connection (`attacks.test.ts`): a genuine token of the trusted
 * issuer, sent on the row's connection before and after the row, on the row's own mount when that
 * mount takes such a token (so its verifier's per-connection memo holds another identity when the
 * row arrives). The primer has exactly the length of the row's token whenever padding claims can
 * make it so: a memo that compared only lengths would then answer the row as the primer.
 */
import type { MountSpec } from '../conformance/routes.js';
import { authorization, expectations, get } from '../helpers/rows.js';
import type { AttackRow, Expected } from './cases.js';
import type { AttackFixture } from './fixture.js';

/** The subject of every primer. */
export const PRIMER_SUBJECT = 'user-primer';

/** Mounts whose `/auth` takes a plain token of the trusted issuer. */
const PRIMABLE = new Set(['', '/query', '/life', '/big']);

/** The core's default `maxTokenLength`: a primer never grows past its mount's limit. */
const DEFAULT_MAX_TOKEN_LENGTH = 8_192;

/** The mount of a route pattern (the main mount, prefix `''`, when no other prefix matches). */
function mountOf(route: string, mounts: readonly MountSpec[]): MountSpec | undefined {
  const first = /^\/[^/]+/.exec(route)?.[0] ?? '';
  return mounts.find((m) => m.prefix === first) ?? mounts.find((m) => m.prefix === '');
}

/**
 * A genuine token of the trusted issuer for `subject`, exactly `length` characters long if
 * padding claims (a `pad` member in the payload, and if need be in the header) can make it so,
 * else without padding. Minted afresh; callers cache.
 */
async function genuineOfLength(fx: AttackFixture, subject: string, length: number) {
  for (const headerPad of [undefined, '', 'x', 'xx']) {
    const header = headerPad === undefined ? undefined : { header: { pad: headerPad } };
    let pad = 0;
    for (let tries = 0; tries < 16; tries++) {
      const token = await fx.trusted.mintToken({ sub: subject, pad: 'x'.repeat(pad) }, header);
      if (token.length === length) return token;
      if (token.length > length) break;
      pad += Math.max(1, Math.floor(((length - token.length) * 3) / 4));
    }
  }
  return fx.trusted.mintToken({ sub: subject });
}

/**
 * The primer row for `row`, whose first token (if any) is `token`: `GET <mount>/auth` with a
 * genuine token of the same length (unless that is over the mount's `maxTokenLength`), answered
 * 200 with {@link PRIMER_SUBJECT}. Mounts of other issuers are primed on the main `/auth`. Same name for the same route and length, so that the
 * row preparer mints each primer once per run.
 */
export function primerFor(
  row: AttackRow,
  token: string | undefined,
  mounts: readonly MountSpec[],
): AttackRow {
  const mount = mountOf(row.route, mounts);
  const primable = mount !== undefined && PRIMABLE.has(mount.prefix);
  const route = `${primable ? mount.prefix : ''}/auth`;
  const limit = (primable && mount.options.maxTokenLength) || DEFAULT_MAX_TOKEN_LENGTH;
  const length = token !== undefined && token.length <= limit ? token.length : undefined;
  return {
    name: `primer ${route} ${length ?? 'any length'}`,
    class: row.class,
    route,
    tokens: {
      primer: (fx) =>
        length === undefined
          ? fx.trusted.mintToken({ sub: PRIMER_SUBJECT })
          : genuineOfLength(fx, PRIMER_SUBJECT, length),
    },
    request: get(route, authorization('Bearer {primer}')),
    expect: expectations<Expected>().allowed({ subject: PRIMER_SUBJECT }),
  };
}
