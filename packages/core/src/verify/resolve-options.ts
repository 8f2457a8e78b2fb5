import { ConfigurationError } from '../errors/configuration-error.js';
import type { TokenwardOptions } from '../options.js';
import type { ContextRules } from './build-auth-context.js';
import {
  nonEmptyString,
  optionalBoolean,
  optionalFunction,
  optionalNumber,
  optionalObject,
  stringArray,
} from './check-option.js';
import { type KeySetSettings, type ResolvedIssuer, resolveIssuer } from './resolve-issuer.js';
import type { ClaimRules } from './validate-claims.js';

/** Largest clock tolerance accepted, in seconds. */
export const MAX_CLOCK_TOLERANCE = 300;

/** Everything a verifier needs, validated once. */
export interface ResolvedOptions {
  readonly issuers: ReadonlyMap<string, ResolvedIssuer>;
  readonly claims: ClaimRules;
  readonly context: ContextRules;
  readonly maxTokenLength: number;
  readonly query: boolean;
  readonly body: boolean;
  readonly validate: TokenwardOptions['validate'];
  readonly isRevoked: TokenwardOptions['isRevoked'];
  readonly onDecision: TokenwardOptions['onDecision'];
  readonly realm: string | undefined;
  readonly now: () => number;
  /** Verified-token cache settings, or undefined when off. */
  readonly cache: { readonly maxEntries: number; readonly maxAge: number } | undefined;
}

const INLINE_ISSUER_KEYS = [
  'issuer',
  'audience',
  'jwksUri',
  'jwks',
  'secret',
  'algorithms',
  'organizationTokens',
] as const;

function roleMap(option: string, value: unknown): Map<string, readonly string[]> | undefined {
  if (value === undefined) return undefined;
  const map = new Map<string, readonly string[]>();
  for (const [role, scopes] of Object.entries(optionalObject(option, value))) {
    map.set(role, stringArray(`${option}.${role}`, scopes));
  }
  return map;
}

function resolveIssuers(options: TokenwardOptions, settings: KeySetSettings) {
  const raw = options as Record<string, unknown>;
  const inline = INLINE_ISSUER_KEYS.filter((k) => raw[k] !== undefined);
  let list: { path: string; value: unknown }[];
  if (options.issuers !== undefined) {
    if (inline.length > 0) {
      throw new ConfigurationError(
        inline[0] as string,
        'cannot be combined with "issuers": put it in an issuers[] entry',
      );
    }
    if (!Array.isArray(options.issuers) || options.issuers.length === 0) {
      throw new ConfigurationError('issuers', 'expected a non-empty array of issuer entries');
    }
    list = options.issuers.map((value, i) => ({ path: `issuers[${i}].`, value }));
  } else {
    if (raw.issuer === undefined) {
      throw new ConfigurationError('issuer', 'is required (or give "issuers")');
    }
    list = [{ path: '', value: options }];
  }
  const issuers = new Map<string, ResolvedIssuer>();
  for (const { path, value } of list) {
    const resolved = resolveIssuer(path, value, settings);
    if (issuers.has(resolved.issuer)) {
      throw new ConfigurationError(`${path}issuer`, 'the same issuer is listed twice');
    }
    issuers.set(resolved.issuer, resolved);
  }
  return issuers;
}

