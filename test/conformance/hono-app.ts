/**
 * The conformance app on Hono with `@tokenward/hono`, runtime-agnostic (no `node:` imports): the
 * Node factory (`apps/hono-node.ts`) serves it with `@hono/node-server`; the Bun, Deno and workerd
 * factories serve the same app in those runtimes (`runtimes/runtime-app.ts`).
 */

import { type TokenwardEnv, tokenward } from '@tokenward/hono';
import { Hono, type MiddlewareHandler } from 'hono';
import { CASE_HEADER, type CallLog, guardsFor, handlerCall, type MountSpec } from './routes.js';

type Middleware = MiddlewareHandler<TokenwardEnv>;

/** Build the Hono app for these mounts; handlers record their calls in `calls`. */
export function createHonoApp(mounts: readonly MountSpec[], calls: CallLog): Hono<TokenwardEnv> {
  const app = new Hono<TokenwardEnv>();
  for (const mount of mounts) {
    const auth = tokenward(mount.options);
    const sub = new Hono<TokenwardEnv>();
    for (const route of mount.routes) {
      const handler: Middleware = async (c) => {
        const call = handlerCall(mount, route, c.var.auth);
        calls.record(c.req.header(CASE_HEADER), call);
        return c.json(call);
      };
      const chain: Middleware[] = [...guardsFor(auth, route), handler];
      sub.on([...route.methods], route.path, chain[0]!, ...chain.slice(1));
    }
    app.route(mount.prefix === '' ? '/' : mount.prefix, sub);
  }
  return app;
}
