import type { ExecutionContext } from '@nestjs/common';
import { authorizationFromNode, type TokenRequest } from '@tokenward/core';

/** The shapes of request objects the default lookup understands. */
interface HttpLikeRequest {
  rawHeaders?: string[];
  raw?: { rawHeaders?: string[]; socket?: object };
  headers?: Record<string, string | string[] | undefined>;
  method?: string;
  originalUrl?: string;
  url?: string;
  params?: Record<string, unknown>;
  /** Express: the matched route. */
  route?: { path?: unknown };
  /** Fastify: the matched route's options. */
  routeOptions?: { url?: unknown };
  body?: unknown;
  socket?: object;
  auth?: unknown;
}

/** A socket.io client's handshake (`auth.token` or an Authorization header). */
interface HandshakeClient {
  handshake?: {
    headers?: Record<string, string | string[] | undefined>;
    auth?: Record<string, unknown>;
  };
}

/**
 * The request object for an execution context: the HTTP request (Express or Fastify), the
 * socket.io client's handshake for WebSocket gateways, or the `req`/`request` of the GraphQL
 * context. The guard attaches `auth` to this object.
 */
export function defaultRequestLookup(context: ExecutionContext): object | undefined {
  const type = context.getType<string>();
  if (type === 'http') return context.switchToHttp().getRequest();
  if (type === 'ws') {
    const client = context.switchToWs().getClient<HandshakeClient & object>();
    return client;
  }
  if (type === 'graphql') {
    const gqlContext = context.getArgs()[2] as { req?: object; request?: object } | undefined;
    return gqlContext?.req ?? gqlContext?.request;
  }
  return undefined;
}

function firstHeader(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

/**
 * The core's neutral view of the request object found by {@link defaultRequestLookup}: raw
 * Authorization headers on Express/Fastify; for a socket.io handshake, its Authorization header or
 * `auth.token` (sent as `io(url, { auth: { token } })`).
 */
export function defaultTokenRequest(request: object | undefined): TokenRequest {
  if (request === undefined) return { authorization: undefined };
  const client = request as HandshakeClient;
  if (client.handshake !== undefined) {
    const headers = client.handshake.headers ?? {};
    const token = client.handshake.auth?.token;
    const header = headers.authorization;
    const values = [
      ...(header === undefined ? [] : Array.isArray(header) ? header : [header]),
      ...(typeof token === 'string' ? [`Bearer ${token}`] : []),
    ];
    return {
      authorization: values.length <= 1 ? values[0] : values,
      header: (name) => firstHeader(headers[name.toLowerCase()]),
      raw: request,
    };
  }
  const req = request as HttpLikeRequest;
  const rawHeaders = req.rawHeaders ?? req.raw?.rawHeaders;
  const headers = req.headers ?? {};
  return {
    authorization:
      rawHeaders !== undefined
        ? authorizationFromNode(rawHeaders, headers.authorization)
        : firstHeader(headers.authorization),
    method: req.method,
    url: req.originalUrl ?? req.url,
    contentType: firstHeader(headers['content-type']),
    body: req.body,
    params: req.params,
    route: () => routePattern(req),
    header: (name) => firstHeader(headers[name.toLowerCase()]),
    connection: req.socket ?? req.raw?.socket,
    raw: request,
  };
}

/** The matched route's pattern: Express `req.route.path`, Fastify `request.routeOptions.url`. */
function routePattern(req: HttpLikeRequest): string | undefined {
  const pattern = req.route?.path ?? req.routeOptions?.url;
  return typeof pattern === 'string' ? pattern : undefined;
}
