/**
 * A fault-injecting key server on 127.0.0.1 for the attack suites: every path has its own
 * behaviour (a JSON document, a status, a delay, a stalled body, a redirect, a huge body, ...) and
 * every request is counted per path, whether it was answered, faulted or unknown (404).
 *
 * Delays and stalls are cancelled when the client goes away, and `close()` drops every open
 * connection, so a test never waits on the server.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

/** What a path answers. */
export type Behaviour =
  /** `status` (default 200) with `body` serialized as JSON. */
  | {
      readonly kind: 'json';
      readonly body: unknown;
      readonly status?: number;
      readonly headers?: Readonly<Record<string, string>>;
    }
  /** `status` with a raw body (default empty) and headers. */
  | {
      readonly kind: 'raw';
      readonly status: number;
      readonly body?: string | Uint8Array;
      readonly headers?: Readonly<Record<string, string>>;
    }
  /** A redirect (`Location`) that a key-set client must never follow. */
  | { readonly kind: 'redirect'; readonly status: number; readonly location: string }
  /** Wait `ms` before answering with `answer` (the headers are not sent before). */
  | { readonly kind: 'delay'; readonly ms: number; readonly answer: Behaviour }
  /** Send 200 headers and the first bytes of a JSON body, then stall for `ms`, then end it. */
  | { readonly kind: 'stall-body'; readonly ms: number }
  /** Accept the request and never answer (until the client or `close()` gives up). */
  | { readonly kind: 'hang' }
  /** A body of `bytes` bytes of valid-looking JSON, with or without `Content-Length`. */
  | { readonly kind: 'huge'; readonly bytes: number; readonly contentLength: boolean }
  /** Destroy the socket without answering. */
  | { readonly kind: 'reset' };

/** A behaviour, or a function choosing one per request (e.g. serving an issuer's live JWKS). */
export type Route = Behaviour | ((req: IncomingMessage) => Behaviour);

/** `200 application/json` with this document. */
export function json(body: unknown, status = 200): Behaviour {
  return { kind: 'json', body, status };
}

/** A JWKS document of these keys. */
export function jwks(keys: readonly unknown[]): Behaviour {
  return json({ keys });
}

/** An OpenID Connect discovery document. */
export function discovery(issuer: unknown, jwksUri: unknown): Behaviour {
  return json({
    issuer,
    jwks_uri: jwksUri,
    response_types_supported: ['code'],
    subject_types_supported: ['public'],
    id_token_signing_alg_values_supported: ['RS256'],
  });
}

/** A running fault server. */
export interface FaultServer {
  /** `http://127.0.0.1:<port>`. */
  readonly origin: string;
  /** Absolute URL of a path on this server. */
  url(path: string): string;
  /** Set (or with `undefined`, remove) what `path` answers. Unknown paths answer 404. */
  set(path: string, route: Route | undefined): void;
  /** Requests received for `path` (answered or not), or for every path when omitted. */
  count(path?: string): number;
  /** Forget every count. */
  resetCounts(): void;
  /** Stop, dropping open connections (pending delays included). Idempotent. */
  close(): Promise<void>;
}

const encoder = new TextEncoder();

function write(res: ServerResponse, behaviour: Behaviour, signal: AbortSignal): void {
  switch (behaviour.kind) {
    case 'json': {
      const body = encoder.encode(JSON.stringify(behaviour.body));
      res.writeHead(behaviour.status ?? 200, {
        'content-type': 'application/json',
        'content-length': String(body.byteLength),
        'cache-control': 'no-store',
        ...behaviour.headers,
      });
      res.end(body);
      return;
    }
    case 'raw': {
      const body =
        typeof behaviour.body === 'string' ? encoder.encode(behaviour.body) : behaviour.body;
      res.writeHead(behaviour.status, {
        ...(body === undefined ? {} : { 'content-length': String(body.byteLength) }),
        ...behaviour.headers,
      });
      res.end(body);
      return;
    }
    case 'redirect':
      res.writeHead(behaviour.status, { location: behaviour.location, 'content-length': '0' });
      res.end();
      return;
    case 'delay': {
      const timer = setTimeout(() => write(res, behaviour.answer, signal), behaviour.ms);
      signal.addEventListener('abort', () => clearTimeout(timer), { once: true });
      return;
    }
    case 'stall-body': {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.write('{"keys":[');
      const timer = setTimeout(() => res.end(']}'), behaviour.ms);
      signal.addEventListener('abort', () => clearTimeout(timer), { once: true });
      return;
    }
    case 'hang':
      return;
    case 'huge': {
      const chunk = `${JSON.stringify({ kty: 'EC', crv: 'P-256', pad: 'x'.repeat(1000) })},`;
      const count = Math.max(1, Math.floor(behaviour.bytes / chunk.length));
      const body = `{"keys":[${chunk.repeat(count)}{}]}`;
      res.writeHead(200, {
        'content-type': 'application/json',
        ...(behaviour.contentLength ? { 'content-length': String(Buffer.byteLength(body)) } : {}),
      });
      res.end(body);
      return;
    }
    case 'reset':
      res.socket?.destroy();
      return;
  }
}

/** Start a fault server on a random port of 127.0.0.1. */
export async function startFaultServer(): Promise<FaultServer> {
  const routes = new Map<string, Route>();
  const counts = new Map<string, number>();
  const sockets = new Set<Socket>();
  const server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://127.0.0.1').pathname;
    counts.set(path, (counts.get(path) ?? 0) + 1);
    const controller = new AbortController();
    res.on('close', () => controller.abort());
    const route = routes.get(path);
    if (route === undefined) {
      write(res, { kind: 'raw', status: 404, body: 'Not Found' }, controller.signal);
      return;
    }
    write(res, typeof route === 'function' ? route(req) : route, controller.signal);
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const origin = `http://127.0.0.1:${port}`;
  let closing: Promise<void> | undefined;
  return {
    origin,
    url: (path) => `${origin}${path}`,
    set(path, route) {
      if (route === undefined) routes.delete(path);
      else routes.set(path, route);
    },
    count(path) {
      if (path !== undefined) return counts.get(path) ?? 0;
      let total = 0;
      for (const n of counts.values()) total += n;
      return total;
    },
    resetCounts: () => counts.clear(),
    close() {
      closing ??= new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const socket of sockets) socket.destroy();
      });
      return closing;
    },
  };
}
