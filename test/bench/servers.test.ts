/**
 * The benchmark's servers still do what the benchmark measures: every configuration of every
 * framework starts, and passes the same sanity check `pnpm bench` runs before timing it (a valid
 * token → 200; protected ones: no token, a bad signature, another audience → 401). No timings.
 */
import { createTestIssuer, type TestIssuer } from '@tokenward/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

interface Variant {
  readonly id: string;
  readonly role: 'bare' | 'floor' | 'tokenward' | 'peer';
}
interface Started {
  readonly child: { pid?: number };
  readonly url: string;
}
interface HttpBench {
  VARIANTS: Record<string, readonly Variant[]>;
  startServer(framework: string, variant: Variant, env: object, settings: object): Promise<Started>;
  sanityCheck(url: string, variant: Variant, tokens: object): Promise<Record<string, number>>;
}
interface Children {
  stopChild(child: unknown): Promise<void>;
}

// Plain JavaScript modules of the bench package, loaded by URL (they have no type declarations).
const benchUrl = (file: string) => new URL(`../../bench/${file}`, import.meta.url).href;
const bench = (await import(benchUrl('http.mjs'))) as HttpBench;
const { stopChild } = (await import(benchUrl('lib/children.mjs'))) as Children;
const { tamper } = (await import(benchUrl('lib/tokens.mjs'))) as {
  tamper(token: string): string;
};

let issuer: TestIssuer;
let tokens: object;
let env: object;

beforeAll(async () => {
  issuer = await createTestIssuer({ algorithm: 'RS256', expiresIn: 3600 });
  const hot = await issuer.mintToken({ scope: 'read:report' });
  tokens = {
    hot,
    warm: [await issuer.mintToken({ scope: 'read:report' })],
    badSignature: tamper(hot),
    wrongAudience: await issuer.mintToken({ aud: 'https://other-api.example.test' }),
  };
  env = {
    issuer: issuer.issuer,
    audience: issuer.audience,
    jwksUri: issuer.jwksUri,
    twOptions: {},
  };
});

afterAll(async () => {
  await issuer?.close();
});

describe.each(Object.keys(bench.VARIANTS))('bench servers: %s', (framework) => {
  it.each(bench.VARIANTS[framework]?.map((v) => [v.id, v] as const) ?? [])(
    '%s starts and passes the sanity check',
    async (_id, variant) => {
      const server = await bench.startServer(framework, variant, env, { cpuProf: false });
      try {
        const answers = await bench.sanityCheck(server.url, variant, tokens);
        expect(answers['valid token']).toBe(200);
        if (variant.role === 'tokenward' || variant.role === 'peer') {
          expect(answers).toMatchObject({
            'no token': 401,
            'bad signature': 401,
            'wrong audience': 401,
          });
        }
      } finally {
        await stopChild(server.child);
      }
    },
    60_000,
  );
});
