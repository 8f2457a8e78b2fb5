import type { TokenwardLogger } from './tokenward-logger.js';

/** Most distinct situations remembered; past it, one notice and then silence (bounded memory). */
export const MAX_REPORTED_SITUATIONS = 100;

/**
 * Reports each distinct misconfiguration once through the logger. A situation is named by a key
 * built from configuration values (an issuer, an option, a parameter name), so a stream of
 * requests cannot make it log more than once per situation, nor hold more than
 * {@link MAX_REPORTED_SITUATIONS} keys. A throwing logger never changes a decision.
 */
export class MisconfigurationReport {
  readonly #logger: TokenwardLogger | undefined;
  readonly #seen = new Set<string>();
  #full = false;

  /** @param logger `undefined` silences every report (the `logger: false` option). */
  constructor(logger: TokenwardLogger | undefined) {
    this.#logger = logger;
  }

  /** Whether `key` was reported already (callers skip the work of building a message). */
  has(key: string): boolean {
    return this.#seen.has(key) || this.#full;
  }

  /** Report `message` at `level` the first time `key` is seen; later calls do nothing. */
  report(
    level: 'warn' | 'error',
    key: string,
    message: string,
    details?: Readonly<Record<string, unknown>>,
  ): void {
    if (this.#seen.has(key) || this.#full) return;
    if (this.#seen.size >= MAX_REPORTED_SITUATIONS) {
      this.#full = true;
      this.#emit(
        'warn',
        `tokenward: ${MAX_REPORTED_SITUATIONS} configuration problems reported; further ones are not logged`,
      );
      return;
    }
    this.#seen.add(key);
    this.#emit(level, `tokenward: ${message}`, details);
  }

  #emit(level: 'warn' | 'error', message: string, details?: Readonly<Record<string, unknown>>) {
    const logger = this.#logger;
    if (logger === undefined) return;
    try {
      if (details === undefined) logger[level](message);
      else logger[level](message, details);
    } catch {
      // A logger must never change a decision.
    }
  }
}
