import { exportJWK, generateKeyPair, type JWK, SignJWT } from 'jose';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  ConfigurationError,
  createTokenward,
  Tokenward,
  type TokenwardOptions,
} from '../src/index.js';
import { closestName, editDistance } from '../src/verify/check-option-names.js';
import { TOKENWARD_OPTION_NAMES } from '../src/verify/option-names.js';

const ISSUER = 'https://issuer.example';
const AUDIENCE = 'https://api.reports.example';
const SECRET = 'a-shared-secret-of-at-least-32-bytes!';

let privateKey: CryptoKey;
let publicJwk: JWK;
let privateJwk: JWK;
let rsaJwk: JWK;

beforeAll(async () => {
  const pair = await generateKeyPair('ES256', { extractable: true });
  privateKey = pair.privateKey;
  publicJwk = { ...(await exportJWK(pair.publicKey)), kid: 'key-1', alg: 'ES256' };
  privateJwk = { ...(await exportJWK(pair.privateKey)), kid: 'key-1' };
  rsaJwk = await exportJWK((await generateKeyPair('RS256')).publicKey);
});

/** A complete, valid configuration with local keys. */
function valid(): TokenwardOptions {
  return { issuer: ISSUER, audience: AUDIENCE, jwks: { keys: [publicJwk] } };
}

/** Create with deliberately ill-typed options; return the ConfigurationError thrown. */
function configurationError(options: unknown): ConfigurationError {
  let thrown: unknown;
  try {
    createTokenward(options as TokenwardOptions);
  } catch (error) {
    thrown = error;
  }
  expect(thrown).toBeInstanceOf(ConfigurationError);
  const error = thrown as ConfigurationError;
  expect(error.name).toBe('ConfigurationError');
  expect(error.message).toContain(`invalid option "${error.option}"`);
  return error;
}

function expectOption(options: unknown, option: string): ConfigurationError {
  const error = configurationError(options);
  expect(error.option).toBe(option);
  return error;
}

function expectAccepted(options: unknown): Tokenward {
  return createTokenward(options as TokenwardOptions);
}

/** A fetch that records every call and answers with `answer(url)`. */
function countingFetch(answer: (url: string) => unknown = () => ({ keys: [publicJwk] })) {
  const calls: string[] = [];
  const fetchImpl: typeof fetch = async (input) => {
    const url = String(input instanceof Request ? input.url : input);
    calls.push(url);
    return new Response(JSON.stringify(answer(url)), {
      status: 200,
      headers: { 'content-type': 'application/json' },
    });
  };
  return { calls, fetch: fetchImpl };
}

