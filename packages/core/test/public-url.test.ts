import { describe, expect, it } from 'vitest';
import { publicRequestUrl, resolvePublicUrl } from '../src/http/public-url.js';
import { ConfigurationError } from '../src/index.js';

describe('publicUrl', () => {
  it('is undefined when not configured', () => {
    expect(resolvePublicUrl(undefined)).toBeUndefined();
  });

  it.each([
    ['https://api.example.com', 'https://api.example.com', ''],
    ['https://api.example.com/', 'https://api.example.com', ''],
    ['https://API.example.com:443/', 'https://api.example.com', ''],
    ['http://127.0.0.1:3001', 'http://127.0.0.1:3001', ''],
    ['https://example.com/reports-api/', 'https://example.com/reports-api', '/reports-api'],
  ])('normalizes %s', (value, href, basePath) => {
    const url = resolvePublicUrl(value);
    expect(url?.href).toBe(href);
    expect(url?.basePath).toBe(basePath);
    expect(publicRequestUrl(url!, '/me')).toBe(`${href}/me`);
  });

  it.each([
    ['an empty string', ''],
    ['a number', 3001],
    ['a relative URL', '/api'],
    ['another scheme', 'ftp://api.example.com'],
    ['credentials', 'https://user:pass@api.example.com'],
    ['a query', 'https://api.example.com/?x=1'],
    ['an empty query', 'https://api.example.com/?'],
    ['a fragment', 'https://api.example.com/#top'],
  ])('refuses %s, naming the option', (_, value) => {
    let error: unknown;
    try {
      resolvePublicUrl(value);
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ConfigurationError);
    expect((error as ConfigurationError).option).toBe('publicUrl');
  });
});
