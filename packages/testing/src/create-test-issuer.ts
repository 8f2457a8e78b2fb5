import { defaultAccessTokenClaims } from './default-claims.js';
import { buildDiscoveryDocument } from './discovery-document.js';
import { createInMemoryFetch } from './in-memory-fetch.js';
import { createIssuerResponder } from './issuer-responder.js';
import type { IssuerServer } from './issuer-server.js';
import { type IssuerUrls, resolveIssuerUrls } from './issuer-urls.js';
import { KeyRing } from './key-ring.js';
import type { MintOptions } from './mint-options.js';
import { resolveIssuerOptions } from './resolve-issuer-options.js';
import { signToken } from './sign-token.js';
import type { TestIssuer } from './test-issuer.js';
import type { TestIssuerOptions } from './test-issuer-options.js';
import { createTestTokens } from './test-tokens.js';

/**
 * Creates a local issuer: generates its first key, and unless `listen: false`, starts an HTTP
 * server on 127.0.0.1 serving its discovery documents and JWKS. Call `close()` when done.
 * `node:http` is imported only when listening, so with `listen: false` (and the in-memory `fetch`)
 * the issuer runs on any runtime with WebCrypto and the Fetch API.
 *
 * @throws TypeError naming the option when an option is invalid.
 */
export async function createTestIssuer(options?: TestIssuerOptions): Promise<TestIssuer> {
  const resolved = resolveIssuerOptions(options);
  const { algorithm, audience, expiresIn, now } = resolved;
  const ring = await KeyRing.create(algorithm);
  const responder = createIssuerResponder();
  // Loaded only when listening, so that `listen: false` works on runtimes without `node:http`.
  const server: IssuerServer | undefined = resolved.listen
    ? await (await import('./issuer-server.js')).startIssuerServer(resolved.port, responder)
    : undefined;
  let urls: IssuerUrls;
  try {
    urls = resolveIssuerUrls(resolved.issuer, server?.url);
  } catch (error) {
    await server?.close();
    throw error;
  }
  const { issuer, jwksUri } = urls;

  const discovery = (): unknown => buildDiscoveryDocument(issuer, jwksUri, algorithm);
  responder.route(urls.paths.discovery, discovery);
  responder.route(urls.paths.authorizationServerMetadata, discovery);
  responder.route(urls.paths.jwks, () => ring.jwks());

  const claimContext = () => ({
    issuer,
    audience,
    expiresIn,
    nowSeconds: Math.floor(now() / 1000),
  });
  const mintToken = (
    claims: Record<string, unknown> = {},
    mintOptions: MintOptions = {},
  ): Promise<string> =>
    signToken(
      mintOptions.key ?? ring.current,
      { ...defaultAccessTokenClaims(claimContext()), ...claims },
      mintOptions.header,
    );

  return {
    issuer,
    jwksUri,
    discoveryUri: urls.discoveryUri,
    authorizationServerMetadataUri: urls.authorizationServerMetadataUri,
    audience,
    url: server?.url,
    algorithm,
    get currentKey() {
      return ring.current;
    },
    jwks: () => ring.jwks(),
    mintToken,
    rotateKeys: (rotateOptions = {}) => ring.rotate(rotateOptions.retireOld === true),
    createForeignKey: (alg) => ring.createForeign(alg),
    fetch: createInMemoryFetch(urls.origin, responder),
    requestCount: (path) => responder.requestCount(path),
    setFault: (path, fault) => responder.setFault(path, fault),
    tokens: createTestTokens({
      claimContext,
      currentKey: () => ring.current,
      foreignKey: () => ring.sharedForeign(),
      mint: mintToken,
    }),
    close: async () => {
      await server?.close();
    },
  };
}
