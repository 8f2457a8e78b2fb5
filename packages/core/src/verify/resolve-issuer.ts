import { ConfigurationError } from '../errors/configuration-error.js';
import { discoveryLocator } from '../keys/discovery.js';
import type { FetchLimits } from '../keys/fetch-json.js';
import {
  ASYMMETRIC_ALGORITHMS,
  parseConfiguredKeys,
  SYMMETRIC_ALGORITHMS,
} from '../keys/jwk-selection.js';
import { checkKeyServerUrl } from '../keys/key-server-url.js';
import type { KeySource } from '../keys/key-source.js';
import { LocalKeySet } from '../keys/local-key-set.js';
import { RemoteKeySet, type RemoteKeySetConfig } from '../keys/remote-key-set.js';
import { SecretKey } from '../keys/secret-key.js';
import type { MisconfigurationReport } from '../report/misconfiguration-report.js';
import { AudienceWatch } from './audience-watch.js';
import { nonEmptyString, optionalBoolean, optionalObject } from './check-option.js';
import { checkOptionNames } from './check-option-names.js';
import { ISSUER_OPTION_NAMES } from './option-names.js';
import type { AudienceRules } from './validate-claims.js';

/** One issuer, validated and with its key source built. */
export interface ResolvedIssuer {
  readonly issuer: string;
  /** Prefix of this entry's option names in messages: `''` inline, `issuers[1].` in a list. */
  readonly path: string;
  /** The option the keys come from (`jwksUri`, `jwks`, `secret`, or `issuer` for discovery). */
  readonly keysOption: 'jwksUri' | 'jwks' | 'secret' | 'issuer';
  readonly audience: AudienceRules;
  readonly algorithms: ReadonlySet<string>;
  readonly keys: KeySource;
}

/** Shared settings used to build remote key sets. */
export type KeySetSettings = Omit<RemoteKeySetConfig, 'issuer'> & { readonly allowHttp: boolean };

/** Smallest accepted HMAC secret, in bytes (HS256's hash size, RFC 7518 §3.2). */
const MIN_SECRET_BYTES = 32;

function audienceOf(option: string, value: unknown): Set<string> {
  if (typeof value === 'string') return new Set([nonEmptyString(option, value)]);
  if (!Array.isArray(value) || value.length === 0) {
    throw new ConfigurationError(option, 'is required: a non-empty string or array of strings');
  }
  return new Set(value.map((v, i) => nonEmptyString(`${option}[${i}]`, v)));
}

function algorithmsOf(option: string, value: unknown, allowed: readonly string[]): Set<string> {
  if (value === undefined) return new Set(allowed);
  if (!Array.isArray(value) || value.length === 0) {
    throw new ConfigurationError(option, 'expected a non-empty array of algorithm names');
  }
  for (const [i, alg] of value.entries()) {
    if (typeof alg === 'string' && alg.toLowerCase() === 'none') {
      throw new ConfigurationError(`${option}[${i}]`, '"none" is never accepted');
    }
    if (typeof alg !== 'string' || !allowed.includes(alg)) {
      throw new ConfigurationError(
        `${option}[${i}]`,
        `"${String(alg)}" does not fit the configured keys; allowed: ${allowed.join(', ')}`,
      );
    }
  }
  return new Set(value as string[]);
}

function secretOf(option: string, value: unknown): Uint8Array {
  const bytes =
    typeof value === 'string'
      ? new TextEncoder().encode(value)
      : value instanceof Uint8Array
        ? value
        : undefined;
  if (bytes === undefined) throw new ConfigurationError(option, 'expected a string or Uint8Array');
  if (bytes.byteLength < MIN_SECRET_BYTES) {
    throw new ConfigurationError(option, `must be at least ${MIN_SECRET_BYTES} bytes`);
  }
  return bytes;
}

/**
 * Validate one issuer entry and build its key source (once). `path` prefixes option names in
 * errors (e.g. `issuers[1].`).
 */
