/**
 * The parts of Node's `node:crypto` the fast path uses, typed structurally so the core has no
 * dependency on Node's types and no `node:` import.
 */
export interface NodeCrypto {
  /** One-shot hash (Node ≥ 20.12): half the cost of createHash() for a short string. */
  hash?: (algorithm: string, data: string, encoding: 'base64') => string;
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

/** The parts of Node's `Buffer` the fast path uses: pooled decoding of validated segments. */
export interface NodeBuffer {
  from(text: string, encoding: 'base64url' | 'latin1'): Uint8Array;
}

interface ProcessLike {
  versions?: Record<string, string | undefined>;
  getBuiltinModule?: (id: string) => unknown;
}

/**
 * A Node built-in module, when the core runs on Node itself (not Bun, Deno or workerd, whose
 * Node compatibility layers differ): found at run time through `process.getBuiltinModule`
 * (Node ≥ 20.16), so the core still imports nothing Node-specific. `undefined` elsewhere.
 */
function nodeBuiltin(id: string): unknown {
  const proc = (globalThis as { process?: ProcessLike }).process;
  const versions = proc?.versions;
  if (versions?.node === undefined || versions.bun !== undefined || versions.deno !== undefined) {
    return undefined;
  }
  try {
    return proc?.getBuiltinModule?.(id);
  } catch {
    return undefined;
  }
}

/**
 * Node's synchronous crypto on Node, `undefined` elsewhere (the core then uses WebCrypto).
 * Synchronous verification skips WebCrypto's thread-pool round trip (about 10 µs per call on
 * Node).
 */
export const nodeCrypto = nodeBuiltin('node:crypto') as NodeCrypto | undefined;

/**
 * Node's `Buffer` on Node, `undefined` elsewhere (the core then decodes in JavaScript). Its
 * base64url decoding is native and its small allocations come from a pool: a cold verification
 * decodes three segments and encodes the signing input.
 */
export const nodeBuffer = (nodeBuiltin('node:buffer') as { Buffer?: NodeBuffer } | undefined)
  ?.Buffer;
