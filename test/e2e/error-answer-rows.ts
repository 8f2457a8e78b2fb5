/**
 * The malformed-input rows that `error-answers.test.ts` sends to the four examples: the request,
 * who sends it (no token, a broken one, a token without `write:report`, a writer) and the one
 * answer all four must give. The answers are the ones each example's README lists.
 */
import type { RawRequest } from './raw-request.js';

/** The answers each example's README lists under "Malformed requests and errors". */
export const answers = {
  badPath: {
    error: 'invalid_request',
    error_description: 'The request path is not valid percent-encoding',
  },
  badJson: { error: 'invalid_request', error_description: 'The request body is not valid JSON' },
  badReport: {
    error: 'invalid_request',
    error_description:
      'The request body must be a JSON object whose optional "title" is a non-empty string',
  },
  notFound: { error: 'not_found', error_description: 'No such route' },
  tooLarge: {
    error: 'payload_too_large',
    error_description: 'The request body is larger than 16384 bytes',
  },
  notJson: {
    error: 'unsupported_media_type',
    error_description: 'The request body must be application/json',
  },
  unauthorized: { error: 'unauthorized', error_description: 'A bearer token is required' },
} as const;

const BODY_LIMIT = 16_384;
/** A valid JSON object of exactly `size` bytes. */
const jsonOfSize = (size: number) => `{"title":"${'x'.repeat(size - 12)}"}`;
const json = { 'content-type': 'application/json' };

export type Who = 'nobody' | 'garbage' | 'reader' | 'writer';
export interface Row {
  name: string;
  who: Who;
  request: RawRequest;
  status: number;
  /** The exact JSON body. */
  body?: Record<string, unknown>;
  /** A tokenward refusal: its `error` code and its `WWW-Authenticate` challenge. */
  refusal?: { error: string; challenge: RegExp };
}

const noToken = { error: 'unauthorized', challenge: /^Bearer$/ };
const invalidToken = { error: 'invalid_token', challenge: /^Bearer error="invalid_token"/ };
const noWriteScope = {
  error: 'insufficient_scope',
  challenge: /^Bearer error="insufficient_scope".*scope="write:report"/,
};

