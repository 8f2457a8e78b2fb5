import { ConfigurationError } from './errors/configuration-error.js';
import type { TokenwardOptions } from './options.js';
import { closestName } from './verify/check-option-names.js';

/** Where {@link optionsFromEnv} reads. */
export interface OptionsFromEnvSettings {
  /** Prefix of every variable name. Default `'TOKENWARD_'`. */
  prefix?: string;
}

/** An environment as a plain record of strings: the runtime's variables, a Worker's `env` bindings, or an object of your own. */
export type EnvironmentRecord = Readonly<Record<string, string | undefined>>;

/** The variables read, without the prefix. */
const NAMES = [
  'ISSUER',
  'AUDIENCE',
  'JWKS_URI',
  'ALGORITHMS',
  'ORGANIZATION_TOKENS',
  'CLOCK_TOLERANCE',
] as const;

const TRUE = new Set(['true', '1', 'yes']);
const FALSE = new Set(['false', '0', 'no']);

/**
 * The common case of the options, from environment variables — read only when you call this, from
 * the record you pass (the core itself never reads the runtime's environment):
 *
 * | variable (default prefix) | option | |
 * |---|---|---|
 * | `TOKENWARD_ISSUER` | `issuer` | required |
 * | `TOKENWARD_AUDIENCE` | `audience` | required; several separated by white space |
 * | `TOKENWARD_JWKS_URI` | `jwksUri` | optional (default: discovered from the issuer) |
 * | `TOKENWARD_ALGORITHMS` | `algorithms` | optional; separated by white space or commas |
 * | `TOKENWARD_ORGANIZATION_TOKENS` | `organizationTokens` | optional; `true`/`false` (`1`/`0`, `yes`/`no`) |
 * | `TOKENWARD_CLOCK_TOLERANCE` | `clockTolerance` | optional; whole seconds |
 *
 * An empty variable counts as unset. Another variable with the prefix (a typo such as
 * `TOKENWARD_AUDIANCE`) throws, naming the closest valid one. A missing required variable, or a value that is not what its
 * option takes, throws a {@link ConfigurationError} naming the variable. Everything else is
 * validated by `createTokenward` as usual; spread the result into your options to add the rest:
 * `tokenward({ ...optionsFromEnv(env), logger })`, where `env` is the record your runtime gives.
 */
export function optionsFromEnv(
  env: EnvironmentRecord,
  settings: OptionsFromEnvSettings = {},
): TokenwardOptions {
  if (env === null || typeof env !== 'object') {
    throw new ConfigurationError('env', 'optionsFromEnv() needs the environment as an object');
  }
  const prefix = settings.prefix ?? 'TOKENWARD_';
  if (typeof prefix !== 'string') {
    throw new ConfigurationError('prefix', 'must be a string');
  }
  for (const key of Object.keys(env)) {
    if (!key.startsWith(prefix) || prefix === '') continue;
    const name = key.slice(prefix.length);
    if ((NAMES as readonly string[]).includes(name)) continue;
    const closest = closestName(name, NAMES);
    throw new ConfigurationError(
      key,
      closest === undefined
        ? `is not a tokenward variable; valid ones: ${NAMES.map((n) => prefix + n).join(', ')}`
        : `is not a tokenward variable; did you mean "${prefix}${closest}"?`,
    );
  }
  const read = (name: (typeof NAMES)[number]): string | undefined => {
    const value = Object.hasOwn(env, prefix + name) ? env[prefix + name] : undefined;
    if (value !== undefined && typeof value !== 'string') {
      throw new ConfigurationError(prefix + name, 'must be a string');
    }
    const trimmed = value?.trim();
    return trimmed === '' ? undefined : trimmed;
  };
  const required = (name: (typeof NAMES)[number]): string => {
    const value = read(name);
    if (value === undefined) {
      throw new ConfigurationError(
        prefix + name,
        'is not set (the environment variable is required)',
      );
    }
    return value;
  };
  const list = (value: string, separator: RegExp): string[] =>
    value.split(separator).filter((part) => part !== '');

  const options: TokenwardOptions = {
    issuer: required('ISSUER'),
    audience: ((audiences) => (audiences.length === 1 ? (audiences[0] as string) : audiences))(
      list(required('AUDIENCE'), /\s+/),
    ),
  };
  const jwksUri = read('JWKS_URI');
  if (jwksUri !== undefined) options.jwksUri = jwksUri;
  const algorithms = read('ALGORITHMS');
  if (algorithms !== undefined) options.algorithms = list(algorithms, /[\s,]+/);
  const organizationTokens = read('ORGANIZATION_TOKENS');
  if (organizationTokens !== undefined) {
    const lower = organizationTokens.toLowerCase();
    if (!TRUE.has(lower) && !FALSE.has(lower)) {
      throw new ConfigurationError(
        `${prefix}ORGANIZATION_TOKENS`,
        'must be true or false (1/0, yes/no)',
      );
    }
    options.organizationTokens = TRUE.has(lower);
  }
  const clockTolerance = read('CLOCK_TOLERANCE');
  if (clockTolerance !== undefined) {
    if (!/^\d+$/.test(clockTolerance)) {
      throw new ConfigurationError(`${prefix}CLOCK_TOLERANCE`, 'must be whole seconds (digits)');
    }
    options.clockTolerance = Number(clockTolerance);
  }
  return options;
}
