/**
 * Several requests on ONE connection, for the suites that talk to real servers: kept alive (each
 * request after the previous answer) or pipelined (all written back to back before any answer).
 * A raw `node:net` socket and a small HTTP/1.1 answer parser, so that nothing (no agent, no pool)
 * can quietly open a second connection. Node only.
 */
import type { IncomingHttpHeaders } from 'node:http';
import { connect } from 'node:net';
import { CASE_HEADER } from '../conformance/routes.js';
import type { RawResponse, WireRequest } from './wire.js';

/**
 * How the requests of {@link sendOnOneConnection} share their connection: `keep-alive` sends each
 * request after the previous answer has arrived; `pipelined` writes them all back to back in one
 * write before any answer.
 */
export type ConnectionMode = 'keep-alive' | 'pipelined';

/**
 * App factories whose server cannot take pipelined requests, with the reason: their pipelined runs
 * are skipped, loudly (kept-alive runs still happen).
 */
export const NO_PIPELINING: Readonly<Record<string, string>> = {
  'hono-bun':
    'Bun.serve closes the connection, answering nothing, when a request arrives while an asynchronous answer is pending',
};

/** One request of a connection, with the case id its handler call is recorded under. */
export interface ConnectionRequest {
  readonly request: WireRequest;
  readonly caseId: string;
}

/** Options of {@link sendOnOneConnection}. */
export interface ConnectionOptions {
  /** Give up after this many milliseconds. Default 10000. */
  readonly timeout?: number;
  /**
   * Kept alive only: awaited before request `index` (1 and up) is written, once the previous
   * answer is in (e.g. to let a token expire while the connection stays open).
   */
  readonly before?: (index: number) => Promise<void>;
}

/**
 * Send the requests on ONE TCP connection (a raw `node:net` socket; HTTP/1.1 keeps it open by
 * default) and parse the answers in order. Each request carries exactly its header lines plus
 * Host, the case id and Content-Length, as `send` in `wire.ts` does, but no `Connection: close`. Rejects
 * if the server closes the connection before the last answer, or sends bytes after it.
 */
export function sendOnOneConnection(
  origin: string,
  requests: readonly ConnectionRequest[],
  mode: ConnectionMode,
  options: ConnectionOptions = {},
): Promise<RawResponse[]> {
  const { timeout = 10_000, before } = options;
  const url = new URL(origin);
  const wire = requests.map(({ request, caseId }) => encodeRequest(url.host, request, caseId));
  return new Promise((resolve, reject) => {
    const responses: RawResponse[] = [];
    const sentAt: number[] = [];
    let buffer: Buffer = Buffer.alloc(0);
    let done = false;
    const socket = connect({ host: url.hostname, port: Number(url.port) });
    const finish = (error?: Error) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      socket.destroy();
      if (error === undefined) resolve(responses);
      else reject(error);
    };
    const progress = () => `${responses.length} of ${requests.length} answers, ${mode}`;
    const timer = setTimeout(
      () => finish(new Error(`no complete answer within ${timeout} ms (${progress()})`)),
      timeout,
    );
    const write = (from: number, to: number) => {
      const now = performance.now();
      for (let i = from; i < to; i++) sentAt[i] = now;
      socket.write(Buffer.concat(wire.slice(from, to)));
    };
    socket.setNoDelay(true);
    socket.on('connect', () => write(0, mode === 'pipelined' ? wire.length : 1));
    socket.on('data', (chunk: Buffer) => {
      buffer = Buffer.concat([buffer, chunk]);
      while (!done && buffer.length > 0) {
        const index = responses.length;
        if (index === requests.length) {
          finish(new Error(`unexpected bytes after the last answer: ${buffer.toString('latin1')}`));
          return;
        }
        const method = (requests[index] as ConnectionRequest).request.method;
        let parsed: ParsedResponse | undefined;
        try {
          parsed = parseResponse(buffer, method);
        } catch (error) {
          finish(error as Error);
          return;
        }
        if (parsed === undefined) return;
        buffer = buffer.subarray(parsed.length);
        responses.push({ ...parsed.response, elapsed: performance.now() - (sentAt[index] ?? 0) });
        if (responses.length === requests.length) {
          // Give trailing bytes (a second answer to one request) a moment to show.
          setImmediate(() =>
            buffer.length === 0
              ? finish()
              : finish(new Error(`unexpected bytes after the last answer: ${buffer}`)),
          );
          return;
        }
        if (mode === 'keep-alive') {
          const next = responses.length;
          if (before === undefined) write(next, next + 1);
          else
            before(next).then(
              () => write(next, next + 1),
              (error: Error) => finish(error),
            );
        }
      }
    });
    socket.on('error', (error) => finish(error));
    socket.on('close', () =>
      responses.length === requests.length
        ? finish()
        : finish(new Error(`the server closed the connection after ${progress()}`)),
    );
  });
}

