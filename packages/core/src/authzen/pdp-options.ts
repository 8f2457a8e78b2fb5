import { ConfigurationError } from '../errors/configuration-error.js';
import { checkKeyServerUrl } from '../keys/key-server-url.js';
import type { AuthContext } from '../verify/auth-context.js';
import type { AuthZenSubject } from './authzen-types.js';

/** How a PDP that cannot be asked is answered. Both fail closed. */
export type PdpFailMode = 'unavailable' | 'deny';

/** Options of {@link policyDecisionPoint}: one AuthZEN PDP, validated when it is created. */
export interface PolicyDecisionPointOptions {
  /**
   * Base URL of the PDP (its `policy_decision_point` identifier), e.g. `https://pdp.example.com`.
   * https, or http on a loopback host (`localhost`, `127.x.x.x`, `[::1]`) unless `allowHttp`.
   */
  url: string;
  /** Accept an `http:` PDP URL on any host (a sidecar on a private network). Default `false`. */
  allowHttp?: boolean;
  /**
   * Read `/.well-known/authzen-configuration` once (on first use) for the evaluation endpoints;
   * when the PDP does not offer it (404), `/access/v1/evaluation` and `/access/v1/evaluations`
   * under `url` are used. Default `true`.
   */
  discovery?: boolean;
  /**
   * Send several evaluations of one requirement in one batch request (`/access/v1/evaluations`).
   * Default: when discovery names an `access_evaluations_endpoint`; otherwise one request each.
   */
  batch?: boolean;
  /** Milliseconds one attempt may take (connect, headers, body). Default `2000`; 1..60000. */
  timeout?: number;
  /**
   * Extra attempts after a failure that may pass (unreachable, timeout, 5xx); never after a 4xx
   * or a malformed answer. Default `1`; 0..3.
   */
  retries?: number;
  /** Largest accepted response body, in bytes. Default `65536`. */
  maxResponseBytes?: number;
  /**
   * When the PDP cannot be asked: `'unavailable'` answers 503 `pdp_unavailable` (default),
   * `'deny'` answers 403 `permission_denied`. There is no fail-open mode.
   */
  failMode?: PdpFailMode;
  /**
   * Cache decisions — off unless given. Keyed by a SHA-256 hash of the full evaluation input
   * (subject, action, resource, context). `ttl` in milliseconds (1..3600000); `max` entries
   * (default `10000`). A cached allow outlives a policy change by up to `ttl`.
   */
  cache?: { ttl: number; max?: number } | undefined;
  /** Extra request headers (e.g. an `authorization` for the PDP). Default none. */
  headers?: Readonly<Record<string, string>>;
  /**
   * The subject sent for an identity. Default: `{ type: 'user', id: sub }` (`type: 'client'`,
   * `id: client_id` for a token without `sub`) with `properties` `client_id`,
   * `organization_id`, `roles` and `scopes` as the token has them.
   */
  subject?: (auth: AuthContext) => AuthZenSubject;
  /** The fetch implementation. Default: the global `fetch`. */
  fetch?: typeof fetch;
}

/** Validated options. */
export interface ResolvedPdpOptions {
  readonly url: string;
  readonly allowHttp: boolean;
  readonly discovery: boolean;
  readonly batch: boolean | undefined;
  readonly timeout: number;
  readonly retries: number;
  readonly maxBytes: number;
  readonly failMode: PdpFailMode;
  readonly cache: { readonly ttl: number; readonly max: number } | undefined;
  readonly headers: Readonly<Record<string, string>>;
  readonly subject: ((auth: AuthContext) => AuthZenSubject) | undefined;
  readonly fetch: typeof fetch;
}

const KNOWN = new Set([
  'url',
  'allowHttp',
  'discovery',
  'batch',
  'timeout',
  'retries',
  'maxResponseBytes',
  'failMode',
  'cache',
  'headers',
  'subject',
  'fetch',
]);

function integer(option: string, value: unknown, fallback: number, min: number, max: number) {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw new ConfigurationError(option, `must be a whole number from ${min} to ${max}`);
  }
  return value;
}

function flag(option: string, value: unknown): boolean | undefined {
  if (value === undefined || typeof value === 'boolean') return value;
  throw new ConfigurationError(option, 'must be true or false');
}

/** Check every option now (startup), naming the first wrong one. */
export function resolvePdpOptions(options: PolicyDecisionPointOptions): ResolvedPdpOptions {
  if (options === null || typeof options !== 'object') {
    throw new ConfigurationError('url', 'policyDecisionPoint() needs an options object with a url');
  }
  for (const name of Object.keys(options)) {
    if (!KNOWN.has(name))
      throw new ConfigurationError(name, 'is not an option of policyDecisionPoint()');
  }
  const allowHttp = flag('allowHttp', options.allowHttp) === true;
  if (typeof options.url !== 'string' || !checkKeyServerUrl(options.url, allowHttp)) {
    throw new ConfigurationError(
      'url',
      'must be an absolute https URL (http only on a loopback host, or with allowHttp), without credentials or fragment',
    );
  }
  const url = options.url.replace(/\/+$/, '');
  if (new URL(url).search !== '') throw new ConfigurationError('url', 'must not have a query');
  const failMode = options.failMode ?? 'unavailable';
  if (failMode !== 'unavailable' && failMode !== 'deny') {
    throw new ConfigurationError(
      'failMode',
      "must be 'unavailable' or 'deny' (the PDP never fails open)",
    );
  }
  let cache: ResolvedPdpOptions['cache'];
  if (options.cache !== undefined) {
    if (options.cache === null || typeof options.cache !== 'object') {
      throw new ConfigurationError('cache', 'must be { ttl, max? } (or left out: no caching)');
    }
    cache = {
      ttl: integer('cache.ttl', options.cache.ttl ?? Number.NaN, 0, 1, 3_600_000),
      max: integer('cache.max', options.cache.max, 10_000, 1, 1_000_000),
    };
  }
  const headers = options.headers ?? {};
  if (typeof headers !== 'object' || Object.values(headers).some((v) => typeof v !== 'string')) {
    throw new ConfigurationError('headers', 'must map header names to strings');
  }
  if (options.subject !== undefined && typeof options.subject !== 'function') {
    throw new ConfigurationError(
      'subject',
      'must be a function (auth) => { type, id, properties? }',
    );
  }
  if (options.fetch === undefined && typeof globalThis.fetch !== 'function') {
    throw new ConfigurationError('fetch', 'is required where the runtime has no global fetch');
  }
  if (options.fetch !== undefined && typeof options.fetch !== 'function') {
    throw new ConfigurationError('fetch', 'must be a function');
  }
  // Called unbound from the limits object: the global one is wrapped (workerd needs `this`).
  const fetchImpl: typeof fetch =
    options.fetch ?? ((url: RequestInfo | URL, init?: RequestInit) => globalThis.fetch(url, init));
  return {
    url,
    allowHttp,
    discovery: flag('discovery', options.discovery) ?? true,
    batch: flag('batch', options.batch),
    timeout: integer('timeout', options.timeout, 2000, 1, 60_000),
    retries: integer('retries', options.retries, 1, 0, 3),
    maxBytes: integer('maxResponseBytes', options.maxResponseBytes, 65_536, 64, 16_777_216),
    failMode,
    cache,
    headers: { ...headers },
    subject: options.subject,
    fetch: fetchImpl,
  };
}
