// Cloudflare Workers / Deno (`deno serve`) / Bun entry: the same app, configured from bindings
// or environment variables.
import { createApp } from './app.js';

interface Env {
  ISSUER?: string;
  AUDIENCE?: string;
  AUTHZEN_PDP?: string;
}

let app: ReturnType<typeof createApp> | undefined;

export default {
  fetch(request: Request, env: Env = {}): Response | Promise<Response> {
    // Built once per isolate, on the first request (Workers expose bindings only per request).
    app ??= createApp({
      issuer: env.ISSUER ?? 'http://127.0.0.1:3000/oidc',
      audience: env.AUDIENCE ?? 'https://api.reports.example',
      pdp: env.AUTHZEN_PDP || undefined,
    });
    return app.fetch(request, env);
  },
};
