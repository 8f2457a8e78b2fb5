import { createRemoteJWKSet, jwtVerify } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestIssuer, type TestIssuer } from '../src/index.js';

describe('HTTP server', () => {
  let issuer: TestIssuer;
  beforeAll(async () => {
    issuer = await createTestIssuer({ algorithm: 'ES256' });
  });
  afterAll(() => issuer.close());

  it('listens on 127.0.0.1 and uses its origin as the default issuer', () => {
    expect(issuer.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(issuer.issuer).toBe(issuer.url);
    expect(issuer.jwksUri).toBe(`${issuer.url}/jwks`);
    expect(issuer.discoveryUri).toBe(`${issuer.url}/.well-known/openid-configuration`);
    expect(issuer.authorizationServerMetadataUri).toBe(
      `${issuer.url}/.well-known/oauth-authorization-server`,
    );
  });

  it('serves the OIDC discovery and RFC 8414 metadata documents', async () => {
    const expected = {
      issuer: issuer.issuer,
      jwks_uri: issuer.jwksUri,
      response_types_supported: ['code'],
      subject_types_supported: ['public'],
      id_token_signing_alg_values_supported: ['ES256'],
    };
    for (const uri of [issuer.discoveryUri, issuer.authorizationServerMetadataUri]) {
      const response = await fetch(uri);
      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toBe('application/json');
      expect(await response.json()).toEqual(expected);
    }
  });

  it('serves the JWKS, not cacheable, and counts requests per path', async () => {
    const before = issuer.requestCount('/jwks');
    const response = await fetch(issuer.jwksUri);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('application/json');
    expect(response.headers.get('cache-control')).toBe('no-store');
    expect(await response.json()).toEqual(issuer.jwks());
    expect(issuer.requestCount('/jwks')).toBe(before + 1);
  });

  it('answers 404 for other paths, 405 for other methods, and HEAD without a body', async () => {
    const missing = await fetch(`${issuer.url}/nope`);
    expect(missing.status).toBe(404);
    await missing.body?.cancel();
    expect(issuer.requestCount('/nope')).toBe(1);
    const post = await fetch(issuer.jwksUri, { method: 'POST', body: '{}' });
    expect(post.status).toBe(405);
    expect(post.headers.get('allow')).toBe('GET, HEAD');
    await post.body?.cancel();
    const head = await fetch(issuer.jwksUri, { method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(await head.text()).toBe('');
  });

  it('lets jose createRemoteJWKSet verify tokens over HTTP, across a rotation', async () => {
    const keySet = createRemoteJWKSet(new URL(issuer.jwksUri), { cooldownDuration: 0 });
    const options = { issuer: issuer.issuer, audience: issuer.audience, typ: 'at+jwt' };
    await expect(jwtVerify(await issuer.mintToken(), keySet, options)).resolves.toBeDefined();
    await issuer.rotateKeys();
    await expect(jwtVerify(await issuer.mintToken(), keySet, options)).resolves.toBeDefined();
  });
});

describe('HTTP server with an issuer path', () => {
  it('serves under the path, with RFC 8414 path insertion', async () => {
    const issuer = await createTestIssuer({ issuer: '/oidc/' });
    try {
      expect(issuer.issuer).toBe(`${issuer.url}/oidc/`);
      expect(issuer.jwksUri).toBe(`${issuer.url}/oidc/jwks`);
      expect(issuer.authorizationServerMetadataUri).toBe(
        `${issuer.url}/.well-known/oauth-authorization-server/oidc`,
      );
      for (const uri of [issuer.discoveryUri, issuer.authorizationServerMetadataUri]) {
        expect(await (await fetch(uri)).json()).toMatchObject({
          issuer: issuer.issuer,
          jwks_uri: issuer.jwksUri,
        });
      }
      const keys = await (await fetch(issuer.jwksUri)).json();
      expect(keys).toEqual(issuer.jwks());
      expect(issuer.requestCount('/oidc/jwks')).toBe(1);
      const root = await fetch(`${issuer.url}/jwks`);
      expect(root.status).toBe(404);
      await root.body?.cancel();
    } finally {
      await issuer.close();
    }
  });

  it('uses an absolute issuer with a path on a chosen port', async () => {
    const probe = await createTestIssuer();
    const port = Number(new URL(probe.url ?? '').port);
    await probe.close();
    const issuer = await createTestIssuer({ port, issuer: `http://127.0.0.1:${port}/tenant-1` });
    try {
      expect(issuer.url).toBe(`http://127.0.0.1:${port}`);
      const metadata = await (await fetch(issuer.discoveryUri)).json();
      expect(metadata.issuer).toBe(`http://127.0.0.1:${port}/tenant-1`);
    } finally {
      await issuer.close();
    }
  });
});

describe('close', () => {
  it('is idempotent, and the server stops answering', async () => {
    const issuer = await createTestIssuer();
    await fetch(issuer.jwksUri).then((response) => response.text());
    await Promise.all([issuer.close(), issuer.close()]);
    await issuer.close();
    await expect(fetch(issuer.jwksUri)).rejects.toThrow();
  });

  it('does not hang on a request waiting on a fault delay', async () => {
    const issuer = await createTestIssuer();
    issuer.setFault('/jwks', { delayMs: 60_000 });
    const pending = fetch(issuer.jwksUri).catch((error: unknown) => error);
    await new Promise((resolve) => setTimeout(resolve, 50));
    await issuer.close();
    expect(await pending).toBeInstanceOf(Error);
  });

  it('is a no-op without a server', async () => {
    const issuer = await createTestIssuer({ listen: false });
    expect(issuer.url).toBeUndefined();
    await issuer.close();
    await issuer.close();
  });
});