export const rows: Row[] = [
  // The path: refused before routing and before authentication.
  {
    name: 'bad escape in a route parameter, no token',
    who: 'nobody',
    request: { method: 'GET', path: '/orgs/%E0%A4%A/reports' },
    status: 400,
    body: answers.badPath,
  },
  {
    name: 'bad escape in a route parameter, with a token',
    who: 'writer',
    request: { method: 'GET', path: '/orgs/%E0%A4%A/reports' },
    status: 400,
    body: answers.badPath,
  },
  {
    name: 'bad escape in an unknown path',
    who: 'nobody',
    request: { method: 'GET', path: '/%E0%A4%A' },
    status: 400,
    body: answers.badPath,
  },
  {
    name: 'non-hex escape in a known path',
    who: 'writer',
    request: { method: 'GET', path: '/reports%ZZ' },
    status: 400,
    body: answers.badPath,
  },
  {
    name: 'a bad escape in the query string is not the path: served',
    who: 'writer',
    request: { method: 'GET', path: '/reports?q=%E0%A4%A' },
    status: 200,
  },
  // Routes and methods.
  {
    name: 'unknown route',
    who: 'nobody',
    request: { method: 'GET', path: '/nope' },
    status: 404,
    body: answers.notFound,
  },
  {
    name: 'unsupported method on a known path (DELETE)',
    who: 'writer',
    request: { method: 'DELETE', path: '/reports' },
    status: 404,
    body: answers.notFound,
  },
  {
    name: 'unsupported method on a known path (PUT, with a body)',
    who: 'nobody',
    request: { method: 'PUT', path: '/me', headers: json, body: '{"a":' },
    status: 404,
    body: answers.notFound,
  },
  {
    name: 'OPTIONS (no automatic text/plain Allow answer)',
    who: 'nobody',
    request: { method: 'OPTIONS', path: '/reports' },
    status: 404,
    body: answers.notFound,
  },
  {
    name: 'unknown route with a broken JSON body: 404, the body is not read',
    who: 'nobody',
    request: { method: 'POST', path: '/health', headers: json, body: '{"title":' },
    status: 404,
    body: answers.notFound,
  },
  {
    name: 'unknown route with a 200 KB body: 404, the body is not read',
    who: 'nobody',
    request: { method: 'POST', path: '/nope', headers: json, body: jsonOfSize(200 * 1024) },
    status: 404,
    body: answers.notFound,
  },
  // A protected route authenticates (and authorizes) before it reads a body.
  {
    name: 'POST /reports, no token, broken JSON: 401',
    who: 'nobody',
    request: { method: 'POST', path: '/reports', headers: json, body: '{"title":' },
    status: 401,
    body: answers.unauthorized,
    refusal: noToken,
  },
  {
    name: 'POST /reports, no token, 200 KB body: 401',
    who: 'nobody',
    request: { method: 'POST', path: '/reports', headers: json, body: jsonOfSize(200 * 1024) },
    status: 401,
    body: answers.unauthorized,
    refusal: noToken,
  },
  {
    name: 'POST /reports, no token, 200 KB chunked body: 401',
    who: 'nobody',
    request: {
      method: 'POST',
      path: '/reports',
      headers: json,
      body: jsonOfSize(200 * 1024),
      chunked: true,
    },
    status: 401,
    body: answers.unauthorized,
    refusal: noToken,
  },
  {
    name: 'POST /reports, no token, text/plain: 401',
    who: 'nobody',
    request: {
      method: 'POST',
      path: '/reports',
      headers: { 'content-type': 'text/plain' },
      body: 'hi',
    },
    status: 401,
    body: answers.unauthorized,
    refusal: noToken,
  },
  {
    name: 'POST /reports, invalid token, broken JSON: 401 invalid_token',
    who: 'garbage',
    request: { method: 'POST', path: '/reports', headers: json, body: '{"title":' },
    status: 401,
    refusal: invalidToken,
  },
  {
    name: 'POST /reports, token without write:report, broken JSON: 403',
    who: 'reader',
    request: { method: 'POST', path: '/reports', headers: json, body: '{"title":' },
    status: 403,
    refusal: noWriteScope,
  },
  {
    name: 'POST /reports, token without write:report, 200 KB body: 403',
    who: 'reader',
    request: { method: 'POST', path: '/reports', headers: json, body: jsonOfSize(200 * 1024) },
    status: 403,
    refusal: noWriteScope,
  },
  // Authorized: now the body is read.
  {
    name: 'broken JSON',
    who: 'writer',
    request: { method: 'POST', path: '/reports', headers: json, body: '{"title":' },
    status: 400,
    body: answers.badJson,
  },
  {
    name: 'JSON with a trailing comma',
    who: 'writer',
    request: { method: 'POST', path: '/reports', headers: json, body: '{"title":"a",}' },
    status: 400,
    body: answers.badJson,
  },
  {
    name: '200 KB JSON body',
    who: 'writer',
    request: { method: 'POST', path: '/reports', headers: json, body: jsonOfSize(200 * 1024) },
    status: 413,
    body: answers.tooLarge,
  },
  {
    name: '200 KB chunked JSON body (no Content-Length to trust)',
    who: 'writer',
    request: {
      method: 'POST',
      path: '/reports',
      headers: json,
      body: jsonOfSize(200 * 1024),
      chunked: true,
    },
    status: 413,
    body: answers.tooLarge,
  },
  {
    name: 'one byte over the limit',
    who: 'writer',
    request: { method: 'POST', path: '/reports', headers: json, body: jsonOfSize(BODY_LIMIT + 1) },
    status: 413,
    body: answers.tooLarge,
  },
  {
    name: 'exactly the limit',
    who: 'writer',
    request: { method: 'POST', path: '/reports', headers: json, body: jsonOfSize(BODY_LIMIT) },
    status: 201,
  },
  {
    name: 'text/plain body',
    who: 'writer',
    request: {
      method: 'POST',
      path: '/reports',
      headers: { 'content-type': 'text/plain' },
      body: 'hi',
    },
    status: 415,
    body: answers.notJson,
  },
  {
    name: 'form body',
    who: 'writer',
    request: {
      method: 'POST',
      path: '/reports',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'title=x',
    },
    status: 415,
    body: answers.notJson,
  },
  {
    name: 'a body without Content-Type',
    who: 'writer',
    request: { method: 'POST', path: '/reports', body: '{"title":"x"}' },
    status: 415,
    body: answers.notJson,
  },
  {
    name: 'a large text/plain body: 415 (the type is checked before the size)',
    who: 'writer',
    request: {
      method: 'POST',
      path: '/reports',
      headers: { 'content-type': 'text/plain' },
      body: 'x'.repeat(200 * 1024),
    },
    status: 415,
    body: answers.notJson,
  },
  {
    name: 'a JSON array',
    who: 'writer',
    request: { method: 'POST', path: '/reports', headers: json, body: '[]' },
    status: 400,
    body: answers.badReport,
  },
  {
    name: 'JSON null',
    who: 'writer',
    request: { method: 'POST', path: '/reports', headers: json, body: 'null' },
    status: 400,
    body: answers.badReport,
  },
  {
    name: 'a JSON string',
    who: 'writer',
    request: { method: 'POST', path: '/reports', headers: json, body: '"title"' },
    status: 400,
    body: answers.badReport,
  },
  {
    name: 'a title that is not a string',
    who: 'writer',
    request: { method: 'POST', path: '/reports', headers: json, body: '{"title":5}' },
    status: 400,
    body: answers.badReport,
  },
  {
    name: 'a well-formed body',
    who: 'writer',
    request: {
      method: 'POST',
      path: '/reports',
      headers: { 'content-type': 'application/json; charset=utf-8' },
      body: '{"title":"Q3"}',
    },
    status: 201,
    body: { id: 'r3', title: 'Q3', createdBy: 'reports-writer' },
  },
  {
    name: 'an empty body with a JSON type is no body',
    who: 'writer',
    request: { method: 'POST', path: '/reports', headers: json, body: '' },
    status: 201,
    body: { id: 'r3', title: 'Untitled report', createdBy: 'reports-writer' },
  },
  {
    name: 'an empty body without a type (what fetch sends)',
    who: 'writer',
    request: { method: 'POST', path: '/reports', body: '' },
    status: 201,
    body: { id: 'r3', title: 'Untitled report', createdBy: 'reports-writer' },
  },
  {
    name: 'no body at all (neither Content-Length nor Transfer-Encoding)',
    who: 'writer',
    request: { method: 'POST', path: '/reports' },
    status: 201,
    body: { id: 'r3', title: 'Untitled report', createdBy: 'reports-writer' },
  },
];
