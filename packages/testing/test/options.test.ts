import { describe, expect, it } from 'vitest';
import { createTestIssuer, type TestIssuerOptions } from '../src/index.js';

describe('createTestIssuer options', () => {
  it('has offline defaults', async () => {
    const issuer = await createTestIssuer({ listen: false });
    expect(issuer).toMatchObject({
      issuer: 'https://issuer.test',
      jwksUri: 'https://issuer.test/jwks',
      discoveryUri: 'https://issuer.test/.well-known/openid-configuration',
      authorizationServerMetadataUri: 'https://issuer.test/.well-known/oauth-authorization-server',
      audience: 'https://api.example.test',
      url: undefined,
      algorithm: 'RS256',
    });
  });

  it('keeps the issuer exactly, and trims trailing slashes only for derived URLs', async () => {
    const issuer = await createTestIssuer({
      listen: false,
      issuer: 'https://login.example.test/t/1/',
    });
    expect(issuer.issuer).toBe('https://login.example.test/t/1/');
    expect(issuer.jwksUri).toBe('https://login.example.test/t/1/jwks');
    expect(issuer.authorizationServerMetadataUri).toBe(
      'https://login.example.test/.well-known/oauth-authorization-server/t/1',
    );
    expect((await issuer.fetch(issuer.jwksUri)).status).toBe(200);
  });

  it('appends a path-only issuer to the offline origin', async () => {
    const issuer = await createTestIssuer({ listen: false, issuer: '/oidc' });
    expect(issuer.issuer).toBe('https://issuer.test/oidc');
  });

  const invalid: [string, TestIssuerOptions][] = [
    ['algorithm', { algorithm: 'HS256' as 'RS256' }],
    ['issuer', { issuer: '' }],
    ['issuer', { issuer: 'not a url' }],
    ['issuer', { issuer: 'https://issuer.test/?x=1' }],
    ['issuer', { issuer: 'https://issuer.test/#x' }],
    ['issuer', { issuer: 'urn:example:issuer' }],
    ['audience', { audience: [] }],
    ['audience', { audience: '' }],
    ['port', { port: 70_000 }],
    ['expiresIn', { expiresIn: 0 }],
    ['expiresIn', { expiresIn: 1.5 }],
    ['now', { now: 5 as unknown as () => number }],
  ];
  it.each(invalid)('rejects an invalid %s with a TypeError naming it', async (name, options) => {
    await expect(createTestIssuer({ listen: false, ...options })).rejects.toThrow(
      new RegExp(`TestIssuerOptions\\.${name}`),
    );
  });
});
