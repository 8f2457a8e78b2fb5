import { type FetchLimits, untilAborted } from '../keys/fetch-json.js';

/**
 * Why a request to the policy decision point failed. The message is safe to log (no URL, no
 * body content); `status` is the HTTP status of an unexpected answer, if any.
 */
export class PdpFetchError extends Error {
  override readonly name = 'PdpFetchError';
  /** HTTP status of an unexpected answer, if any. */
  readonly status: number | undefined;

  constructor(message: string, options?: { cause?: unknown; status?: number }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.status = options?.status;
  }
}

/**
 * POST a JSON body to the PDP and read a JSON answer under the same discipline as `fetchJson`
 * (which only GETs): no redirects, only 200, a size cap, and one timeout for the whole exchange.
 */
export async function postJson(
  url: string,
  body: unknown,
  limits: FetchLimits,
  headers: Readonly<Record<string, string>> = {},
): Promise<unknown> {
  const signal = AbortSignal.timeout(limits.timeout);
  let response: Response;
  try {
    response = await untilAborted(
      limits.fetch(url, {
        method: 'POST',
        redirect: 'manual',
        signal,
        headers: { ...headers, accept: 'application/json', 'content-type': 'application/json' },
        body: JSON.stringify(body),
      }),
      signal,
    );
  } catch (cause) {
    throw new PdpFetchError(
      signal.aborted ? 'the PDP did not answer in time' : 'the PDP is unreachable',
      { cause },
    );
  }
  try {
    if (response.status !== 200) {
      throw new PdpFetchError(`the PDP answered with status ${response.status}`, {
        status: response.status,
      });
    }
    const declared = Number(response.headers.get('content-length'));
    if (Number.isFinite(declared) && declared > limits.maxBytes) {
      throw new PdpFetchError('the PDP response is too large');
    }
    const text = await readCapped(response, limits.maxBytes, signal);
    try {
      return JSON.parse(text);
    } catch (cause) {
      throw new PdpFetchError('the PDP response is not JSON', { cause });
    }
  } finally {
    if (!response.bodyUsed) response.body?.cancel().catch(() => {});
  }
}

async function readCapped(response: Response, maxBytes: number, signal: AbortSignal) {
  const body = response.body;
  if (body === null) return '';
  const reader = body.getReader();
  const decoder = new TextDecoder('utf-8', { fatal: true });
  let size = 0;
  let text = '';
  try {
    for (;;) {
      const { done, value } = await untilAborted(reader.read(), signal);
      if (done) break;
      size += value.byteLength;
      if (size > maxBytes) throw new PdpFetchError('the PDP response is too large');
      text += decoder.decode(value, { stream: true });
    }
    return text + decoder.decode();
  } catch (cause) {
    if (cause instanceof PdpFetchError) throw cause;
    throw new PdpFetchError(
      signal.aborted ? 'the PDP did not answer in time' : 'the PDP response is broken',
      { cause },
    );
  } finally {
    reader.cancel().catch(() => {});
  }
}
