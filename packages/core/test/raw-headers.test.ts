import { describe, expect, it } from 'vitest';
import { authorizationFromNode, authorizationFromRawHeaders } from '../src/index.js';

const raw = (...lines: string[]) => lines.flatMap((line) => line.split(': ', 2));

describe('authorizationFromRawHeaders', () => {
  it('returns the only line, every line when repeated (any case), or nothing', () => {
    expect(authorizationFromRawHeaders(raw('Host: a', 'Authorization: Bearer x'))).toBe('Bearer x');
    expect(
      authorizationFromRawHeaders(raw('authorization: Bearer x', 'AUTHORIZATION: Bearer y')),
    ).toEqual(['Bearer x', 'Bearer y']);
    expect(authorizationFromRawHeaders(raw('Host: a', 'Authorizations: Bearer x'))).toBeUndefined();
  });
});

describe('authorizationFromNode', () => {
  it('reads the raw lines while headers.authorization still equals the first one', () => {
    expect(authorizationFromNode(raw('Authorization: Bearer x'), 'Bearer x')).toBe('Bearer x');
    // Node keeps only the first line in req.headers: the second one is still seen (then a 400).
    expect(
      authorizationFromNode(raw('Authorization: Bearer x', 'Authorization: Bearer y'), 'Bearer x'),
    ).toEqual(['Bearer x', 'Bearer y']);
    expect(authorizationFromNode(raw('Host: a'), undefined)).toBeUndefined();
  });

  it('takes the value a middleware set, replaced or removed', () => {
    expect(authorizationFromNode(raw('Host: a'), 'Bearer from-cookie')).toBe('Bearer from-cookie');
    expect(authorizationFromNode(raw('Authorization: Bearer x'), 'Bearer y')).toBe('Bearer y');
    expect(authorizationFromNode(raw('Authorization: Bearer x'), undefined)).toBeUndefined();
    expect(
      authorizationFromNode(raw('Authorization: Bearer x', 'Authorization: Bearer y'), undefined),
    ).toBeUndefined();
  });
});
