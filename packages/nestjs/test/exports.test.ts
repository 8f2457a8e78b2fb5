import { describe, expect, it } from 'vitest';

describe('@tokenward/nestjs public surface', () => {
  it('exports exactly these runtime values', async () => {
    const adapter = await import('../src/index.js');
    expect(Object.keys(adapter).sort()).toEqual(
      [
        'ASYNC_OPTIONS_TYPE',
        'Auth',
        'AuthError',
        'ConfigurationError',
        'OPTIONS_TYPE',
        'OptionalAuth',
        'OptionalAuthMeta',
        'Public',
        'PublicMeta',
        'Require',
        'RequireAnyOrgRole',
        'RequireAnyRole',
        'RequireAnyScope',
        'RequireAuth',
        'RequireClaim',
        'RequireOrgRole',
        'RequireOrgScope',
        'RequireOrganization',
        'RequirePolicy',
        'RequireRole',
        'RequireScope',
        'RequirementsMeta',
        'RouteConfigurationError',
        'TOKENWARD',
        'TOKENWARD_GUARD_SETTINGS',
        'TOKENWARD_MODULE_OPTIONS',
        'TokenwardGuard',
        'TokenwardModule',
        'allOf',
        'anyOf',
        'claim',
        'defaultRequestLookup',
        'defaultTokenRequest',
        'orgRoles',
        'orgScopes',
        'organization',
        'policy',
        'roles',
        'scopes',
      ].sort(),
    );
  });
});
