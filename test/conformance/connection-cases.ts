/**
 * Conformance sequences on ONE connection: token A, then token B, on a kept-alive or pipelined
 * connection. Every request must get its own answer — status, challenge, body, handler run or not,
 * the identity seen — whatever the connection carried before. This is what the verifier's
 * same-connection fast path (the last token verified on a socket, recognised by string comparison)
 * and the verified-token cache must never get wrong: a memo that compared only the length, or
 * skipped the comparison, would answer B with A's identity.
 *
 * Pure data plus token recipes, like `cases.ts` (no `node:` imports). Each step is an ordinary
 * conformance row; `conformance.test.ts` runs every sequence on every adapter, once kept alive and
 * once pipelined.
 */
import { anonymous, authorization, expectations, get, type RowRequest } from '../helpers/rows.js';
import type { Expected, Fixture, TokenRecipe } from './cases.js';
import type { Method } from './routes.js';

/** One request of a sequence and its answer (a conformance row without a name). */
export interface ConnectionStep {
  readonly route: string;
  readonly request: RowRequest<Method>;
  readonly expect: Expected;
}

/** Requests sent one after another on one connection. */
export interface ConnectionCase {
  /** Unique; also the test name. */
  readonly name: string;
  /** Tokens used by the steps' `{name}` placeholders (minted once per run). */
  readonly tokens: Readonly<Record<string, TokenRecipe>>;
  readonly steps: readonly ConnectionStep[];
}

// ---------------------------------------------------------------------------------------------
// Tokens: two identities, and forgeries of exactly the length of A.
// ---------------------------------------------------------------------------------------------

/** Subjects of A and B; `MALLORY` has the length of `ALICE`. */
export const ALICE = 'user-alice';
export const BOB = 'user-bob';
const MALLORY = 'user-mallo';

const encoder = new TextEncoder();
const decoder = new TextDecoder();

