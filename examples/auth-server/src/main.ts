// `pnpm --dir examples/auth-server start`: the authorization server on http://127.0.0.1:$PORT/oidc
import { startAuthServer } from './server.js';

const port = Number(process.env.PORT ?? 3000);
const server = await startAuthServer({ port });
const { clients, users, resources } = server;

const lines = [
  `authorization server (oidc-provider) — issuer ${server.issuer}`,
  `  discovery      ${server.discoveryUrl}`,
  `  jwks           ${server.jwksUri}`,
  `  token endpoint ${server.tokenEndpoint}`,
  `  resources      ${resources.reports} · ${resources.other} · ${resources.organization('<org-id>')}`,
  `  organizations  ${server.organizations.join(', ')}`,
  '',
  'machine clients (client_secret_basic):',
  `  reader         ${clients.reader.clientId} / ${clients.reader.clientSecret}   read:report`,
  `  writer         ${clients.writer.clientId} / ${clients.writer.clientSecret}   read:report write:report`,
  `  noPermissions  ${clients.noPermissions.clientId} / ${clients.noPermissions.clientSecret}   (none)`,
  `  orgMember      ${clients.orgMember.clientId} / ${clients.orgMember.clientSecret}   org-a, org-b`,
  `users (authorization code + PKCE, public client ${clients.web.clientId}):`,
  `  alice / ${users.alice.password} (admin) · bob / ${users.bob.password}`,
  '',
  'a token:',
  `  curl -s -u ${clients.reader.clientId}:${clients.reader.clientSecret} ${server.tokenEndpoint} \\`,
  `    -d grant_type=client_credentials -d resource=${resources.reports} -d scope=read:report`,
];
console.log(lines.join('\n'));

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    void server.close().then(() => process.exit(0));
  });
}
