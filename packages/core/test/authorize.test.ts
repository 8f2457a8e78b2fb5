import { exportJWK, generateKeyPair, type JWK, type JWTPayload, SignJWT } from 'jose';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  type AuthContext,
  AuthError,
  allOf,
  anyOf,
  anyOrgRole,
  anyRole,
  anyScope,
  claim,
  createTokenward,
  type DecisionEvent,
  InsufficientScopeError,
  MisconfigurationError,
  ORGANIZATION_AUDIENCE_PREFIX,
  type Outcome,
  organization,
  orgRoles,
  orgScopes,
  policy,
  type Requirement,
  type RequirementContext,
  roles,
  scopes,
  type TokenRequest,
  type Tokenward,
  type TokenwardOptions,
  UnauthenticatedError,
} from '../src/index.js';

const ISSUER = 'https://issuer.example';
const AUDIENCE = 'https://api.reports.example';
const ORG_AUDIENCE = (id: string) => `${ORGANIZATION_AUDIENCE_PREFIX}${id}`;

let privateKey: CryptoKey;
let publicJwk: JWK;
let tw: Tokenward;

beforeAll(async () => {
  const pair = await generateKeyPair('ES256');
  privateKey = pair.privateKey;
  publicJwk = { ...(await exportJWK(pair.publicKey)), kid: 'key-1', alg: 'ES256', use: 'sig' };
  tw = make();
});

function make(options: Partial<TokenwardOptions> = {}): Tokenward {
  return createTokenward({
    issuer: ISSUER,
    audience: AUDIENCE,
    jwks: { keys: [publicJwk] },
    organizationTokens: true,
    ...options,
  });
}

/** Mint a real ES256 access token; `claims` may override or (with undefined) keep defaults. */
function mint(claims: JWTPayload | Record<string, unknown> = {}): Promise<string> {
  return new SignJWT({ iss: ISSUER, aud: AUDIENCE, sub: 'user-1', client_id: 'app-1', ...claims })
    .setProtectedHeader({ alg: 'ES256', kid: 'key-1', typ: 'at+jwt' })
    .setIssuedAt()
    .setExpirationTime('5m')
    .sign(privateKey);
}

/** Mint and verify through tokenward: the AuthContext of a genuine token. */
async function authFor(
  claims: JWTPayload | Record<string, unknown> = {},
  instance: Tokenward = tw,
): Promise<AuthContext> {
  const outcome = await instance.authenticate({ authorization: `Bearer ${await mint(claims)}` });
  if (!outcome.ok) throw new Error(`test token refused: ${outcome.error.code}`);
  return outcome.auth;
}

async function decide(
  requirement: Requirement,
  claims: JWTPayload | Record<string, unknown>,
  request?: TokenRequest,
  instance: Tokenward = tw,
): Promise<Outcome> {
  return instance.authorize(requirement, await authFor(claims, instance), request);
}

function expectAllowed(outcome: Outcome): void {
  if (!outcome.ok) throw new Error(`expected allowed, got ${outcome.error.code}`);
  expect(outcome.ok).toBe(true);
}

/** Refusal codes that never name scopes. */
const NO_SCOPE = new Set([
  'missing_role',
  'organization_bound_token',
  'organization_mismatch',
  'claim_mismatch',
  'policy_denied',
]);

/**
 * A 403 insufficient_scope with this code. `scope` a string: exactly this `scope` attribute;
 * `null`: none; omitted: none for codes that never name scopes, some for the others.
 */
function expectDenied(outcome: Outcome, code: string, scope?: string | null): AuthError {
  if (outcome.ok) throw new Error(`expected ${code}, got allowed`);
  const { error, response } = outcome;
  expect(error).toBeInstanceOf(InsufficientScopeError);
  expect(error.code).toBe(code);
  expect(error.phase).toBe('authorization');
  expect(response.status).toBe(403);
  const challenge = response.headers['www-authenticate'];
  const prefix = `Bearer error="insufficient_scope", error_description="${error.message}"`;
  if (typeof scope === 'string') expect(challenge).toBe(`${prefix}, scope="${scope}"`);
  else if (scope === null || NO_SCOPE.has(code)) expect(challenge).toBe(prefix);
  else
    expect(challenge).toMatch(
      /^Bearer error="insufficient_scope", error_description="[^"]*", scope="[^"]+"$/,
    );
  expect(JSON.parse(response.body)).toEqual({
    error: 'insufficient_scope',
    error_description: error.message,
  });
  return error;
}

const params = (orgId: unknown): TokenRequest => ({
  authorization: undefined,
  params: { orgId } as Record<string, string>,
});

