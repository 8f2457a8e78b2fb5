/**
 * The AuthZEN requirement against a tiny PDP on 127.0.0.1 (decisions, mapping, faults, retries,
 * batch, cache, single-flight) and the options checked at startup.
 */
import {
  AuthError,
  ConfigurationError,
  type PermissionSpec,
  type PolicyDecisionPointOptions,
  permission,
  policyDecisionPoint,
  type TokenRequest,
} from '@tokenward/core';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startTinyPdp, type TinyPdp } from '../helpers/tiny-pdp.js';
import { identity } from './identity.js';

const readDocument: PermissionSpec = {
  action: 'read',
  resource: (req) => ({ type: 'document', id: String(req.params?.id) }),
};

function request(id: string): TokenRequest {
  return { authorization: undefined, method: 'GET', url: `/documents/${id}`, params: { id } };
}

let pdp: TinyPdp;
beforeAll(async () => {
  pdp = await startTinyPdp();
});
afterAll(() => pdp.close());
beforeEach(() => {
  pdp.requests.clear();
  pdp.seen.length = 0;
  pdp.discovery = true;
  pdp.failWith = undefined;
});

const total = () =>
  [...pdp.requests.entries()]
    .filter(([p]) => p.startsWith('/access/'))
    .reduce((n, [, c]) => n + c, 0);

async function ask(
  id: string,
  options: Partial<PolicyDecisionPointOptions> = {},
  auth = identity(),
) {
  const point = policyDecisionPoint({ url: pdp.url, ...options });
  return permission(point, readDocument).check(auth, request(id));
}

describe('permission(): decisions', () => {
  it('allows on permit, and sends the subject from the identity, the action and the resource', async () => {
    const auth = identity({ organizationId: 'org-1', roles: ['editor'] });
    expect(await ask('public-1', {}, auth)).toBeUndefined();
    expect(pdp.seen).toEqual([
      {
        subject: {
          type: 'user',
          id: 'alice',
          properties: {
            roles: ['editor'],
            scopes: ['read:report'],
            client_id: 'reports-web',
            organization_id: 'org-1',
          },
        },
        action: { name: 'read' },
        resource: { type: 'document', id: 'public-1' },
      },
    ]);
  });

  it('denies with 403 permission_denied when the PDP says no', async () => {
    const refusal = (await ask('secret-1')) as AuthError;
    expect(refusal).toBeInstanceOf(AuthError);
    expect([refusal.status, refusal.code, refusal.bearerError]).toEqual([
      403,
      'permission_denied',
      'insufficient_scope',
    ]);
  });

  it('a token without sub is a client subject', async () => {
    await ask('public-1', {}, identity({ isMachine: true, subject: undefined, clientId: 'svc' }));
    expect(pdp.seen[0]?.subject).toMatchObject({ type: 'client', id: 'svc' });
  });

  it('sends the configured context, and a custom subject', async () => {
    const point = policyDecisionPoint({
      url: pdp.url,
      subject: (a) => ({ type: 'user', id: `x-${a.subject}` }),
    });
    const req = permission(point, { ...readDocument, context: (r) => ({ method: r.method }) });
    expect(await req.check(identity(), request('own-x-alice'))).toBeUndefined();
    expect(pdp.seen[0]).toMatchObject({ subject: { id: 'x-alice' }, context: { method: 'GET' } });
  });

  it('a resource function that throws or gives no id denies (403), without asking the PDP', async () => {
    const point = policyDecisionPoint({ url: pdp.url });
    const thrower = permission(point, {
      action: 'read',
      resource: () => {
        throw new Error('x');
      },
    });
    const empty = permission(point, {
      action: 'read',
      resource: () => ({ type: 'document', id: '' }),
    });
    expect((await thrower.check(identity(), request('a')))?.code).toBe('permission_denied');
    expect((await empty.check(identity(), request('a')))?.code).toBe('permission_denied');
    expect(total()).toBe(0);
  });
});

describe('permission(): a PDP that cannot be asked fails closed', () => {
  for (const id of ['fault-garbage', 'fault-nodecision', 'fault-redirect', 'fault-huge']) {
    it(`${id}: 503 pdp_unavailable, asked once (not retried)`, async () => {
      const refusal = (await ask(id)) as AuthError;
      expect([refusal.status, refusal.code, refusal.retryAfter]).toEqual([
        503,
        'pdp_unavailable',
        30,
      ]);
      expect(total()).toBe(1);
    });
  }

  it('a 5xx is retried a bounded number of times, then 503', async () => {
    expect((await ask('fault-500'))?.code).toBe('pdp_unavailable');
    expect(total()).toBe(2);
    pdp.requests.clear();
    expect((await ask('fault-500', { retries: 3 }))?.code).toBe('pdp_unavailable');
    expect(total()).toBe(4);
    pdp.requests.clear();
    expect((await ask('fault-500', { retries: 0 }))?.code).toBe('pdp_unavailable');
    expect(total()).toBe(1);
  });

  it('a 4xx is not retried', async () => {
    pdp.failWith = 400;
    expect((await ask('public-1'))?.code).toBe('pdp_unavailable');
    expect(total()).toBe(1);
  });

  it("failMode 'deny' answers 403 instead", async () => {
    const refusal = await ask('fault-500', { failMode: 'deny' });
    expect([refusal?.status, refusal?.code]).toEqual([403, 'permission_denied']);
  });

  it('an unreachable PDP, and one that never answers, give 503', async () => {
    const closed = policyDecisionPoint({ url: 'http://127.0.0.1:9', discovery: false, retries: 0 });
    expect(
      (await permission(closed, readDocument).check(identity(), request('public-1')))?.code,
    ).toBe('pdp_unavailable');
    const hanging = policyDecisionPoint({
      url: pdp.url,
      discovery: false,
      timeout: 50,
      retries: 1,
      fetch: () => new Promise<Response>(() => {}),
    });
    expect(
      (await permission(hanging, readDocument).check(identity(), request('public-1')))?.code,
    ).toBe('pdp_unavailable');
  });
});