/** The bytes of one HTTP/1.1 request: header lines as Latin-1, the body as UTF-8. */
function encodeRequest(host: string, req: WireRequest, caseId: string): Buffer {
  let head = `${req.method} ${req.path} HTTP/1.1\r\nHost: ${host}\r\n${CASE_HEADER}: ${caseId}\r\n`;
  for (const [name, value] of req.headers) head += `${name}: ${value}\r\n`;
  const body = req.body === undefined ? undefined : Buffer.from(req.body, 'utf8');
  if (body !== undefined) head += `Content-Length: ${body.length}\r\n`;
  return Buffer.concat([
    Buffer.from(`${head}\r\n`, 'latin1'),
    ...(body === undefined ? [] : [body]),
  ]);
}

interface ParsedResponse {
  readonly response: Omit<RawResponse, 'elapsed'>;
  /** Bytes of the buffer this answer took. */
  readonly length: number;
}

const CRLF = Buffer.from('\r\n');
const HEAD_END = Buffer.from('\r\n\r\n');

/**
 * The first complete answer at the start of `buffer` (to a request of `method`), or `undefined`
 * while it is incomplete. Bodies are framed by Content-Length or chunked encoding; HEAD, 1xx, 204
 * and 304 answers have none. Interim (1xx) answers are an error here: no row expects one.
 */
function parseResponse(buffer: Buffer, method: string): ParsedResponse | undefined {
  const headEnd = buffer.indexOf(HEAD_END);
  if (headEnd === -1) return undefined;
  const [statusLine = '', ...lines] = buffer.subarray(0, headEnd).toString('latin1').split('\r\n');
  const match = /^HTTP\/1\.[01] (\d{3})(?: .*)?$/.exec(statusLine);
  if (match === null) throw new Error(`not an HTTP/1.1 status line: ${statusLine}`);
  const status = Number(match[1]);
  if (status < 200) throw new Error(`unexpected interim answer ${status}`);
  const rawHeaders: string[] = [];
  const headers: Record<string, string | string[]> = {};
  for (const line of lines) {
    const colon = line.indexOf(':');
    if (colon <= 0) throw new Error(`malformed header line: ${line}`);
    const name = line.slice(0, colon);
    const value = line.slice(colon + 1).trim();
    rawHeaders.push(name, value);
    const key = name.toLowerCase();
    const previous = headers[key];
    if (key === 'set-cookie') headers[key] = [...((previous as string[] | undefined) ?? []), value];
    else headers[key] = previous === undefined ? value : `${previous}, ${value}`;
  }
  const start = headEnd + HEAD_END.length;
  const bodyless = method === 'HEAD' || status === 204 || status === 304;
  let body: Buffer = Buffer.alloc(0);
  let end = start;
  if (!bodyless && /\bchunked\b/i.test(String(headers['transfer-encoding'] ?? ''))) {
    const chunks: Buffer[] = [];
    for (;;) {
      const lineEnd = buffer.indexOf(CRLF, end);
      if (lineEnd === -1) return undefined;
      const size = Number.parseInt(buffer.subarray(end, lineEnd).toString('latin1'), 16);
      if (Number.isNaN(size)) throw new Error('malformed chunk size');
      if (size === 0) {
        // No trailers expected: the last chunk is `0\r\n\r\n`.
        if (buffer.length < lineEnd + 4) return undefined;
        end = lineEnd + 4;
        break;
      }
      const dataEnd = lineEnd + 2 + size;
      if (buffer.length < dataEnd + 2) return undefined;
      chunks.push(buffer.subarray(lineEnd + 2, dataEnd));
      end = dataEnd + 2;
    }
    body = Buffer.concat(chunks);
  } else if (!bodyless) {
    const declared = headers['content-length'];
    if (declared === undefined) throw new Error('an answer without Content-Length or chunking');
    end = start + Number(declared);
    if (buffer.length < end) return undefined;
    body = buffer.subarray(start, end);
  }
  return {
    response: {
      status,
      headers: headers as IncomingHttpHeaders,
      rawHeaders,
      body: body.toString('utf8'),
    },
    length: end,
  };
}
