import { defineConfig } from 'vitest/config';

const oxc = { decorator: { legacy: true, emitDecoratorMetadata: true } } as const;

export default defineConfig({
  oxc,
  test: {
    testTimeout: 20_000,
    hookTimeout: 30_000,
    projects: [
      {
        extends: true,
        test: {
          name: 'node',
          include: [
            'packages/*/test/**/*.test.ts',
            'test/**/*.test.ts',
            'examples/*/test/**/*.test.ts',
          ],
        },
      },
      {
        // The core's unit tests again, on the WebCrypto backend (as on Bun, Deno and Workers).
        extends: true,
        test: {
          name: 'core-webcrypto',
          include: ['packages/core/test/**/*.test.ts'],
          setupFiles: ['test/helpers/force-webcrypto.ts'],
        },
      },
      {
        // The type-only assertions (`expectTypeOf`) checked by tsc, so that a wrong type fails
        // `npm test` and not only the separate typecheck. Their runtime half runs in `node`.
        extends: true,
        test: {
          name: 'types',
          typecheck: {
            enabled: true,
            only: true,
            checker: 'tsc',
            include: ['packages/*/test/types.test.ts'],
            tsconfig: 'tsconfig.test.json',
          },
        },
      },
    ],
  },
});
