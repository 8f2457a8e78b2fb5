/**
 * Opt-in typing of `c.var.auth` on every Hono app, without `Hono<TokenwardEnv>` generics:
 *
 * ```ts
 * import type {} from '@tokenward/hono/variables';
 * const app = new Hono();   // c.var.auth: AuthContext | undefined, c.get('auth') too
 * ```
 *
 * It augments Hono's `ContextVariableMap` for the whole program, so import it once (in the file
 * that creates the app, or a `.d.ts` of your project). Without this import nothing is augmented:
 * type `c.var.auth` with `Hono<TokenwardEnv>`, or rely on the guards' own `TokenwardEnv`. This
 * module has no runtime code.
 */
import type { AuthContext } from '@tokenward/core';

declare module 'hono' {
  interface ContextVariableMap {
    /** The verified identity, set by `requireAuth()`; `undefined` for anonymous requests. */
    auth: AuthContext | undefined;
  }
}
