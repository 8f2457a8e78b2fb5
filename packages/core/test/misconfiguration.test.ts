/**
 * Misconfiguration must not look like an outage: what is certainly a configuration mistake is a
 * ConfigurationError from warmup() (both values named), and while serving it is reported once
 * through the logger (both values, never the token). Real keys, a real issuer on 127.0.0.1.
 */
import { createTestIssuer, type TestIssuer } from '@tokenward/testing';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import {
  ConfigurationError,
  createTokenward,
  type DecisionEvent,
  type Tokenward,
  type TokenwardLogger,
  type TokenwardOptions,
} from '../src/index.js';
import { NEVER_MATCHED_AFTER } from '../src/verify/audience-watch.js';

const AUDIENCE = 'https://api.reports.test';

let issuer: TestIssuer;
/** An issuer whose discovery document names the issuer with a trailing slash. */
let slashed: TestIssuer;

beforeAll(async () => {
  [issuer, slashed] = await Promise.all([
    createTestIssuer({ algorithm: 'ES256', audience: AUDIENCE }),
    createTestIssuer({ audience: AUDIENCE, issuer: '/tenant/' }),
  ]);
});

afterAll(async () => {
  await Promise.all([issuer.close(), slashed.close()]);
});

afterEach(() => {
  vi.restoreAllMocks();
});

interface Logged {
  readonly level: 'warn' | 'error';
  readonly message: string;
  readonly details: Readonly<Record<string, unknown>> | undefined;
}

/** A logger that records every call. */
function recorder(): { logger: TokenwardLogger; logged: Logged[] } {
  const logged: Logged[] = [];
  return {
    logged,
    logger: {
      warn: (message, details) => logged.push({ level: 'warn', message, details }),
      error: (message, details) => logged.push({ level: 'error', message, details }),
    },
  };
}

function make(options: Partial<TokenwardOptions> = {}): Tokenward {
  return createTokenward({
    issuer: issuer.issuer,
    audience: AUDIENCE,
    cache: false,
    ...options,
  } as TokenwardOptions);
}

async function warmupError(tw: Tokenward): Promise<ConfigurationError> {
  const caught = await tw.warmup().then(
    () => new Error('warmup succeeded'),
    (error: unknown) => error,
  );
  expect(caught).toBeInstanceOf(ConfigurationError);
  return caught as ConfigurationError;
}

async function refuse(tw: Tokenward, token: string) {
  const outcome = await tw.authenticate({ authorization: `Bearer ${token}` });
  if (outcome.ok) throw new Error('the token was accepted');
  return outcome;
}

describe('warmup() throws a ConfigurationError for what startup can know', () => {
  it('a discovery document naming another issuer: both values, the option, no JWKS fetched', async () => {
    // The test issuer's discovery says "<origin>/tenant/"; configured without the slash.
    const configured = slashed.issuer.slice(0, -1);
    const before = slashed.requestCount(new URL(slashed.jwksUri).pathname);
    const error = await warmupError(make({ issuer: configured }));
    expect(error.option).toBe('issuer');
    expect(error.message).toContain(JSON.stringify(configured));
    expect(error.message).toContain(JSON.stringify(slashed.issuer));
    expect(error.message).toContain(slashed.discoveryUri);
    expect(slashed.requestCount(new URL(slashed.jwksUri).pathname)).toBe(before);
  });

  it('names the entry of a multi-issuer configuration', async () => {
    const tw = createTokenward({
      issuers: [
        { issuer: issuer.issuer, audience: AUDIENCE },
        { issuer: slashed.issuer.slice(0, -1), audience: AUDIENCE },
      ],
    });
    expect((await warmupError(tw)).option).toBe('issuers[1].issuer');
  });

  it('a JWKS with no usable key names jwksUri and the URL', async () => {
    const server = await createTestIssuer();
    try {
      const jwksPath = new URL(server.jwksUri).pathname;
      server.setFault(jwksPath, {
        body: JSON.stringify({ keys: [{ kty: 'oct', k: 'c2VjcmV0' }] }),
      });
      const error = await warmupError(make({ issuer: server.issuer, jwksUri: server.jwksUri }));
      expect(error.option).toBe('jwksUri');
      expect(error.message).toContain(server.jwksUri);
      expect(error.message).toContain('1 key(s) and none is a usable');
    } finally {
      await server.close();
    }
  });

  it('keys none of which fits the allowed algorithms: both lists', async () => {
    const error = await warmupError(make({ algorithms: ['RS256', 'PS256'] }));
    expect(error.option).toBe('algorithms');
    expect(error.message).toContain('RS256, PS256');
    expect(error.message).toContain('EC P-256');
  });

  it('local keys none of which fits the allowed algorithms: at creation', () => {
    expect(() => make({ jwks: issuer.jwks(), algorithms: ['RS256'] })).toThrow(
      /"algorithms".*no key in "jwks" \(EC P-256.*\) fits the allowed algorithms \(RS256\)/,
    );
  });

  it('an unreachable key server is an outage, not a ConfigurationError', async () => {
    const tw = make({ jwksUri: 'http://127.0.0.1:1/jwks', keySet: { timeout: 500 } });
    const caught = await tw.warmup().then(
      () => undefined,
      (error: unknown) => error,
    );
    expect(caught).not.toBeInstanceOf(ConfigurationError);
    expect((caught as { status?: number }).status).toBe(503);
  });

  it('control: a correct configuration warms up', async () => {
    await expect(make().warmup()).resolves.toBeUndefined();
  });
});

