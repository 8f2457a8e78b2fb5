import { ApiError } from './api-error.js';

/**
 * Read a request's JSON body, inside the handler, so only after the guards: an empty body is
 * `undefined`; a non-empty one must be `application/json` (415), at most
 * {@link ApiError.bodyLimit} bytes (413, checked while reading, not only from `Content-Length`)
 * and valid JSON (400). Web-standard only: runs on Node, Workers, Deno and Bun.
 */
export async function readJsonBody(request: Request): Promise<unknown> {
  const length = request.headers.get('content-length');
  if (request.body === null || (length !== null && !(Number(length) > 0))) return undefined;
  const type = request.headers.get('content-type')?.split(';')[0]?.trim().toLowerCase();
  if (type !== 'application/json') throw ApiError.notJson();
  if (Number(length) > ApiError.bodyLimit) throw ApiError.tooLarge();
  const decoder = new TextDecoder();
  let size = 0;
  let text = '';
  for await (const chunk of request.body) {
    size += chunk.byteLength;
    if (size > ApiError.bodyLimit) throw ApiError.tooLarge();
    text += decoder.decode(chunk, { stream: true });
  }
  text += decoder.decode();
  if (text === '') return undefined;
  try {
    return JSON.parse(text);
  } catch {
    throw ApiError.badJson();
  }
}
