/** Fixtures shared by the adapter packages' tests: one in-memory issuer, leak checks, headers. */
import { createTestIssuer, type TestIssuer } from '@tokenward/testing';
import { afterAll, afterEach, beforeAll, expect } from 'vitest';

/** The audience every test API accepts (the test issuer's default `aud`). */
export const AUDIENCE = 'https://api.example.test';

/**
 * One in-memory issuer (no network) for the whole file, plus the core options that trust it with
 * its local keys. Call at the top of a test file.
 */
export function useIssuer(): {
  readonly issuer: TestIssuer;
  options(): { issuer: string; audience: string; jwks: ReturnType<TestIssuer['jwks']> };
} {
  let issuer: TestIssuer | undefined;
  beforeAll(async () => {
    issuer = await createTestIssuer({ listen: false, audience: AUDIENCE });
  });
  afterAll(() => issuer?.close());
  return {
    get issuer() {
      if (issuer === undefined) throw new Error('issuer not started');
      return issuer;
    },
    options() {
      if (issuer === undefined) throw new Error('issuer not started');
      return { issuer: issuer.issuer, audience: AUDIENCE, jwks: issuer.jwks() };
    },
  };
}

/** Unhandled rejections seen while a file runs. */
export interface RejectionLog {
  /** Wait two macrotasks, then return (and forget) the rejections seen so far. */
  take(): Promise<unknown[]>;
}

/**
 * Take over `unhandledRejection` for the file: the runner's own listeners are set aside (and put
 * back after the file), so a leaked rejection fails the test that caused it (checked after each
 * test) instead of surfacing as a run-level error, and a test can assert on it with `take()`.
 */
export function failOnUnhandledRejection(): RejectionLog {
  const seen: unknown[] = [];
  const listener = (reason: unknown) => {
    seen.push(reason);
  };
  let saved: NodeJS.UnhandledRejectionListener[] = [];
  const take = async () => {
    await new Promise((resolve) => setImmediate(resolve));
    await new Promise((resolve) => setImmediate(resolve));
    return seen.splice(0);
  };
  beforeAll(() => {
    saved = process.listeners('unhandledRejection');
    process.removeAllListeners('unhandledRejection');
    process.on('unhandledRejection', listener);
  });
  afterEach(async () => {
    expect(await take(), 'unhandled rejections').toEqual([]);
  });
  afterAll(() => {
    process.off('unhandledRejection', listener);
    for (const restored of saved) process.on('unhandledRejection', restored);
  });
  return { take };
}

/** The `Authorization` header value for a token. */
export const bearer = (token: string): string => `Bearer ${token}`;
