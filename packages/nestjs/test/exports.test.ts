import { describe, expect, it } from 'vitest';
import { RE_EXPORTED_CORE } from '../../../test/helpers/public-surface.js';

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
        'RequirePermission',
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
        'anyOrgRole',
        'anyRole',
        'anyScope',
        'claim',
        'defaultRequestLookup',
        'defaultTokenRequest',
        'orgRoles',
        'orgScopes',
        'optionsFromEnv',
        'organization',
        'permission',
        'policy',
        'policyDecisionPoint',
        'roles',
        'scopes',
      ].sort(),
    );
  });

  it('re-exports every requirement builder and error of the core, like the other adapters', async () => {
    const adapter: Record<string, unknown> = await import('../src/index.js');
    for (const name of RE_EXPORTED_CORE) expect(adapter[name], name).toBeDefined();
  });
});