describe('scopes()', () => {
  it('allows exactly the granted scopes', async () => {
    const claims = { scope: 'read:report write:report' };
    expectAllowed(await decide(scopes('read:report'), claims));
    expectAllowed(await decide(scopes('read:report', 'write:report'), claims));
    expectAllowed(await decide(scopes('write:report', 'read:report'), claims));
  });

  it('denies with 403 and only the missing scopes in scope=', async () => {
    const claims = { scope: 'read:report' };
    expectDenied(
      await decide(scopes('read:report', 'write:report', 'delete:report'), claims),
      'insufficient_scope',
      'write:report delete:report',
    );
  });

  it.each([
    ['case', 'Read:Report', 'read:report'],
    ['case (upper granted)', 'read:report', 'READ:REPORT'],
    ['a plural', 'read:report', 'read:reports'],
    ['a singular', 'read:reports', 'read:report'],
    ['a prefix', 'read:report', 'read'],
    ['an extension', 'read', 'read:report'],
    ['a suffix', 'report', 'read:report'],
    ['a wildcard', 'read:report', 'read:*'],
    ['a star', 'read:report', '*'],
    ['surrounding whitespace in the claim', 'read:report', '\u00a0read:report'],
    ['a Cyrillic e', 'read:report', 'r\u0435ad:report'],
    ['a fullwidth colon', 'read:report', 'read\uff1areport'],
    ['a zero-width space', 'read:report', 'read:report\u200b'],
    ['a Kelvin sign', 'kelvin', '\u212aelvin'],
  ])('never matches %s (required %j, granted %j)', async (_, required, granted) => {
    const outcome = await decide(scopes(required), { scope: granted });
    expect(expectDenied(outcome, 'insufficient_scope').scopes).toEqual([required]);
  });

  it.each([
    ['composed', 'caf\u00e9'],
    ['decomposed', 'cafe\u0301'],
    ['a quote', 'read"report'],
    ['a backslash', 'read\\report'],
    ['a tab', 'read\treport'],
  ])('refuses to build a scope requirement with %s (not an RFC 6749 scope-token)', (_, name) => {
    expect(() => scopes(name)).toThrow(TypeError);
  });

  it.each([
    ['scopes', () => scopes('read:report write:report'), 'scopes("read:report", "write:report")'],
    [
      'anyScope',
      () => anyScope('read:report  write:report'),
      'anyScope("read:report", "write:report")',
    ],
    [
      'orgScopes',
      () => orgScopes('read:report\twrite:report'),
      'orgScopes("read:report", "write:report")',
    ],
    ['roles', () => roles('admin editor'), 'roles("admin", "editor")'],
  ])('%s refuses several space-delimited names in one string, naming the fix', (_, build, fix) => {
    expect(build).toThrow(TypeError);
    expect(build).toThrow(fix);
  });

  it('never matches a non-ASCII granted scope against an ASCII requirement', async () => {
    const outcome = await decide(scopes('cafe'), { scope: 'cafe\u0301 caf\u00e9' });
    expect(expectDenied(outcome, 'insufficient_scope').scopes).toEqual(['cafe']);
  });

  it('splits `scope` on single spaces only, ignoring runs of spaces', async () => {
    const auth = await authFor({ scope: '  read:report   write:report  ' });
    expect(auth.scopes).toEqual(['read:report', 'write:report']);
    expectAllowed(await tw.authorize(scopes('read:report', 'write:report'), auth));
  });

  it.each([
    ['a tab', 'read:report\twrite:report'],
    ['a newline', 'read:report\nwrite:report'],
    ['a comma', 'read:report,write:report'],
    ['a plus', 'read:report+write:report'],
    ['a no-break space', 'read:report\u00a0write:report'],
  ])('does not treat %s as a delimiter', async (_, scope) => {
    const auth = await authFor({ scope });
    expect(auth.scopes).toEqual([scope]);
    const outcome = await tw.authorize(scopes('read:report'), auth);
    expectDenied(outcome, 'insufficient_scope', 'read:report');
    expectDenied(await tw.authorize(scopes('write:report'), auth), 'insufficient_scope');
  });

  it('reads `scp` as a string or an array, and `permissions` as an array', async () => {
    expectAllowed(await decide(scopes('a', 'b'), { scp: 'a b' }));
    expectAllowed(await decide(scopes('a', 'b'), { scp: ['a', 'b'] }));
    expectAllowed(await decide(scopes('a', 'b'), { permissions: ['a', 'b'] }));
  });

  it('unites every scope claim, de-duplicated, in token order', async () => {
    const auth = await authFor({ scope: 'a b', scp: ['b', 'c'], permissions: ['d', 'a'] });
    expect(auth.scopes).toEqual(['a', 'b', 'c', 'd']);
    expectAllowed(await tw.authorize(scopes('a', 'b', 'c', 'd'), auth));
  });

  it('keeps an array entry with a space as one scope', async () => {
    const auth = await authFor({ permissions: ['read:report write:report'] });
    expectDenied(await tw.authorize(scopes('read:report'), auth), 'insufficient_scope');
  });

  it.each([
    ['a number', { scope: 42 }],
    ['a boolean', { scope: true }],
    ['null', { scope: null }],
    ['an object', { scope: { 'read:report': true } }],
    ['nested arrays', { scp: [['read:report']] }],
    ['non-string array entries', { permissions: [1, null, { name: 'read:report' }] }],
    ['an object permissions claim', { permissions: { 'read:report': 1 } }],
    ['an empty scope', { scope: '' }],
    ['only spaces', { scope: '   ' }],
    ['no scope claim at all', {}],
  ])('ignores scope claims of the wrong shape (%s)', async (_, claims) => {
    const auth = await authFor(claims);
    expect(auth.scopes).toEqual([]);
    expectDenied(
      await tw.authorize(scopes('read:report'), auth),
      'insufficient_scope',
      'read:report',
    );
  });

  it('keeps the string entries of a mixed array only', async () => {
    const auth = await authFor({ scp: [1, 'read:report', null] });
    expect(auth.scopes).toEqual(['read:report']);
  });

  it('never reads permissions from unconfigured claims or from the request', async () => {
    const claims = {
      perms: ['read:report'],
      roles: ['read:report'],
      'https://example/scope': 'read:report',
    };
    const request: TokenRequest = {
      authorization: undefined,
      url: '/reports?scope=read:report',
      body: { scope: 'read:report' },
      params: { scope: 'read:report' },
      header: () => 'read:report',
    };
    expectDenied(await decide(scopes('read:report'), claims, request), 'insufficient_scope');
  });

  it('reads only the configured scope claims', async () => {
    const custom = make({ claims: { scopes: ['perms'] } });
    expectAllowed(await decide(scopes('read:report'), { perms: 'read:report' }, undefined, custom));
    expectDenied(
      await decide(scopes('read:report'), { scope: 'read:report' }, undefined, custom),
      'insufficient_scope',
    );
  });

  it.each([
    'constructor',
    '__proto__',
    'toString',
    'hasOwnProperty',
    'valueOf',
    'length',
    'includes',
  ])('never satisfies %j from a prototype', async (name) => {
    for (const claims of [{}, { scope: 'read:report' }, { scp: [] }, { permissions: [] }]) {
      expectDenied(await decide(scopes(name), claims), 'insufficient_scope', name);
      expectDenied(await decide(anyScope(name), claims), 'insufficient_scope', name);
      expectDenied(await decide(roles(name), claims), 'missing_role');
      expectDenied(await decide(anyRole(name), claims), 'missing_role');
    }
    expectAllowed(await decide(scopes(name), { scope: name }));
    expectAllowed(await decide(roles(name), { roles: [name] }));
  });
});

describe('anyScope()', () => {
  it('allows when any one is granted', async () => {
    expectAllowed(await decide(anyScope('admin', 'read:report'), { scope: 'read:report' }));
    expectAllowed(await decide(anyScope('read:report', 'admin'), { scope: 'read:report' }));
  });

  it('denies with every alternative in scope=', async () => {
    expectDenied(
      await decide(anyScope('read:report', 'admin'), { scope: 'read:reports Admin' }),
      'insufficient_scope',
      'read:report admin',
    );
  });
});

