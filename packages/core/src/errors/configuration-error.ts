/**
 * Thrown when a verifier or guard is created with invalid options. Always thrown at creation
 * time, never per request. `option` names the offending option path (e.g. `issuers[1].audience`).
 */
export class ConfigurationError extends Error {
  override readonly name = 'ConfigurationError';
  /** Path of the offending option, e.g. `audience` or `issuers[0].algorithms`. */
  readonly option: string;

  constructor(option: string, message: string) {
    super(`tokenward: invalid option "${option}": ${message}`);
    this.option = option;
  }
}
