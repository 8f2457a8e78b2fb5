import { ConfigurationError } from '@tokenward/core';

/**
 * A route set up so that tokenward cannot protect it: a route with tokenward metadata that no
 * `TokenwardGuard` runs for (found at bootstrap), or `@Auth()` read on a route that has no
 * verified identity (at request time: answered as a 500, never the token or a stack). A
 * developer error, not the client's: `routes` names each route as `Controller.method`.
 */
export class RouteConfigurationError extends ConfigurationError {
  /** The routes at fault, each as `Controller.method`. */
  readonly routes: readonly string[];

  constructor(routes: readonly string[], problem: string) {
    super(routes.join(', '), problem);
    this.routes = routes;
    this.message = `tokenward: ${problem}: ${routes.join(', ')}`;
  }
}