describe('global vs organization permissions', () => {
  it('an organization-bound API token (organization_id) never satisfies scopes()', async () => {
    const claims = { scope: 'read:report', organization_id: 'org-1' };
    const auth = await authFor(claims);
    expect(auth.organizationId).toBe('org-1');
    expect(auth.organizationToken).toBe(false);
    expect(auth.scopes).toEqual(['read:report']);
    expectDenied(
      await tw.authorize(scopes('read:report'), auth),
      'insufficient_scope',
      'read:report',
    );
    expectDenied(
      await tw.authorize(anyScope('read:report', 'x'), auth),
      'insufficient_scope',
      'read:report x',
    );
    expectAllowed(await tw.authorize(orgScopes('read:report'), auth));
  });

  it('an organization token (aud urn:logto:organization:<id>) never satisfies scopes()', async () => {
    const auth = await authFor({ aud: ORG_AUDIENCE('org-1'), scope: 'read:report' });
    expect(auth.organizationId).toBe('org-1');
    expect(auth.organizationToken).toBe(true);
    expectDenied(
      await tw.authorize(scopes('read:report'), auth),
      'insufficient_scope',
      'read:report',
    );
    expectDenied(await tw.authorize(anyScope('read:report'), auth), 'insufficient_scope');
    expectAllowed(await tw.authorize(orgScopes('read:report'), auth));
  });

  it('an unbound token never satisfies orgScopes()', async () => {
    const auth = await authFor({ scope: 'read:report' });
    expect(auth.organizationId).toBeUndefined();
    expectDenied(
      await tw.authorize(orgScopes('read:report'), auth),
      'organization_required',
      'read:report',
    );
    expectAllowed(await tw.authorize(scopes('read:report'), auth));
  });

  it('orgScopes() names only the missing organization scopes', async () => {
    const auth = await authFor({ organization_id: 'org-1', scope: 'read:report' });
    expectDenied(
      await tw.authorize(orgScopes('read:report', 'write:report'), auth),
      'insufficient_scope',
      'write:report',
    );
  });

  it.each([
    ['an empty organization_id', { organization_id: '' }],
    ['a numeric organization_id', { organization_id: 1 }],
    ['a null organization_id', { organization_id: null }],
    ['an array organization_id', { organization_id: ['org-1'] }],
    ['an object organization_id', { organization_id: { id: 'org-1' } }],
    [
      'an organization token naming another organization',
      {
        aud: ORG_AUDIENCE('org-1'),
        organization_id: 'org-2',
      },
    ],
  ])('refuses %s at authentication, so it can never pass as unbound', async (_, claims) => {
    const outcome = await tw.authenticate({
      authorization: `Bearer ${await mint({ scope: 'read:report', ...claims })}`,
    });
    expect(outcome.ok).toBe(false);
    expect(!outcome.ok && outcome.response.status).toBe(401);
    expect(!outcome.ok && outcome.error.code).toBe('invalid_claim');
  });

  it.each([
    ['an empty organization id', ORG_AUDIENCE('')],
    ['the prefix in another case', 'URN:LOGTO:ORGANIZATION:org-1'],
    ['several audiences', [ORG_AUDIENCE('org-1'), ORG_AUDIENCE('org-2')]],
  ])('refuses an organization audience with %s', async (_, aud) => {
    const outcome = await tw.authenticate({ authorization: `Bearer ${await mint({ aud })}` });
    expect(!outcome.ok && outcome.error.code).toBe('audience_mismatch');
  });

  it('refuses organization tokens unless organizationTokens is on', async () => {
    const plain = make({ organizationTokens: false });
    const token = await mint({ aud: ORG_AUDIENCE('org-1'), scope: 'read:report' });
    const outcome = await plain.authenticate({ authorization: `Bearer ${token}` });
    expect(!outcome.ok && outcome.error.code).toBe('audience_mismatch');
  });
});

describe('organization()', () => {
  const sameOrg = organization({ param: 'orgId' });

  it('allows the organization the token is bound to (both kinds of binding)', async () => {
    expectAllowed(await decide(sameOrg, { organization_id: 'org-1' }, params('org-1')));
    expectAllowed(await decide(sameOrg, { aud: ORG_AUDIENCE('org-1') }, params('org-1')));
  });

  it.each([
    ['another organization', 'org-1', 'org-2'],
    ['another case', 'org-1', 'ORG-1'],
    ['a leading space', 'org-1', ' org-1'],
    ['a trailing space', 'org-1', 'org-1 '],
    ['a prefix', 'org-12', 'org-1'],
    ['an extension', 'org-1', 'org-12'],
    ['a percent-encoded id', 'orgA', 'org%41'],
    ['a double-encoded id', 'org%41', 'org%2541'],
    ['an encoded id vs the decoded token', 'org%41', 'orgA'],
    ['a NUL byte', 'org', 'org\u0000'],
    ['an encoded NUL', 'org', 'org%00'],
    ['a trailing slash', 'org', 'org/'],
    ['a look-alike', 'org-1', '\u043erg-1'],
    ['an empty id', 'org-1', ''],
  ])('denies %s (token %j, request %j)', async (_, bound, requested) => {
    const error = expectDenied(
      await decide(sameOrg, { organization_id: bound }, params(requested)),
      'organization_mismatch',
    );
    expect(error.scopes).toEqual([]);
  });

  it('compares ids exactly, without decoding', async () => {
    expectAllowed(await decide(sameOrg, { organization_id: 'org%2541' }, params('org%2541')));
    expectAllowed(await decide(sameOrg, { organization_id: 'org%00' }, params('org%00')));
  });

  it.each([
    ['an array', ['org-1']],
    ['a number', 1],
    ['null', null],
    ['an object', { toString: () => 'org-1' }],
  ])('denies a parameter that is %s', async (_, value) => {
    const bound = typeof value === 'number' ? '1' : 'org-1';
    expectDenied(
      await decide(sameOrg, { organization_id: bound }, params(value)),
      'organization_mismatch',
    );
  });

  it('denies (403) an optional parameter the route declares but the URL leaves out', async () => {
    const claims = { organization_id: 'org-1' };
    for (const pattern of ['/orgs{/:orgId}/reports', '/orgs/:orgId?', '/orgs/:"orgId"/x']) {
      expectDenied(
        await decide(sameOrg, claims, {
          authorization: undefined,
          params: {},
          route: () => pattern,
        }),
        'organization_mismatch',
      );
    }
  });

  it.each([
    ['no request', undefined],
    ['no route parameters', { authorization: undefined }],
    ['a route without parameters', { authorization: undefined, params: {} }],
    ['a route with other parameters', { authorization: undefined, params: { org: 'org-1' } }],
    [
      'a route whose pattern has a longer name',
      { authorization: undefined, params: {}, route: () => '/orgs/:orgIdentifier' },
    ],
    ['a middleware on a path', { authorization: undefined, params: {}, route: () => undefined }],
    [
      'only an inherited parameter',
      { authorization: undefined, params: Object.create({ orgId: 'org-1' }) },
    ],
  ])(
    'answers 500 route_param_missing for %s (server misconfiguration, not a 403)',
    async (_, request) => {
      for (const claims of [{ organization_id: 'org-1' }, { scope: 'read:report' }]) {
        const outcome = await decide(sameOrg, claims, request as TokenRequest | undefined);
        expect(outcome.ok).toBe(false);
        if (outcome.ok) return;
        expect(outcome.error).toBeInstanceOf(MisconfigurationError);
        expect(outcome.error.code).toBe('route_param_missing');
        expect(outcome.response.status).toBe(500);
        expect(outcome.response.headers['www-authenticate']).toBeUndefined();
        expect(JSON.parse(outcome.response.body)).toEqual({
          error: 'server_error',
          error_description: 'The server is not configured correctly',
        });
        expect((outcome.error as MisconfigurationError).detail).toContain('"orgId"');
      }
    },
  );

  it('never reads the parameter from the prototype', async () => {
    const inherited = Object.create({ orgId: 'org-1' }) as Record<string, string>;
    const outcome = await decide(
      sameOrg,
      { organization_id: 'org-1' },
      { authorization: undefined, params: inherited },
    );
    expect(outcome.ok).toBe(false);
  });

  it('anyOf does not hide a misconfigured alternative behind a 403', async () => {
    const either = anyOf(organization({ param: 'orgID' }), scopes('admin'));
    const outcome = await decide(either, { organization_id: 'org-1' }, params('org-1'));
    expect(outcome.ok).toBe(false);
    if (!outcome.ok) expect(outcome.error.code).toBe('route_param_missing');
    expectAllowed(await decide(either, { scope: 'admin' }, params('org-1')));
  });

  it('denies an unbound token with organization_required', async () => {
    expectDenied(
      await decide(sameOrg, { scope: 'read:report' }, params('org-1')),
      'organization_required',
      null,
    );
  });

  it('reads the organization with { from }', async () => {
    const fromHeader = organization({
      from: (request) => request.header?.('x-organization'),
    });
    const request = (value: string | undefined): TokenRequest => ({
      authorization: undefined,
      header: (name) => (name === 'x-organization' ? value : undefined),
    });
    const claims = { organization_id: 'org-1' };
    expectAllowed(await decide(fromHeader, claims, request('org-1')));
    expectDenied(await decide(fromHeader, claims, request('org-2')), 'organization_mismatch');
    expectDenied(await decide(fromHeader, claims, request(undefined)), 'organization_mismatch');
    const numeric = organization({ from: () => 1 as unknown as string });
    expectDenied(
      await decide(numeric, { organization_id: '1' }, request('1')),
      'organization_mismatch',
    );
  });

  it('denies (403, fail closed) when { from } throws', async () => {
    const boom = new Error('header parser failed');
    const throwing = organization({
      from: () => {
        throw boom;
      },
    });
    const error = expectDenied(
      await decide(throwing, { organization_id: 'org-1' }, params('org-1')),
      'organization_mismatch',
    );
    expect(error.cause).toBe(boom);
  });

  it('combines with orgScopes() for organization routes', async () => {
    const route = allOf(organization({ param: 'orgId' }), orgScopes('read:report'));
    expectAllowed(
      await decide(route, { organization_id: 'org-1', scope: 'read:report' }, params('org-1')),
    );
    expectDenied(
      await decide(route, { organization_id: 'org-2', scope: 'read:report' }, params('org-1')),
      'organization_mismatch',
    );
    expectDenied(
      await decide(route, { organization_id: 'org-1', scope: 'read:reports' }, params('org-1')),
      'insufficient_scope',
      'read:report',
    );
    expectDenied(
      await decide(route, { scope: 'read:report' }, params('org-1')),
      'organization_required',
      null,
    );
  });
});

