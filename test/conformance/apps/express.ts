/** The conformance app on Express 5 with `@tokenward/express`. */
import type { Server } from 'node:http';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import { type ExpressTokenward, tokenward } from '@tokenward/express';
import {
  type AppFactory,
  CASE_HEADER,
  CallLog,
  type ConformanceApp,
  guardsFor,
  handlerCall,
  type MountSpec,
} from '../routes.js';

// Express's own types come with the adapter's guards (`RequestHandler`, `Request`, `Response`).
// The root has no `@types/express`, so `express()` itself is loaded untyped and given the small
// surface used here; with `@types/express` at the root this becomes `import express from 'express'`.
type Handler = ReturnType<ExpressTokenward['requireAuth']>;
interface Router {
  get(path: string, ...handlers: Handler[]): unknown;
  post(path: string, ...handlers: Handler[]): unknown;
}
interface Application {
  use(path: string, router: Router): unknown;
  listen(port: number, host: string): Server;
}
const express = createRequire(import.meta.url)('express') as {
  (): Application;
  Router(): Router;
};

async function start(mounts: readonly MountSpec[]): Promise<ConformanceApp> {
  const calls = new CallLog();
  const app = express();
  for (const mount of mounts) {
    const auth = tokenward(mount.options);
    const router = express.Router();
    for (const route of mount.routes) {
      const handler: Handler = (req, res) => {
        const call = handlerCall(mount, route, req.auth);
        calls.record(req.get(CASE_HEADER), call);
        res.json(call);
      };
      const chain = [...guardsFor(auth, route), handler];
      for (const method of route.methods) {
        if (method === 'GET') router.get(route.path, ...chain);
        else router.post(route.path, ...chain);
      }
    }
    app.use(mount.prefix === '' ? '/' : mount.prefix, router);
  }
  const server = app.listen(0, '127.0.0.1');
  await new Promise<void>((resolve, reject) => {
    server.once('listening', resolve);
    server.once('error', reject);
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    handlerCalls: calls,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

const factory: AppFactory = { name: 'express', start };
export default factory;
