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

/** One adapter's answer, as {@link comparable} makes it. */
export interface AdapterAnswer {
  readonly adapter: string;
  readonly answer: ReturnType<typeof comparable>;
}

/** Every answer equals the first one. */
export function expectSameAnswers(answers: readonly AdapterAnswer[]): void {
  const [first, ...rest] = answers;
  for (const other of rest) {
    expect(other.answer, `${other.adapter} vs ${first?.adapter}`).toEqual(first?.answer);
  }
}
