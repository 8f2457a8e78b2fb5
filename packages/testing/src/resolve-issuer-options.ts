import { assertTestAlgorithm, type TestAlgorithm } from './test-algorithm.js';
import type { TestIssuerOptions } from './test-issuer-options.js';

/** {@link TestIssuerOptions} validated, with defaults applied. @internal */
export interface ResolvedIssuerOptions {
  algorithm: TestAlgorithm;
  issuer: string | undefined;
  audience: string | string[];
  listen: boolean;
  port: number;
  expiresIn: number;
  now: () => number;
}

function fail(option: string, requirement: string, value: unknown): never {
  throw new TypeError(
    `TestIssuerOptions.${option} must be ${requirement}; got ${JSON.stringify(value) ?? String(value)}`,
  );
}

function checkIssuer(issuer: unknown): void {
  if (typeof issuer !== 'string' || issuer === '') fail('issuer', 'a non-empty string', issuer);
  const absolute = issuer.startsWith('/') ? `https://issuer.test${issuer}` : issuer;
  const valid =
    URL.canParse(absolute) && /^https?:\/\/[^/]/i.test(absolute) && !/[?#]/.test(issuer);
  if (!valid)
    fail('issuer', "an http(s) URL or a path starting with '/', without query or fragment", issuer);
}

function checkAudience(audience: unknown): void {
  const values = Array.isArray(audience) ? audience : [audience];
  if (values.length === 0 || !values.every((value) => typeof value === 'string' && value !== '')) {
    fail('audience', 'a non-empty string or a non-empty array of non-empty strings', audience);
  }
}

/**
 * Validates `options` and applies the defaults; throws a `TypeError` naming the bad option.
 *
 * @internal
 */
export function resolveIssuerOptions(options: TestIssuerOptions = {}): ResolvedIssuerOptions {
  const {
    algorithm = 'RS256',
    issuer,
    audience = 'https://api.example.test',
    listen = true,
    port = 0,
    expiresIn = 300,
    now = Date.now,
  } = options;
  assertTestAlgorithm(algorithm, 'TestIssuerOptions.algorithm');
  if (issuer !== undefined) checkIssuer(issuer);
  checkAudience(audience);
  if (typeof listen !== 'boolean') fail('listen', 'a boolean', listen);
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    fail('port', 'an integer from 0 to 65535', port);
  if (!Number.isInteger(expiresIn) || expiresIn <= 0)
    fail('expiresIn', 'a positive integer (seconds)', expiresIn);
  if (typeof now !== 'function')
    fail('now', 'a function returning milliseconds since the epoch', now);
  const frozenAudience = Array.isArray(audience)
    ? (Object.freeze([...audience]) as string[])
    : audience;
  return { algorithm, issuer, audience: frozenAudience, listen, port, expiresIn, now };
}