function base64url(text: string): string {
  let binary = '';
  for (const byte of encoder.encode(text)) binary += String.fromCharCode(byte);
  return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

function fromBase64url(segment: string): string {
  const binary = atob(segment.replace(/-/g, '+').replace(/_/g, '/'));
  return decoder.decode(Uint8Array.from(binary, (c) => c.charCodeAt(0)));
}

/**
 * A recipe that makes its token once per fixture (per run), so that a sequence sends the very
 * token its forgeries were derived from.
 */
function once(recipe: TokenRecipe): TokenRecipe {
  const made = new WeakMap<Fixture, Promise<string>>();
  return (fx) => {
    let token = made.get(fx);
    if (token === undefined) {
      token = Promise.resolve(recipe(fx));
      made.set(fx, token);
    }
    return token;
  };
}

/** A token of the trusted issuer; `claims` override the defaults. */
const mint = (claims: Record<string, unknown> = {}): TokenRecipe =>
  once((fx) => fx.trusted.mintToken(claims));

/** The forgery must have A's exact length, or it tests nothing. */
function sameLength(original: string, forged: string): string {
  if (forged.length !== original.length || forged === original) {
    throw new Error('a same-length forgery must differ from the token and keep its length');
  }
  return forged;
}

/** A with one character in the middle of its signature changed (still canonical base64url). */
function signatureCharChanged(base: TokenRecipe): TokenRecipe {
  return async (fx) => {
    const token = await base(fx);
    const i = token.lastIndexOf('.') + Math.floor((token.length - token.lastIndexOf('.')) / 2);
    const swapped = token[i] === 'A' ? 'B' : 'A';
    return sameLength(token, `${token.slice(0, i)}${swapped}${token.slice(i + 1)}`);
  };
}

/** A with its payload's `sub` replaced by one of the same length, A's signature kept. */
function subjectSwapped(base: TokenRecipe, to: string): TokenRecipe {
  return async (fx) => {
    const token = await base(fx);
    const [header, payload, signature] = token.split('.') as [string, string, string];
    const claims = JSON.parse(fromBase64url(payload)) as Record<string, unknown>;
    const forged = base64url(JSON.stringify({ ...claims, sub: to }));
    return sameLength(token, `${header}.${forged}.${signature}`);
  };
}

/** A's claims signed by a key the issuer never published, under the current `kid`. */
const foreignKey: TokenRecipe = once(async (fx) =>
  fx.trusted.mintToken(
    { sub: ALICE },
    { key: await fx.trusted.createForeignKey(), header: { kid: fx.trusted.currentKey.kid } },
  ),
);

const alice = mint({ sub: ALICE });

const TOKENS = {
  alice,
  bob: mint({ sub: BOB }),
  aliceReader: mint({ sub: ALICE, scope: 'read:report' }),
  forgedSignature: once(signatureCharChanged(alice)),
  forgedSubject: once(subjectSwapped(alice, MALLORY)),
  foreign: foreignKey,
  expired: once((fx) => fx.trusted.tokens.expired()),
  otherAudience: mint({ sub: ALICE, aud: 'https://other-api.reports.test' }),
} satisfies Record<string, TokenRecipe>;

// ---------------------------------------------------------------------------------------------
// Steps.
// ---------------------------------------------------------------------------------------------

const { allowed, badRequest, forbidden, invalidToken, noCredentials } = expectations<Expected>();

const BAD_SIGNATURE = 'The token signature is invalid';

/** `GET /auth` with this `Authorization` value (`undefined`: none). */
function auth(value: string | undefined, expect: Expected): ConnectionStep {
  const headers = value === undefined ? [] : [authorization(value)];
  return { route: '/auth', request: get('/auth', ...headers), expect };
}

const aliceOk = auth('Bearer {alice}', allowed({ subject: ALICE }));

export const connectionCases: readonly ConnectionCase[] = [
  {
    name: 'A, then another valid identity, then A again',
    tokens: TOKENS,
    steps: [aliceOk, auth('Bearer {bob}', allowed({ subject: BOB })), aliceOk],
  },
  {
    name: 'A, then A with one signature character changed (same length)',
    tokens: TOKENS,
    steps: [aliceOk, auth('Bearer {forgedSignature}', invalidToken(BAD_SIGNATURE)), aliceOk],
  },
  {
    name: 'A, then A with another subject of the same length and A’s signature',
    tokens: TOKENS,
    steps: [aliceOk, auth('Bearer {forgedSubject}', invalidToken(BAD_SIGNATURE)), aliceOk],
  },
  {
    name: 'A, then A’s claims signed by a foreign key under the same kid',
    tokens: TOKENS,
    steps: [aliceOk, auth('Bearer {foreign}', invalidToken(BAD_SIGNATURE))],
  },
  {
    name: 'A, then an expired token',
    tokens: TOKENS,
    steps: [aliceOk, auth('Bearer {expired}', invalidToken('The token has expired')), aliceOk],
  },
  {
    name: 'A, then a token for another audience',
    tokens: TOKENS,
    steps: [
      aliceOk,
      auth('Bearer {otherAudience}', invalidToken('The token is not meant for this API')),
    ],
  },
  {
    name: 'A, then no token',
    tokens: TOKENS,
    steps: [aliceOk, auth(undefined, noCredentials()), aliceOk],
  },
  {
    // Same length as `Bearer {alice}` and ending with A: only the scheme tells them apart.
    name: 'A, then A under another 7-character scheme, then a tab instead of the space',
    tokens: TOKENS,
    steps: [
      aliceOk,
      auth('Mutual {alice}', noCredentials()),
      auth('Bearer\t{alice}', badRequest('The Authorization header is malformed')),
      aliceOk,
    ],
  },
  {
    name: 'a forgery first, then A (a refusal is not remembered)',
    tokens: TOKENS,
    steps: [auth('Bearer {forgedSubject}', invalidToken(BAD_SIGNATURE)), aliceOk],
  },
  {
    name: 'A, then A on a route it lacks the scope for, then A with the scope',
    tokens: TOKENS,
    steps: [
      aliceOk,
      {
        route: '/scope',
        request: get('/scope', authorization('Bearer {alice}')),
        expect: forbidden('The token lacks a required scope', 'read:report'),
      },
      {
        route: '/scope',
        request: get('/scope', authorization('Bearer {aliceReader}')),
        expect: allowed({ subject: ALICE }),
      },
    ],
  },
  {
    name: 'optional auth: A, then no token is anonymous, then B',
    tokens: TOKENS,
    steps: [
      {
        route: '/optional',
        request: get('/optional', authorization('Bearer {alice}')),
        expect: allowed({ subject: ALICE }),
      },
      { route: '/optional', request: get('/optional'), expect: allowed(anonymous) },
      {
        route: '/optional',
        request: get('/optional', authorization('Bearer {bob}')),
        expect: allowed({ subject: BOB }),
      },
    ],
  },
];
