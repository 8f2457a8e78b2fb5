/**
 * The conformance app as a Cloudflare Worker, for workerd. Bundled with esbuild at test time
 * (`--platform=neutral --conditions=workerd,worker,browser`); the `MountEnv` arrives as the JSON
 * binding `CONFORMANCE_ENV`. The app (and with it every key set) is built once per isolate, on the
 * first request, and shared by all later requests — as a real Worker would do it.
 */
import type { MountEnv } from '../../routes.js';
import { createConformanceFetch, type FetchHandler } from '../runtime-app.js';

/** The bindings of `config.capnp`. */
interface WorkerEnv {
  readonly CONFORMANCE_ENV: MountEnv;
}

let app: FetchHandler | undefined;

export default {
  fetch(request: Request, env: WorkerEnv): Response | Promise<Response> {
    app ??= createConformanceFetch(env.CONFORMANCE_ENV);
    return app(request);
  },
};
