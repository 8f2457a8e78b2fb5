import { validateHeaderName, validateHeaderValue } from 'node:http';
import { exportJWK, generateKeyPair } from 'jose';
import { describe, expect, it } from 'vitest';
import {
  AuthError,
  createTokenward,
  type HttpResponse,
  InsufficientScopeError,
  InvalidRequestError,
  InvalidTokenError,
  KeySetUnavailableError,
  MissingTokenError,
  renderChallenge,
  renderError,
  sanitizeChallengeValue,
  UnauthenticatedError,
} from '../src/index.js';

const JSON_TYPE = 'application/json; charset=utf-8';

/** Every header a rendered response carries must be writable by Node without throwing. */
function expectWritableByNode(response: HttpResponse): void {
  for (const [name, value] of Object.entries(response.headers)) {
    expect(() => validateHeaderName(name)).not.toThrow();
    expect(() => validateHeaderValue(name, value)).not.toThrow();
    expect(value).toMatch(/^[\x20-\x7e]*$/);
  }
}

/** The value of one quoted attribute of a challenge. */
function attribute(challenge: string | undefined, name: string): string | undefined {
  const match = new RegExp(`(?:^Bearer |, )${name}="([^"]*)"`).exec(challenge ?? '');
  return match?.[1];
}

describe('renderError: one exact response per error class', () => {
  it('renders a missing token as 401 with a bare challenge', () => {
    expect(renderError(new MissingTokenError())).toEqual({
      status: 401,
      headers: {
        'content-type': JSON_TYPE,
        'cache-control': 'no-store',
        'www-authenticate': 'Bearer',
      },
      body: '{"error":"unauthorized","error_description":"A bearer token is required"}',
    });
  });

  it('renders an unauthenticated authorization as 401 with a bare challenge', () => {
    expect(renderError(new UnauthenticatedError())).toEqual({
      status: 401,
      headers: {
        'content-type': JSON_TYPE,
        'cache-control': 'no-store',
        'www-authenticate': 'Bearer',
      },
      body: '{"error":"unauthorized","error_description":"Authentication is required"}',
    });
  });

  it('renders a malformed request as 400 invalid_request', () => {
    const error = new InvalidRequestError(
      'malformed_credentials',
      'The Authorization header is malformed',
    );
    expect(renderError(error)).toEqual({
      status: 400,
      headers: {
        'content-type': JSON_TYPE,
        'cache-control': 'no-store',
        'www-authenticate':
          'Bearer error="invalid_request", error_description="The Authorization header is malformed"',
      },
      body: '{"error":"invalid_request","error_description":"The Authorization header is malformed"}',
    });
  });

  it('renders an invalid token as 401 invalid_token', () => {
    expect(renderError(new InvalidTokenError('token_expired', 'The token has expired'))).toEqual({
      status: 401,
      headers: {
        'content-type': JSON_TYPE,
        'cache-control': 'no-store',
        'www-authenticate':
          'Bearer error="invalid_token", error_description="The token has expired"',
      },
      body: '{"error":"invalid_token","error_description":"The token has expired"}',
    });
  });

  it('renders a missing scope as 403 insufficient_scope with scope="a b"', () => {
    const error = new InsufficientScopeError(
      'insufficient_scope',
      'The token lacks a required scope',
      { scopes: ['a', 'b'] },
    );
    expect(renderError(error)).toEqual({
      status: 403,
      headers: {
        'content-type': JSON_TYPE,
        'cache-control': 'no-store',
        'www-authenticate':
          'Bearer error="insufficient_scope", error_description="The token lacks a required scope", scope="a b"',
      },
      body: '{"error":"insufficient_scope","error_description":"The token lacks a required scope"}',
    });
  });

  it('renders a 403 without scopes with no scope attribute', () => {
    const error = new InsufficientScopeError('missing_role', 'The token lacks a required role');
    expect(renderError(error).headers['www-authenticate']).toBe(
      'Bearer error="insufficient_scope", error_description="The token lacks a required role"',
    );
  });

  it('renders unavailable keys as 503 with Retry-After and no challenge', () => {
    expect(
      renderError(new KeySetUnavailableError('The token signing keys are unavailable')),
    ).toEqual({
      status: 503,
      headers: {
        'content-type': JSON_TYPE,
        'cache-control': 'no-store',
        'retry-after': '30',
      },
      body: '{"error":"temporarily_unavailable","error_description":"The token signing keys are unavailable"}',
    });
    const soon = renderError(new KeySetUnavailableError('Keys unavailable', { retryAfter: 7 }));
    expect(soon.headers['retry-after']).toBe('7');
    expect(soon.headers).not.toHaveProperty('www-authenticate');
  });

  it('renders the base class by phase', () => {
    const cases = [
      ['request', 400, 'invalid_request'],
      ['credentials', 401, undefined],
      ['token', 401, 'invalid_token'],
      ['authorization', 403, 'insufficient_scope'],
      ['keys', 503, undefined],
    ] as const;
    for (const [phase, status, bearerError] of cases) {
      const error = new AuthError(phase, 'token_rejected', 'Refused');
      const response = renderError(error);
      expect(response.status).toBe(status);
      expect(error.bearerError).toBe(bearerError);
      const challenge = response.headers['www-authenticate'];
      if (status === 503) expect(challenge).toBeUndefined();
      else if (bearerError === undefined) expect(challenge).toBe('Bearer');
      else {
        expect(challenge).toBe(`Bearer error="${bearerError}", error_description="Refused"`);
      }
    }
  });

  it('sends Retry-After only on a 503, whatever the error options say', () => {
    const errors: AuthError[] = [
      new MissingTokenError(),
      new UnauthenticatedError(),
      new InvalidRequestError('multiple_tokens', 'x', { retryAfter: 5 }),
      new InvalidTokenError('token_rejected', 'x', { retryAfter: 5 }),
      new InsufficientScopeError('policy_denied', 'x', { retryAfter: 5 }),
      new AuthError('token', 'token_rejected', 'x', { retryAfter: 5 }),
    ];
    for (const error of errors) {
      const response = renderError(error);
      expect(error.retryAfter).toBeUndefined();
      expect(Object.keys(response.headers).sort()).toEqual([
        'cache-control',
        'content-type',
        'www-authenticate',
      ]);
    }
    const unavailable = renderError(new AuthError('keys', 'keys_unavailable', 'x'));
    expect(Object.keys(unavailable.headers).sort()).toEqual([
      'cache-control',
      'content-type',
      'retry-after',
    ]);
  });

  it('always renders Retry-After as delay-seconds (RFC 9110: 1*DIGIT)', () => {
    for (const retryAfter of [2.5, -1, Number.NaN, Number.POSITIVE_INFINITY]) {
      const response = renderError(new KeySetUnavailableError('Keys unavailable', { retryAfter }));
      expect(response.headers['retry-after']).toMatch(/^\d+$/);
    }
  });

  it('writes a body of exactly two string members and never the cause', () => {
    const cause = new Error('GET https://keys.internal.example/jwks failed: eyJhbGciOi.secret');
    const errors = [
      new InvalidTokenError('invalid_signature', 'The token signature is invalid', { cause }),
      new KeySetUnavailableError('The token signing keys are unavailable', { cause }),
      new InsufficientScopeError('policy_denied', 'The request is not allowed', { cause }),
    ];
    for (const error of errors) {
      const response = renderError(error);
      const parsed = JSON.parse(response.body) as Record<string, unknown>;
      expect(Object.keys(parsed).sort()).toEqual(['error', 'error_description']);
      expect(parsed.error_description).toBe(error.message);
      const everything = response.body + Object.values(response.headers).join('\n');
      expect(everything).not.toContain('keys.internal');
      expect(everything).not.toContain('eyJhbGciOi');
      expect(everything).not.toContain('    at ');
    }
  });
});

