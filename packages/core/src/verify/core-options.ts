import type { TokenwardOptions } from '../options.js';
import { optionalObject } from './check-option.js';
import { checkOptionNames } from './check-option-names.js';
import { TOKENWARD_OPTION_NAMES } from './option-names.js';

/**
 * The core's part of an adapter's options object: checks every name against the core's options
 * and `adapterOptions` (the names the adapter reads itself — so a misspelled adapter option gets
 * the right suggestion), then drops the adapter's names.
 */
export function coreOptions(
  options: TokenwardOptions,
  adapterOptions: readonly string[],
): TokenwardOptions {
  if (adapterOptions.length === 0) return options;
  const all = optionalObject('options', options);
  checkOptionNames('', all, [...TOKENWARD_OPTION_NAMES, ...adapterOptions]);
  const core: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(all)) {
    if (!adapterOptions.includes(name)) core[name] = value;
  }
  return core as TokenwardOptions;
}
