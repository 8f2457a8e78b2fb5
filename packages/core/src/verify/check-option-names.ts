import { ConfigurationError } from '../errors/configuration-error.js';

/**
 * Throw a {@link ConfigurationError} for the first own key of `value` that is not in `known`
 * (a JavaScript caller's typo such as `audiance`), naming it with its path and the closest valid
 * name. `prefix` is the path of the object (`''`, `keySet.`, `issuers[1].`).
 */
export function checkOptionNames(
  prefix: string,
  value: Record<string, unknown>,
  known: readonly string[],
): void {
  for (const name of Object.keys(value)) {
    if (known.includes(name)) continue;
    const closest = closestName(name, known);
    throw new ConfigurationError(
      `${prefix}${name}`,
      closest === undefined
        ? `is not an option; valid options here: ${known.join(', ')}`
        : `is not an option; did you mean "${prefix}${closest}"?`,
    );
  }
}

/**
 * The valid name closest to `name`: the same ignoring case, or else the one at the smallest edit
 * distance (insertions, deletions, substitutions and swaps of two neighbours), if that distance is
 * at most 2, or a third of the name's length for longer names. `undefined` when none is close.
 */
export function closestName(name: string, known: readonly string[]): string | undefined {
  const lower = name.toLowerCase();
  const sameCase = known.find((k) => k.toLowerCase() === lower);
  if (sameCase !== undefined) return sameCase;
  const limit = Math.max(2, Math.floor(name.length / 3));
  let best: string | undefined;
  let bestDistance = limit + 1;
  for (const candidate of known) {
    const distance = editDistance(lower, candidate.toLowerCase());
    if (distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  return best;
}

/** Optimal-string-alignment distance (Levenshtein plus adjacent transpositions). */
export function editDistance(a: string, b: string): number {
  if (a.length > 64 || b.length > 64) return Math.max(a.length, b.length);
  const rows: number[][] = [];
  for (let i = 0; i <= a.length; i++) {
    const row: number[] = [i];
    for (let j = 1; j <= b.length; j++) {
      if (i === 0) {
        row.push(j);
        continue;
      }
      const prev = rows[i - 1] as number[];
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let d = Math.min(
        (prev[j] as number) + 1,
        (row[j - 1] as number) + 1,
        (prev[j - 1] as number) + cost,
      );
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) {
        d = Math.min(d, ((rows[i - 2] as number[])[j - 2] as number) + 1);
      }
      row.push(d);
    }
    rows.push(row);
  }
  return (rows[a.length] as number[])[b.length] as number;
}