describe('renderError: realm', () => {
  it('puts the realm first in every challenge', () => {
    const options = { realm: 'reports' };
    expect(renderError(new MissingTokenError(), options).headers['www-authenticate']).toBe(
      'Bearer realm="reports"',
    );
    expect(renderError(new UnauthenticatedError(), options).headers['www-authenticate']).toBe(
      'Bearer realm="reports"',
    );
    expect(
      renderError(new InvalidTokenError('token_expired', 'The token has expired'), options).headers[
        'www-authenticate'
      ],
    ).toBe(
      'Bearer realm="reports", error="invalid_token", error_description="The token has expired"',
    );
    expect(
      renderError(
        new InsufficientScopeError('insufficient_scope', 'Missing', { scopes: ['read:report'] }),
        options,
      ).headers['www-authenticate'],
    ).toBe(
      'Bearer realm="reports", error="insufficient_scope", error_description="Missing", scope="read:report"',
    );
  });

  it('renders an empty realm as realm=""', () => {
    expect(renderError(new MissingTokenError(), { realm: '' }).headers['www-authenticate']).toBe(
      'Bearer realm=""',
    );
  });

  it('sends no challenge on a 503 even with a realm', () => {
    const response = renderError(new KeySetUnavailableError('down'), { realm: 'reports' });
    expect(response.headers).not.toHaveProperty('www-authenticate');
  });

  it('uses the configured realm in Tokenward.render()', async () => {
    const { publicKey } = await generateKeyPair('ES256');
    const tw = createTokenward({
      issuer: 'https://issuer.example',
      audience: 'https://api.example',
      jwks: [await exportJWK(publicKey)],
      realm: 'reports api',
    });
    expect(tw.render(new MissingTokenError()).headers['www-authenticate']).toBe(
      'Bearer realm="reports api"',
    );
    expect(tw.render(new InvalidTokenError('token_expired', 'Expired'))).toEqual(
      renderError(new InvalidTokenError('token_expired', 'Expired'), { realm: 'reports api' }),
    );
  });
});