describe('roles() and anyRole()', () => {
  it('requires every role, exactly', async () => {
    const claims = { roles: ['admin', 'editor'] };
    expectAllowed(await decide(roles('admin'), claims));
    expectAllowed(await decide(roles('editor', 'admin'), claims));
    expectDenied(await decide(roles('admin', 'owner'), claims), 'missing_role');
    expectDenied(await decide(roles('Admin'), claims), 'missing_role');
    expectDenied(await decide(roles('admins'), claims), 'missing_role');
    expectDenied(await decide(roles('adm'), claims), 'missing_role');
    expectDenied(await decide(roles('\u0430dmin'), claims), 'missing_role');
  });

  it('reads a space-delimited roles string, and ignores other shapes', async () => {
    expectAllowed(await decide(roles('admin', 'editor'), { roles: 'admin editor' }));
    expectDenied(await decide(roles('admin'), { roles: { admin: true } }), 'missing_role');
    expectDenied(await decide(roles('admin'), { roles: 'admin\teditor' }), 'missing_role');
    expectDenied(await decide(roles('admin'), { role: 'admin' }), 'missing_role');
  });

  it('requires any one role with anyRole()', async () => {
    expectAllowed(await decide(anyRole('owner', 'admin'), { roles: ['admin'] }));
    const error = expectDenied(
      await decide(anyRole('owner', 'admin'), { roles: ['editor'] }),
      'missing_role',
    );
    expect(error.scopes).toEqual([]);
  });
});

describe('global roles vs organization binding', () => {
  const BOUND_MESSAGE = 'A token bound to an organization does not grant API-wide roles';
  const boundKinds = [
    ['an organization-bound API token (organization_id)', { organization_id: 'org-1' }],
    ['an organization token (aud urn:logto:organization:<id>)', { aud: ORG_AUDIENCE('org-1') }],
  ] as const;

  it.each(boundKinds)('roles() refuses %s, even with the role', async (_, binding) => {
    const claims = { ...binding, roles: ['admin'] };
    const error = expectDenied(await decide(roles('admin'), claims), 'organization_bound_token');
    expect(error.message).toBe(BOUND_MESSAGE);
    expect(error.scopes).toEqual([]);
  });

  it.each(boundKinds)('anyRole() refuses %s, even with the role', async (_, binding) => {
    const claims = { ...binding, roles: ['admin'] };
    expectDenied(await decide(anyRole('owner', 'admin'), claims), 'organization_bound_token');
  });

  it('an unbound token with the role still passes roles() and anyRole()', async () => {
    expectAllowed(await decide(roles('admin'), { roles: ['admin'] }));
    expectAllowed(await decide(anyRole('owner', 'admin'), { roles: ['admin'] }));
  });

  it('anyOf() of global role requirements keeps the code for a bound token', async () => {
    const either = anyOf(roles('admin'), anyRole('owner'));
    const claims = { organization_id: 'org-1', roles: ['admin', 'owner'] };
    expectDenied(await decide(either, claims), 'organization_bound_token');
  });
});