describe('a valid configuration', () => {
  it('creates a working Tokenward', async () => {
    const tw = createTokenward(valid());
    expect(tw).toBeInstanceOf(Tokenward);
    const token = await new SignJWT({ iss: ISSUER, aud: AUDIENCE, sub: 'user-1' })
      .setProtectedHeader({ alg: 'ES256', kid: 'key-1' })
      .setExpirationTime('5m')
      .sign(privateKey);
    const outcome = await tw.authenticate({ authorization: `Bearer ${token}` });
    expect(outcome.ok && outcome.auth.subject).toBe('user-1');
  });

  it('accepts every documented shape', () => {
    expectAccepted({ ...valid(), audience: [AUDIENCE, 'https://other.example'] });
    expectAccepted({ ...valid(), jwks: [publicJwk] });
    expectAccepted({ ...valid(), jwks: [rsaJwk], algorithms: ['RS256', 'PS256'] });
    expectAccepted({ issuer: ISSUER, audience: AUDIENCE, secret: SECRET });
    expectAccepted({ issuer: ISSUER, audience: AUDIENCE, secret: SECRET, algorithms: ['HS512'] });
    expectAccepted({ issuer: ISSUER, audience: AUDIENCE, secret: new Uint8Array(32) });
    expectAccepted({ issuer: ISSUER, audience: AUDIENCE, jwksUri: 'https://keys.example/jwks' });
    expectAccepted({ issuer: ISSUER, audience: AUDIENCE });
    expectAccepted({
      issuers: [
        { issuer: ISSUER, audience: AUDIENCE, jwks: [publicJwk] },
        { issuer: 'https://other.example', audience: AUDIENCE, secret: SECRET },
      ],
    });
    expectAccepted({
      ...valid(),
      clockTolerance: 0,
      maxTokenLength: 64,
      tokenType: 'rfc9068',
      maxTokenAge: 60,
      maxTokenLifetime: 3600,
      requiredClaims: ['sub'],
      realm: 'reports api',
      claims: { scopes: ['scp'], roles: 'groups', organization: 'org', clientId: ['azp'] },
      rbac: { roles: { reader: ['read:report'] }, organizationRoles: { member: [] } },
      tokenLocations: { query: true, body: true },
      allowHttp: false,
      validate: () => true,
      isRevoked: () => false,
      onDecision: () => {},
      onKeySetEvent: () => {},
      now: () => Date.now(),
      fetch: globalThis.fetch,
    });
    expectAccepted({ ...valid(), clockTolerance: 300, maxTokenLength: 1_048_576 });
  });

  it('throws at creation, synchronously, from the constructor as well', () => {
    expect(() => new Tokenward({ audience: AUDIENCE } as TokenwardOptions)).toThrow(
      ConfigurationError,
    );
  });
});

describe('issuer and audience', () => {
  it.each([
    ['no issuer', () => ({ audience: AUDIENCE, jwks: [publicJwk] }), 'issuer'],
    ['an empty issuer', () => ({ ...valid(), issuer: '' }), 'issuer'],
    ['a numeric issuer', () => ({ ...valid(), issuer: 42 }), 'issuer'],
    ['no audience', () => ({ issuer: ISSUER, jwks: [publicJwk] }), 'audience'],
    ['an empty audience', () => ({ ...valid(), audience: '' }), 'audience'],
    ['an empty audience array', () => ({ ...valid(), audience: [] }), 'audience'],
    ['an empty audience entry', () => ({ ...valid(), audience: [AUDIENCE, ''] }), 'audience[1]'],
    ['a numeric audience entry', () => ({ ...valid(), audience: [1] }), 'audience[0]'],
    ['a numeric audience', () => ({ ...valid(), audience: 1 }), 'audience'],
    ['no options at all', () => undefined, 'issuer'],
    ['null options', () => null, 'options'],
    ['an array as options', () => [], 'options'],
  ])('refuses %s', (_, options, option) => {
    expectOption(options(), option);
  });
});

describe('issuers', () => {
  it.each([
    ['issuers with an inline issuer', () => ({ issuer: ISSUER, issuers: [valid()] }), 'issuer'],
    [
      'issuers with an inline audience',
      () => ({ audience: AUDIENCE, issuers: [valid()] }),
      'audience',
    ],
    ['issuers with inline jwks', () => ({ jwks: [publicJwk], issuers: [valid()] }), 'jwks'],
    ['issuers with an inline secret', () => ({ secret: SECRET, issuers: [valid()] }), 'secret'],
    [
      'issuers with inline algorithms',
      () => ({ algorithms: ['ES256'], issuers: [valid()] }),
      'algorithms',
    ],
    [
      'issuers with inline organizationTokens',
      () => ({ organizationTokens: true, issuers: [valid()] }),
      'organizationTokens',
    ],
    ['empty issuers', () => ({ issuers: [] }), 'issuers'],
    ['issuers that is not an array', () => ({ issuers: valid() }), 'issuers'],
    ['a null issuers entry', () => ({ issuers: [null] }), 'issuers[0]'],
    [
      'duplicate issuers',
      () => ({ issuers: [valid(), { ...valid(), audience: 'https://b.example' }] }),
      'issuers[1].issuer',
    ],
    [
      'an entry without audience',
      () => ({ issuers: [valid(), { issuer: 'https://b.example', jwks: [publicJwk] }] }),
      'issuers[1].audience',
    ],
    [
      'an entry with none',
      () => ({
        issuers: [
          valid(),
          { ...valid(), issuer: 'https://b.example', algorithms: ['ES256', 'none'] },
        ],
      }),
      'issuers[1].algorithms[1]',
    ],
    [
      'an entry with two key sources',
      () => ({ issuers: [{ ...valid(), secret: SECRET }] }),
      'issuers[0].secret',
    ],
  ])('refuses %s', (_, options, option) => {
    expectOption(options(), option);
  });
});

