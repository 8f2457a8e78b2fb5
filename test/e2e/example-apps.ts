/**
 * The four example apps (`examples/<name>`'s `createApp`), each listening on 127.0.0.1 on an
 * ephemeral port, pointed at an issuer.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import { createApp as createExpressApp } from '@tokenward-examples/express/app';
import { createApp as createFastifyApp } from '@tokenward-examples/fastify/app';
import { createApp as createHonoApp } from '@tokenward-examples/hono/app';
import { createApp as createNestApp } from '@tokenward-examples/nestjs/app';

/** What every example's `createApp` takes. */
export interface ExampleConfig {
  issuer: string;
  audience: string;
  /** `AUTHZEN_PDP`: base URL of an AuthZEN PDP (`/documents/:id` exists only with it). */
  pdp?: string;
}

/** One running example app. */
export interface RunningApp {
  readonly name: 'express' | 'fastify' | 'hono' | 'nestjs';
  /** `http://127.0.0.1:<port>`. */
  readonly url: string;
  close(): Promise<void>;
}

const ADAPTERS = ['express', 'fastify', 'hono', 'nestjs'] as const;

function closeServer(server: Server): Promise<void> {
  return new Promise((resolve, reject) => {
    server.close((error) => (error ? reject(error) : resolve()));
    server.closeAllConnections();
  });
}

function listening(server: Server): Promise<string> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      resolve(`http://127.0.0.1:${(server.address() as AddressInfo).port}`);
    });
  });
}

async function startOne(name: RunningApp['name'], config: ExampleConfig): Promise<RunningApp> {
  switch (name) {
    case 'express': {
      const server = createServer(createExpressApp(config));
      const url = await listening(server);
      return { name, url, close: () => closeServer(server) };
    }
    case 'fastify': {
      const app = await createFastifyApp(config);
      await app.listen({ port: 0, host: '127.0.0.1' });
      const { port } = app.server.address() as AddressInfo;
      return { name, url: `http://127.0.0.1:${port}`, close: () => app.close() };
    }
    case 'hono': {
      const app = createHonoApp(config);
      const { server, port } = await new Promise<{ server: Server; port: number }>((resolve) => {
        const s = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, (info) =>
          resolve({ server: s as Server, port: info.port }),
        );
      });
      return { name, url: `http://127.0.0.1:${port}`, close: () => closeServer(server) };
    }
    case 'nestjs': {
      const app = await createNestApp(config);
      await app.listen(0, '127.0.0.1');
      const { port } = app.getHttpServer().address() as AddressInfo;
      return { name, url: `http://127.0.0.1:${port}`, close: () => app.close() };
    }
  }
}

/** Start Express, Fastify, Hono (on `@hono/node-server`) and NestJS (Express platform). */
export async function startExampleApps(config: ExampleConfig): Promise<RunningApp[]> {
  return Promise.all(ADAPTERS.map((name) => startOne(name, config)));
}

/** A response, read once. */
export interface Answer {
  status: number;
  /** `WWW-Authenticate`, or null. */
  challenge: string | null;
  body: unknown;
}

/** One request to an app, with an optional bearer token. */
export async function call(
  app: RunningApp,
  method: 'GET' | 'POST',
  path: string,
  token?: string,
): Promise<Answer> {
  const headers: Record<string, string> = { accept: 'application/json' };
  if (token !== undefined) headers.authorization = `Bearer ${token}`;
  const init: RequestInit = { method, headers };
  if (method === 'POST') {
    headers['content-type'] = 'application/json';
    init.body = JSON.stringify({ title: 'New report' });
  }
  const response = await fetch(`${app.url}${path}`, init);
  const text = await response.text();
  let body: unknown = text;
  try {
    body = JSON.parse(text);
  } catch {
    // not JSON: keep the text
  }
  return { status: response.status, challenge: response.headers.get('www-authenticate'), body };
}

/** The payload and header of a JWT, without verifying it (to check what the server issued). */
export function decodeJwt(token: string): {
  header: Record<string, unknown>;
  payload: Record<string, unknown>;
} {
  const [header, payload] = token
    .split('.')
    .slice(0, 2)
    .map((part) => JSON.parse(Buffer.from(part, 'base64url').toString('utf8')));
  return { header, payload };
}
