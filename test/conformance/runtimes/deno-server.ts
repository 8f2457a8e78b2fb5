/**
 * Serves the conformance app on Deno: `deno run … deno-server.ts '<MountEnv JSON>'`. Listens on a
 * random port of 127.0.0.1, prints `{"port":<n>}` on stdout when ready, and exits when stdin closes
 * (so it never outlives the test process that started it).
 */
import { createConformanceFetch, parseMountEnv } from './runtime-app.js';

declare const Deno: {
  args: string[];
  serve(
    options: { hostname: string; port: number; onListen(addr: { port: number }): void },
    handler: (request: Request) => Response | Promise<Response>,
  ): unknown;
  stdin: { readable: ReadableStream<Uint8Array> };
  exit(code?: number): never;
};

const fetchHandler = createConformanceFetch(parseMountEnv(Deno.args[0] ?? ''));
Deno.serve(
  {
    hostname: '127.0.0.1',
    port: 0,
    onListen: ({ port }) => console.log(JSON.stringify({ port })),
  },
  fetchHandler,
);

for await (const _ of Deno.stdin.readable) {
  // Nothing is sent on stdin: it only tells when the test process is gone.
}
Deno.exit(0);
