/**
 * The JSON answer to a request the API cannot serve before or apart from authorization: a bad
 * path, a bad body, an unknown route, an unexpected failure. tokenward renders its own refusals
 * (401, 403, 503, with their challenge); everything else goes through this, so no answer ever
 * carries a stack trace, a file path or a token, in development and production mode alike.
 * The same class, with the same answers, is in each of the four examples.
 */
export class ApiError extends Error {
  /** The request body limit, in bytes (16 KiB: a report is a title, not an upload). */
  static readonly bodyLimit = 16_384;

  private constructor(
    /** HTTP status (4xx, or 500). */
    readonly status: number,
    /** Stable machine-readable code: the body's `error`. */
    readonly code: string,
    /** Human-readable text: the body's `error_description`. */
    description: string,
  ) {
    super(description);
    this.name = 'ApiError';
  }

  /** The response body: `{ error, error_description }`, like tokenward's refusals. */
  get body(): { error: string; error_description: string } {
    return { error: this.code, error_description: this.message };
  }

  static badPath(): ApiError {
    return new ApiError(400, 'invalid_request', 'The request path is not valid percent-encoding');
  }

  static badJson(): ApiError {
    return new ApiError(400, 'invalid_request', 'The request body is not valid JSON');
  }

  static badReport(): ApiError {
    return new ApiError(
      400,
      'invalid_request',
      'The request body must be a JSON object whose optional "title" is a non-empty string',
    );
  }

  static malformed(): ApiError {
    return new ApiError(400, 'invalid_request', 'The request is malformed');
  }

  static notFound(): ApiError {
    return new ApiError(404, 'not_found', 'No such route');
  }

  static tooLarge(): ApiError {
    return new ApiError(
      413,
      'payload_too_large',
      `The request body is larger than ${ApiError.bodyLimit} bytes`,
    );
  }

  static notJson(): ApiError {
    return new ApiError(415, 'unsupported_media_type', 'The request body must be application/json');
  }

  static internal(): ApiError {
    return new ApiError(500, 'server_error', 'Internal server error');
  }

  /**
   * The answer for anything thrown: an ApiError as it is; an error carrying a 4xx `status` or
   * `statusCode` (a framework's or a parser's) by that status; anything else is a 500.
   */
  static from(error: unknown): ApiError {
    if (error instanceof ApiError) return error;
    const { status, statusCode } = (error ?? {}) as { status?: unknown; statusCode?: unknown };
    return ApiError.forStatus(typeof status === 'number' ? status : statusCode);
  }

  /** The generic answer for an HTTP status. */
  static forStatus(status: unknown): ApiError {
    if (status === 404) return ApiError.notFound();
    if (status === 413) return ApiError.tooLarge();
    if (status === 415) return ApiError.notJson();
    if (typeof status === 'number' && status >= 400 && status < 500) return ApiError.malformed();
    return ApiError.internal();
  }
}
