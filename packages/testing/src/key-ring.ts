import { createKeyPair } from './create-key-pair.js';
import type { TestAlgorithm } from './test-algorithm.js';
import type { TestKey } from './test-key.js';

/**
 * The issuer's keys: the published ones, in publication order, and the current signing key (the
 * newest).
 *
 * @internal
 */
export class KeyRing {
  readonly #algorithm: TestAlgorithm;
  #published: TestKey[];
  #foreign = new Map<TestAlgorithm, Promise<TestKey>>();

  private constructor(algorithm: TestAlgorithm, first: TestKey) {
    this.#algorithm = algorithm;
    this.#published = [first];
  }

  /** Creates a ring with one fresh published key. */
  static async create(algorithm: TestAlgorithm): Promise<KeyRing> {
    return new KeyRing(algorithm, await createKeyPair(algorithm));
  }

  /** The key used for signing now. */
  get current(): TestKey {
    const key = this.#published.at(-1);
    if (key === undefined) throw new Error('unreachable: the key ring is never empty');
    return key;
  }

  /** Copies of the published public JWKs, oldest first. */
  jwks(): { keys: TestKey['publicJwk'][] } {
    return { keys: this.#published.map((key) => ({ ...key.publicJwk })) };
  }

  /** Publishes a new key and signs with it from now on; with `retireOld`, unpublishes the others. */
  async rotate(retireOld: boolean): Promise<TestKey> {
    const key = await createKeyPair(this.#algorithm);
    this.#published = retireOld ? [key] : [...this.#published, key];
    return key;
  }

  /** A new unpublished key. */
  createForeign(alg: TestAlgorithm = this.#algorithm): Promise<TestKey> {
    return createKeyPair(alg);
  }

  /** One unpublished key per algorithm, created on first use and reused after. */
  sharedForeign(alg: TestAlgorithm = this.#algorithm): Promise<TestKey> {
    let key = this.#foreign.get(alg);
    if (key === undefined) {
      key = createKeyPair(alg);
      this.#foreign.set(alg, key);
    }
    return key;
  }
}
