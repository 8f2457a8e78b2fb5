import { quoteValue } from '../report/quote-value.js';
import { type FetchLimits, fetchJson, KeyFetchError } from './fetch-json.js';
import { checkKeyServerUrl } from './key-server-url.js';
import { KeySetMisconfiguration } from './key-set-misconfiguration.js';

/**
 * Discovery URLs for an issuer: OpenID Connect (`<issuer>/.well-known/openid-configuration`)
 * first, then RFC 8414 (`<origin>/.well-known/oauth-authorization-server<path>`).
 */
export function discoveryUrls(issuer: string): [string, string] {
  const url = new URL(issuer);
  const path = url.pathname.endsWith('/') ? url.pathname.slice(0, -1) : url.pathname;
  return [
    `${url.origin}${path}/.well-known/openid-configuration`,
    `${url.origin}/.well-known/oauth-authorization-server${path}`,
  ];
}

/**
 * A JWKS locator that discovers the issuer's `jwks_uri` once (and again after `reset`). The
 * discovered `issuer` must equal the configured one exactly (else a {@link KeySetMisconfiguration}
 * naming both), and `jwks_uri` must be an https URL (or http on a loopback host, or any http when
 * `allowHttp`), else discovery fails closed.
 */
export function discoveryLocator(issuer: string, allowHttp: boolean) {
  let found: string | undefined;
  const locate = async (limits: FetchLimits): Promise<string> => {
    if (found !== undefined) return found;
    const [oidc, oauth] = discoveryUrls(issuer);
    let metadata: unknown;
    let from = oidc;
    try {
      metadata = await fetchJson(oidc, limits);
    } catch (error) {
      if (!(error instanceof KeyFetchError && error.status === 404)) throw error;
      from = oauth;
      metadata = await fetchJson(oauth, limits);
    }
    if (metadata === null || typeof metadata !== 'object' || Array.isArray(metadata)) {
      throw new KeyFetchError('the discovery document is not a JSON object');
    }
    const doc = metadata as { issuer?: unknown; jwks_uri?: unknown };
    if (doc.issuer !== issuer) {
      throw new KeySetMisconfiguration(
        'discovery_issuer_mismatch',
        'the discovery document names another issuer',
        issuer,
        `the discovery document ${from} names the issuer ${quoteValue(doc.issuer)}, but the ` +
          `configured issuer is ${quoteValue(issuer)}; they must be equal character for ` +
          'character (a trailing slash, the scheme and case count). Configure the issuer exactly ' +
          "as the document (and your tokens' iss) spell it.",
        { configured: issuer, discovered: doc.issuer, discoveryUrl: from },
      );
    }
    if (typeof doc.jwks_uri !== 'string' || !checkKeyServerUrl(doc.jwks_uri, allowHttp)) {
      throw new KeyFetchError('the discovery document has no acceptable jwks_uri');
    }
    found = doc.jwks_uri;
    return found;
  };
  return {
    locate,
    reset: () => {
      found = undefined;
    },
  };
}
