import { ApiError } from './api-error.js';

/**
 * The title of a new report from the parsed `POST /reports` body: no body (or no `title`) gives
 * "Untitled report"; anything but a JSON object whose `title` is a non-empty string is a 400.
 */
export function reportTitle(body: unknown): string {
  if (body === undefined) return 'Untitled report';
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw ApiError.badReport();
  const { title } = body as { title?: unknown };
  if (title === undefined) return 'Untitled report';
  if (typeof title !== 'string' || title === '') throw ApiError.badReport();
  return title;
}
