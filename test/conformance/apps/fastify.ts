/** The conformance app on Fastify 5 with `@tokenward/fastify` (plugin + `onRequest` hooks). */

import { tokenwardPlugin } from '@tokenward/fastify';
import Fastify from 'fastify';
import {
  type AppFactory,
  CASE_HEADER,
  CallLog,
  type ConformanceApp,
  guardsFor,
  handlerCall,
  type MountSpec,
} from '../routes.js';

async function start(mounts: readonly MountSpec[]): Promise<ConformanceApp> {
  const calls = new CallLog();
  const app = Fastify({ logger: false });
  for (const mount of mounts) {
    // One encapsulated context per configuration: each registers its own plugin instance.
    await app.register(
      async (scope) => {
        await scope.register(tokenwardPlugin, mount.options);
        for (const route of mount.routes) {
          scope.route({
            method: [...route.methods],
            url: route.path,
            onRequest: guardsFor(scope.tokenward, route),
            handler: async (request) => {
              const call = handlerCall(mount, route, request.auth);
              const caseId = request.headers[CASE_HEADER];
              calls.record(typeof caseId === 'string' ? caseId : undefined, call);
              return call;
            },
          });
        }
      },
      { prefix: mount.prefix },
    );
  }
  await app.listen({ host: '127.0.0.1', port: 0 });
  const address = app.server.address();
  if (address === null || typeof address === 'string') throw new Error('fastify: no TCP address');
  return {
    url: `http://127.0.0.1:${address.port}`,
    handlerCalls: calls,
    close: () => app.close(),
  };
}

const factory: AppFactory = { name: 'fastify', start };
export default factory;