describe('permission(): discovery, batch, cache, single-flight', () => {
  it('without a discovery document the default endpoint is used', async () => {
    pdp.discovery = false;
    expect(await ask('public-1')).toBeUndefined();
    expect(pdp.requests.get('/access/v1/evaluation')).toBe(1);
  });

  it('a discovery document naming another PDP is refused (503), nothing evaluated', async () => {
    const point = policyDecisionPoint({ url: pdp.url.replace('127.0.0.1', 'localhost') });
    expect(
      (await permission(point, readDocument).check(identity(), request('public-1')))?.code,
    ).toBe('pdp_unavailable');
    expect(total()).toBe(0);
  });

  it('several evaluations go as one batch where the PDP names a batch endpoint; all must permit', async () => {
    const point = policyDecisionPoint({ url: pdp.url });
    const both = permission(point, readDocument, {
      action: 'read',
      resource: { type: 'document', id: 'public-2' },
    });
    expect(await both.check(identity(), request('public-1'))).toBeUndefined();
    expect(pdp.requests.get('/access/v1/evaluations')).toBe(1);
    expect(pdp.requests.get('/access/v1/evaluation')).toBeUndefined();
    expect((await both.check(identity(), request('secret')))?.code).toBe('permission_denied');
  });

  it('batch: false sends one request per evaluation', async () => {
    const point = policyDecisionPoint({ url: pdp.url, batch: false });
    const both = permission(point, readDocument, {
      action: 'read',
      resource: { type: 'document', id: 'secret' },
    });
    expect((await both.check(identity(), request('public-1')))?.code).toBe('permission_denied');
    expect(pdp.requests.get('/access/v1/evaluation')).toBe(2);
  });

  it('decisions are not cached unless enabled', async () => {
    const point = policyDecisionPoint({ url: pdp.url });
    const req = permission(point, readDocument);
    await req.check(identity(), request('public-1'));
    await req.check(identity(), request('public-1'));
    expect(total()).toBe(2);
    expect(point.cachedDecisions).toBe(0);
  });

  it('with a cache, the same full input is asked once; another input is asked again', async () => {
    const point = policyDecisionPoint({ url: pdp.url, cache: { ttl: 60_000, max: 10 } });
    const req = permission(point, readDocument);
    await req.check(identity(), request('public-1'));
    await req.check(identity(), request('public-1'));
    expect(total()).toBe(1);
    await req.check(identity({ subject: 'bob' }), request('public-1'));
    await req.check(identity(), request('public-2'));
    expect(total()).toBe(3);
    expect(point.cachedDecisions).toBe(3);
  });

  it('identical evaluations in flight share one request', async () => {
    const point = policyDecisionPoint({ url: pdp.url, discovery: false });
    const req = permission(point, readDocument);
    await Promise.all(Array.from({ length: 5 }, () => req.check(identity(), request('public-1'))));
    expect(total()).toBe(1);
  });
});

describe('policyDecisionPoint(): configuration errors at startup name the option', () => {
  const cases: [string, Record<string, unknown>][] = [
    ['url', { url: 'ftp://pdp.test' }],
    ['url', { url: 'http://pdp.example.com' }],
    ['url', { url: 'not a url' }],
    ['url', { url: 'https://user:pw@pdp.test' }],
    ['failMode', { url: 'https://pdp.test', failMode: 'open' }],
    ['timeout', { url: 'https://pdp.test', timeout: 0 }],
    ['retries', { url: 'https://pdp.test', retries: 10 }],
    ['cache.ttl', { url: 'https://pdp.test', cache: { ttl: 0 } }],
    ['cache', { url: 'https://pdp.test', cache: 'yes' }],
    ['pdpUrl', { url: 'https://pdp.test', pdpUrl: 'x' }],
  ];
  for (const [option, options] of cases) {
    it(`${option}: ${JSON.stringify(options)}`, () => {
      expect(() => policyDecisionPoint(options as never)).toThrow(ConfigurationError);
      try {
        policyDecisionPoint(options as never);
      } catch (error) {
        expect((error as ConfigurationError).option).toBe(option);
      }
    });
  }

  it('http on a non-loopback host is accepted with allowHttp', () => {
    expect(() =>
      policyDecisionPoint({ url: 'http://pdp.internal', allowHttp: true }),
    ).not.toThrow();
  });

  it('permission() needs a PDP and well-formed evaluations', () => {
    const point = policyDecisionPoint({ url: 'https://pdp.test' });
    expect(() => permission({} as never, readDocument)).toThrow(TypeError);
    expect(() => permission(point)).toThrow(TypeError);
    expect(() => permission(point, { action: '', resource: readDocument.resource })).toThrow(
      TypeError,
    );
    expect(() =>
      permission(point, { action: 'read', resource: { type: 'document' } as never }),
    ).toThrow(TypeError);
  });
});
