import type { JWK } from 'jose';
import type { TestAlgorithm } from './test-algorithm.js';

/** A signing key pair of the local issuer (or a foreign one, see `createForeignKey`). */
export interface TestKey {
  /** Key ID, published as the JWK `kid` and put in the `kid` header of tokens signed with this key. */
  readonly kid: string;
  /** Algorithm the key signs with. */
  readonly alg: TestAlgorithm;
  /** WebCrypto private key; extractable, so it can be exported with jose `exportPKCS8`/`exportJWK`. */
  readonly privateKey: CryptoKey;
  /** WebCrypto public key. */
  readonly publicKey: CryptoKey;
  /** The public key as a JWK with `kid`, `alg` and `use: 'sig'`, as published in the JWKS. */
  readonly publicJwk: JWK;
}