export function resolveIssuer(
  path: string,
  value: unknown,
  settings: KeySetSettings,
  report: MisconfigurationReport,
): ResolvedIssuer {
  const entry = optionalObject(path === '' ? 'options' : path.slice(0, -1), value);
  // The inline entry is the options object itself, whose names resolveOptions checks.
  if (path !== '') checkOptionNames(path, entry, ISSUER_OPTION_NAMES);
  const issuer = nonEmptyString(`${path}issuer`, entry.issuer);
  const audiences = audienceOf(`${path}audience`, entry.audience);
  const organizationTokens = optionalBoolean(
    `${path}organizationTokens`,
    entry.organizationTokens,
    false,
  );
  const sources = (['jwksUri', 'jwks', 'secret'] as const).filter((k) => entry[k] !== undefined);
  if (sources.length > 1) {
    throw new ConfigurationError(
      `${path}${sources[1]}`,
      `cannot be combined with "${sources[0]}": choose one key source`,
    );
  }
  let keys: KeySource;
  let algorithms: Set<string>;
  if (entry.secret !== undefined) {
    keys = new SecretKey(secretOf(`${path}secret`, entry.secret));
    algorithms = algorithmsOf(`${path}algorithms`, entry.algorithms, SYMMETRIC_ALGORITHMS);
  } else {
    algorithms = algorithmsOf(`${path}algorithms`, entry.algorithms, ASYMMETRIC_ALGORITHMS);
    if (entry.jwks !== undefined) {
      const configured = parseConfiguredKeys(`${path}jwks`, entry.jwks);
      if (!configured.some((key) => [...algorithms].some((alg) => key.fits(alg)))) {
        throw new ConfigurationError(
          `${path}algorithms`,
          `no key in "${path}jwks" (${describeKeys(configured)}) fits the allowed algorithms ` +
            `(${[...algorithms].join(', ')})`,
        );
      }
      keys = new LocalKeySet(configured);
    } else {
      keys = remoteKeys(path, issuer, entry.jwksUri, settings);
    }
  }
  const watch = new AudienceWatch(issuer, `${path}audience`, audiences, report);
  const keysOption = sources[0] ?? 'issuer';
  return {
    issuer,
    path,
    keysOption,
    audience: { audiences, organizationTokens, watch },
    algorithms,
    keys,
  };
}

/** Key types of a key set, for messages: `RSA, EC P-256 (ES384)`. */
export function describeKeys(
  keys: readonly { kty: string; crv?: string | undefined; alg?: string | undefined }[],
): string {
  if (keys.length === 0) return 'no keys';
  const kinds = keys.map((k) => {
    const type = k.crv === undefined ? k.kty : `${k.kty} ${k.crv}`;
    return k.alg === undefined ? type : `${type} (${k.alg})`;
  });
  return [...new Set(kinds)].join(', ');
}

function remoteKeys(
  path: string,
  issuer: string,
  jwksUri: unknown,
  settings: KeySetSettings,
): RemoteKeySet {
  const config: RemoteKeySetConfig = { ...settings, issuer };
  if (jwksUri !== undefined) {
    const url = nonEmptyString(`${path}jwksUri`, jwksUri);
    if (!checkKeyServerUrl(url, settings.allowHttp)) {
      throw new ConfigurationError(
        `${path}jwksUri`,
        'expected an absolute https URL (http only on loopback hosts or with allowHttp)',
      );
    }
    return new RemoteKeySet({ locate: async (_: FetchLimits) => url }, config);
  }
  if (!checkKeyServerUrl(issuer, settings.allowHttp)) {
    throw new ConfigurationError(
      `${path}issuer`,
      'keys are discovered from the issuer, so it must be an https URL (or set jwksUri, jwks or secret)',
    );
  }
  return new RemoteKeySet(discoveryLocator(issuer, settings.allowHttp), config);
}