describe('orgRoles() and anyOrgRole()', () => {
  const ORG_MISSING = 'The token lacks a required organization role';

  it('allow a bound token with every role (both kinds of binding)', async () => {
    const roleClaims = { roles: ['admin', 'member'] };
    for (const binding of [{ organization_id: 'org-1' }, { aud: ORG_AUDIENCE('org-1') }]) {
      expectAllowed(await decide(orgRoles('admin'), { ...binding, ...roleClaims }));
      expectAllowed(await decide(orgRoles('member', 'admin'), { ...binding, ...roleClaims }));
      expectAllowed(await decide(anyOrgRole('owner', 'member'), { ...binding, ...roleClaims }));
    }
  });

  it('refuse an unbound token with organization_required, even with the role', async () => {
    for (const requirement of [orgRoles('admin'), anyOrgRole('owner', 'admin')]) {
      const error = expectDenied(
        await decide(requirement, { roles: ['admin', 'owner'] }),
        'organization_required',
        null,
      );
      expect(error.message).toBe('A token bound to an organization is required');
    }
  });

  it('refuse a bound token without the role with missing_role, matched exactly', async () => {
    const claims = { organization_id: 'org-1', roles: ['admin', 'member'] };
    const error = expectDenied(await decide(orgRoles('admin', 'owner'), claims), 'missing_role');
    expect(error.message).toBe(ORG_MISSING);
    expectDenied(await decide(orgRoles('Admin'), claims), 'missing_role');
    expectDenied(await decide(orgRoles('admins'), claims), 'missing_role');
    expectDenied(await decide(anyOrgRole('owner', 'viewer'), claims), 'missing_role');
    expectDenied(
      await decide(orgRoles('admin'), { organization_id: 'org-1', scope: 'admin' }),
      'missing_role',
    );
  });

  it('with allOf(organization({ param }), ...) refuse another organization', async () => {
    const route = allOf(organization({ param: 'orgId' }), orgRoles('admin'));
    const claims = { organization_id: 'org-1', roles: ['admin'] };
    expectAllowed(await decide(route, claims, params('org-1')));
    expectDenied(await decide(route, claims, params('org-2')), 'organization_mismatch');
  });

  describe('with an organization template (rbac.organizationRoles)', () => {
    const templated = () =>
      make({
        rbac: {
          roles: { ghost: ['read:report'] },
          organizationRoles: { admin: ['manage:org'], member: ['read:org-report'] },
        },
      });
    const ghostClaims = { organization_id: 'org-1', roles: ['admin', 'ghost', 'constructor'] };

    it('a role the template defines matches', async () => {
      const instance = templated();
      expectAllowed(await decide(orgRoles('admin'), ghostClaims, undefined, instance));
      expectAllowed(await decide(anyOrgRole('ghost', 'admin'), ghostClaims, undefined, instance));
    });

    it('a role the template does not define never matches, whatever the token says', async () => {
      const instance = templated();
      for (const requirement of [
        orgRoles('ghost'),
        orgRoles('admin', 'ghost'),
        anyOrgRole('ghost', 'constructor'),
        orgRoles('constructor'),
        orgRoles('__proto__'),
      ]) {
        expectDenied(await decide(requirement, ghostClaims, undefined, instance), 'missing_role');
      }
    });

    it('the same requirement, evaluated without a template, takes the roles claim as is', async () => {
      expectAllowed(await decide(orgRoles('ghost'), ghostClaims));
    });

    it('combinators pass the template on to their parts', async () => {
      const instance = templated();
      for (const requirement of [
        allOf(orgRoles('ghost')),
        anyOf(orgRoles('ghost'), orgRoles('constructor')),
        allOf(
          anyOf(
            orgRoles('ghost'),
            policy(async () => false),
          ),
          orgRoles('admin'),
        ),
        // After an async part allows, allOf() goes on asynchronously: still with the template.
        allOf(
          policy(async () => true),
          orgRoles('ghost'),
        ),
      ]) {
        expect(
          (await decide(requirement, ghostClaims, undefined, instance)).ok,
          requirement.description,
        ).toBe(false);
      }
      expectAllowed(
        await decide(anyOf(orgRoles('ghost'), orgRoles('admin')), ghostClaims, undefined, instance),
      );
    });

    it('hands requirements the template as a set of role names', async () => {
      let seen: RequirementContext | undefined;
      const spy: Requirement = {
        description: 'spy',
        check(_auth, _request, context) {
          seen = context;
          return undefined;
        },
      };
      expectAllowed(await decide(spy, {}, undefined, templated()));
      expect([...(seen?.organizationRoles ?? [])]).toEqual(['admin', 'member']);
      expectAllowed(await decide(spy, {}));
      expect(seen).toEqual({ organizationRoles: undefined });
    });
  });
});

describe('RBAC role maps', () => {
  const rbacTw = () =>
    make({
      rbac: {
        roles: { reader: ['read:report'], writer: ['write:report', 'read:report'] },
        organizationRoles: { member: ['read:org-report'], owner: ['manage:org'] },
      },
    });

  it('grants global role permissions to unbound tokens only', async () => {
    const instance = rbacTw();
    const auth = await authFor({ roles: ['writer'] }, instance);
    expect(auth.scopes).toEqual(['write:report', 'read:report']);
    expectAllowed(await instance.authorize(scopes('read:report', 'write:report'), auth));

    const bound = await authFor({ roles: ['reader'], organization_id: 'org-1' }, instance);
    expect(bound.scopes).toEqual([]);
    expectDenied(await instance.authorize(orgScopes('read:report'), bound), 'insufficient_scope');
    expectDenied(await instance.authorize(scopes('read:report'), bound), 'insufficient_scope');
  });

  it('grants organization role permissions to bound tokens only', async () => {
    const instance = rbacTw();
    const bound = await authFor({ roles: ['member'], organization_id: 'org-1' }, instance);
    expect(bound.scopes).toEqual(['read:org-report']);
    expectAllowed(await instance.authorize(orgScopes('read:org-report'), bound));
    const orgToken = await authFor({ roles: ['owner'], aud: ORG_AUDIENCE('org-1') }, instance);
    expectAllowed(await instance.authorize(orgScopes('manage:org'), orgToken));

    const unbound = await authFor({ roles: ['member'] }, instance);
    expect(unbound.scopes).toEqual([]);
    expectDenied(
      await instance.authorize(scopes('read:org-report'), unbound),
      'insufficient_scope',
    );
  });

  it('adds role permissions to the token scopes, de-duplicated', async () => {
    const instance = rbacTw();
    const auth = await authFor({ scope: 'read:report extra', roles: 'reader' }, instance);
    expect(auth.scopes).toEqual(['read:report', 'extra']);
  });

  it('never resolves roles through the prototype of the role map', async () => {
    const instance = rbacTw();
    const auth = await authFor(
      { roles: ['constructor', '__proto__', 'toString', 'hasOwnProperty'] },
      instance,
    );
    expect(auth.scopes).toEqual([]);
  });

  it('resolves nothing without rbac', async () => {
    const auth = await authFor({ roles: ['reader'] });
    expect(auth.scopes).toEqual([]);
  });
});

