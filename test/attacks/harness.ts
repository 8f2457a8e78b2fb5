/**
 * What the attack suites share: the adapter app factories of `test/conformance/apps/` (loaded
 * like the conformance driver does), a raw `node:http` client that sends header lines exactly as
 * given, and the checks every refusal must pass.
 */
import { readdirSync } from 'node:fs';
import { request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import { expect } from 'vitest';
import { type AppFactory, CASE_HEADER } from '../conformance/routes.js';

/** Every app factory under `test/conformance/apps/` (`ATTACK_ADAPTERS=express,fastify` for a subset). */
export async function loadFactories(): Promise<AppFactory[]> {
  const dir = new URL('../conformance/apps/', import.meta.url);
  const files = readdirSync(dir)
    .filter((file) => file.endsWith('.ts'))
    .sort();
  const all: AppFactory[] = [];
  for (const file of files) {
    const loaded = (await import(`../conformance/apps/${file}`)) as {
      default?: AppFactory | readonly AppFactory[];
    };
    if (loaded.default === undefined) continue;
    all.push(...(Array.isArray(loaded.default) ? loaded.default : [loaded.default as AppFactory]));
  }
  const only = process.env.ATTACK_ADAPTERS?.split(',')
    .map((name) => name.trim())
    .filter((name) => name !== '');
  return only === undefined || only.length === 0
    ? all
    : all.filter((factory) => only.includes(factory.name));
}

/**
 * Factories that run the app in another process or runtime: they build their routes from
 * `buildMounts(env)` themselves and cannot take the attack suites' extra mounts.
 */
export const OUT_OF_PROCESS = /^hono-(bun|deno|workerd)$/;

/** One raw header line: name and value, sent as is (a value may hold raw bytes as Latin-1). */
export type HeaderLine = readonly [name: string, value: string];

/** A request as sent on the wire. */
export interface WireRequest {
  readonly method: 'GET' | 'POST' | 'HEAD';
  readonly path: string;
  readonly headers: readonly HeaderLine[];
  readonly body?: string;
}

/** A response as received. */
export interface RawResponse {
  readonly status: number;
  readonly headers: IncomingHttpHeaders;
  readonly rawHeaders: readonly string[];
  readonly body: string;
  /** Milliseconds from sending to the end of the body. */
  readonly elapsed: number;
}

/** Send exactly these header lines (plus Host, Connection, the case id and Content-Length). */
export function send(
  origin: string,
  req: WireRequest,
  caseId: string,
  timeout = 10_000,
): Promise<RawResponse> {
  const url = new URL(origin);
  const lines: string[] = ['Host', url.host, 'Connection', 'close', CASE_HEADER, caseId];
  for (const [name, value] of req.headers) lines.push(name, value);
  if (req.body !== undefined) lines.push('Content-Length', String(Buffer.byteLength(req.body)));
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const outgoing = httpRequest(
      {
        host: url.hostname,
        port: url.port,
        method: req.method,
        path: req.path,
        headers: lines,
        agent: false,
        timeout,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('error', reject);
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            rawHeaders: res.rawHeaders,
            body: Buffer.concat(chunks).toString('utf8'),
            elapsed: performance.now() - started,
          }),
        );
      },
    );
    outgoing.on('timeout', () => outgoing.destroy(new Error(`request timed out (${timeout} ms)`)));
    outgoing.on('error', reject);
    outgoing.end(req.body);
  });
}

/** Every value of a response header, from the raw list (so duplicates show). */
export function headerLines(res: RawResponse, name: string): string[] {
  const out: string[] = [];
  for (let i = 0; i < res.rawHeaders.length; i += 2) {
    if ((res.rawHeaders[i] as string).toLowerCase() === name) out.push(res.rawHeaders[i + 1] ?? '');
  }
  return out;
}

/** `Authorization: Bearer <token>`. */
export function bearer(token: string): HeaderLine {
  return ['Authorization', `Bearer ${token}`];
}

let sequence = 0;

/** A fresh case id for the handler-call log. */
export function nextCaseId(prefix: string): string {
  return `${prefix}-${++sequence}`;
}

/** Stack frames, key material or URLs that must never appear in a refusal body. */
const LEAKS = [/\bat .+:\d+:\d+/, /https?:\/\//, /"(d|n|k|p|q)"\s*:/, /Error:/, /node:/];

/** The body and headers every refusal carries, whatever the adapter. */
export function expectCleanRefusal(
  res: RawResponse,
  tokens: readonly string[] = [],
  method = 'GET',
): void {
  expect(res.headers['content-type'] ?? '', 'content-type').toMatch(/^application\/json\b/);
  expect(res.headers['cache-control'], 'cache-control').toBe('no-store');
  if (method === 'HEAD') {
    expect(res.body, 'no body on HEAD').toBe('');
  } else {
    const body = JSON.parse(res.body) as Record<string, unknown>;
    expect(Object.keys(body).sort(), 'body members').toEqual(['error', 'error_description']);
  }
  for (const leak of LEAKS) expect(res.body, `body leaks ${leak}`).not.toMatch(leak);
  const headers = res.rawHeaders.join('\n');
  for (const token of tokens) {
    expect(res.body.includes(token), 'token echoed in body').toBe(false);
    const signature = token.split('.').at(-1) ?? token;
    if (signature.length > 8) {
      expect(res.body, 'signature echoed in body').not.toContain(signature);
      expect(headers, 'signature echoed in headers').not.toContain(signature);
    }
  }
}

/** A 503 for unavailable keys: no challenge, a whole-second `Retry-After`, the fixed body. */
export function expectUnavailable(res: RawResponse): void {
  expect(res.status, 'status (503, never 401 or 500)').toBe(503);
  expect(headerLines(res, 'www-authenticate'), 'WWW-Authenticate').toEqual([]);
  const retryAfter = headerLines(res, 'retry-after');
  expect(retryAfter, 'Retry-After').toHaveLength(1);
  expect(retryAfter[0], 'Retry-After').toMatch(/^[1-9][0-9]*$/);
  expect(JSON.parse(res.body), 'body').toEqual({
    error: 'temporarily_unavailable',
    error_description: 'The token signing keys are unavailable',
  });
  expectCleanRefusal(res);
}
