/**
 * One HTTP/1.1 request exactly as written — any method, a path that is not valid
 * percent-encoding, a chosen `Content-Length` or chunked body, a huge header — which `fetch`
 * would refuse or rewrite. The answer is read whole; an early answer (the server refusing before
 * reading the body) wins over the write error that may follow.
 */
import { request as httpRequest } from 'node:http';

/** A request to send. */
export interface RawRequest {
  method: string;
  path: string;
  headers?: Record<string, string>;
  /** Sent with `Content-Length`, unless `chunked`; without one, neither header is sent. */
  body?: string;
  /** Send the body with `Transfer-Encoding: chunked` (no `Content-Length`). */
  chunked?: boolean;
}

/** A response, read once. */
export interface RawAnswer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
}

export function sendRaw(baseUrl: string, spec: RawRequest): Promise<RawAnswer> {
  const { hostname, port } = new URL(baseUrl);
  const headers: Record<string, string> = { connection: 'close', ...spec.headers };
  if (spec.body !== undefined && !spec.chunked) {
    headers['content-length'] = String(Buffer.byteLength(spec.body));
  }
  return new Promise((resolve, reject) => {
    let answered = false;
    const req = httpRequest(
      { hostname, port, method: spec.method, path: spec.path, headers },
      (res) => {
        answered = true;
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (text += chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, text }));
        res.on('error', reject);
      },
    );
    req.on('error', (error) => {
      if (!answered) reject(error);
    });
    if (spec.chunked) req.setHeader('transfer-encoding', 'chunked');
    if (spec.body === undefined) req.useChunkedEncodingByDefault = false;
    req.end(spec.body);
  });
}
