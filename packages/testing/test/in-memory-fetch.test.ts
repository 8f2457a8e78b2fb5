import { createRemoteJWKSet, customFetch, jwtVerify } from 'jose';
import { describe, expect, it } from 'vitest';
import { createTestIssuer } from '../src/index.js';

describe('in-memory fetch', () => {
  it('answers discovery, metadata and JWKS without a server, and counts', async () => {
    const issuer = await createTestIssuer({ listen: false });
    expect(issuer.issuer).toBe('https://issuer.test');
    const discovery = await issuer.fetch(issuer.discoveryUri);
    expect(discovery.status).toBe(200);
    expect(await discovery.json()).toMatchObject({
      issuer: 'https://issuer.test',
      jwks_uri: 'https://issuer.test/jwks',
    });
    const metadata = await issuer.fetch(new URL(issuer.authorizationServerMetadataUri));
    expect((await metadata.json()).issuer).toBe('https://issuer.test');
    const jwks = await issuer.fetch(new Request(issuer.jwksUri));
    expect(jwks.headers.get('cache-control')).toBe('no-store');
    expect(await jwks.json()).toEqual(issuer.jwks());
    await issuer.fetch(issuer.jwksUri);
    expect(issuer.requestCount('/jwks')).toBe(2);
    expect(issuer.requestCount('/.well-known/openid-configuration')).toBe(1);
    expect(issuer.requestCount('/.well-known/oauth-authorization-server')).toBe(1);
    expect(issuer.requestCount()).toBe(4);
  });

  it('answers 404 for other paths (counted) and other origins (not counted)', async () => {
    const issuer = await createTestIssuer({ listen: false });
    expect((await issuer.fetch('https://issuer.test/other')).status).toBe(404);
    expect((await issuer.fetch('https://elsewhere.test/jwks')).status).toBe(404);
    expect(issuer.requestCount('/other')).toBe(1);
    expect(issuer.requestCount()).toBe(1);
  });

  it('works as the fetch of jose createRemoteJWKSet', async () => {
    const issuer = await createTestIssuer({ listen: false, algorithm: 'EdDSA' });
    const keySet = createRemoteJWKSet(new URL(issuer.jwksUri), { [customFetch]: issuer.fetch });
    await expect(
      jwtVerify(await issuer.mintToken(), keySet, { issuer: issuer.issuer }),
    ).resolves.toBeDefined();
    expect(issuer.requestCount('/jwks')).toBe(1);
  });

  it('answers the issuer URLs alongside the HTTP server, with shared counts', async () => {
    const issuer = await createTestIssuer();
    try {
      await (await fetch(issuer.jwksUri)).text();
      await (await issuer.fetch(issuer.jwksUri)).text();
      expect(issuer.requestCount('/jwks')).toBe(2);
    } finally {
      await issuer.close();
    }
    expect((await issuer.fetch(issuer.jwksUri)).status).toBe(200);
  });

  it('rejects with the reason of an aborted signal', async () => {
    const issuer = await createTestIssuer({ listen: false });
    const reason = new Error('stop');
    await expect(issuer.fetch(issuer.jwksUri, { signal: AbortSignal.abort(reason) })).rejects.toBe(
      reason,
    );
  });
});
