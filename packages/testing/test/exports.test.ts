import { describe, expect, expectTypeOf, it } from 'vitest';
import type { MintOptions, TestAlgorithm, TestIssuer, TestKey, TestTokens } from '../src/index.js';
import * as testing from '../src/index.js';

describe('public surface', () => {
  it('exports exactly these runtime values', () => {
    expect(Object.keys(testing).sort()).toEqual(['createKeyPair', 'createTestIssuer']);
  });

  it('has the documented types', () => {
    expectTypeOf(testing.createTestIssuer).returns.resolves.toEqualTypeOf<TestIssuer>();
    expectTypeOf(testing.createKeyPair).parameters.toEqualTypeOf<
      [alg: TestAlgorithm, kid?: string]
    >();
    expectTypeOf<TestAlgorithm>().toEqualTypeOf<'RS256' | 'ES256' | 'EdDSA'>();
    expectTypeOf<TestIssuer['fetch']>().toEqualTypeOf<typeof fetch>();
    expectTypeOf<TestIssuer['mintToken']>().parameters.toEqualTypeOf<
      [claims?: Record<string, unknown>, options?: MintOptions]
    >();
    expectTypeOf<MintOptions['key']>().toEqualTypeOf<TestKey | undefined>();
    expectTypeOf<TestTokens[keyof TestTokens]>().returns.resolves.toBeString();
  });
});
