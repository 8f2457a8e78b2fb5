import { ConfigurationError } from '../errors/configuration-error.js';
import { type PublicUrl, resolvePublicUrl } from '../http/public-url.js';
import type { TokenwardOptions } from '../options.js';
import { MisconfigurationReport } from '../report/misconfiguration-report.js';
import { quoteValue } from '../report/quote-value.js';
import { consoleLogger, type TokenwardLogger } from '../report/tokenward-logger.js';
import type { ContextRules } from './build-auth-context.js';
import {
  nonEmptyString,
  optionalBoolean,
  optionalFunction,
  optionalNumber,
  optionalObject,
  stringArray,
} from './check-option.js';
import { checkOptionNames } from './check-option-names.js';
import { NearMiss } from './near-miss.js';
import {
  CACHE_OPTION_NAMES,
  CLAIM_NAME_OPTION_NAMES,
  KEY_SET_OPTION_NAMES,
  RBAC_OPTION_NAMES,
  TOKEN_LOCATION_OPTION_NAMES,
  TOKENWARD_OPTION_NAMES,
} from './option-names.js';
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
  /** The validated `publicUrl`, or undefined when not configured. */
  readonly publicUrl: PublicUrl | undefined;
  readonly now: () => number;
  /** Verified-token cache settings, or undefined when off. */
  readonly cache: { readonly maxEntries: number; readonly maxAge: number } | undefined;
  /** Reports each misconfiguration noticed while serving once, through `logger`. */
  readonly report: MisconfigurationReport;
  /** Called with a token's `iss` that no issuer entry has (reports near misses). */
  readonly unknownIssuer: (iss: string) => void;
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

function resolveIssuers(
  options: TokenwardOptions,
  settings: KeySetSettings,
  report: MisconfigurationReport,
) {
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
    const resolved = resolveIssuer(path, value, settings, report);
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
  checkOptionNames('', options as Record<string, unknown>, TOKENWARD_OPTION_NAMES);
  const report = new MisconfigurationReport(resolveLogger(options.logger));
  const now = optionalFunction<() => number>('now', options.now) ?? Date.now;
  const userFetch = optionalFunction<typeof fetch>('fetch', options.fetch);
  if (userFetch === undefined && typeof globalThis.fetch !== 'function') {
    throw new ConfigurationError('fetch', 'no global fetch in this runtime: pass one');
  }
  const ks = optionalObject('keySet', options.keySet);
  checkOptionNames('keySet.', ks, KEY_SET_OPTION_NAMES);
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
  checkOptionNames('claims.', names, CLAIM_NAME_OPTION_NAMES);
  const rbac = optionalObject('rbac', options.rbac);
  checkOptionNames('rbac.', rbac, RBAC_OPTION_NAMES);
  const locations = optionalObject('tokenLocations', options.tokenLocations);
  checkOptionNames('tokenLocations.', locations, TOKEN_LOCATION_OPTION_NAMES);
  const realm = options.realm;
  if (
    realm !== undefined &&
    (typeof realm !== 'string' || /[^\x20\x21\x23-\x5B\x5D-\x7E]/.test(realm))
  ) {
    throw new ConfigurationError('realm', 'expected printable ASCII without quotes or backslashes');
  }
  const issuers = resolveIssuers(options, settings, report);
  return {
    issuers,
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
    publicUrl: resolvePublicUrl(options.publicUrl),
    now,
    cache: resolveCache(options.cache, settings.cacheMaxAge),
    report,
    unknownIssuer: nearIssuerReporter(issuers, report),
  };
}

function resolveLogger(value: unknown): TokenwardLogger | undefined {
  if (value === undefined) return consoleLogger;
  if (value === false) return undefined;
  const logger = value as Partial<TokenwardLogger> | null;
  if (
    logger === null ||
    typeof logger !== 'object' ||
    typeof logger.warn !== 'function' ||
    typeof logger.error !== 'function'
  ) {
    throw new ConfigurationError('logger', 'expected false or an object with warn() and error()');
  }
  return logger as TokenwardLogger;
}

/**
 * Reports (once per configured issuer) a token `iss` that differs from a configured issuer only by
 * case, scheme or a trailing slash. The token is refused all the same, before any key is fetched;
 * its signature is not checked, which the message says.
 */
function nearIssuerReporter(
  issuers: ReadonlyMap<string, ResolvedIssuer>,
  report: MisconfigurationReport,
): (iss: string) => void {
  const near = new NearMiss(issuers.keys());
  return (iss) => {
    const configured = near.find(iss);
    if (configured === undefined) return;
    const key = `issuer near miss|${configured}`;
    if (report.has(key)) return;
    const option = `${(issuers.get(configured) as ResolvedIssuer).path}issuer`;
    report.report(
      'warn',
      key,
      `a token names the issuer ${quoteValue(iss)} (signature not checked), which differs from ` +
        `the configured issuer ${quoteValue(configured)} only by case, scheme or a trailing ` +
        `slash; it is refused (401 unknown_issuer). Issuers are compared exactly: set "${option}" ` +
        'to the exact "iss" of your tokens (the "issuer" of the discovery document).',
      { option, configured, received: iss },
    );
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
  checkOptionNames('cache.', cache, CACHE_OPTION_NAMES);
  const maxAge = optionalNumber('cache.maxAge', cache.maxAge, 300_000, { min: 1 });
  return {
    maxEntries: optionalNumber('cache.maxEntries', cache.maxEntries, 1000, {
      min: 1,
      max: 1_000_000,
    }),
    maxAge: Math.min(maxAge, keySetMaxAge),
  };
}
