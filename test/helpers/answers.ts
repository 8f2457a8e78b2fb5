/** Checks on answers shared by the conformance and attack suites. */
import { expect } from 'vitest';
import type { Expectation } from './rows.js';
import { headerLines, type RawResponse } from './wire.js';

/** `Retry-After`: one value of whole seconds when `required`, absent otherwise. */
export function expectRetryAfter(res: RawResponse, required: boolean): void {
  const retryAfter = headerLines(res, 'retry-after');
  if (required) {
    expect(retryAfter, 'Retry-After').toHaveLength(1);
    expect(retryAfter[0], 'Retry-After').toMatch(/^[1-9][0-9]*$/);
  } else {
    expect(retryAfter, 'Retry-After').toEqual([]);
  }
}

/** `Retry-After` as the row requires (whole seconds on 503), and no header the row forbids. */
export function expectRetryAfterAndAbsentHeaders(res: RawResponse, want: Expectation): void {
  expectRetryAfter(res, want.retryAfter === true);
  for (const name of want.absentHeaders ?? []) {
    expect(res.headers[name], `header ${name}`).toBeUndefined();
  }
}

/**
 * What must be identical on every adapter: status, challenge and body, plus refusal headers.
 * `body: 'raw'` compares every body byte for byte; `'json'` compares a non-empty success body
 * parsed (refusal bodies and empty bodies stay raw).
 */
export function comparable(res: RawResponse, body: 'raw' | 'json') {
  return {
    status: res.status,
    'www-authenticate': res.headers['www-authenticate'],
    body: body === 'raw' || res.status >= 400 || res.body === '' ? res.body : JSON.parse(res.body),
    ...(res.status >= 400
      ? {
          'content-type': res.headers['content-type'],
          'cache-control': res.headers['cache-control'],
          'retry-after present': res.headers['retry-after'] !== undefined,
        }
      : {}),
  };
}

/** What {@link comparable} makes of an answer. */
export type Comparable = ReturnType<typeof comparable>;

/** The `content-type` of every refusal (the core renders it; adapters copy it). */
export const REFUSAL_CONTENT_TYPE = 'application/json; charset=utf-8';

/**
 * What {@link comparable} must give for a row that expects `want` on `route`: the row's status,
 * exact challenge and JSON body (`{error, error_description}` on a refusal, the handler call on
 * success, serialized in the key order the handlers use; none for `HEAD`), and on a refusal the
 * fixed `content-type`, `cache-control: no-store` and `Retry-After` exactly when the row says.
 */
export function expectedComparable(
  route: string,
  want: Expectation,
  body: 'raw' | 'json',
  method = 'GET',
): Comparable {
  const refusal = want.status >= 400;
  const text =
    method === 'HEAD'
      ? ''
      : JSON.stringify(
          refusal
            ? { error: want.error, error_description: want.description }
            : { route, ...want.saw },
        );
  return {
    status: want.status,
    'www-authenticate': want.wwwAuthenticate ?? undefined,
    body: body === 'raw' || refusal || text === '' ? text : JSON.parse(text),
    ...(refusal
      ? {
          'content-type': REFUSAL_CONTENT_TYPE,
          'cache-control': 'no-store',
          'retry-after present': want.retryAfter === true,
        }
      : {}),
  };
}

/** One adapter's answer, as {@link comparable} makes it. */
export interface AdapterAnswer {
  readonly adapter: string;
  readonly answer: Comparable;
}

/**
 * Every adapter's answer equals the row's expected one (not merely the first adapter's: two
 * adapters agreeing on a wrong answer still fail). All differences show at once, by adapter.
 */
export function expectAnswersAsExpected(
  answers: readonly AdapterAnswer[],
  expected: Comparable,
): void {
  expect(answers.length, 'adapters answering').toBeGreaterThan(0);
  const got = Object.fromEntries(answers.map(({ adapter, answer }) => [adapter, answer]));
  const want = Object.fromEntries(answers.map(({ adapter }) => [adapter, expected]));
  expect(got).toEqual(want);
}
