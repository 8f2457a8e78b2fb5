import type { ExecutionContext } from '@nestjs/common';
import type { Tokenward } from '@tokenward/core';

/**
 * Which core instances already let one guard invocation through. Nest hands the same
 * `ExecutionContext` to every guard of one invocation (global, controller, then method guards),
 * and a fresh one to the next invocation — even on a reused WebSocket client — so the context is
 * the key: a request is verified once however many `TokenwardGuard`s its route stacks, and never
 * on the strength of an earlier message or another handler.
 */
const verified = new WeakMap<ExecutionContext, Tokenward | Tokenward[]>();

/** The record of verified guard invocations (see the module comment). */
export const verifiedContexts = {
  /** Whether `tokenward` already let this invocation through. */
  has(context: ExecutionContext, tokenward: Tokenward): boolean {
    const seen = verified.get(context);
    return seen === tokenward || (Array.isArray(seen) && seen.includes(tokenward));
  },
  /** Record that `tokenward` let this invocation through. */
  add(context: ExecutionContext, tokenward: Tokenward): void {
    const seen = verified.get(context);
    if (seen === undefined) verified.set(context, tokenward);
    else if (Array.isArray(seen)) seen.push(tokenward);
    else if (seen !== tokenward) verified.set(context, [seen, tokenward]);
  },
};
