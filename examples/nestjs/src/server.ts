import { createApp } from './app.js';

const port = Number(process.env.PORT ?? 3004);
const issuer = process.env.ISSUER ?? 'http://127.0.0.1:3000/oidc';
const audience = process.env.AUDIENCE ?? 'https://api.reports.example';
const pdp = process.env.AUTHZEN_PDP || undefined;

const app = await createApp({ issuer, audience, pdp });
await app.listen(port, '127.0.0.1');
console.log(`reports API (NestJS) on http://127.0.0.1:${port} — issuer ${issuer}`);
