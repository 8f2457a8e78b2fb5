import { type FetchLimits, fetchJson, KeyFetchError } from '../keys/fetch-json.js';
import { checkKeyServerUrl } from '../keys/key-server-url.js';
import { PdpFetchError } from './post-json.js';

/** Where evaluations are sent. `batch` is `undefined` when the PDP names no batch endpoint. */
export interface PdpEndpoints {
  readonly single: string;
  readonly batch: string | undefined;
}

/** The paths AuthZEN 1.0 defines, used when the PDP offers no discovery document. */
export function defaultEndpoints(url: string): PdpEndpoints {
  return { single: `${url}/access/v1/evaluation`, batch: `${url}/access/v1/evaluations` };
}

/**
 * Read `/.well-known/authzen-configuration` (AuthZEN 1.0 §9). A 404 means "not offered": the
 * default paths apply, with no batch endpoint claimed. A document naming another
 * `policy_decision_point`, or endpoints that are not acceptable URLs, is a failure (the PDP is
 * not the one configured); so is an unreachable or broken server (asked again on the next call).
 */
export async function discoverEndpoints(
  url: string,
  allowHttp: boolean,
  limits: FetchLimits,
): Promise<PdpEndpoints> {
  let document: unknown;
  try {
    document = await fetchJson(`${url}/.well-known/authzen-configuration`, limits);
  } catch (cause) {
    if (cause instanceof KeyFetchError && cause.status === 404) {
      return { single: defaultEndpoints(url).single, batch: undefined };
    }
    throw new PdpFetchError('the PDP discovery document could not be read', { cause });
  }
  const doc = (document ?? {}) as Record<string, unknown>;
  const named = doc.policy_decision_point;
  if (typeof named !== 'string' || named.replace(/\/+$/, '') !== url) {
    throw new PdpFetchError('the PDP discovery document names another policy_decision_point');
  }
  const endpoint = (name: string): string | undefined => {
    const value = doc[name];
    if (value === undefined) return undefined;
    if (typeof value !== 'string' || !checkKeyServerUrl(value, allowHttp)) {
      throw new PdpFetchError(`the PDP discovery document has an unusable ${name}`);
    }
    return value;
  };
  return {
    single: endpoint('access_evaluation_endpoint') ?? defaultEndpoints(url).single,
    batch: endpoint('access_evaluations_endpoint'),
  };
}
