import 'reflect-metadata';
import type { INestApplication, NestApplicationOptions, Type } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter } from '@nestjs/platform-fastify';

/** The two HTTP platforms every Nest test runs on. */
export const PLATFORMS = ['express', 'fastify'] as const;
export type Platform = (typeof PLATFORMS)[number];

/** The audience every test app accepts (the test issuer's default `aud`). */
export const AUDIENCE = 'https://api.example.test';

/** Create (but do not start) a Nest app on the given platform, without logging. */
export function createApp(
  module: Type<unknown>,
  platform: Platform,
  options: NestApplicationOptions = {},
): Promise<INestApplication> {
  const settings: NestApplicationOptions = { logger: false, abortOnError: false, ...options };
  return platform === 'express'
    ? NestFactory.create(module, settings)
    : NestFactory.create(module, new FastifyAdapter(), settings);
}

/** A started app listening on 127.0.0.1 and its origin. */
export interface RunningApp {
  readonly app: INestApplication;
  readonly url: string;
  /** `fetch` relative to the app's origin, with an optional bearer token. */
  get(path: string, token?: string, headers?: Record<string, string>): Promise<Response>;
  close(): Promise<void>;
}

/** Create the app, listen on 127.0.0.1 (random port), and return its URL. */
export async function startApp(
  module: Type<unknown>,
  platform: Platform,
  configure?: (app: INestApplication) => void,
): Promise<RunningApp> {
  const app = await createApp(module, platform);
  configure?.(app);
  await app.listen(0, '127.0.0.1');
  const url = await app.getUrl();
  return {
    app,
    url,
    get: (path, token, headers = {}) =>
      fetch(`${url}${path}`, {
        headers: token === undefined ? headers : { ...headers, authorization: `Bearer ${token}` },
      }),
    close: () => app.close(),
  };
}
