import { ConfigurationError } from '../errors/configuration-error.js';

/**
 * The validated `publicUrl` option: the scheme, host, port and optional path prefix clients use
 * to reach this API (e.g. behind a reverse proxy), without a trailing slash.
 */
export interface PublicUrl {
  /** `https://api.example.com` — scheme, host and port as clients see them (URL origin). */
  readonly origin: string;
  /** Path prefix the proxy strips before the request reaches the app; `''` for none. */
  readonly basePath: string;
  /** `origin` + `basePath`. */
  readonly href: string;
}

/**
 * Validate and normalize the `publicUrl` option: an absolute `http:` or `https:` URL with no
 * credentials, query or fragment; a trailing slash is dropped. `undefined` when not configured.
 *
 * @throws {ConfigurationError} naming `publicUrl` when the value is not such a URL.
 */
export function resolvePublicUrl(value: unknown): PublicUrl | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || value === '') {
    throw new ConfigurationError('publicUrl', 'expected an absolute http(s) URL string');
  }
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new ConfigurationError('publicUrl', 'expected an absolute http(s) URL');
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new ConfigurationError('publicUrl', 'expected an http: or https: URL');
  }
  if (url.username !== '' || url.password !== '') {
    throw new ConfigurationError('publicUrl', 'must not contain credentials');
  }
  if (url.search !== '' || url.hash !== '' || value.includes('?') || value.includes('#')) {
    throw new ConfigurationError('publicUrl', 'must not contain a query or fragment');
  }
  const basePath = url.pathname.replace(/\/+$/, '');
  return Object.freeze({ origin: url.origin, basePath, href: url.origin + basePath });
}

/**
 * The absolute URL of a request as its client sent it: the public origin and path prefix, then
 * the path (and query) the app received. `path` must start with `/`.
 */
export function publicRequestUrl(publicUrl: PublicUrl, path: string): string {
  return publicUrl.href + path;
}