/** The reason code a key-set refusal carries on its `cause`, if any. */
function causeCode(error: { cause?: unknown } | undefined): unknown {
  return (error?.cause as { code?: unknown } | undefined)?.code;
}

describe('while serving: answered as before, reported once with both values', () => {
  it('a discovery mismatch answers the ordinary 503 (never 500) and logs one error', async () => {
    const { logger, logged } = recorder();
    const configured = slashed.issuer.slice(0, -1);
    const tw = make({ issuer: configured, logger, keySet: { failureBackoff: 0 } });
    const token = await slashed.mintToken({ iss: configured });
    for (let i = 0; i < 3; i++) {
      const { response, error } = await refuse(tw, token);
      expect(error.code).toBe('keys_unavailable');
      expect(causeCode(error)).toBe('discovery_issuer_mismatch');
      expect(response.status).toBe(503);
      expect(response.headers['retry-after']).toMatch(/^\d+$/);
      expect(JSON.parse(response.body)).toEqual({
        error: 'temporarily_unavailable',
        error_description: 'The token signing keys are unavailable',
      });
    }
    expect(logged).toHaveLength(1);
    expect(logged[0]?.level).toBe('error');
    expect(logged[0]?.message).toContain(JSON.stringify(configured));
    expect(logged[0]?.message).toContain(JSON.stringify(slashed.issuer));
    expect(logged[0]?.message).toContain('(option "issuer")');
    expect(logged[0]?.message).toContain('answered 503');
    expect(logged[0]?.message).not.toContain(token);
    expect(logged[0]?.details).toMatchObject({
      code: 'discovery_issuer_mismatch',
      option: 'issuer',
      configured,
      discovered: slashed.issuer,
    });
  });

  it('a key set with no usable key answers the ordinary 503 and logs one error', async () => {
    const server = await createTestIssuer({ audience: AUDIENCE });
    try {
      const jwksPath = new URL(server.jwksUri).pathname;
      server.setFault(jwksPath, { body: JSON.stringify({ keys: [] }) });
      const { logger, logged } = recorder();
      const tw = make({
        issuer: server.issuer,
        jwksUri: server.jwksUri,
        logger,
        keySet: { failureBackoff: 0 },
      });
      const token = await server.mintToken();
      for (let i = 0; i < 3; i++) {
        const { response, error } = await refuse(tw, token);
        expect(error.code).toBe('keys_unavailable');
        expect(causeCode(error)).toBe('key_set_unusable');
        expect(response.status).toBe(503);
        expect(response.headers['retry-after']).toMatch(/^\d+$/);
        expect(response.body).not.toContain(server.jwksUri);
      }
      expect(logged).toHaveLength(1);
      expect(logged[0]?.level).toBe('error');
      expect(logged[0]?.message).toContain(server.jwksUri);
      expect(logged[0]?.message).toContain('0 key(s)');
      expect(logged[0]?.message).toContain('(option "jwksUri")');
      expect(logged[0]?.message).toContain('answered 503');
      expect(logged[0]?.details).toMatchObject({ code: 'key_set_unusable', option: 'jwksUri' });
    } finally {
      await server.close();
    }
  });

  it('the decision observer sees a 503 whose error.cause names the misconfiguration', async () => {
    const events: DecisionEvent[] = [];
    const configured = slashed.issuer.slice(0, -1);
    const tw = make({ issuer: configured, logger: false, onDecision: (e) => events.push(e) });
    await refuse(tw, await slashed.mintToken({ iss: configured }));
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({
      outcome: 'denied',
      status: 503,
      phase: 'keys',
      code: 'keys_unavailable',
    });
    expect(causeCode(events[0]?.error)).toBe('discovery_issuer_mismatch');
    expect(events[0]?.error?.cause).toMatchObject({
      issuer: configured,
      details: { configured, discovered: slashed.issuer },
    });
  });

  it('an outage is not reported as a misconfiguration', async () => {
    const { logger, logged } = recorder();
    const tw = make({ jwksUri: 'http://127.0.0.1:1/jwks', logger, keySet: { timeout: 500 } });
    const { response, error } = await refuse(tw, await issuer.mintToken());
    expect(response.status).toBe(503);
    expect(causeCode(error)).toBeUndefined();
    expect(logged).toEqual([]);
  });

  it.each([
    ['a trailing slash', (iss: string) => `${iss}/`],
    ['another case', (iss: string) => iss.toUpperCase()],
    ['another scheme', (iss: string) => iss.replace('http://', 'https://')],
  ])(
    'a token iss differing by %s: 401 unknown_issuer, one warning naming both',
    async (_, alter) => {
      const { logger, logged } = recorder();
      const tw = make({ logger });
      const received = alter(issuer.issuer);
      const token = await issuer.mintToken({ iss: received });
      for (let i = 0; i < 3; i++) {
        expect((await refuse(tw, token)).error.code).toBe('unknown_issuer');
      }
      expect(logged).toHaveLength(1);
      expect(logged[0]).toMatchObject({
        level: 'warn',
        details: { option: 'issuer', configured: issuer.issuer, received },
      });
      expect(logged[0]?.message).toContain(JSON.stringify(received));
      expect(logged[0]?.message).toContain('signature not checked');
      expect(logged[0]?.message).not.toContain(token);
      // Another variant of the same configured issuer is the same situation: still one report.
      await refuse(tw, await issuer.mintToken({ iss: `${issuer.issuer}//` }));
      expect(logged).toHaveLength(1);
    },
  );

  it('an unrelated unknown issuer is not reported', async () => {
    const { logger, logged } = recorder();
    const tw = make({ logger });
    await refuse(tw, await issuer.mintToken({ iss: 'https://elsewhere.example' }));
    await refuse(tw, await issuer.mintToken({ iss: `${issuer.issuer}/other` }));
    expect(logged).toEqual([]);
  });

  it('a verified token whose aud differs by a trailing slash: one warning', async () => {
    const { logger, logged } = recorder();
    const tw = make({ logger });
    for (const aud of [`${AUDIENCE}/`, 'HTTPS://API.REPORTS.TEST/']) {
      const token = await issuer.mintToken({ aud });
      expect((await refuse(tw, token)).error.code).toBe('audience_mismatch');
    }
    expect(logged).toHaveLength(1);
    expect(logged[0]).toMatchObject({
      level: 'warn',
      details: { option: 'audience', configured: AUDIENCE, received: `${AUDIENCE}/` },
    });
  });

  it('a forged token with a near-miss aud is not reported (the signature comes first)', async () => {
    const { logger, logged } = recorder();
    const tw = make({ logger });
    const foreign = await issuer.createForeignKey();
    const token = await issuer.mintToken({ aud: `${AUDIENCE}/` }, { key: foreign });
    await refuse(tw, token);
    expect(logged).toEqual([]);
  });

  it(`an audience that never matched: reported after ${NEVER_MATCHED_AFTER} verified tokens`, async () => {
    const { logger, logged } = recorder();
    const tw = make({ logger });
    const token = await issuer.mintToken({ aud: 'api://reports' });
    for (let i = 1; i < NEVER_MATCHED_AFTER; i++) await refuse(tw, token);
    expect(logged).toEqual([]);
    await refuse(tw, token);
    for (let i = 0; i < 5; i++) await refuse(tw, token);
    expect(logged).toHaveLength(1);
    expect(logged[0]?.message).toContain('"api://reports"');
    expect(logged[0]?.message).toContain(JSON.stringify(AUDIENCE));
  });

  it('an audience that matched once is never reported as never matching', async () => {
    const { logger, logged } = recorder();
    const tw = make({ logger });
    expect(
      (await tw.authenticate({ authorization: `Bearer ${await issuer.mintToken()}` })).ok,
    ).toBe(true);
    const token = await issuer.mintToken({ aud: 'api://reports' });
    for (let i = 0; i < NEVER_MATCHED_AFTER * 2; i++) await refuse(tw, token);
    expect(logged).toEqual([]);
  });

  it('a key set with no key for the allowed algorithms: 401 no_matching_key, one warning', async () => {
    const { logger, logged } = recorder();
    const tw = make({ logger, algorithms: ['ES256', 'RS256'], keySet: { cooldown: 0 } });
    // The issuer publishes only EC keys; this token is RS256, signed by a key it does not publish.
    const rsa = await issuer.createForeignKey('RS256');
    const token = await issuer.mintToken({}, { key: rsa });
    const ok = await tw.authenticate({ authorization: `Bearer ${await issuer.mintToken()}` });
    expect(ok.ok).toBe(true);
    expect((await refuse(tw, token)).error.code).toBe('no_matching_key');
    expect(logged).toEqual([]); // ES256 keys fit an allowed algorithm: nothing wrong
    const pinned = make({ logger, algorithms: ['RS256'], keySet: { cooldown: 0 } });
    for (let i = 0; i < 3; i++)
      expect((await refuse(pinned, token)).error.code).toBe('no_matching_key');
    expect(logged).toHaveLength(1);
    expect(logged[0]?.level).toBe('warn');
    expect(logged[0]?.message).toContain('(RS256)');
    expect(logged[0]?.message).toContain('EC P-256');
  });
});

