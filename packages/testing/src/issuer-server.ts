import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { IssuerResponder } from './issuer-responder.js';

/** A running HTTP server of the local issuer. @internal */
export interface IssuerServer {
  /** Origin of the server, e.g. `http://127.0.0.1:54321`. */
  readonly url: string;
  /** Stops accepting requests and drops open connections (including ones waiting on a fault delay). Idempotent. */
  close(): Promise<void>;
}

const HOST = '127.0.0.1';

/** The URL path of a request target (origin-form or absolute-form). */
function pathnameOf(target: string): string {
  return new URL(target.startsWith('/') ? `http://${HOST}${target}` : target, `http://${HOST}`)
    .pathname;
}

async function handle(
  responder: IssuerResponder,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<void> {
  const controller = new AbortController();
  res.on('close', () => {
    if (!res.writableEnded) controller.abort(new Error('client disconnected'));
  });
  try {
    const method = req.method ?? 'GET';
    const response = await responder.respond({
      method,
      pathname: pathnameOf(req.url ?? '/'),
      signal: controller.signal,
    });
    res.writeHead(response.status, response.headers);
    res.end(response.body ?? undefined);
  } catch {
    if (controller.signal.aborted || res.headersSent) {
      res.destroy();
      return;
    }
    res.writeHead(500, { 'content-type': 'text/plain; charset=utf-8' });
    res.end('Internal Server Error');
  }
}

/**
 * Starts a `node:http` server bound to 127.0.0.1 only, answering every request through `responder`.
 *
 * @param port TCP port; 0 picks a free one.
 * @internal
 */
export function startIssuerServer(port: number, responder: IssuerResponder): Promise<IssuerServer> {
  const server = createServer((req, res) => {
    void handle(responder, req, res);
  });
  let closing: Promise<void> | undefined;
  const close = (): Promise<void> => {
    closing ??= new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    });
    return closing;
  };
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, HOST, () => {
      server.off('error', reject);
      const { port: bound } = server.address() as AddressInfo;
      resolve({ url: `http://${HOST}:${bound}`, close });
    });
  });
}
