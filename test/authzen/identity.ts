import type { AuthContext } from '@tokenward/core';

/** A verified identity as the core builds it, for requirement checks. */
export function identity(over: Partial<AuthContext> = {}): AuthContext {
  return {
    subject: 'alice',
    clientId: 'reports-web',
    issuer: 'https://issuer.test',
    audiences: ['https://api.test'],
    scopes: ['read:report'],
    roles: [],
    organizationId: undefined,
    organizationToken: false,
    isMachine: false,
    expiresAt: 0,
    tokenId: undefined,
    claims: {},
    header: { alg: 'ES256' },
    ...over,
  } as AuthContext;
}
