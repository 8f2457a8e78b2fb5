import { createTestIssuer, type TestIssuer } from '@tokenward/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigurationError, createTokenward, optionsFromEnv } from '../src/index.js';

const ISSUER = 'https://issuer.example';
const AUDIENCE = 'https://api.reports.example';

function thrown(fn: () => unknown): ConfigurationError {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigurationError);
    return error as ConfigurationError;
  }
  throw new Error('expected a ConfigurationError');
}

describe('optionsFromEnv()', () => {
  it('reads the issuer and the audience, and nothing it was not given', () => {
    expect(
      optionsFromEnv({ TOKENWARD_ISSUER: ISSUER, TOKENWARD_AUDIENCE: AUDIENCE, HOME: '/root' }),
    ).toEqual({ issuer: ISSUER, audience: AUDIENCE });
  });

  it('reads every optional variable in its documented format', () => {
    expect(
      optionsFromEnv({
        TOKENWARD_ISSUER: ` ${ISSUER} `,
        TOKENWARD_AUDIENCE: `${AUDIENCE}  https://api.other.example`,
        TOKENWARD_JWKS_URI: `${ISSUER}/jwks`,
        TOKENWARD_ALGORITHMS: 'RS256, ES256 EdDSA',
        TOKENWARD_ORGANIZATION_TOKENS: 'YES',
        TOKENWARD_CLOCK_TOLERANCE: '10',
      }),
    ).toEqual({
      issuer: ISSUER,
      audience: [AUDIENCE, 'https://api.other.example'],
      jwksUri: `${ISSUER}/jwks`,
      algorithms: ['RS256', 'ES256', 'EdDSA'],
      organizationTokens: true,
      clockTolerance: 10,
    });
    expect(
      optionsFromEnv({
        TOKENWARD_ISSUER: ISSUER,
        TOKENWARD_AUDIENCE: AUDIENCE,
        TOKENWARD_ORGANIZATION_TOKENS: '0',
      }).organizationTokens,
    ).toBe(false);
  });

  it('honours another prefix, and reads only its own', () => {
    expect(
      optionsFromEnv(
        { API_ISSUER: ISSUER, API_AUDIENCE: AUDIENCE, TOKENWARD_ISSUER: 'https://other.example' },
        { prefix: 'API_' },
      ),
    ).toEqual({ issuer: ISSUER, audience: AUDIENCE });
  });

  it.each([
    ['no issuer', { TOKENWARD_AUDIENCE: AUDIENCE }, 'TOKENWARD_ISSUER', /is not set/],
    [
      'an empty issuer',
      { TOKENWARD_ISSUER: ' ', TOKENWARD_AUDIENCE: AUDIENCE },
      'TOKENWARD_ISSUER',
      /is not set/,
    ],
    ['no audience', { TOKENWARD_ISSUER: ISSUER }, 'TOKENWARD_AUDIENCE', /is not set/],
    [
      'a typo',
      { TOKENWARD_ISSUER: ISSUER, TOKENWARD_AUDIANCE: AUDIENCE },
      'TOKENWARD_AUDIANCE',
      /did you mean "TOKENWARD_AUDIENCE"/,
    ],
    [
      'a boolean that is not one',
      {
        TOKENWARD_ISSUER: ISSUER,
        TOKENWARD_AUDIENCE: AUDIENCE,
        TOKENWARD_ORGANIZATION_TOKENS: 'on',
      },
      'TOKENWARD_ORGANIZATION_TOKENS',
      /true or false/,
    ],
    [
      'seconds that are not whole',
      { TOKENWARD_ISSUER: ISSUER, TOKENWARD_AUDIENCE: AUDIENCE, TOKENWARD_CLOCK_TOLERANCE: '1.5' },
      'TOKENWARD_CLOCK_TOLERANCE',
      /whole seconds/,
    ],
  ])('%s: a ConfigurationError naming the variable', (_, env, variable, message) => {
    const error = thrown(() => optionsFromEnv(env));
    expect(error.option).toBe(variable);
    expect(error.message).toMatch(message);
  });

  it('is validated by createTokenward like any options (a bad value names its option)', () => {
    const error = thrown(() =>
      createTokenward(
        optionsFromEnv({
          TOKENWARD_ISSUER: ISSUER,
          TOKENWARD_AUDIENCE: AUDIENCE,
          TOKENWARD_ALGORITHMS: 'none',
        }),
      ),
    );
    expect(error.option).toMatch(/algorithms/);
  });

  describe('end to end', () => {
    let issuer: TestIssuer;
    beforeAll(async () => {
      issuer = await createTestIssuer({ audience: AUDIENCE });
    });
    afterAll(() => issuer.close());

    it('verifies a real token with options from the environment', async () => {
      const tw = createTokenward({
        ...optionsFromEnv({ TOKENWARD_ISSUER: issuer.issuer, TOKENWARD_AUDIENCE: AUDIENCE }),
        logger: false,
      });
      await tw.warmup();
      const token = await issuer.mintToken({ sub: 'alice' });
      const outcome = await tw.authenticate({ authorization: `Bearer ${token}` });
      expect(outcome).toMatchObject({ ok: true, auth: { subject: 'alice' } });
    });
  });
});
