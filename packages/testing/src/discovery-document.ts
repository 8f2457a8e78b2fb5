import type { TestAlgorithm } from './test-algorithm.js';

/**
 * The metadata document the issuer serves at both its OpenID Connect discovery URL and its
 * RFC 8414 authorization server metadata URL.
 */
export interface DiscoveryDocument {
  /** Issuer identifier; equals the `iss` of minted tokens. */
  issuer: string;
  /** URL of the issuer's JWKS. */
  jwks_uri: string;
  /** Always `['code']`. */
  response_types_supported: string[];
  /** Always `['public']`. */
  subject_types_supported: string[];
  /** The issuer's algorithm. */
  id_token_signing_alg_values_supported: TestAlgorithm[];
}

/**
 * Builds the {@link DiscoveryDocument} of an issuer.
 *
 * @internal
 */
export function buildDiscoveryDocument(
  issuer: string,
  jwksUri: string,
  alg: TestAlgorithm,
): DiscoveryDocument {
  return {
    issuer,
    jwks_uri: jwksUri,
    response_types_supported: ['code'],
    subject_types_supported: ['public'],
    id_token_signing_alg_values_supported: [alg],
  };
}
