import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type ServerType, serve } from '@hono/node-server';
import { onTestFinished } from 'vitest';

export {
  AUDIENCE,
  bearer,
  failOnUnhandledRejection,
  type RejectionLog,
  useIssuer,
} from '../../../test/helpers/adapter-fixtures.js';

/**
 * Serve a fetch handler (a Hono app's `fetch`) with `@hono/node-server` on 127.0.0.1 on a free
 * port; closed after the test. Returns the origin.
 */
export async function serveOnLoopback(fetch: (request: Request) => Response | Promise<Response>) {
  const server = await new Promise<ServerType>((resolve) => {
    const started: ServerType = serve({ fetch, port: 0, hostname: '127.0.0.1' }, () =>
      resolve(started),
    );
  });
  onTestFinished(
    () =>
      new Promise<void>((resolve) => {
        (server as Server).closeAllConnections();
        server.close(() => resolve());
      }),
  );
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}
