import { createApp } from './app.js';

const port = Number(process.env.PORT ?? 3002);
const issuer = process.env.ISSUER ?? 'http://127.0.0.1:3000/oidc';
const audience = process.env.AUDIENCE ?? 'https://api.reports.example';
const pdp = process.env.AUTHZEN_PDP || undefined;

const app = await createApp({ issuer, audience, pdp });
await app.listen({ port, host: '127.0.0.1' });
console.log(`reports API (Fastify) on http://127.0.0.1:${port} — issuer ${issuer}`);
