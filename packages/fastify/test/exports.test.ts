import { describe, expect, it } from 'vitest';
import { GUARD_NAMES, RE_EXPORTED_CORE } from '../../../test/helpers/public-surface.js';

describe('@tokenward/fastify public surface', () => {
  it('exports exactly these runtime values', async () => {
    const adapter = await import('@tokenward/fastify');
    expect(Object.keys(adapter).sort()).toEqual(
      [
        ...RE_EXPORTED_CORE,
        'TokenwardHttpError',
        'createFastifyTokenward',
        'default',
        'getAuth',
        'tokenwardPlugin',
      ].sort(),
    );
  });

  it('offers every guard of the common guard set, organization roles included', async () => {
    const { createFastifyTokenward } = await import('@tokenward/fastify');
    const guards = createFastifyTokenward({
      issuer: 'https://issuer.example',
      audience: 'a',
      secret: 'x'.repeat(32),
    });
    expect(Object.keys(guards).sort()).toEqual(['core', 'requireAuth', ...GUARD_NAMES].sort());
    for (const name of GUARD_NAMES) expect(typeof guards[name], name).toBe('function');
  });
});
