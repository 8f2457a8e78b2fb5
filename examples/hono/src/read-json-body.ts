import { ApiError } from './api-error.js';

/**
 * Read a request's JSON body, inside the handler, so only after the guards: an empty body is
 * `undefined`; a non-empty one must be `application/json` (415), at most
 * {@link ApiError.bodyLimit} bytes (413, checked while reading, not only from `Content-Length`)
 * and valid JSON (400). Web-standard only: runs on Node, Workers, Deno and Bun.
 */
export async function readJsonBody(request: Request): Promise<unknown> {
  const { headers, body } = request;
  const length = headers.get('content-length');
  if (body === null || (length !== null && !(Number(length) > 0))) return undefined;
  const json =
    headers.get('content-type')?.split(';')[0]?.trim().toLowerCase() === 'application/json';
  // A declared body is refused by its type before a byte is read. Without Content-Length or
  // Transfer-Encoding there is no body in HTTP/1.1, yet some servers hand one over: read it, and
  // an empty one is no body.
  const declared = length !== null || headers.has('transfer-encoding');
  if (declared && !json) throw ApiError.notJson();
  if (Number(length) > ApiError.bodyLimit) throw ApiError.tooLarge();
  const decoder = new TextDecoder();
  let size = 0;
  let text = '';
  const reader = body.getReader();
  for (let read = await reader.read(); !read.done; read = await reader.read()) {
    size += read.value.byteLength;
    if (size > ApiError.bodyLimit) {
      await reader.cancel();
      throw ApiError.tooLarge();
    }
    text += decoder.decode(read.value, { stream: true });
  }
  text += decoder.decode();
  if (text === '') return undefined;
  if (!json) throw ApiError.notJson();
  try {
    return JSON.parse(text);
  } catch {
    throw ApiError.badJson();
  }
}
