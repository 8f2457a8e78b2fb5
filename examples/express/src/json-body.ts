import express, { type RequestHandler } from 'express';
import { ApiError } from './api-error.js';

const parse = express.json({ limit: ApiError.bodyLimit, strict: false });

/**
 * Route-level JSON body parsing, placed after the guards so that a request is authenticated
 * before its body is read. An empty body is no body (`req.body` stays undefined); a non-empty
 * one must be `application/json` (415), at most {@link ApiError.bodyLimit} bytes (413) and
 * valid JSON (400).
 */
export const jsonBody: RequestHandler = (req, res, next) => {
  const empty =
    req.headers['transfer-encoding'] === undefined && !(Number(req.headers['content-length']) > 0);
  if (empty) return next();
  if (!req.is('application/json')) return next(ApiError.notJson());
  parse(req, res, (error?: unknown) => {
    if (error === undefined) return next();
    const { type } = error as { type?: unknown };
    next(type === 'entity.parse.failed' ? ApiError.badJson() : ApiError.from(error));
  });
};
