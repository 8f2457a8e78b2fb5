import { createServer, type RequestListener, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { onTestFinished } from 'vitest';

export {
  AUDIENCE,
  bearer,
  failOnUnhandledRejection,
  type RejectionLog,
  useIssuer,
} from '../../../test/helpers/adapter-fixtures.js';

/**
 * Serve a request listener (an Express app) on 127.0.0.1 on a free port, closed after the test.
 * Pass the result to supertest: it reuses a listening server instead of binding its own.
 */
export async function listen(app: RequestListener): Promise<Server> {
  const server = createServer(app);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  onTestFinished(
    () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  );
  return server;
}

/** The origin of a server started by {@link listen}. */
export function origin(server: Server): string {
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}
