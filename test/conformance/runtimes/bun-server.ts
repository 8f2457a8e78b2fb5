/**
 * Serves the conformance app on Bun: `bun bun-server.ts '<MountEnv JSON>'`. Listens on a random
 * port of 127.0.0.1, prints `{"port":<n>}` on stdout when ready, and exits when stdin closes (so it
 * never outlives the test process that started it).
 */
import { createConformanceFetch, parseMountEnv } from './runtime-app.js';

declare const Bun: {
  argv: string[];
  serve(options: {
    hostname: string;
    port: number;
    fetch: (request: Request) => Response | Promise<Response>;
  }): { port: number };
  stdin: { stream(): ReadableStream<Uint8Array> };
};
declare const process: { exit(code?: number): never };

const fetchHandler = createConformanceFetch(parseMountEnv(Bun.argv[2] ?? ''));
const server = Bun.serve({ hostname: '127.0.0.1', port: 0, fetch: fetchHandler });
console.log(JSON.stringify({ port: server.port }));

for await (const _ of Bun.stdin.stream()) {
  // Nothing is sent on stdin: it only tells when the test process is gone.
}
process.exit(0);