describe('claim()', () => {
  it('matches { equals } strictly', async () => {
    expectAllowed(await decide(claim('tier', { equals: 'pro' }), { tier: 'pro' }));
    expectAllowed(await decide(claim('level', { equals: 3 }), { level: 3 }));
    expectAllowed(await decide(claim('beta', { equals: true }), { beta: true }));
    expectDenied(await decide(claim('tier', { equals: 'pro' }), { tier: 'Pro' }), 'claim_mismatch');
    expectDenied(
      await decide(claim('tier', { equals: 'pro' }), { tier: 'pro ' }),
      'claim_mismatch',
    );
    expectDenied(
      await decide(claim('tier', { equals: 'pro' }), { tier: ['pro'] }),
      'claim_mismatch',
    );
    expectDenied(await decide(claim('level', { equals: 3 }), { level: '3' }), 'claim_mismatch');
    expectDenied(await decide(claim('beta', { equals: true }), { beta: 'true' }), 'claim_mismatch');
    expectDenied(await decide(claim('beta', { equals: true }), { beta: 1 }), 'claim_mismatch');
    expectDenied(await decide(claim('tier', { equals: 'pro' }), {}), 'claim_mismatch');
  });

  it('matches { includes } in an array or a space-delimited string', async () => {
    const groups = claim('groups', { includes: 'finance' });
    expectAllowed(await decide(groups, { groups: ['sales', 'finance'] }));
    expectAllowed(await decide(groups, { groups: 'sales finance' }));
    expectDenied(await decide(groups, { groups: ['finances'] }), 'claim_mismatch');
    expectDenied(await decide(groups, { groups: 'sales,finance' }), 'claim_mismatch');
    expectDenied(await decide(groups, { groups: { finance: true } }), 'claim_mismatch');
    expectDenied(await decide(groups, { groups: [['finance']] }), 'claim_mismatch');
    expectDenied(await decide(groups, {}), 'claim_mismatch');
  });

  it('calls a predicate with the value and the AuthContext; only true allows', async () => {
    const seen: unknown[] = [];
    const predicate = claim('tenant', (value, auth) => {
      seen.push(value, auth.subject);
      return value === 'acme';
    });
    expectAllowed(await decide(predicate, { tenant: 'acme' }));
    expect(seen).toEqual(['acme', 'user-1']);
    expectDenied(await decide(predicate, { tenant: 'other' }), 'claim_mismatch');
    const truthy = claim('tenant', () => 'yes' as unknown as boolean);
    expectDenied(await decide(truthy, { tenant: 'acme' }), 'claim_mismatch');
  });

  it('never calls the predicate for a missing claim', async () => {
    let calls = 0;
    const predicate = claim('tenant', () => {
      calls++;
      return true;
    });
    expectDenied(await decide(predicate, {}), 'claim_mismatch');
    expect(calls).toBe(0);
  });

  it('denies when the predicate throws, keeping the cause', async () => {
    const boom = new Error('predicate failed');
    const predicate = claim('tenant', () => {
      throw boom;
    });
    const error = expectDenied(await decide(predicate, { tenant: 'acme' }), 'claim_mismatch');
    expect(error.cause).toBe(boom);
  });

  it.each(['constructor', '__proto__', 'toString', 'hasOwnProperty', 'valueOf'])(
    'never reads %j from the prototype',
    async (name) => {
      let calls = 0;
      const anything = claim(name, () => {
        calls++;
        return true;
      });
      expectDenied(await decide(anything, { sub: 'user-1' }), 'claim_mismatch');
      expectDenied(await decide(claim(name, { includes: 'x' }), {}), 'claim_mismatch');
      expect(calls).toBe(0);
    },
  );

  it('reads an own "__proto__" claim sent in the token', async () => {
    const claims = JSON.parse('{"__proto__": "acme"}') as Record<string, unknown>;
    expect(Object.hasOwn(claims, '__proto__')).toBe(true);
    expectAllowed(await decide(claim('__proto__', { equals: 'acme' }), claims));
  });

  it('denies with 403 claim_mismatch and no scope attribute', async () => {
    const error = expectDenied(
      await decide(claim('tier', { equals: 'pro' }), {}),
      'claim_mismatch',
    );
    expect(error.scopes).toEqual([]);
  });
});

describe('policy()', () => {
  it.each([
    ['sync true', () => true, true],
    ['sync false', () => false, false],
    ['async true', async () => true, true],
    ['async false', async () => false, false],
    [
      'a thenable of true',
      // biome-ignore lint/suspicious/noThenProperty: a non-Promise thenable is the case under test
      () => ({ then: (ok: (v: boolean) => void) => ok(true) }),
      true,
    ],
    ['1', () => 1, false],
    ['"true"', () => 'true', false],
    ['an object', () => ({}), false],
    ['null', () => null, false],
    ['undefined', () => undefined, false],
    ['a promise of "true"', async () => 'true', false],
    ['a promise of 1', async () => 1, false],
    ['a promise of undefined', async () => undefined, false],
  ])('returning %s allows: %s', async (_, fn, allowed) => {
    const outcome = await decide(policy(fn as () => boolean), { sub: 'user-1' });
    if (allowed) expectAllowed(outcome);
    else expectDenied(outcome, 'policy_denied');
  });

  it('denies when the policy throws or rejects, keeping the cause', async () => {
    const boom = new Error('database down');
    const thrown = expectDenied(
      await decide(
        policy(() => {
          throw boom;
        }),
        {},
      ),
      'policy_denied',
    );
    expect(thrown.cause).toBe(boom);
    const rejected = expectDenied(
      await decide(
        policy(async () => {
          throw boom;
        }),
        {},
      ),
      'policy_denied',
    );
    expect(rejected.cause).toBe(boom);
  });

  it('receives the AuthContext and the request', async () => {
    const request: TokenRequest = { authorization: undefined, method: 'DELETE', raw: { id: 7 } };
    let seen: [AuthContext, TokenRequest | undefined] | undefined;
    const owner = policy((auth, req) => {
      seen = [auth, req];
      return auth.subject === 'user-1' && req?.method === 'DELETE';
    });
    const auth = await authFor();
    expectAllowed(await tw.authorize(owner, auth, request));
    expect(seen?.[0]).toBe(auth);
    expect(seen?.[1]).toBe(request);
    expectDenied(await tw.authorize(owner, auth, { ...request, method: 'GET' }), 'policy_denied');
  });

  it('has a description, default "policy"', () => {
    expect(policy(() => true).description).toBe('policy');
    expect(policy(() => true, 'owns the report').description).toBe('owns the report');
  });
});