describe('renderChallenge', () => {
  it('returns undefined for a 503 and the challenge otherwise', () => {
    expect(renderChallenge(new KeySetUnavailableError('down'))).toBeUndefined();
    expect(renderChallenge(new MissingTokenError())).toBe('Bearer');
    expect(renderChallenge(new InvalidRequestError('multiple_tokens', 'Twice'))).toBe(
      'Bearer error="invalid_request", error_description="Twice"',
    );
    expect(renderChallenge(new MissingTokenError(), { realm: 'r' })).toBe('Bearer realm="r"');
  });

  it('puts exactly the error scopes in the scope attribute, in order', () => {
    const error = new InsufficientScopeError('insufficient_scope', 'm', {
      scopes: ['write:report', 'read:report', 'admin'],
    });
    expect(attribute(renderChallenge(error), 'scope')).toBe('write:report read:report admin');
  });
});

describe('sanitizeChallengeValue', () => {
  it('keeps exactly printable ASCII without " and \\', () => {
    for (let code = 0; code <= 0x7f; code++) {
      const char = String.fromCharCode(code);
      const allowed = code >= 0x20 && code <= 0x7e && code !== 0x22 && code !== 0x5c;
      expect(sanitizeChallengeValue(char)).toBe(allowed ? char : '?');
    }
  });

  it.each([
    ['CR LF', 'a\r\nSet-Cookie: x=1', 'a??Set-Cookie: x=1'],
    ['a quote', 'say "hi"', 'say ?hi?'],
    ['a backslash', 'a\\"b', 'a??b'],
    ['Latin-1', 'café ÿ', 'caf? ?'],
    ['beyond Latin-1', '日本 Ω €', '?? ? ?'],
    ['an astral character', 'a\u{1f600}b', 'a??b'],
    ['NUL and DEL', 'a\u0000b\u007fc', 'a?b?c'],
    ['a tab', 'a\tb', 'a?b'],
    ['a lone surrogate', 'a\ud800b', 'a?b'],
    ['the empty string', '', ''],
  ])('replaces %s', (_, input, expected) => {
    expect(sanitizeChallengeValue(input)).toBe(expected);
  });

  it('cuts values to 256 characters', () => {
    expect(sanitizeChallengeValue('a'.repeat(256))).toBe('a'.repeat(256));
    expect(sanitizeChallengeValue('a'.repeat(257))).toBe('a'.repeat(256));
    expect(sanitizeChallengeValue('"'.repeat(10_000))).toBe('?'.repeat(256));
    // A surrogate pair split by the cut leaves no lone surrogate behind.
    expect(sanitizeChallengeValue(`${'a'.repeat(255)}\u{1f600}`)).toBe(`${'a'.repeat(255)}?`);
  });
});