describe('algorithms', () => {
  it.each([
    ['an empty list', () => ({ ...valid(), algorithms: [] }), 'algorithms'],
    ['a string', () => ({ ...valid(), algorithms: 'ES256' }), 'algorithms'],
    ['none', () => ({ ...valid(), algorithms: ['none'] }), 'algorithms[0]'],
    ['NONE', () => ({ ...valid(), algorithms: ['NONE'] }), 'algorithms[0]'],
    ['None', () => ({ ...valid(), algorithms: ['None'] }), 'algorithms[0]'],
    [
      'none after a good one',
      () => ({ ...valid(), algorithms: ['ES256', 'none'] }),
      'algorithms[1]',
    ],
    [
      'none with a secret',
      () => ({ issuer: ISSUER, audience: AUDIENCE, secret: SECRET, algorithms: ['none'] }),
      'algorithms[0]',
    ],
    ['HS256 with a key set', () => ({ ...valid(), algorithms: ['HS256'] }), 'algorithms[0]'],
    [
      'HS256 with a remote key set',
      () => ({
        issuer: ISSUER,
        audience: AUDIENCE,
        jwksUri: 'https://keys.example/jwks',
        algorithms: ['RS256', 'HS256'],
      }),
      'algorithms[1]',
    ],
    [
      'RS256 with a secret',
      () => ({ issuer: ISSUER, audience: AUDIENCE, secret: SECRET, algorithms: ['RS256'] }),
      'algorithms[0]',
    ],
    ['a lower-case name', () => ({ ...valid(), algorithms: ['es256'] }), 'algorithms[0]'],
    ['an encryption algorithm', () => ({ ...valid(), algorithms: ['RSA-OAEP'] }), 'algorithms[0]'],
    ['an unknown algorithm', () => ({ ...valid(), algorithms: ['ES256K'] }), 'algorithms[0]'],
    ['a non-string', () => ({ ...valid(), algorithms: [256] }), 'algorithms[0]'],
  ])('refuses %s', (_, options, option) => {
    expectOption(options(), option);
  });

  it('says that none is never accepted', () => {
    expect(configurationError({ ...valid(), algorithms: ['NONE'] }).message).toContain('never');
  });
});

