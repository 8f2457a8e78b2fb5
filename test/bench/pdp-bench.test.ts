/**
 * The PDP benchmark's app still guards what it measures (`bench/pdp.mjs`): the scope route and
 * both PDP routes answer 200 for the benchmark token, and the PDP routes 403 for a document the
 * PDP denies. No timings.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';

interface PdpBench {
  startPdpBench(): Promise<{ url: string; token: string; close(): Promise<void> }>;
}

const { startPdpBench } = (await import(
  new URL('../../bench/pdp.mjs', import.meta.url).href
)) as PdpBench;
let bench: Awaited<ReturnType<PdpBench['startPdpBench']>>;

beforeAll(async () => {
  bench = await startPdpBench();
});
afterAll(() => bench?.close());

it('every route of the PDP benchmark is guarded as described', async () => {
  const status = async (path: string) =>
    (await fetch(bench.url + path, { headers: { authorization: `Bearer ${bench.token}` } })).status;
  expect(await status('/scope/public-1')).toBe(200);
  expect(await status('/pdp/public-1')).toBe(200);
  expect(await status('/pdp-cached/public-1')).toBe(200);
  expect(await status('/pdp/secret-1')).toBe(403);
  expect(await status('/pdp-cached/secret-1')).toBe(403);
  expect((await fetch(`${bench.url}/pdp/public-1`)).status).toBe(401);
});
