import type { AuthContext } from '@tokenward/core';
import type { FastifyPluginAsync, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import {
  createFastifyTokenward,
  type FastifyTokenward,
  type FastifyTokenwardOptions,
} from './tokenward.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** The verified identity, set by `requireAuth()`; `null` when anonymous or not guarded. */
    auth: AuthContext | null;
  }
  interface FastifyInstance {
    /** The tokenward guards registered by `@tokenward/fastify`. */
    tokenward: FastifyTokenward;
  }
}

const plugin: FastifyPluginAsync<FastifyTokenwardOptions> = async (fastify, options) => {
  if (fastify.hasDecorator('tokenward')) {
    throw new Error(
      'tokenward: @tokenward/fastify is already registered in this context (or a parent); ' +
        'register it in sibling contexts, or use createFastifyTokenward() for another configuration',
    );
  }
  const guards = createFastifyTokenward(options);
  fastify.decorateRequest('auth', null);
  fastify.decorate('tokenward', guards);
};

/**
 * The Fastify plugin: validates the options at registration, decorates `request.auth` (null until
 * `requireAuth()` runs) and `fastify.tokenward` (the guards). Guards are async hooks for
 * `onRequest`, so they run before the body is parsed.
 *
 * ```ts
 * await app.register(tokenwardPlugin, { issuer, audience });
 * app.get('/reports', {
 *   onRequest: [app.tokenward.requireAuth(), app.tokenward.requireScope('read:report')],
 * }, async (request) => ({ user: request.auth?.subject }));
 * ```
 */
export const tokenwardPlugin = fp(plugin, { name: '@tokenward/fastify', fastify: '5.x' });

/**
 * The verified identity of a request guarded by `requireAuth()`. Throws a clear error when there
 * is none (no `requireAuth()` on the route, or an anonymous request under optional auth).
 */
export function getAuth(request: FastifyRequest): AuthContext {
  const auth = request.auth;
  if (auth === null || auth === undefined) {
    throw new Error(
      'tokenward: no verified identity on this request — add requireAuth() to the route hooks',
    );
  }
  return auth;
}
