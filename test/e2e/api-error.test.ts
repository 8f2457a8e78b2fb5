/**
 * The examples' error answers, below HTTP: each example keeps its own copy of `ApiError` (an
 * example must stand alone), so the copies must not drift, and nothing unexpected may reach a
 * client as more than a 500 `server_error`.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ApiError as ExpressApiError } from '../../examples/express/src/api-error.js';
import { ApiError as FastifyApiError } from '../../examples/fastify/src/api-error.js';
import { ApiError as HonoApiError } from '../../examples/hono/src/api-error.js';
import { ApiError as NestApiError } from '../../examples/nestjs/src/api-error.js';

const source = (path: string) => readFileSync(new URL(`../../${path}`, import.meta.url), 'utf8');

describe('the examples share one set of answers', () => {
  it.each(['api-error.ts', 'report-title.ts'])(
    '%s is the same file in the four examples',
    (file) => {
      const express = source(`examples/express/src/${file}`);
      for (const name of ['fastify', 'hono', 'nestjs']) {
        expect(source(`examples/${name}/src/${file}`), name).toBe(express);
      }
    },
  );

  it('json-body.ts is the same file in Express and NestJS (Nest runs on Express here)', () => {
    expect(source('examples/nestjs/src/json-body.ts')).toBe(
      source('examples/express/src/json-body.ts'),
    );
  });
});

describe.each([
  ['express', ExpressApiError],
  ['fastify', FastifyApiError],
  ['hono', HonoApiError],
  ['nestjs', NestApiError],
])('ApiError of %s', (_name, ApiError) => {
  it('an unexpected error is a 500 that says nothing about it', () => {
    const error = new Error('ENOENT: /work/app/secret.ts:12:3 token=eyJhbGciOi');
    const answer = ApiError.from(error);
    expect(answer.status).toBe(500);
    expect(answer.body).toEqual({
      error: 'server_error',
      error_description: 'Internal server error',
    });
    expect(JSON.stringify(answer.body)).not.toMatch(/work|secret|eyJ|at /);
  });

  it('maps a thrown status: 4xx keep their class, anything else is a 500', () => {
    const from = (thrown: unknown) => [ApiError.from(thrown).status, ApiError.from(thrown).code];
    expect(from({ status: 413 })).toEqual([413, 'payload_too_large']);
    expect(from({ statusCode: 415 })).toEqual([415, 'unsupported_media_type']);
    expect(from({ status: 404 })).toEqual([404, 'not_found']);
    expect(from({ status: 400, message: 'Unexpected token } in JSON at position 9' })).toEqual([
      400,
      'invalid_request',
    ]);
    expect(from({ statusCode: 431 })).toEqual([400, 'invalid_request']);
    expect(from({ status: 200 })).toEqual([500, 'server_error']);
    expect(from({ status: '400' })).toEqual([500, 'server_error']);
    expect(from(null)).toEqual([500, 'server_error']);
    expect(from('boom')).toEqual([500, 'server_error']);
    expect(ApiError.from({ status: 400, message: 'at /work/x.js:1:1' }).message).toBe(
      'The request is malformed',
    );
  });

  it('an ApiError is answered as it is', () => {
    expect(ApiError.from(ApiError.badJson())).toMatchObject({
      status: 400,
      code: 'invalid_request',
    });
  });
});
