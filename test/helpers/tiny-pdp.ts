/**
 * A tiny AuthZEN 1.0 PDP over real HTTP on 127.0.0.1, for rows that every runtime must reach
 * cheaply (the conformance table) and for fault cases a real engine cannot be made to show.
 *
 * Its policy (the same as `test/fixtures/cerbos/document.yaml` for `document`): permit when the
 * resource id starts with `public-`, or is `own-<subject id>`, or the subject's `roles` property
 * holds `admin`. Resource ids that stage a fault: `fault-500` (status 500), `fault-garbage`
 * (200, not JSON), `fault-nodecision` (200 `{}`), `fault-redirect` (302), `fault-huge` (a body
 * over any sane limit).
 */
import { once } from 'node:events';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';

/** One evaluation as received. */
export interface SeenEvaluation {
  readonly subject?: { type?: string; id?: string; properties?: Record<string, unknown> };
  readonly action?: { name?: string };
  readonly resource?: { type?: string; id?: string; properties?: Record<string, unknown> };
  readonly context?: Record<string, unknown>;
}

/** A running tiny PDP. */
export interface TinyPdp {
  readonly url: string;
  /** Requests received per path. */
  readonly requests: Map<string, number>;
  /** Every evaluation received, in order. */
  readonly seen: SeenEvaluation[];
  /** Serve `/.well-known/authzen-configuration` (default true). */
  discovery: boolean;
  /** Status for every evaluation request, overriding the policy (e.g. 503). */
  failWith: number | undefined;
  close(): Promise<void>;
}

function permits(e: SeenEvaluation): boolean {
  const id = e.resource?.id ?? '';
  const roles = e.subject?.properties?.roles;
  return (
    id.startsWith('public-') ||
    (e.subject?.id !== undefined && id === `own-${e.subject.id}`) ||
    (Array.isArray(roles) && roles.includes('admin'))
  );
}

function json(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}

/** Start a tiny PDP on a free port of 127.0.0.1. */
export async function startTinyPdp(): Promise<TinyPdp> {
  const requests = new Map<string, number>();
  const seen: SeenEvaluation[] = [];
  const server = createServer(async (req: IncomingMessage, res: ServerResponse) => {
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    requests.set(path, (requests.get(path) ?? 0) + 1);
    let text = '';
    for await (const chunk of req) text += chunk;
    if (path === '/.well-known/authzen-configuration' && req.method === 'GET') {
      if (!pdp.discovery) return json(res, 404, { error: 'not found' });
      return json(res, 200, {
        policy_decision_point: pdp.url,
        access_evaluation_endpoint: `${pdp.url}/access/v1/evaluation`,
        access_evaluations_endpoint: `${pdp.url}/access/v1/evaluations`,
      });
    }
    if (req.method !== 'POST') return json(res, 405, {});
    if (pdp.failWith !== undefined) return json(res, pdp.failWith, { error: 'failing' });
    let body: { evaluations?: SeenEvaluation[] } & SeenEvaluation;
    try {
      body = JSON.parse(text);
    } catch {
      return json(res, 400, { error: 'bad json' });
    }
    const list = path === '/access/v1/evaluations' ? (body.evaluations ?? []) : [body];
    if (path !== '/access/v1/evaluation' && path !== '/access/v1/evaluations') {
      return json(res, 404, {});
    }
    const merged = list.map((e) => ({
      subject: e.subject ?? body.subject,
      action: e.action ?? body.action,
      resource: e.resource ?? body.resource,
      context: e.context ?? body.context,
    }));
    seen.push(...merged);
    const fault = merged.find((e) => e.resource?.id?.startsWith('fault-'))?.resource?.id;
    if (fault === 'fault-500') return json(res, 500, { error: 'boom' });
    if (fault === 'fault-garbage') return res.end('<html>not json');
    if (fault === 'fault-nodecision') return json(res, 200, {});
    if (fault === 'fault-redirect') {
      res.writeHead(302, { location: `${pdp.url}/access/v1/evaluation` });
      return res.end();
    }
    if (fault === 'fault-huge') return json(res, 200, { decision: true, pad: 'x'.repeat(200_000) });
    if (path === '/access/v1/evaluations') {
      return json(res, 200, { evaluations: merged.map((e) => ({ decision: permits(e) })) });
    }
    return json(res, 200, { decision: permits(merged[0] as SeenEvaluation) });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as { port: number };
  const pdp: TinyPdp = {
    url: `http://127.0.0.1:${port}`,
    requests,
    seen,
    discovery: true,
    failWith: undefined,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
  return pdp;
}
