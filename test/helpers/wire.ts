/**
 * The raw HTTP client of the suites that talk to real servers (conformance and attacks): requests
 * go out through `node:http` with raw header lists, so duplicate `Authorization` lines really are
 * separate lines on the wire, and responses keep their raw header list (so duplicates show).
 *
 * Node only: the runtime-neutral row shapes are in `rows.ts`.
 */
import { request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import { CASE_HEADER } from '../conformance/routes.js';
import type { RowRequest } from './rows.js';

/** A request as sent on the wire. */
export type WireRequest = RowRequest<'GET' | 'POST' | 'HEAD'>;

/** A response as received. */
export interface RawResponse {
  readonly status: number;
  readonly headers: IncomingHttpHeaders;
  readonly rawHeaders: readonly string[];
  readonly body: string;
  /** Milliseconds from sending to the end of the body. */
  readonly elapsed: number;
}

/** Send exactly these header lines (plus Host, Connection, the case id and Content-Length). */
export function send(
  origin: string,
  req: WireRequest,
  caseId: string,
  timeout = 10_000,
): Promise<RawResponse> {
  const url = new URL(origin);
  const lines: string[] = ['Host', url.host, 'Connection', 'close', CASE_HEADER, caseId];
  for (const [name, value] of req.headers) lines.push(name, value);
  if (req.body !== undefined) lines.push('Content-Length', String(Buffer.byteLength(req.body)));
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const outgoing = httpRequest(
      {
        host: url.hostname,
        port: url.port,
        method: req.method,
        path: req.path,
        headers: lines,
        agent: false,
        timeout,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('error', reject);
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            rawHeaders: res.rawHeaders,
            body: Buffer.concat(chunks).toString('utf8'),
            elapsed: performance.now() - started,
          }),
        );
      },
    );
    outgoing.on('timeout', () => outgoing.destroy(new Error(`request timed out (${timeout} ms)`)));
    outgoing.on('error', reject);
    outgoing.end(req.body);
  });
}

/** Every value of a response header, from the raw list (so duplicates show). */
export function headerLines(res: RawResponse, name: string): string[] {
  const out: string[] = [];
  for (let i = 0; i < res.rawHeaders.length; i += 2) {
    if ((res.rawHeaders[i] as string).toLowerCase() === name) out.push(res.rawHeaders[i + 1] ?? '');
  }
  return out;
}

let sequence = 0;

/** A fresh case id (`<prefix>-<n>`) for the handler-call log. */
export function nextCaseId(prefix: string): string {
  return `${prefix}-${++sequence}`;
}
