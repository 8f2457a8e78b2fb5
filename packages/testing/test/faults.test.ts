import { createRemoteJWKSet, customFetch, jwtVerify } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestIssuer, type TestIssuer } from '../src/index.js';
import { errorCode } from './verify-options.js';

describe('setFault', () => {
  let issuer: TestIssuer;
  beforeAll(async () => {
    issuer = await createTestIssuer();
  });
  afterAll(() => issuer.close());

  const transports = [
    ['HTTP', (url: string, init?: RequestInit) => fetch(url, init)],
    ['in-memory', (url: string, init?: RequestInit) => issuer.fetch(url, init)],
  ] as const;

  it.each(transports)(
    'overrides the status over %s, and is cleared with undefined',
    async (_name, get) => {
      issuer.setFault('/jwks', { status: 503 });
      const faulted = await get(issuer.jwksUri);
      expect(faulted.status).toBe(503);
      expect(await faulted.json()).toEqual(issuer.jwks());
      issuer.setFault('/jwks', undefined);
      expect((await get(issuer.jwksUri)).status).toBe(200);
    },
  );

  it.each(transports)('overrides body and content type over %s', async (_name, get) => {
    issuer.setFault('/.well-known/openid-configuration', {
      body: '<html>',
      contentType: 'text/html',
    });
    try {
      const response = await get(issuer.discoveryUri);
      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toBe('text/html');
      expect(await response.text()).toBe('<html>');
    } finally {
      issuer.setFault('/.well-known/openid-configuration', undefined);
    }
  });

  it.each(transports)('delays over %s, and the delay is abortable', async (_name, get) => {
    issuer.setFault('/jwks', { delayMs: 150 });
    try {
      const started = performance.now();
      expect((await get(issuer.jwksUri)).status).toBe(200);
      expect(performance.now() - started).toBeGreaterThanOrEqual(140);
      const aborted = get(issuer.jwksUri, { signal: AbortSignal.timeout(20) });
      await expect(aborted).rejects.toMatchObject({ name: 'TimeoutError' });
    } finally {
      issuer.setFault('/jwks', undefined);
    }
  });

  it('counts faulted requests', async () => {
    const before = issuer.requestCount('/jwks');
    issuer.setFault('/jwks', { status: 500 });
    await (await issuer.fetch(issuer.jwksUri)).text();
    issuer.setFault('/jwks', undefined);
    expect(issuer.requestCount('/jwks')).toBe(before + 1);
  });

  it('can fault a path that is not served', async () => {
    issuer.setFault('/other', { status: 200, body: '{}' });
    try {
      expect(await (await issuer.fetch(`${issuer.issuer}/other`)).text()).toBe('{}');
    } finally {
      issuer.setFault('/other', undefined);
    }
  });

  it('makes jose key set fetches fail', async () => {
    issuer.setFault('/jwks', { body: '{"keys":' });
    try {
      const keySet = createRemoteJWKSet(new URL(issuer.jwksUri), { [customFetch]: issuer.fetch });
      expect(await errorCode(jwtVerify(await issuer.mintToken(), keySet))).not.toBe('resolved');
    } finally {
      issuer.setFault('/jwks', undefined);
    }
  });

  it('rejects invalid faults and paths', () => {
    expect(() => issuer.setFault('/jwks', { status: 99 })).toThrow(TypeError);
    expect(() => issuer.setFault('/jwks', { status: 600 })).toThrow(TypeError);
    expect(() => issuer.setFault('/jwks', { delayMs: -1 })).toThrow(TypeError);
    expect(() => issuer.setFault('jwks', { status: 500 })).toThrow(TypeError);
  });
});
