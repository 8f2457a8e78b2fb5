import {
  type CallHandler,
  type ExecutionContext,
  Injectable,
  type NestInterceptor,
} from '@nestjs/common';
import type { Request, Response } from 'express';
import type { Observable } from 'rxjs';
import { jsonBody } from './json-body.js';

/**
 * Parses a route's JSON body (`@UseInterceptors(JsonBodyInterceptor)`). The app starts with
 * `bodyParser: false`: Nest's global parser runs before any guard, so a request without a token
 * would have its body read (and a broken body refused with a 400) before the 401. Interceptors
 * run after guards, so here the request is authenticated and authorized first.
 */
@Injectable()
export class JsonBodyInterceptor implements NestInterceptor {
  async intercept(context: ExecutionContext, next: CallHandler): Promise<Observable<unknown>> {
    const http = context.switchToHttp();
    await new Promise<void>((resolve, reject) => {
      jsonBody(http.getRequest<Request>(), http.getResponse<Response>(), (error?: unknown) =>
        error === undefined ? resolve() : reject(error),
      );
    });
    return next.handle();
  }
}
