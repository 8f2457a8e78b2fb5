import type { TokenwardOptions } from '@tokenward/core';

/** Options of `TokenwardModule.forRoot()` / the factory of `forRootAsync()`. */
export interface TokenwardModuleOptions extends TokenwardOptions {
  /**
   * Throw Nest's own `UnauthorizedException`, `ForbiddenException`, `BadRequestException` and
   * `ServiceUnavailableException` (Nest's body shape) for apps whose exception filters render
   * errors themselves. The `WWW-Authenticate`/`Retry-After` headers are still set. Default `false`:
   * the body is tokenward's, byte-identical to the other adapters.
   */
  nestExceptions?: boolean;
}