describe('key sources', () => {
  it.each([
    [
      'a 31-byte secret',
      () => ({ issuer: ISSUER, audience: AUDIENCE, secret: 'x'.repeat(31) }),
      'secret',
    ],
    ['an empty secret', () => ({ issuer: ISSUER, audience: AUDIENCE, secret: '' }), 'secret'],
    [
      'a 31-byte Uint8Array secret',
      () => ({ issuer: ISSUER, audience: AUDIENCE, secret: new Uint8Array(31) }),
      'secret',
    ],
    [
      'a 31-byte multi-byte secret',
      () => ({ issuer: ISSUER, audience: AUDIENCE, secret: `${'é'.repeat(15)}a` }),
      'secret',
    ],
    [
      'a numeric secret',
      () => ({ issuer: ISSUER, audience: AUDIENCE, secret: 12_345_678 }),
      'secret',
    ],
    ['secret with jwks', () => ({ ...valid(), secret: SECRET }), 'secret'],
    ['jwksUri with jwks', () => ({ ...valid(), jwksUri: 'https://keys.example/jwks' }), 'jwks'],
    [
      'jwksUri with secret',
      () => ({
        issuer: ISSUER,
        audience: AUDIENCE,
        jwksUri: 'https://keys.example/jwks',
        secret: SECRET,
      }),
      'secret',
    ],
  ])('refuses %s', (_, options, option) => {
    expectOption(options(), option);
  });

  it('counts secret length in bytes, not characters', () => {
    expectAccepted({ issuer: ISSUER, audience: AUDIENCE, secret: 'é'.repeat(16) });
  });

  it.each([
    ['a private key', () => [privateJwk], 'jwks[0]'],
    ['a private key second', () => ({ keys: [publicJwk, privateJwk] }), 'jwks[1]'],
    [
      'a symmetric key',
      () => [{ kty: 'oct', k: 'c2VjcmV0LXNlY3JldC1zZWNyZXQtc2VjcmV0LXNlY3JldA' }],
      'jwks[0]',
    ],
    ['an empty key set', () => ({ keys: [] }), 'jwks'],
    ['an empty key array', () => [], 'jwks'],
    ['not a key set', () => ({ key: publicJwk }), 'jwks'],
    ['a string', () => 'keys', 'jwks'],
    ['an encryption key', () => [{ ...publicJwk, use: 'enc' }], 'jwks[0]'],
    ['a key whose key_ops exclude verify', () => [{ ...publicJwk, key_ops: ['sign'] }], 'jwks[0]'],
    ['a key for an HMAC algorithm', () => [{ ...publicJwk, alg: 'HS256' }], 'jwks[0]'],
    ['a key for alg none', () => [{ ...publicJwk, alg: 'none' }], 'jwks[0]'],
    ['an RSA key without e', () => [{ kty: 'RSA', n: rsaJwk.n }], 'jwks[0]'],
    ['an EC key without y', () => [{ kty: 'EC', crv: 'P-256', x: publicJwk.x }], 'jwks[0]'],
    ['an unknown key type', () => [{ kty: 'XYZ', x: 'abc' }], 'jwks[0]'],
    ['a non-string kid', () => [{ ...publicJwk, kid: 7 }], 'jwks[0]'],
    ['null', () => [null], 'jwks[0]'],
  ])('refuses jwks with %s', (_, jwks, option) => {
    expectOption({ issuer: ISSUER, audience: AUDIENCE, jwks: jwks() }, option);
  });

  it('names the secret-vs-key-set problem in the message', () => {
    expect(configurationError({ ...valid(), secret: SECRET }).message).toMatch(/jwks/);
  });
});

