import type { IssuerResponder } from './issuer-responder.js';

/**
 * Creates a `fetch` that answers requests to `origin` through `responder`, in memory, without
 * network access; it works on every runtime with the Fetch API. Requests to any other origin get a
 * 404 response and are not counted. An aborted request signal rejects with its reason, as `fetch`
 * does.
 *
 * @param origin Origin answered, e.g. `https://issuer.test`.
 * @internal
 */
export function createInMemoryFetch(origin: string, responder: IssuerResponder): typeof fetch {
  const inMemoryFetch = async (input: RequestInfo | URL, init?: RequestInit): Promise<Response> => {
    const request = new Request(input, init);
    request.signal.throwIfAborted();
    const url = new URL(request.url);
    if (url.origin !== origin) {
      return new Response('Not Found', {
        status: 404,
        headers: { 'content-type': 'text/plain; charset=utf-8' },
      });
    }
    const answer = await responder.respond({
      method: request.method,
      pathname: url.pathname,
      signal: request.signal,
    });
    return new Response(answer.body, { status: answer.status, headers: answer.headers });
  };
  return inMemoryFetch as typeof fetch;
}