it('an algorithm refused while the held keys fit no allowed algorithm: one warning', async () => {
  const { logger, logged } = recorder();
  const pinned = make({ logger, algorithms: ['RS256'] });
  await warmupError(pinned); // keys are held now, and none fits RS256
  const token = await issuer.mintToken(); // ES256
  for (let i = 0; i < 3; i++) {
    expect((await refuse(pinned, token)).error.code).toBe('algorithm_not_allowed');
  }
  expect(logged).toHaveLength(1);
  expect(logged[0]?.message).toContain('401 algorithm_not_allowed');
});

describe('the logger option', () => {
  it('defaults to console.warn / console.error', async () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    const tw = make();
    await refuse(tw, await issuer.mintToken({ iss: `${issuer.issuer}/` }));
    expect(warn).toHaveBeenCalledTimes(1);
    expect(String(warn.mock.calls[0]?.[0])).toMatch(/^tokenward: a token names the issuer/);
  });

  it('false silences it', async () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    const error = vi.spyOn(console, 'error').mockImplementation(() => {});
    const tw = make({ logger: false });
    await refuse(tw, await issuer.mintToken({ iss: `${issuer.issuer}/` }));
    expect(warn).not.toHaveBeenCalled();
    expect(error).not.toHaveBeenCalled();
  });

  it('a throwing logger never changes a decision', async () => {
    const tw = make({
      logger: {
        warn: () => {
          throw new Error('log sink down');
        },
        error: () => {
          throw new Error('log sink down');
        },
      },
    });
    expect(
      (await refuse(tw, await issuer.mintToken({ iss: `${issuer.issuer}/` }))).error.code,
    ).toBe('unknown_issuer');
  });

  it.each([
    ['true', true],
    ['null', null],
    ['a function', () => {}],
    ['an object without error()', { warn: () => {} }],
  ])('refuses %s', (_, logger) => {
    expect(() => make({ logger: logger as never })).toThrow(/invalid option "logger"/);
  });
});
