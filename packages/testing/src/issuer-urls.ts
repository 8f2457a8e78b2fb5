/** The issuer identifier and the URLs and request paths derived from it. @internal */
export interface IssuerUrls {
  /** Issuer identifier, exactly as it appears in `iss`. */
  issuer: string;
  /** Origin of the issuer identifier, e.g. `https://issuer.test`. */
  origin: string;
  /** `${issuer}/jwks`, with the issuer's trailing slashes removed. */
  jwksUri: string;
  /** `${issuer}/.well-known/openid-configuration`, with the issuer's trailing slashes removed. */
  discoveryUri: string;
  /** RFC 8414 metadata URL: `${origin}/.well-known/oauth-authorization-server${issuer path}`. */
  authorizationServerMetadataUri: string;
  /** Request paths of the three documents. */
  paths: { jwks: string; discovery: string; authorizationServerMetadata: string };
}

/** Default issuer origin when not listening. @internal */
export const OFFLINE_ORIGIN = 'https://issuer.test';

/**
 * Resolves the issuer identifier from the `issuer` option and the server origin, and derives the
 * published URLs from it.
 *
 * @param issuerOption Validated `TestIssuerOptions.issuer`: absolute URL, path, or `undefined`.
 * @param serverOrigin Origin of the HTTP server, when listening.
 * @internal
 */
export function resolveIssuerUrls(
  issuerOption: string | undefined,
  serverOrigin: string | undefined,
): IssuerUrls {
  const base = serverOrigin ?? OFFLINE_ORIGIN;
  const issuer =
    issuerOption === undefined
      ? base
      : issuerOption.startsWith('/')
        ? `${base}${issuerOption}`
        : issuerOption;
  const trimmed = issuer.replace(/\/+$/, '');
  const url = new URL(trimmed);
  const issuerPath = url.pathname === '/' ? '' : url.pathname.replace(/\/+$/, '');
  const paths = {
    jwks: `${issuerPath}/jwks`,
    discovery: `${issuerPath}/.well-known/openid-configuration`,
    authorizationServerMetadata: `/.well-known/oauth-authorization-server${issuerPath}`,
  };
  return {
    issuer,
    origin: url.origin,
    jwksUri: `${trimmed}/jwks`,
    discoveryUri: `${trimmed}/.well-known/openid-configuration`,
    authorizationServerMetadataUri: `${url.origin}${paths.authorizationServerMetadata}`,
    paths,
  };
}
