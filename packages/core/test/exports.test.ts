import { describe, expect, it } from 'vitest';

describe('@tokenward/core public surface', () => {
  it('exports exactly these runtime values', async () => {
    const core = await import('../src/index.js');
    expect(Object.keys(core).sort()).toEqual([
      'AuthError',
      'ConfigurationError',
      'InsufficientScopeError',
      'InvalidRequestError',
      'InvalidTokenError',
      'KeySetUnavailableError',
      'MisconfigurationError',
      'MissingTokenError',
      'ORGANIZATION_AUDIENCE_PREFIX',
      'PdpFetchError',
      'PdpUnavailableError',
      'PolicyDecisionPoint',
      'Tokenward',
      'TokenwardHttpError',
      'UnauthenticatedError',
      'Verifier',
      'allOf',
      'anyOf',
      'anyOrgRole',
      'anyRole',
      'anyScope',
      'authorizationFromNode',
      'authorizationFromRawHeaders',
      'claim',
      'createGuardSet',
      'createTokenward',
      'defaultSubject',
      'extractToken',
      'isAuthError',
      'optionsFromEnv',
      'orgRoles',
      'orgScopes',
      'organization',
      'permission',
      'policy',
      'policyDecisionPoint',
      'renderChallenge',
      'renderError',
      'roles',
      'sanitizeChallengeValue',
      'scopes',
      'whenSettled',
    ]);
  });

  it('exports functions and classes, and one constant', async () => {
    const core = await import('../src/index.js');
    const { ORGANIZATION_AUDIENCE_PREFIX, ...rest } = core;
    expect(ORGANIZATION_AUDIENCE_PREFIX).toBe('urn:logto:organization:');
    for (const [name, value] of Object.entries(rest)) {
      expect(typeof value, name).toBe('function');
    }
  });

  it('keeps every error class under AuthError, and ConfigurationError apart', async () => {
    const core = await import('../src/index.js');
    for (const ErrorClass of [
      core.InsufficientScopeError,
      core.InvalidRequestError,
      core.InvalidTokenError,
      core.KeySetUnavailableError,
      core.MisconfigurationError,
      core.MissingTokenError,
      core.UnauthenticatedError,
    ]) {
      expect(ErrorClass.prototype).toBeInstanceOf(core.AuthError);
    }
    expect(core.AuthError.prototype).toBeInstanceOf(Error);
    expect(core.ConfigurationError.prototype).toBeInstanceOf(Error);
    expect(core.ConfigurationError.prototype).not.toBeInstanceOf(core.AuthError);
    expect(core.isAuthError(new core.MissingTokenError())).toBe(true);
    expect(core.isAuthError(new core.ConfigurationError('x', 'y'))).toBe(false);
    expect(core.isAuthError({ code: 'missing_token', status: 401 })).toBe(false);
  });
});
