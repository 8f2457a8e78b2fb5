/**
 * The parts of Node's `node:crypto` the fast path uses, typed structurally so the core has no
 * dependency on Node's types and no `node:` import.
 */
export interface NodeCrypto {
  createHash(algorithm: string): { update(data: string): { digest(encoding: 'base64'): string } };
  createHmac(
    algorithm: string,
    key: unknown,
  ): { update(data: Uint8Array): { digest(): Uint8Array } };
  createPublicKey(key: { key: object; format: 'jwk' }): unknown;
  createSecretKey(key: Uint8Array): unknown;
  verify(algorithm: string | null, data: Uint8Array, key: unknown, signature: Uint8Array): boolean;
  timingSafeEqual(a: Uint8Array, b: Uint8Array): boolean;
  constants: {
    RSA_PKCS1_PADDING: number;
    RSA_PKCS1_PSS_PADDING: number;
    RSA_PSS_SALTLEN_DIGEST: number;
  };
}

interface ProcessLike {
  versions?: Record<string, string | undefined>;
  getBuiltinModule?: (id: string) => unknown;
}

/**
 * Node's synchronous crypto, when the core runs on Node itself (not Bun, Deno or workerd, whose
 * Node compatibility layers differ): found at run time through `process.getBuiltinModule`
 * (Node ≥ 20.16), so the core still imports nothing Node-specific. `undefined` elsewhere: the
 * core then uses WebCrypto. Synchronous verification skips WebCrypto's thread-pool round trip
 * (about 10 µs per call on Node).
 */
export const nodeCrypto: NodeCrypto | undefined = (() => {
  const proc = (globalThis as { process?: ProcessLike }).process;
  const versions = proc?.versions;
  if (versions?.node === undefined || versions.bun !== undefined || versions.deno !== undefined) {
    return undefined;
  }
  try {
    return proc?.getBuiltinModule?.('node:crypto') as NodeCrypto | undefined;
  } catch {
    return undefined;
  }
})();
