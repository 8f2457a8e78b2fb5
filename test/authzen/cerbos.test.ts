/**
 * The AuthZEN requirement against a real PDP: Cerbos (the `@cerbos/cerbos-linux-x64` binary),
 * started here on 127.0.0.1 with the repository's policies (`test/fixtures/cerbos/`).
 */
import { type AuthZenResource, permission, policyDecisionPoint } from '@tokenward/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CerbosPdp, startCerbos } from '../helpers/cerbos.js';
import { identity } from './identity.js';

let cerbos: CerbosPdp;
beforeAll(async () => {
  cerbos = await startCerbos();
}, 60_000);
afterAll(() => cerbos?.close());

const report = (over: Record<string, unknown>): AuthZenResource => ({
  type: 'report',
  id: 'r-1',
  properties: { organization_id: 'org-1', author: 'alice', ...over },
});

async function decide(action: string, resource: AuthZenResource, auth = identity()) {
  const pdp = policyDecisionPoint({ url: cerbos.url });
  const refusal = await permission(pdp, { action, resource }).check(auth, undefined);
  return refusal === undefined ? 'allow' : refusal.code;
}

describe('Cerbos as the PDP (discovery, single and batch evaluations)', () => {
  it('a report is read by members of its organization only', async () => {
    expect(await decide('read', report({}), identity({ organizationId: 'org-1' }))).toBe('allow');
    expect(await decide('read', report({}), identity({ organizationId: 'org-2' }))).toBe(
      'permission_denied',
    );
    expect(await decide('read', report({}), identity())).toBe('permission_denied');
  });

  it('a report is edited by its author or an admin', async () => {
    expect(await decide('edit', report({ author: 'alice' }))).toBe('allow');
    expect(await decide('edit', report({ author: 'carol' }))).toBe('permission_denied');
    expect(await decide('edit', report({ author: 'carol' }), identity({ roles: ['admin'] }))).toBe(
      'allow',
    );
  });

  it('documents: public-*, own-<sub>, and nothing else', async () => {
    const doc = (id: string) => ({ type: 'document', id });
    expect(await decide('read', doc('public-7'))).toBe('allow');
    expect(await decide('read', doc('own-alice'))).toBe('allow');
    expect(await decide('read', doc('own-bob'))).toBe('permission_denied');
    expect(await decide('read', doc('secret-1'))).toBe('permission_denied');
    expect(await decide('delete', doc('public-7'))).toBe('permission_denied');
  });

  it('a batch of evaluations is one request; one deny denies', async () => {
    const pdp = policyDecisionPoint({ url: cerbos.url });
    const read = (id: string) => ({ action: 'read', resource: { type: 'document', id } });
    expect(
      await permission(pdp, read('public-1'), read('own-alice')).check(identity(), undefined),
    ).toBeUndefined();
    expect(
      (await permission(pdp, read('public-1'), read('secret')).check(identity(), undefined))?.code,
    ).toBe('permission_denied');
  });
});