describe('key-server URLs', () => {
  it.each([
    ['plain http on a public host', 'http://keys.example/jwks'],
    ['plain http on a private address', 'http://10.0.0.1/jwks'],
    ['ftp', 'ftp://keys.example/jwks'],
    ['a file URL', 'file:///etc/jwks.json'],
    ['credentials in the URL', 'https://user:pass@keys.example/jwks'],
    ['a fragment', 'https://keys.example/jwks#keys'],
    ['a relative URL', '/jwks'],
    ['not a URL', 'keys.example/jwks'],
    ['an empty string', ''],
  ])('refuses a jwksUri with %s', (_, jwksUri) => {
    expectOption({ issuer: ISSUER, audience: AUDIENCE, jwksUri }, 'jwksUri');
  });

  it.each([
    'http://127.0.0.1:8080/jwks',
    'http://127.0.0.2/jwks',
    'http://localhost:3000/jwks',
    'http://[::1]:3000/jwks',
    'https://keys.example/jwks',
    'https://keys.example:8443/tenant/jwks?v=1',
  ])('accepts %s', (jwksUri) => {
    expectAccepted({ issuer: ISSUER, audience: AUDIENCE, jwksUri });
  });

  it('accepts plain http on any host with allowHttp', () => {
    expectAccepted({
      issuer: ISSUER,
      audience: AUDIENCE,
      jwksUri: 'http://keys.example/jwks',
      allowHttp: true,
    });
    expectAccepted({ issuer: 'http://issuer.internal', audience: AUDIENCE, allowHttp: true });
  });

  it.each(['http://127.attacker.example/jwks', 'http://127.0.0.1.nip.io/jwks'])(
    'refuses plain http to a DNS name that merely starts with "127." (%s)',
    (jwksUri) => {
      expectOption({ issuer: ISSUER, audience: AUDIENCE, jwksUri }, 'jwksUri');
    },
  );

  it.each([
    ['a non-URL issuer', 'my-issuer'],
    ['an http issuer on a public host', 'http://issuer.example'],
    ['an issuer with credentials', 'https://user:pass@issuer.example'],
    ['a urn issuer', 'urn:example:issuer'],
  ])('refuses %s that needs discovery', (_, issuer) => {
    expectOption({ issuer, audience: AUDIENCE }, 'issuer');
  });

  it('accepts a non-URL issuer when keys are given', () => {
    expectAccepted({ issuer: 'my-issuer', audience: AUDIENCE, jwks: [publicJwk] });
    expectAccepted({ issuer: 'my-issuer', audience: AUDIENCE, secret: SECRET });
    expectAccepted({ issuer: 'my-issuer', audience: AUDIENCE, jwksUri: 'https://k.example/jwks' });
    expectAccepted({ issuer: 'http://127.0.0.1:9000', audience: AUDIENCE });
  });
});

describe('numbers', () => {
  it.each([
    ['clockTolerance', 301],
    ['clockTolerance', -1],
    ['clockTolerance', Number.NaN],
    ['clockTolerance', Number.POSITIVE_INFINITY],
    ['clockTolerance', '5'],
    ['maxTokenLength', 63],
    ['maxTokenLength', 1_048_577],
    ['maxTokenLength', 0],
    ['maxTokenLength', Number.NaN],
    ['maxTokenLength', '8192'],
    ['maxTokenAge', 0],
    ['maxTokenAge', -60],
    ['maxTokenAge', Number.NaN],
    ['maxTokenLifetime', 0],
    ['maxTokenLifetime', '3600'],
  ])('refuses %s = %s', (option, value) => {
    expectOption({ ...valid(), [option]: value }, option);
  });

  it.each([
    ['timeout', 0],
    ['timeout', 120_001],
    ['cacheMaxAge', -1],
    ['cooldown', Number.NaN],
    ['maxStale', -1],
    ['failureBackoff', '1000'],
    ['maxResponseBytes', 0],
    ['maxKeys', 0],
  ])('refuses keySet.%s = %s', (name, value) => {
    expectOption({ ...valid(), keySet: { [name]: value } }, `keySet.${name}`);
  });

  it('refuses a keySet that is not an object', () => {
    expectOption({ ...valid(), keySet: 5000 }, 'keySet');
    expectOption({ ...valid(), keySet: null }, 'keySet');
  });
});

