/** The conformance app on Hono with `@tokenward/hono`, served on Node by `@hono/node-server`. */
import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import { createHonoApp } from '../hono-app.js';
import { type AppFactory, CallLog, type ConformanceApp, type MountSpec } from '../routes.js';

async function start(mounts: readonly MountSpec[]): Promise<ConformanceApp> {
  const calls = new CallLog();
  const app = createHonoApp(mounts, calls);
  const { server, port } = await new Promise<{ server: ReturnType<typeof serve>; port: number }>(
    (resolve) => {
      const s = serve({ fetch: app.fetch, hostname: '127.0.0.1', port: 0 }, (info: AddressInfo) =>
        resolve({ server: s, port: info.port }),
      );
    },
  );
  return {
    url: `http://127.0.0.1:${port}`,
    handlerCalls: calls,
    close: () =>
      new Promise<void>((resolve) => {
        if ('closeAllConnections' in server) server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

const factory: AppFactory = { name: 'hono-node', start };
export default factory;