describe('allOf() and anyOf()', () => {
  function counting(result: boolean, async = false) {
    const counter = { calls: 0 };
    const requirement = policy(() => {
      counter.calls++;
      return async ? Promise.resolve(result) : result;
    });
    return { counter, requirement };
  }

  it('allOf() allows when every requirement holds and returns the first denial', async () => {
    const claims = { scope: 'read:report', roles: ['admin'] };
    expectAllowed(await decide(allOf(scopes('read:report'), roles('admin')), claims));
    expectDenied(
      await decide(allOf(scopes('write:report'), roles('owner')), claims),
      'insufficient_scope',
      'write:report',
    );
    expectDenied(
      await decide(allOf(scopes('read:report'), roles('owner')), claims),
      'missing_role',
    );
  });

  it('allOf() stops at the first denial, sync or async', async () => {
    for (const async of [false, true]) {
      const first = counting(false, async);
      const second = counting(true, async);
      expectDenied(await decide(allOf(first.requirement, second.requirement), {}), 'policy_denied');
      expect([first.counter.calls, second.counter.calls]).toEqual([1, 0]);
    }
  });

  it('allOf() evaluates what follows an async requirement', async () => {
    const claims = { scope: 'read:report' };
    const yes = counting(true, true);
    const later = counting(false);
    expectDenied(
      await decide(allOf(scopes('read:report'), yes.requirement, later.requirement), claims),
      'policy_denied',
    );
    expect(later.counter.calls).toBe(1);
    expectDenied(
      await decide(allOf(yes.requirement, scopes('write:report')), claims),
      'insufficient_scope',
      'write:report',
    );
    expectAllowed(
      await decide(allOf(yes.requirement, scopes('read:report'), yes.requirement), claims),
    );
    expectDenied(
      await decide(allOf(yes.requirement, counting(false, true).requirement), claims),
      'policy_denied',
    );
  });

  it('anyOf() allows on the first success and stops there', async () => {
    const later = counting(true);
    expectAllowed(
      await decide(anyOf(scopes('admin'), scopes('read:report'), later.requirement), {
        scope: 'read:report',
      }),
    );
    expect(later.counter.calls).toBe(0);
    expectAllowed(
      await decide(anyOf(counting(false, true).requirement, counting(true, true).requirement), {}),
    );
  });

  it('anyOf() denies with the union of the alternatives scopes', async () => {
    expectDenied(
      await decide(anyOf(scopes('a', 'b'), anyScope('b', 'c'), roles('admin')), { scope: 'x' }),
      'insufficient_scope',
      'a b c',
    );
  });

  it('anyOf() of one requirement returns that denial as is', async () => {
    expectDenied(await decide(anyOf(roles('admin')), {}), 'missing_role');
  });

  it('nests, with async policies anywhere', async () => {
    const orgAdmin = allOf(organization({ param: 'orgId' }), orgScopes('manage:org'));
    const route = anyOf(
      orgAdmin,
      allOf(
        scopes('admin'),
        policy(async (auth) => !auth.isMachine),
      ),
    );
    expectAllowed(
      await decide(route, { organization_id: 'org-1', scope: 'manage:org' }, params('org-1')),
    );
    expectDenied(
      await decide(route, { organization_id: 'org-2', scope: 'manage:org' }, params('org-1')),
      'insufficient_scope',
      'admin',
    );
    expectAllowed(await decide(route, { scope: 'admin' }, params('org-1')));
    // A machine token (no sub, client id only) fails the async policy.
    const machine = expectDenied(
      await decide(route, { scope: 'admin', sub: undefined }, params('org-1')),
      'insufficient_scope',
      null,
    );
    // organization_required (no scopes) and policy_denied (no scopes): nothing to name.
    expect(machine.scopes).toEqual([]);
    const deep = allOf(
      anyOf(
        policy(async () => false),
        policy(async () => true),
      ),
      scopes('a'),
    );
    expectAllowed(await decide(deep, { scope: 'a' }));
    expectDenied(await decide(deep, { scope: 'b' }), 'insufficient_scope', 'a');
  });

  it('describes itself from its parts', () => {
    expect(allOf(scopes('a'), anyOf(roles('r'), anyRole('s', 't'))).description).toBe(
      'all of (scope a, any of (role r, any role of s t))',
    );
    expect(orgScopes('a', 'b').description).toBe('organization scope a b');
    expect(anyScope('a', 'a', 'b').description).toBe('any scope of a b');
    expect(organization({ param: 'orgId' }).description).toBe('organization :orgId');
    expect(claim('tier', { equals: 'pro' }).description).toBe('claim tier equals pro');
  });
});

describe('authorize() without an identity', () => {
  it.each([
    ['scopes', scopes('read:report')],
    ['policy', policy(() => true)],
    ['anyOf', anyOf(policy(() => true))],
  ])('fails closed with 401 unauthenticated and a bare challenge (%s)', async (_, requirement) => {
    const outcome = await tw.authorize(requirement, undefined);
    expect(outcome.ok).toBe(false);
    if (outcome.ok) return;
    expect(outcome.error).toBeInstanceOf(UnauthenticatedError);
    expect(outcome.error.code).toBe('unauthenticated');
    expect(outcome.response).toEqual({
      status: 401,
      headers: {
        'content-type': 'application/json; charset=utf-8',
        'cache-control': 'no-store',
        'www-authenticate': 'Bearer',
      },
      body: '{"error":"unauthorized","error_description":"Authentication is required"}',
    });
  });

  it('never calls the requirement', async () => {
    let calls = 0;
    await tw.authorize(
      policy(() => {
        calls++;
        return true;
      }),
      undefined,
    );
    expect(calls).toBe(0);
  });

  it('includes the realm', async () => {
    const outcome = await make({ realm: 'reports' }).authorize(scopes('a'), undefined);
    expect(!outcome.ok && outcome.response.headers['www-authenticate']).toBe(
      'Bearer realm="reports"',
    );
  });
});

describe('custom requirements', () => {
  it('a check returning something other than undefined or an AuthError fails closed with a 403', async () => {
    const auth = await authFor();
    for (const value of [null, false, 0, '', new Error('nope'), { code: 'x' }]) {
      const custom: Requirement = { description: 'custom', check: () => value as never };
      const outcome = await tw.authorize(custom, auth);
      expect(outcome.ok).toBe(false);
      expect(!outcome.ok && outcome.response.status).toBe(403);
      expect(!outcome.ok && outcome.error).toBeInstanceOf(AuthError);
    }
  });

  it('a check that throws synchronously is denied (403 policy_denied)', async () => {
    const custom: Requirement = {
      description: 'custom',
      check: () => {
        throw new TypeError('bug');
      },
    };
    expectDenied(await tw.authorize(custom, await authFor()), 'policy_denied');
  });
});

