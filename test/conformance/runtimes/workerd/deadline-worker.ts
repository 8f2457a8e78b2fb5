/**
 * The conformance Worker with a per-request deadline, for `workerd-single-flight.test.ts`: a
 * request carrying `x-deadline-ms: <n>` is answered 504 after n milliseconds unless the app has
 * answered by then — what `hono/timeout` does, and what Cloudflare does to a request whose client
 * went away: the request ends, and workerd cancels whatever it still had pending.
 *
 * Refusals are logged (status, code, the chain of causes) on stdout, for the test's messages.
 */
import type { MountEnv } from '../../routes.js';
import { createConformanceFetch, type FetchHandler } from '../runtime-app.js';

/** The bindings of `config.capnp`. */
interface WorkerEnv {
  readonly CONFORMANCE_ENV: MountEnv;
}

/** The causes of an error, outermost first (a few). */
function causes(error: unknown): string[] {
  const chain: string[] = [];
  for (let cause = error; cause !== undefined && chain.length < 4; ) {
    chain.push(String(cause));
    cause = (cause as { cause?: unknown }).cause;
  }
  return chain;
}

let app: FetchHandler | undefined;

export default {
  fetch(request: Request, env: WorkerEnv): Response | Promise<Response> {
    app ??= createConformanceFetch(env.CONFORMANCE_ENV, {
      onDecision: (event) => {
        if (event.outcome === 'allowed') return;
        const line = { status: event.status, code: event.code, causes: causes(event.error?.cause) };
        console.log(JSON.stringify(line));
      },
    });
    const answer = Promise.resolve(app(request));
    const deadline = Number(request.headers.get('x-deadline-ms') ?? '');
    if (!(deadline > 0)) return answer;
    const late = new Promise<Response>((resolve) => {
      setTimeout(() => resolve(new Response('deadline', { status: 504 })), deadline);
    });
    return Promise.race([answer, late]);
  },
};