describe('renderError: hostile values never reach a header raw', () => {
  const hostile = [
    'line\r\nSet-Cookie: session=stolen',
    'line\nX-Injected: 1',
    'line\rX-Injected: 1',
    'quote " and backslash \\ and \\"',
    'close quote", error="forged',
    'non-Latin-1: 日本語 Ω ☃ \u{1f600}',
    'Latin-1: café ñ ÿ',
    'control \u0000\u0001\u0007\u001b\u007f',
    'lone surrogate \ud800 \udfff',
    'x'.repeat(5000),
    `${'é'.repeat(300)}\r\n`,
  ];

  const builders: ((message: string) => AuthError)[] = [
    (m) => new InvalidRequestError('malformed_credentials', m),
    (m) => new InvalidTokenError('token_rejected', m),
    (m) => new InsufficientScopeError('insufficient_scope', m, { scopes: [m, 'read:report'] }),
    (m) => new MissingTokenError(m),
    (m) => new UnauthenticatedError(m),
    (m) => new KeySetUnavailableError(m),
  ];

  it('sanitizes messages, scopes and realms so Node accepts every header', () => {
    for (const value of hostile) {
      for (const build of builders) {
        for (const options of [{}, { realm: value }]) {
          const error = build(value);
          const response = renderError(error, options);
          expectWritableByNode(response);
          const challenge = response.headers['www-authenticate'];
          if (challenge === undefined) continue;
          expect(challenge).not.toMatch(/[\r\n\0]/);
          // Quoting holds: the challenge splits into exactly the attributes we rendered.
          const attributes = challenge.replace(/^Bearer ?/, '').match(/\w+="[^"]*"/g) ?? [];
          const names = attributes.map((a) => a.slice(0, a.indexOf('=')));
          const expected = [
            ...('realm' in options ? ['realm'] : []),
            ...(error.bearerError === undefined ? [] : ['error', 'error_description']),
            ...(error.scopes.length > 0 ? ['scope'] : []),
          ];
          expect(names).toEqual(expected);
          expect(challenge).toBe(
            expected.length === 0 ? 'Bearer' : `Bearer ${attributes.join(', ')}`,
          );
          for (const name of ['realm', 'error_description', 'scope']) {
            const v = attribute(challenge, name);
            if (v !== undefined) expect(v.length).toBeLessThanOrEqual(256);
          }
        }
      }
    }
  });

  it('keeps the raw message in the JSON body, where it is safely escaped', () => {
    for (const value of hostile) {
      const response = renderError(new InvalidTokenError('token_rejected', value));
      expect((JSON.parse(response.body) as { error_description: string }).error_description).toBe(
        value,
      );
      expect(response.body).not.toMatch(/[\r\n]/);
    }
  });

  it('renders exactly the sanitized description', () => {
    const response = renderError(
      new InvalidTokenError('token_rejected', 'bad "token"\r\nSet-Cookie: a=b — ok'),
      { realm: 'api\\"x' },
    );
    expect(response.headers['www-authenticate']).toBe(
      'Bearer realm="api??x", error="invalid_token", error_description="bad ?token???Set-Cookie: a=b ? ok"',
    );
  });

  it('cuts long messages, realms and scope lists to 256 characters', () => {
    const long = 'm'.repeat(1000);
    const scopes = Array.from({ length: 100 }, (_, i) => `scope:${i}`);
    const challenge = renderError(
      new InsufficientScopeError('insufficient_scope', long, { scopes }),
      {
        realm: 'r'.repeat(1000),
      },
    ).headers['www-authenticate'];
    expect(attribute(challenge, 'realm')).toBe('r'.repeat(256));
    expect(attribute(challenge, 'error_description')).toBe('m'.repeat(256));
    expect(attribute(challenge, 'scope')).toBe(scopes.join(' ').slice(0, 256));
  });
});