/** Validate {@link TokenwardOptions} and build every issuer's key source. Throws on bad options. */
export function resolveOptions(input: TokenwardOptions): ResolvedOptions {
  const options = optionalObject('options', input) as TokenwardOptions;
  const now = optionalFunction<() => number>('now', options.now) ?? Date.now;
  const userFetch = optionalFunction<typeof fetch>('fetch', options.fetch);
  if (userFetch === undefined && typeof globalThis.fetch !== 'function') {
    throw new ConfigurationError('fetch', 'no global fetch in this runtime: pass one');
  }
  const ks = optionalObject('keySet', options.keySet);
  const settings: KeySetSettings = {
    fetch: userFetch ?? ((url, init) => globalThis.fetch(url, init)),
    timeout: optionalNumber('keySet.timeout', ks.timeout, 5000, { min: 1, max: 120_000 }),
    cacheMaxAge: optionalNumber('keySet.cacheMaxAge', ks.cacheMaxAge, 600_000, { min: 0 }),
    cooldown: optionalNumber('keySet.cooldown', ks.cooldown, 30_000, { min: 0 }),
    maxStale: optionalNumber('keySet.maxStale', ks.maxStale, 3_600_000, { min: 0 }),
    failureBackoff: optionalNumber('keySet.failureBackoff', ks.failureBackoff, 1000, { min: 0 }),
    maxFailureBackoff: optionalNumber('keySet.maxFailureBackoff', ks.maxFailureBackoff, 30_000),
    maxBytes: optionalNumber('keySet.maxResponseBytes', ks.maxResponseBytes, 524_288, { min: 1 }),
    maxKeys: optionalNumber('keySet.maxKeys', ks.maxKeys, 100, { min: 1 }),
    now,
    onEvent: optionalFunction('onKeySetEvent', options.onKeySetEvent),
    allowHttp: optionalBoolean('allowHttp', options.allowHttp, false),
  };
  const tokenType = options.tokenType === undefined ? 'default' : options.tokenType;
  if (tokenType !== 'default' && tokenType !== 'rfc9068') {
    throw new ConfigurationError('tokenType', 'expected "default" or "rfc9068"');
  }
  const names = optionalObject('claims', options.claims);
  const rbac = optionalObject('rbac', options.rbac);
  const locations = optionalObject('tokenLocations', options.tokenLocations);
  const realm = options.realm;
  if (
    realm !== undefined &&
    (typeof realm !== 'string' || /[^\x20\x21\x23-\x5B\x5D-\x7E]/.test(realm))
  ) {
    throw new ConfigurationError('realm', 'expected printable ASCII without quotes or backslashes');
  }
  return {
    issuers: resolveIssuers(options, settings),
    claims: {
      clockTolerance: optionalNumber('clockTolerance', options.clockTolerance, 5, {
        max: MAX_CLOCK_TOLERANCE,
      }),
      maxTokenAge:
        options.maxTokenAge === undefined
          ? undefined
          : optionalNumber('maxTokenAge', options.maxTokenAge, 0, { min: 1 }),
      maxTokenLifetime:
        options.maxTokenLifetime === undefined
          ? undefined
          : optionalNumber('maxTokenLifetime', options.maxTokenLifetime, 0, { min: 1 }),
      strict: tokenType === 'rfc9068',
      requiredClaims:
        options.requiredClaims === undefined
          ? []
          : stringArray('requiredClaims', options.requiredClaims),
    },
    context: {
      scopeClaims:
        names.scopes === undefined
          ? ['scope', 'scp', 'permissions']
          : stringArray('claims.scopes', names.scopes),
      rolesClaim: names.roles === undefined ? 'roles' : nonEmptyString('claims.roles', names.roles),
      organizationClaim:
        names.organization === undefined
          ? 'organization_id'
          : nonEmptyString('claims.organization', names.organization),
      clientIdClaims:
        names.clientId === undefined
          ? ['client_id', 'azp']
          : stringArray('claims.clientId', names.clientId, { nonEmpty: true }),
      roleScopes: roleMap('rbac.roles', rbac.roles),
      organizationRoleScopes: roleMap('rbac.organizationRoles', rbac.organizationRoles),
    },
    maxTokenLength: optionalNumber('maxTokenLength', options.maxTokenLength, 8192, {
      min: 64,
      max: 1_048_576,
    }),
    query: optionalBoolean('tokenLocations.query', locations.query, false),
    body: optionalBoolean('tokenLocations.body', locations.body, false),
    validate: optionalFunction('validate', options.validate),
    isRevoked: optionalFunction('isRevoked', options.isRevoked),
    onDecision: optionalFunction('onDecision', options.onDecision),
    realm,
    now,
    cache: resolveCache(options.cache, settings.cacheMaxAge),
  };
}

/**
 * An entry never outlives the key set's own cache age, so a token is not accepted from the cache
 * longer than its key would have been trusted without a refresh.
 */
function resolveCache(
  value: TokenwardOptions['cache'],
  keySetMaxAge: number,
): ResolvedOptions['cache'] {
  if (value === false) return undefined;
  const cache = optionalObject('cache', value === true ? undefined : value);
  const maxAge = optionalNumber('cache.maxAge', cache.maxAge, 300_000, { min: 1 });
  return {
    maxEntries: optionalNumber('cache.maxEntries', cache.maxEntries, 1000, {
      min: 1,
      max: 1_000_000,
    }),
    maxAge: Math.min(maxAge, keySetMaxAge),
  };
}
