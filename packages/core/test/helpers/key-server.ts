import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { JWK } from 'jose';

/** A canned answer. */
export interface Reply {
  /** Default 200. */
  status?: number;
  headers?: Record<string, string>;
  /** A string is sent as is; anything else is JSON-encoded. Default: no body. */
  body?: unknown;
  /** Wait this long before sending anything (ms). */
  delayMs?: number;
  /** Send the headers and the first half of the body, then wait this long before the rest (ms). */
  stallBodyMs?: number;
}

/** A route: a canned reply or a handler. */
export type Route = Reply | ((req: IncomingMessage, res: ServerResponse) => void);

/**
 * A key server on 127.0.0.1 (random port) for real-HTTP tests: discovery documents, JWKS, and any
 * fault, with per-path request counters. Unknown paths answer 404 (and are counted too).
 */
export class KeyServer {
  readonly origin: string;
  readonly #server: Server;
  readonly #routes = new Map<string, Route>();
  readonly #counts = new Map<string, number>();
  readonly #timers = new Set<NodeJS.Timeout>();
  /** Every request path (with query), in order. */
  readonly requests: string[] = [];

  private constructor(server: Server) {
    this.#server = server;
    const { port } = server.address() as AddressInfo;
    this.origin = `http://127.0.0.1:${port}`;
  }

  static async start(): Promise<KeyServer> {
    const server = createServer();
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => resolve());
    });
    const keyServer = new KeyServer(server);
    server.on('request', (req, res) => keyServer.#handle(req, res));
    return keyServer;
  }

  /** Absolute URL of `path` on this server. */
  url(path: string): string {
    return `${this.origin}${path}`;
  }

  /** Serve `route` at `path` (replacing any previous route). */
  route(path: string, route: Route): this {
    this.#routes.set(path, route);
    return this;
  }

  /** Serve a JWKS with these public keys at `path` (default `/jwks`). */
  jwks(keys: readonly JWK[], path = '/jwks'): this {
    return this.route(path, { body: { keys } });
  }

  /** Serve a discovery document at `path`. */
  discovery(document: Record<string, unknown>, path = '/.well-known/openid-configuration'): this {
    return this.route(path, { body: document });
  }

  /** Requests received for `path` so far. */
  count(path: string): number {
    return this.#counts.get(path) ?? 0;
  }

  /** Requests received in total. */
  get total(): number {
    return this.requests.length;
  }

  /** Forget every route and counter. */
  reset(): void {
    this.#routes.clear();
    this.#counts.clear();
    this.requests.length = 0;
  }

  async close(): Promise<void> {
    for (const timer of this.#timers) clearTimeout(timer);
    this.#timers.clear();
    this.#server.closeAllConnections();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }

  #later(ms: number, fn: () => void): void {
    const timer = setTimeout(() => {
      this.#timers.delete(timer);
      fn();
    }, ms);
    this.#timers.add(timer);
  }

  #handle(req: IncomingMessage, res: ServerResponse): void {
    const url = req.url ?? '/';
    const path = url.split('?', 1)[0] as string;
    this.requests.push(url);
    this.#counts.set(path, this.count(path) + 1);
    const route = this.#routes.get(path) ?? { status: 404, body: { error: 'not_found' } };
    if (typeof route === 'function') {
      route(req, res);
      return;
    }
    const send = () => {
      if (res.destroyed) return;
      const body =
        route.body === undefined
          ? ''
          : typeof route.body === 'string'
            ? route.body
            : JSON.stringify(route.body);
      const headers: Record<string, string> = {
        'content-type': 'application/json',
        ...route.headers,
      };
      res.writeHead(route.status ?? 200, headers);
      if (route.stallBodyMs !== undefined) {
        const half = Math.floor(body.length / 2);
        res.write(body.slice(0, half));
        this.#later(route.stallBodyMs, () => {
          if (!res.destroyed) res.end(body.slice(half));
        });
        return;
      }
      res.end(body);
    };
    if (route.delayMs !== undefined) this.#later(route.delayMs, send);
    else send();
  }
}

/** A URL on 127.0.0.1 whose port was just released: connecting to it is refused. */
export async function refusedOrigin(): Promise<string> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return `http://127.0.0.1:${port}`;
}

/**
 * A `fetch` that counts calls and records URLs, and refuses (TypeError, like a DNS failure) any
 * host other than 127.0.0.1, so tests never leave the machine.
 */
export function countingFetch(): typeof fetch & { calls: string[] } {
  const calls: string[] = [];
  const wrapped = (async (input: string | URL | Request, init?: RequestInit) => {
    const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
    calls.push(url);
    if (new URL(url).hostname !== '127.0.0.1') {
      throw new TypeError('fetch failed (test fetch only reaches 127.0.0.1)');
    }
    return globalThis.fetch(input, init);
  }) as typeof fetch & { calls: string[] };
  wrapped.calls = calls;
  return wrapped;
}

/** A `fetch` that answers from a function (no network), counting calls. */
export function fakeFetch(
  answer: (url: string, init?: RequestInit) => Response | Promise<Response>,
): typeof fetch & { calls: string[] } {
  const calls: string[] = [];
  const wrapped = (async (input: string | URL | Request, init?: RequestInit) => {
    const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
    calls.push(url);
    return answer(url, init);
  }) as typeof fetch & { calls: string[] };
  wrapped.calls = calls;
  return wrapped;
}