describe('other options', () => {
  it.each([
    ['tokenType', 'strict'],
    ['tokenType', 'RFC9068'],
    ['tokenType', 9068],
    ['allowHttp', 'true'],
    ['organizationTokens', 1],
    ['requiredClaims', 'sub'],
    ['claims', 'scope'],
    ['tokenLocations', 'query'],
    ['rbac', 'admin'],
    ['rbac', ['admin']],
  ])('refuses %s = %j', (option, value) => {
    expectOption({ ...valid(), [option]: value }, option);
  });

  it.each([
    ['requiredClaims', { requiredClaims: ['sub', ''] }, 'requiredClaims[1]'],
    ['claims.scopes', { claims: { scopes: 'scope' } }, 'claims.scopes'],
    ['claims.scopes', { claims: { scopes: [''] } }, 'claims.scopes[0]'],
    ['claims.roles', { claims: { roles: '' } }, 'claims.roles'],
    ['claims.organization', { claims: { organization: 1 } }, 'claims.organization'],
    ['claims.clientId', { claims: { clientId: [] } }, 'claims.clientId'],
    ['tokenLocations.query', { tokenLocations: { query: 'yes' } }, 'tokenLocations.query'],
    ['tokenLocations.body', { tokenLocations: { body: 1 } }, 'tokenLocations.body'],
  ])('refuses a bad %s', (_, extra, option) => {
    expectOption({ ...valid(), ...extra }, option);
  });

  it.each(['validate', 'isRevoked', 'onDecision', 'onKeySetEvent', 'now', 'fetch'])(
    'refuses a non-function %s',
    (option) => {
      for (const value of ['function', {}, true, 1]) {
        expectOption({ ...valid(), [option]: value }, option);
      }
    },
  );

  it.each([
    [{ roles: [] }, 'rbac.roles'],
    [{ roles: 'reader' }, 'rbac.roles'],
    [{ roles: { reader: 'read:report' } }, 'rbac.roles.reader'],
    [{ roles: { reader: [1] } }, 'rbac.roles.reader[0]'],
    [{ roles: { reader: ['read:report', ''] } }, 'rbac.roles.reader[1]'],
    [{ organizationRoles: null }, 'rbac.organizationRoles'],
    [{ organizationRoles: { member: null } }, 'rbac.organizationRoles.member'],
    [{ organizationRoles: { member: { read: true } } }, 'rbac.organizationRoles.member'],
  ])('refuses rbac %j', (rbac, option) => {
    expectOption({ ...valid(), rbac }, option);
  });

  it.each([
    ['a quote', 'reports "api"'],
    ['a backslash', 'reports\\api'],
    ['CR LF', 'reports\r\nX-Injected: 1'],
    ['a tab', 'reports\tapi'],
    ['non-ASCII', 'réports'],
    ['a non-string', 42],
  ])('refuses a realm with %s', (_, realm) => {
    expectOption({ ...valid(), realm }, 'realm');
  });
});

describe('creation does no network I/O', () => {
  it('fetches nothing for a remote key set, discovery, or several issuers until used', async () => {
    const remote = countingFetch((url) =>
      url.endsWith('/.well-known/openid-configuration')
        ? { issuer: 'https://discovered.example', jwks_uri: 'https://discovered.example/jwks' }
        : { keys: [publicJwk] },
    );
    const tw = createTokenward({
      issuers: [
        { issuer: ISSUER, audience: AUDIENCE, jwksUri: 'https://keys.example/jwks' },
        { issuer: 'https://discovered.example', audience: AUDIENCE },
        { issuer: 'https://local.example', audience: AUDIENCE, jwks: [publicJwk] },
      ],
      fetch: remote.fetch,
    });
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(remote.calls).toEqual([]);
    expect(tw.status()).toEqual({
      [ISSUER]: { state: 'empty', keys: 0, fetchedAt: undefined, lastError: undefined },
      'https://discovered.example': {
        state: 'empty',
        keys: 0,
        fetchedAt: undefined,
        lastError: undefined,
      },
      'https://local.example': {
        state: 'static',
        keys: 1,
        fetchedAt: undefined,
        lastError: undefined,
      },
    });

    // The counter does see traffic once keys are asked for.
    await tw.warmup();
    expect(remote.calls.sort()).toEqual([
      'https://discovered.example/.well-known/openid-configuration',
      'https://discovered.example/jwks',
      'https://keys.example/jwks',
    ]);
  });

  it('fetches nothing when creation fails either', () => {
    const remote = countingFetch();
    configurationError({
      issuer: ISSUER,
      audience: AUDIENCE,
      jwksUri: 'https://keys.example/jwks',
      algorithms: ['none'],
      fetch: remote.fetch,
    });
    expect(remote.calls).toEqual([]);
  });
});

