/** Injection token of the core `Tokenward` instance built from the module options. */
export const TOKENWARD = Symbol.for('tokenward:core');

/** Injection token of the guard's Nest-specific settings (see {@link TokenwardGuardSettings}). */
export const TOKENWARD_GUARD_SETTINGS = Symbol.for('tokenward:guard-settings');

/** Nest-specific settings of `TokenwardGuard`, derived from the module options. */
export interface TokenwardGuardSettings {
  /** Throw Nest's own HTTP exceptions instead of tokenward's body. */
  readonly nestExceptions: boolean;
}
