/** Loading the adapter app factories of `test/conformance/apps/` (every file's default export). */
import { readdirSync } from 'node:fs';
import type { AppFactory } from '../conformance/routes.js';

/**
 * Every app factory under `test/conformance/apps/`, in file order; `envVar` (a comma-separated
 * list of factory names, e.g. `express,fastify`) selects a subset. A file without a default
 * export is an error (`'throw'`) or passed over (`'skip'`).
 */
export async function loadAppFactories(
  envVar: string,
  withoutDefault: 'throw' | 'skip',
): Promise<AppFactory[]> {
  const files = readdirSync(new URL('../conformance/apps/', import.meta.url))
    .filter((file) => file.endsWith('.ts'))
    .sort();
  const all: AppFactory[] = [];
  for (const file of files) {
    const loaded = (await import(`../conformance/apps/${file}`)) as {
      default?: AppFactory | readonly AppFactory[];
    };
    if (loaded.default === undefined) {
      if (withoutDefault === 'skip') continue;
      throw new Error(`apps/${file}: export default an AppFactory (or an array of them)`);
    }
    all.push(...(Array.isArray(loaded.default) ? loaded.default : [loaded.default as AppFactory]));
  }
  const only = process.env[envVar]
    ?.split(',')
    .map((name) => name.trim())
    .filter((name) => name !== '');
  return only === undefined || only.length === 0
    ? all
    : all.filter((factory) => only.includes(factory.name));
}