describe('unknown option names', () => {
  it.each([
    ['audiance', { audiance: AUDIENCE }, 'audiance', 'audience'],
    ['clockTolerence', { clockTolerence: 5 }, 'clockTolerence', 'clockTolerance'],
    ['jwksURI (case)', { jwksURI: 'https://issuer.example/jwks' }, 'jwksURI', 'jwksUri'],
    ['keySet.cooldownn', { keySet: { cooldownn: 1 } }, 'keySet.cooldownn', 'keySet.cooldown'],
    ['cache.maxEntires', { cache: { maxEntires: 5 } }, 'cache.maxEntires', 'cache.maxEntries'],
    ['claims.role', { claims: { role: 'roles' } }, 'claims.role', 'claims.roles'],
    ['rbac.role', { rbac: { role: {} } }, 'rbac.role', 'rbac.roles'],
    [
      'tokenLocations.querry',
      { tokenLocations: { querry: true } },
      'tokenLocations.querry',
      'tokenLocations.query',
    ],
    ['logger (loger)', { loger: false }, 'loger', 'logger'],
  ])('%s: names the option and the closest valid one', (_, extra, option, suggestion) => {
    const error = configurationError({ ...valid(), ...extra });
    expect(error.option).toBe(option);
    expect(error.message).toContain(`did you mean "${suggestion}"?`);
  });

  it('checks issuers[] entries too', () => {
    const error = configurationError({
      issuers: [
        { issuer: ISSUER, audience: AUDIENCE, jwks: { keys: [publicJwk] } },
        { issuer: 'https://two.example', audiance: AUDIENCE, jwks: { keys: [publicJwk] } },
      ],
    });
    expect(error.option).toBe('issuers[1].audiance');
    expect(error.message).toContain('did you mean "issuers[1].audience"?');
  });

  it('an inline issuer option that belongs to the top level is not an issuer entry option', () => {
    const error = configurationError({
      issuers: [{ issuer: ISSUER, audience: AUDIENCE, jwks: { keys: [publicJwk] }, realm: 'x' }],
    });
    expect(error.option).toBe('issuers[0].realm');
  });

  it('a name close to nothing lists the valid ones', () => {
    const error = configurationError({ ...valid(), keySet: { zzzzzzzz: 1 } });
    expect(error.option).toBe('keySet.zzzzzzzz');
    expect(error.message).toContain('valid options here: timeout, cacheMaxAge, cooldown');
  });

  it('does not check the role names of rbac maps', () => {
    expect(() =>
      createTokenward({ ...valid(), rbac: { roles: { audiance: ['read'] } } }),
    ).not.toThrow();
  });

  it("accepts an adapter's own options, and suggests them", () => {
    const settings = { adapterOptions: ['delegateErrors'] };
    expect(() =>
      createTokenward({ ...valid(), delegateErrors: true } as never, settings),
    ).not.toThrow();
    let thrown: unknown;
    try {
      createTokenward({ ...valid(), delegateError: true } as never, settings);
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(ConfigurationError);
    expect((thrown as ConfigurationError).message).toContain('did you mean "delegateErrors"?');
    // Without the adapter's names, its option is unknown to the core.
    expect(configurationError({ ...valid(), delegateErrors: true }).option).toBe('delegateErrors');
  });
});

describe('closestName', () => {
  it.each([
    ['audiance', 'audience'],
    ['maxEntires', 'maxEntries'],
    ['role', 'roles'],
    ['ISSUER', 'issuer'],
    ['xyz', undefined],
    ['cooldown_ms', 'cooldown'],
    ['somethingElse', undefined],
  ])('%s → %s', (name, expected) => {
    expect(
      closestName(name, TOKENWARD_OPTION_NAMES.concat(['maxEntries', 'roles', 'cooldown'])),
    ).toBe(expected);
  });

  it('counts a swap of two neighbours as one edit', () => {
    expect(editDistance('maxentires', 'maxentries')).toBe(1);
    expect(editDistance('audiance', 'audience')).toBe(1);
    expect(editDistance('', 'abc')).toBe(3);
  });
});
