/**
 * The compact-JWS parser's base64url decoding, against Node's Buffer as the reference: every
 * canonical segment decodes to the bytes Buffer reads, every other string is refused.
 *
 * The properties run from one fixed seed, shown in the suite title (`FC_SEED=<n>` for another).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { AuthError } from '../src/index.js';
import { parseToken } from '../src/verify/parse-token.js';

/** The seed of every property here: `FC_SEED`, or a fixed default. */
const SEED = Number.parseInt(process.env.FC_SEED ?? '20261204', 10);
if (!Number.isSafeInteger(SEED))
  throw new Error(`FC_SEED must be an integer (got ${process.env.FC_SEED})`);
fc.configureGlobal({ seed: SEED });

const HEADER = Buffer.from(JSON.stringify({ alg: 'RS256', kid: 'k1' })).toString('base64url');
const PAYLOAD = Buffer.from(JSON.stringify({ iss: 'https://issuer.test' })).toString('base64url');
const BASE64URL = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';

/** The signature bytes parseToken reads from a token with this signature segment, or the code it refuses with. */
function signatureOf(segment: string): Uint8Array | string {
  try {
    // A plain copy: on Node the parser hands out a Buffer view.
    return Uint8Array.from(parseToken(`${HEADER}.${PAYLOAD}.${segment}`).signature);
  } catch (error) {
    if (error instanceof AuthError) return error.code;
    throw error;
  }
}

describe(`base64url segments [fast-check seed ${SEED}, FC_SEED to change]`, () => {
  it('every byte string round-trips: Buffer encodes canonically, the parser reads the same bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 1, maxLength: 600 }), (bytes) => {
        const segment = Buffer.from(bytes).toString('base64url');
        expect(signatureOf(segment)).toEqual(new Uint8Array(bytes));
      }),
      { numRuns: 2000 },
    );
  });

  it('any string over the alphabet decodes only if it is the canonical encoding of what it decodes to', () => {
    fc.assert(
      fc.property(
        fc.string({ unit: fc.constantFrom(...BASE64URL), minLength: 1, maxLength: 40 }),
        (segment) => {
          const result = signatureOf(segment);
          const canonical = Buffer.from(segment, 'base64url').toString('base64url') === segment;
          if (canonical) expect(result).toEqual(new Uint8Array(Buffer.from(segment, 'base64url')));
          else expect(result).toBe('token_malformed');
        },
      ),
      { numRuns: 5000 },
    );
  });

  it('refuses characters outside the alphabet anywhere in a segment, including non-ASCII', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ minLength: 3, maxLength: 60 }),
        fc.nat(),
        fc.constantFrom(
          '+',
          '/',
          '=',
          '.',
          ' ',
          '\t',
          '~',
          '\0',
          'é',
          '\u0141',
          '\u{1F600}',
          '\uFFFF',
        ),
        (bytes, at, bad) => {
          const segment = Buffer.from(bytes).toString('base64url');
          const i = at % segment.length;
          const broken = `${segment.slice(0, i)}${bad}${segment.slice(i + 1)}`;
          expect(signatureOf(broken)).toMatch(/^token_malformed$|^token_unsupported$/);
        },
      ),
      { numRuns: 2000 },
    );
  });

  it('refuses lengths of 1 modulo 4 and spare bits set in the last character', () => {
    expect(signatureOf('A')).toBe('token_malformed');
    expect(signatureOf('AAAAA')).toBe('token_malformed');
    expect(signatureOf('AB')).toBe('token_malformed'); // 2 chars: 4 spare bits, B = 000001
    expect(signatureOf('AQ')).toEqual(new Uint8Array([1]));
    expect(signatureOf('AAB')).toBe('token_malformed'); // 3 chars: 2 spare bits
    expect(signatureOf('AAE')).toEqual(new Uint8Array([0, 1]));
    expect(signatureOf('____')).toEqual(new Uint8Array([255, 255, 255]));
    expect(signatureOf('AAA=')).toBe('token_malformed');
  });

  it('decodes header and payload with the same rules', () => {
    const header = Buffer.from('{"alg":"ES256","typ":"at+jwt","kid":"é"}').toString('base64url');
    const payload = Buffer.from('{"sub":"ü","n":[1,2]}').toString('base64url');
    const parsed = parseToken(`${header}.${payload}.AQ`);
    expect(parsed.header).toEqual({ alg: 'ES256', typ: 'at+jwt', kid: 'é' });
    expect(parsed.payload).toEqual({ sub: 'ü', n: [1, 2] });
    expect(new TextDecoder().decode(parsed.signingInput)).toBe(`${header}.${payload}`);
    expect(Uint8Array.from(parsed.signature)).toEqual(new Uint8Array([1]));
  });
});