describe('onDecision', () => {
  /** Every string reachable (one level deep, plus error message/stack/cause chain) from an event. */
  function strings(event: DecisionEvent): string[] {
    const out: string[] = [];
    for (const value of Object.values(event)) {
      if (typeof value === 'string') out.push(value);
      else if (value instanceof Error) {
        let current: unknown = value;
        for (let depth = 0; current instanceof Error && depth < 5; depth++) {
          out.push(current.message, String(current.stack));
          current = current.cause;
        }
      }
    }
    return out;
  }

  it('receives allowed and denied events with step, phase, code, subject and requirement', async () => {
    const events: DecisionEvent[] = [];
    const observed = make({ onDecision: (event) => events.push(event) });
    const token = await mint({ scope: 'read:report', sub: 'alice', client_id: 'reports-app' });
    const authn = await observed.authenticate({ authorization: `Bearer ${token}` });
    if (!authn.ok) throw new Error('unexpected');
    await observed.authorize(scopes('read:report'), authn.auth);
    await observed.authorize(scopes('write:report'), authn.auth);
    await observed.authorize(scopes('read:report'), undefined);

    expect(events).toHaveLength(4);
    expect(events[0]).toEqual({
      outcome: 'allowed',
      step: 'authenticate',
      status: 200,
      subject: 'alice',
      clientId: 'reports-app',
      issuer: ISSUER,
    });
    expect(events[1]).toEqual({
      outcome: 'allowed',
      step: 'authorize',
      status: 200,
      requirement: 'scope read:report',
      subject: 'alice',
      clientId: 'reports-app',
      issuer: ISSUER,
    });
    expect(events[2]).toMatchObject({
      outcome: 'denied',
      step: 'authorize',
      status: 403,
      phase: 'authorization',
      code: 'insufficient_scope',
      requirement: 'scope write:report',
      subject: 'alice',
      issuer: ISSUER,
    });
    expect(events[2]?.error).toBeInstanceOf(InsufficientScopeError);
    expect(events[3]).toMatchObject({
      outcome: 'denied',
      step: 'authorize',
      status: 401,
      phase: 'credentials',
      code: 'unauthenticated',
      requirement: 'scope read:report',
    });
    expect(events[3]).not.toHaveProperty('subject');
  });

  it('reports the organization of bound tokens', async () => {
    const events: DecisionEvent[] = [];
    const observed = make({ onDecision: (event) => events.push(event) });
    const auth = await authFor({ organization_id: 'org-1' }, observed);
    await observed.authorize(scopes('read:report'), auth);
    expect(events.at(-1)).toMatchObject({ outcome: 'denied', organizationId: 'org-1' });
  });

  it('never receives the token, in any field', async () => {
    const events: DecisionEvent[] = [];
    const observed = make({ onDecision: (event) => events.push(event) });
    const token = await mint({ scope: 'read:report' });
    const [, payload, signature] = token.split('.') as [string, string, string];
    const tampered = `${token.slice(0, -4)}AAAA`;
    const expired = await new SignJWT({ iss: ISSUER, aud: AUDIENCE, sub: 'user-1' })
      .setProtectedHeader({ alg: 'ES256', kid: 'key-1' })
      .setIssuedAt(1_000)
      .setExpirationTime(2_000)
      .sign(privateKey);
    const ok = await observed.authenticate({ authorization: `Bearer ${token}` });
    await observed.authenticate({ authorization: `Bearer ${tampered}` });
    await observed.authenticate({ authorization: `Bearer ${expired}` });
    await observed.authenticate({ authorization: `Bearer ${token} x` });
    await observed.authenticate({ authorization: [`Bearer ${token}`, `Bearer ${token}`] });
    if (!ok.ok) throw new Error('unexpected');
    await observed.authorize(scopes('read:report'), ok.auth);
    await observed.authorize(scopes('write:report'), ok.auth);
    await observed.authorize(
      policy(() => {
        throw new Error('policy failed');
      }),
      ok.auth,
    );
    expect(events.map((e) => [e.outcome, e.code])).toEqual([
      ['allowed', undefined],
      ['denied', 'invalid_signature'],
      ['denied', 'token_expired'],
      ['denied', 'malformed_credentials'],
      ['denied', 'multiple_tokens'],
      ['allowed', undefined],
      ['denied', 'insufficient_scope'],
      ['denied', 'policy_denied'],
    ]);
    for (const event of events) {
      expect(event).not.toHaveProperty('token');
      expect(event).not.toHaveProperty('claims');
      for (const value of strings(event)) {
        for (const secret of [token, tampered, expired, payload, signature]) {
          expect(value).not.toContain(secret);
        }
      }
    }
  });

  it('a throwing observer changes no decision', async () => {
    let calls = 0;
    const observed = make({
      onDecision: () => {
        calls++;
        throw new Error('observer broke');
      },
    });
    const authn = await observed.authenticate({
      authorization: `Bearer ${await mint({ scope: 'read:report' })}`,
    });
    expect(authn.ok).toBe(true);
    if (!authn.ok) return;
    expectAllowed(await observed.authorize(scopes('read:report'), authn.auth));
    expectDenied(
      await observed.authorize(scopes('write:report'), authn.auth),
      'insufficient_scope',
    );
    const anonymous = await observed.authorize(scopes('read:report'), undefined);
    expect(!anonymous.ok && anonymous.response.status).toBe(401);
    const bad = await observed.authenticate({ authorization: 'Bearer a.b.c' });
    expect(!bad.ok && bad.response.status).toBe(401);
    expect(calls).toBe(5);
  });
});

describe('builders reject bad arguments', () => {
  const call = (fn: () => unknown) => () => fn();

  it.each([
    ['scopes()', call(() => scopes())],
    ['scopes("")', call(() => scopes(''))],
    ['scopes("a b")', call(() => scopes('a b'))],
    ['scopes("a", "b c")', call(() => scopes('a', 'b c'))],
    ['scopes(1)', call(() => scopes(1 as never))],
    ['scopes(null)', call(() => scopes(null as never))],
    ['anyScope()', call(() => anyScope())],
    ['anyScope(" ")', call(() => anyScope(' '))],
    ['orgScopes()', call(() => orgScopes())],
    ['orgScopes("read report")', call(() => orgScopes('read report'))],
    ['roles()', call(() => roles())],
    ['roles("")', call(() => roles(''))],
    ['anyRole("a b")', call(() => anyRole('a b'))],
    ['orgRoles()', call(() => orgRoles())],
    ['orgRoles("")', call(() => orgRoles(''))],
    ['anyOrgRole()', call(() => anyOrgRole())],
    ['anyOrgRole("a b")', call(() => anyOrgRole('a b'))],
    ['orgRoles(1)', call(() => orgRoles(1 as never))],
    ['allOf()', call(() => allOf())],
    ['allOf({})', call(() => allOf({} as never))],
    ['allOf(scopes, null)', call(() => allOf(scopes('a'), null as never))],
    ['allOf("scope a")', call(() => allOf('scope a' as never))],
    ['anyOf()', call(() => anyOf())],
    ['anyOf({ check: "x" })', call(() => anyOf({ description: 'x', check: 'x' } as never))],
    ['anyOf(function)', call(() => anyOf((() => undefined) as never))],
    ['organization({ param: "" })', call(() => organization({ param: '' }))],
    ['organization({ param: 1 })', call(() => organization({ param: 1 as never }))],
    ['organization({})', call(() => organization({} as never))],
    ['organization(null)', call(() => organization(null as never))],
    ['organization({ from: "x" })', call(() => organization({ from: 'x' } as never))],
    ['claim("", ...)', call(() => claim('', { equals: 'x' }))],
    ['claim(1, ...)', call(() => claim(1 as never, { equals: 'x' }))],
    ['claim("x", {})', call(() => claim('x', {} as never))],
    ['claim("x", null)', call(() => claim('x', null as never))],
    ['claim("x", "pro")', call(() => claim('x', 'pro' as never))],
    ['policy("x")', call(() => policy('x' as never))],
    ['policy(undefined)', call(() => policy(undefined as never))],
  ])('%s throws a TypeError', (_, fn) => {
    expect(fn).toThrow(TypeError);
    expect(fn).toThrow(/^tokenward: /);
  });
});
