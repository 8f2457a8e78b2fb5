import { calculateJwkThumbprint, exportJWK, generateKeyPair, type JWK } from 'jose';
import { SIGNING_ALGORITHM } from './provider.js';

/** A private signing JWK with its `kid` (the RFC 7638 thumbprint). */
export interface SigningKey extends JWK {
  readonly kid: string;
}

/** A fresh ES256 key pair, generated in memory (no key files anywhere). */
export async function generateSigningKey(): Promise<SigningKey> {
  const { privateKey } = await generateKeyPair(SIGNING_ALGORITHM, { extractable: true });
  const jwk = await exportJWK(privateKey);
  const kid = await calculateJwkThumbprint(jwk);
  return { ...jwk, kid, alg: SIGNING_ALGORITHM, use: 'sig' };
}
