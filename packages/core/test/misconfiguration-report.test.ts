import { describe, expect, it } from 'vitest';
import {
  MAX_REPORTED_SITUATIONS,
  MisconfigurationReport,
} from '../src/report/misconfiguration-report.js';
import type { TokenwardLogger } from '../src/report/tokenward-logger.js';

function counting(): { logger: TokenwardLogger; calls: string[] } {
  const calls: string[] = [];
  return {
    calls,
    logger: {
      warn: (message) => calls.push(`warn ${message}`),
      error: (message) => calls.push(`error ${message}`),
    },
  };
}

describe('MisconfigurationReport', () => {
  it('reports each situation once, prefixed, at its level', () => {
    const { logger, calls } = counting();
    const report = new MisconfigurationReport(logger);
    for (let i = 0; i < 5; i++) {
      report.report('warn', 'a', 'first thing');
      report.report('error', 'b', 'second thing');
    }
    expect(calls).toEqual(['warn tokenward: first thing', 'error tokenward: second thing']);
    expect(report.has('a')).toBe(true);
    expect(report.has('c')).toBe(false);
  });

  it(`remembers at most ${MAX_REPORTED_SITUATIONS} situations, then says so once and stops`, () => {
    const { logger, calls } = counting();
    const report = new MisconfigurationReport(logger);
    for (let round = 0; round < 2; round++) {
      for (let i = 0; i < MAX_REPORTED_SITUATIONS * 3; i++) report.report('warn', `k${i}`, `m${i}`);
    }
    expect(calls).toHaveLength(MAX_REPORTED_SITUATIONS + 1);
    expect(calls.at(-1)).toContain('further ones are not logged');
    expect(report.has('anything')).toBe(true);
  });

  it('is silent without a logger', () => {
    const report = new MisconfigurationReport(undefined);
    expect(() => report.report('error', 'a', 'x')).not.toThrow();
  });
});
