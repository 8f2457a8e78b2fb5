import { type ArgumentsHost, Catch, type ExceptionFilter, HttpException } from '@nestjs/common';
import { AuthError } from '@tokenward/nestjs';
import type { Response } from 'express';
import { ApiError } from './api-error.js';

/**
 * Every exception, as a small JSON answer: tokenward's refusals as tokenward rendered them (the
 * guard has already set the challenge), everything else through {@link ApiError} — Nest's own
 * `{ statusCode, message }` bodies (which can quote the request) are never sent.
 */
@Catch()
export class ApiErrorFilter implements ExceptionFilter {
  catch(exception: unknown, host: ArgumentsHost): void {
    const response = host.switchToHttp().getResponse<Response>();
    if (response.headersSent) return;
    if (exception instanceof HttpException && exception.cause instanceof AuthError) {
      response.status(exception.getStatus()).json(exception.getResponse());
      return;
    }
    const answer =
      exception instanceof HttpException
        ? ApiError.forStatus(exception.getStatus())
        : ApiError.from(exception);
    if (answer.status >= 500) console.error(exception);
    response.status(answer.status).json(answer.body);
  }
}
