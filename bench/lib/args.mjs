/**
 * Command-line flags shared by every bench script: `--name=value`, `--name value` or `--flag`.
 * Unknown flags are an error, so a typo never silently runs the wrong benchmark.
 */

export const FRAMEWORKS = ['express', 'fastify', 'hono', 'nestjs'];
export const PARTS = ['micro', 'memory', 'http'];
export const ALGORITHMS = ['RS256', 'ES256', 'EdDSA', 'HS256'];

const KNOWN = new Set([
  'quick',
  'only',
  'frameworks',
  'algorithms',
  'rounds',
  'duration',
  'warmup',
  'connections',
  'pool',
  'tw-options',
  'cpu-prof',
  'out',
  'help',
]);

/** Parse `argv` into a flag map. */
export function parseArgs(argv = process.argv.slice(2)) {
  const flags = {};
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (!arg.startsWith('--'))
      throw new Error(`unexpected argument "${arg}" (flags are --name=value)`);
    const eq = arg.indexOf('=');
    const name = eq === -1 ? arg.slice(2) : arg.slice(2, eq);
    if (!KNOWN.has(name)) throw new Error(`unknown flag --${name} (see bench/README.md)`);
    let value = eq === -1 ? true : arg.slice(eq + 1);
    if (value === true && argv[i + 1] !== undefined && !argv[i + 1].startsWith('--')) {
      value = argv[++i];
    }
    flags[name] = value;
  }
  return flags;
}

function list(value, allowed, name) {
  if (value === undefined || value === true) return [...allowed];
  const items = String(value)
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  for (const item of items) {
    if (!allowed.includes(item)) {
      throw new Error(`--${name}: "${item}" is not one of ${allowed.join(', ')}`);
    }
  }
  return allowed.filter((a) => items.includes(a));
}

function positive(value, fallback, name) {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0) throw new Error(`--${name} must be a positive number`);
  return n;
}

/**
 * Resolve the settings every script uses, from flags. `--quick` changes the defaults only; an
 * explicit flag always wins.
 */
export function resolveSettings(flags) {
  const quick = flags.quick === true || flags.quick === 'true';
  let twOptions = {};
  if (flags['tw-options'] !== undefined) {
    try {
      twOptions = JSON.parse(String(flags['tw-options']));
    } catch (error) {
      throw new Error(`--tw-options must be a JSON object: ${error.message}`);
    }
  }
  return {
    quick,
    only: list(flags.only, PARTS, 'only'),
    frameworks: list(flags.frameworks, FRAMEWORKS, 'frameworks'),
    algorithms: list(flags.algorithms, ALGORITHMS, 'algorithms'),
    /** HTTP: measured rounds per configuration (medians are taken over them). */
    rounds: Math.round(positive(flags.rounds, quick ? 1 : 5, 'rounds')),
    /** HTTP: seconds of load per measurement. */
    duration: positive(flags.duration, quick ? 1.5 : 3, 'duration'),
    /** HTTP: seconds of load before each measurement (not recorded). */
    warmup: positive(flags.warmup, quick ? 0.5 : 1, 'warmup'),
    /** HTTP: concurrent connections of the load generator. */
    connections: Math.round(positive(flags.connections, 10, 'connections')),
    /** Distinct tokens in the cold pools (HTTP; micro uses half of it, at least 1,000). */
    pool: Math.round(positive(flags.pool, quick ? 4000 : 20000, 'pool')),
    /** Extra options merged into every createTokenward()/adapter configuration. */
    twOptions,
    cpuProf: flags['cpu-prof'] === true || flags['cpu-prof'] === 'true',
    out: typeof flags.out === 'string' ? flags.out : undefined,
  };
}

/** Re-serialize settings as flags for a child script. */
export function settingsToArgs(settings, extra = {}) {
  const args = [
    `--only=${settings.only.join(',')}`,
    `--frameworks=${settings.frameworks.join(',')}`,
    `--algorithms=${settings.algorithms.join(',')}`,
    `--rounds=${settings.rounds}`,
    `--duration=${settings.duration}`,
    `--warmup=${settings.warmup}`,
    `--connections=${settings.connections}`,
    `--pool=${settings.pool}`,
    `--tw-options=${JSON.stringify(settings.twOptions)}`,
  ];
  if (settings.quick) args.push('--quick');
  if (settings.cpuProf) args.push('--cpu-prof');
  for (const [name, value] of Object.entries(extra)) args.push(`--${name}=${value}`);
  return args;
}

/** Flags → settings for a script's main; a bad flag prints its message and exits with status 2. */
export function settingsFromArgv(argv = process.argv.slice(2)) {
  try {
    return resolveSettings(parseArgs(argv));
  } catch (error) {
    process.stderr.write(`bench: ${error.message}\n`);
    process.exit(2);
  }
}
