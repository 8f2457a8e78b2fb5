/**
 * Where tokenward reports configuration problems it notices while serving (an issuer or audience
 * that almost matches, a route parameter a guard cannot find, a key set it cannot use). Each
 * situation is reported once. Messages never contain a token.
 */
export interface TokenwardLogger {
  /** A probable misconfiguration: requests are refused as they should be, but likely all of them. */
  warn(message: string, details?: Readonly<Record<string, unknown>>): void;
  /**
   * A certain misconfiguration: requests meeting it are refused until it is fixed (500 for a
   * route parameter the route lacks, 503 for a misconfigured key set).
   */
  error(message: string, details?: Readonly<Record<string, unknown>>): void;
}

/** The default logger: `console.warn` / `console.error` (available on every runtime). */
export const consoleLogger: TokenwardLogger = {
  warn: (message, details) => {
    if (details === undefined) console.warn(message);
    else console.warn(message, details);
  },
  error: (message, details) => {
    if (details === undefined) console.error(message);
    else console.error(message, details);
  },
};
