import 'reflect-metadata';
import { type INestApplication, Module } from '@nestjs/common';
import { APP_FILTER, NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { TokenwardModule } from '@tokenward/nestjs';
import type { NextFunction, Request, Response } from 'express';
import { ApiErrorFilter } from './api-error.filter.js';
import { ApiError } from './api-error.js';
import { createDocumentsController } from './documents.controller.js';
import { ReportsController } from './reports.controller.js';

/** Settings of the reports API. */
export interface AppConfig {
  /** Trusted issuer; keys are discovered from it. */
  issuer: string;
  /** This API's resource indicator (the tokens' `aud`). */
  audience: string;
  /** Optional fetch for discovery and JWKS (tests). */
  fetch?: typeof fetch;
  /** Base URL of an AuthZEN PDP (`AUTHZEN_PDP`); `/documents/:id` exists only with it. */
  pdp?: string | undefined;
}

/** The root module, protecting every route by default (`globalGuard: true`). */
export function createAppModule(config: AppConfig) {
  @Module({
    imports: [
      TokenwardModule.forRoot({
        issuer: config.issuer,
        audience: config.audience,
        organizationTokens: true,
        ...(config.fetch ? { fetch: config.fetch } : {}),
        globalGuard: true,
      }),
    ],
    controllers: [
      ReportsController,
      ...(config.pdp === undefined ? [] : [createDocumentsController(config.pdp)]),
    ],
    providers: [{ provide: APP_FILTER, useClass: ApiErrorFilter }],
  })
  class AppModule {}
  return AppModule;
}

/**
 * The reports API on NestJS (Express platform), not yet listening. No global body parser: it
 * would read every body before the guard; `POST /reports` parses its own after authorization.
 */
export async function createApp(config: AppConfig): Promise<INestApplication> {
  const app = await NestFactory.create<NestExpressApplication>(createAppModule(config), {
    logger: ['error', 'warn'],
    bodyParser: false,
  });
  app.disable('x-powered-by');
  // A path that is not valid percent-encoding is refused before routing (400, not a decode error).
  app.use((req: Request, _res: Response, next: NextFunction) => {
    try {
      decodeURIComponent(req.path);
    } catch {
      return next(ApiError.badPath());
    }
    next();
  });
  return app;
}
