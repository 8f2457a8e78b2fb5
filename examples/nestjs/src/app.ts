import 'reflect-metadata';
import { type INestApplication, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { TokenwardModule } from '@tokenward/nestjs';
import { ReportsController } from './reports.controller.js';

/** Settings of the reports API. */
export interface AppConfig {
  /** Trusted issuer; keys are discovered from it. */
  issuer: string;
  /** This API's resource indicator (the tokens' `aud`). */
  audience: string;
  /** Optional fetch for discovery and JWKS (tests). */
  fetch?: typeof fetch;
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
    controllers: [ReportsController],
  })
  class AppModule {}
  return AppModule;
}

/** The reports API on NestJS (Express platform), not yet listening. */
export async function createApp(config: AppConfig): Promise<INestApplication> {
  return NestFactory.create(createAppModule(config), { logger: ['error', 'warn'] });
}
