/** Limits applied to every key-server request. */
export interface FetchLimits {
  /** The fetch implementation. */
  readonly fetch: typeof fetch;
  /** Abort after this many milliseconds (connect + headers + body). */
  readonly timeout: number;
  /** Largest accepted body, in bytes. */
  readonly maxBytes: number;
}

/**
 * Why a key-server request failed. The message is safe to surface (no URL, no body content);
 * `status` is the HTTP status when the server answered with an unexpected one.
 */
export class KeyFetchError extends Error {
  override readonly name = 'KeyFetchError';
  /** HTTP status of an unexpected answer, if any. */
  readonly status: number | undefined;

  constructor(message: string, options?: { cause?: unknown; status?: number }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.status = options?.status;
  }
}

/**
 * Settle with `promise`, or reject when `signal` aborts — even if whatever produces the promise
 * (an injected fetch, a body stream) ignores the signal.
 */
export function untilAborted<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(signal.reason);
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(error);
      },
    );
  });
}

/**
 * GET a JSON document from a key server: redirects are not followed, non-200 answers, non-JSON
 * bodies and bodies over the size cap are failures, and the whole exchange (connect, headers,
 * body) is bounded by `timeout`.
 */
export async function fetchJson(url: string, limits: FetchLimits): Promise<unknown> {
  const signal = AbortSignal.timeout(limits.timeout);
  let response: Response;
  try {
    response = await untilAborted(
      limits.fetch(url, {
        method: 'GET',
        redirect: 'manual',
        signal,
        headers: { accept: 'application/json' },
      }),
      signal,
    );
  } catch (cause) {
    throw new KeyFetchError(
      signal.aborted ? 'the key server did not answer in time' : 'the key server is unreachable',
      { cause },
    );
  }
  try {
    if (response.status !== 200) {
      throw new KeyFetchError(`the key server answered with status ${response.status}`, {
        status: response.status,
      });
    }
    const declared = Number(response.headers.get('content-length'));
    if (Number.isFinite(declared) && declared > limits.maxBytes) {
      throw new KeyFetchError('the key server response is too large');
    }
    const text = await readLimited(response, limits.maxBytes, signal);
    try {
      return JSON.parse(text);
    } catch (cause) {
      throw new KeyFetchError('the key server response is not JSON', { cause });
    }
  } finally {
    // Never leave a body half-read (keeps connections from leaking on errors).
    if (!response.bodyUsed) response.body?.cancel().catch(() => {});
  }
}

async function readLimited(response: Response, maxBytes: number, signal: AbortSignal) {
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
      if (size > maxBytes) throw new KeyFetchError('the key server response is too large');
      text += decoder.decode(value, { stream: true });
    }
    return text + decoder.decode();
  } catch (cause) {
    if (cause instanceof KeyFetchError) throw cause;
    throw new KeyFetchError(
      signal.aborted
        ? 'the key server did not answer in time'
        : 'the key server response is broken',
      { cause },
    );
  } finally {
    reader.cancel().catch(() => {});
  }
}
