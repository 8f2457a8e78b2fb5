import { serve } from '@hono/node-server';
import { createApp } from './app.js';

const port = Number(process.env.PORT ?? 3003);
const issuer = process.env.ISSUER ?? 'http://127.0.0.1:3000/oidc';
const audience = process.env.AUDIENCE ?? 'https://api.reports.example';
const pdp = process.env.AUTHZEN_PDP || undefined;

serve({ fetch: createApp({ issuer, audience, pdp }).fetch, port, hostname: '127.0.0.1' }, () => {
  console.log(`reports API (Hono) on http://127.0.0.1:${port} — issuer ${issuer}`);
});
