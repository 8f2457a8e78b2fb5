import { sha256 } from '../crypto/sha256.js';
import type { FetchLimits } from '../keys/fetch-json.js';
import type { AuthZenEvaluation } from './authzen-types.js';
import { DecisionCache } from './decision-cache.js';
import { defaultEndpoints, discoverEndpoints, type PdpEndpoints } from './pdp-endpoints.js';
import {
  type PolicyDecisionPointOptions,
  type ResolvedPdpOptions,
  resolvePdpOptions,
} from './pdp-options.js';
import { PdpFetchError, postJson } from './post-json.js';
import { stableJson } from './stable-json.js';

/**
 * One AuthZEN policy decision point: asks `POST /access/v1/evaluation` (and
 * `/access/v1/evaluations` for several at once). Create it once, at startup (the options are
 * checked then); pass it to `permission()` / `requirePermission()`. Identical evaluations in
 * flight share one request; decisions are cached only when `cache` is configured.
 */
export class PolicyDecisionPoint {
  /** The validated options. */
  readonly options: ResolvedPdpOptions;
  readonly #limits: FetchLimits;
  readonly #cache: DecisionCache | undefined;
  readonly #inFlight = new Map<string, Promise<readonly boolean[]>>();
  #endpoints: PdpEndpoints | Promise<PdpEndpoints> | undefined;

  constructor(options: PolicyDecisionPointOptions) {
    this.options = resolvePdpOptions(options);
    const { fetch, timeout, maxBytes, cache } = this.options;
    this.#limits = { fetch, timeout, maxBytes };
    this.#cache = cache === undefined ? undefined : new DecisionCache(cache.ttl, cache.max);
    if (!this.options.discovery) this.#endpoints = defaultEndpoints(this.options.url);
  }

  /** Number of cached decisions (0 when caching is off). */
  get cachedDecisions(): number {
    return this.#cache?.size ?? 0;
  }

  /**
   * The decisions for these evaluations, in order (`true` = permit). Rejects with a
   * {@link PdpFetchError} when the PDP cannot be asked or answers something else than a decision.
   */
  async evaluate(evaluations: readonly AuthZenEvaluation[]): Promise<readonly boolean[]> {
    const key = await sha256(stableJson(evaluations));
    const cached = this.#cached(key, evaluations.length);
    if (cached !== undefined) return cached;
    let pending = this.#inFlight.get(key);
    if (pending === undefined) {
      pending = this.#ask(evaluations).finally(() => this.#inFlight.delete(key));
      this.#inFlight.set(key, pending);
    }
    const decisions = await pending;
    if (this.#cache !== undefined) {
      for (const [i, decision] of decisions.entries()) this.#cache.set(`${key}#${i}`, decision);
    }
    return decisions;
  }

  #cached(key: string, count: number): boolean[] | undefined {
    if (this.#cache === undefined) return undefined;
    const out: boolean[] = [];
    for (let i = 0; i < count; i++) {
      const decision = this.#cache.get(`${key}#${i}`);
      if (decision === undefined) return undefined;
      out.push(decision);
    }
    return out;
  }

  async #ask(evaluations: readonly AuthZenEvaluation[]): Promise<readonly boolean[]> {
    const endpoints = await this.#endpointsNow();
    const useBatch =
      evaluations.length > 1 && (this.options.batch ?? endpoints.batch !== undefined);
    if (useBatch) {
      const url = endpoints.batch ?? defaultEndpoints(this.options.url).batch;
      const answer = await this.#post(url as string, { evaluations });
      return batchDecisions(answer, evaluations.length);
    }
    return Promise.all(
      evaluations.map(async (evaluation) =>
        singleDecision(await this.#post(endpoints.single, evaluation)),
      ),
    );
  }

  #endpointsNow(): PdpEndpoints | Promise<PdpEndpoints> {
    if (this.#endpoints !== undefined) return this.#endpoints;
    const found = discoverEndpoints(this.options.url, this.options.allowHttp, this.#limits).then(
      (endpoints) => {
        this.#endpoints = endpoints;
        return endpoints;
      },
      (error: unknown) => {
        this.#endpoints = undefined; // asked again next time
        throw error;
      },
    );
    this.#endpoints = found;
    return found;
  }

  /** POST with bounded retries: only failures that may pass (unreachable, timeout, 5xx). */
  async #post(url: string, body: unknown): Promise<unknown> {
    for (let attempt = 0; ; attempt++) {
      try {
        return await postJson(url, body, this.#limits, this.options.headers);
      } catch (error) {
        if (attempt >= this.options.retries || !transient(error)) throw error;
      }
    }
  }
}

function transient(error: unknown): boolean {
  if (!(error instanceof PdpFetchError)) return false;
  if (error.status !== undefined) return error.status >= 500;
  return (
    error.message === 'the PDP is unreachable' || error.message === 'the PDP did not answer in time'
  );
}

function singleDecision(answer: unknown): boolean {
  const decision = (answer as { decision?: unknown } | null)?.decision;
  if (typeof decision !== 'boolean')
    throw new PdpFetchError('the PDP answer has no boolean decision');
  return decision;
}

function batchDecisions(answer: unknown, count: number): boolean[] {
  const list = (answer as { evaluations?: unknown } | null)?.evaluations;
  if (!Array.isArray(list) || list.length !== count) {
    throw new PdpFetchError('the PDP batch answer does not have one decision per evaluation');
  }
  return list.map(singleDecision);
}

/**
 * Create a {@link PolicyDecisionPoint} (options checked now; a ConfigurationError names a bad one).
 *
 * ```ts
 * const pdp = policyDecisionPoint({ url: 'https://pdp.example.com' });
 * app.get('/documents/:id', auth.requireAuth(),
 *   auth.requirePermission(pdp, { action: 'read', resource: (req) => ({ type: 'document', id: String(req.params?.id) }) }),
 *   handler);
 * ```
 */
export function policyDecisionPoint(options: PolicyDecisionPointOptions): PolicyDecisionPoint {
  return new PolicyDecisionPoint(options);
}
