// A CommonJS NestJS app (the `nest new` shape) that require()s the ESM-only tokenward packages.
import { NestFactory } from '@nestjs/core';
import { createTestIssuer } from '@tokenward/testing';
import { AppModule } from './app.module.cjs';

async function bootstrap(): Promise<void> {
  const issuer = await createTestIssuer();
  process.env.TW_ISSUER = issuer.issuer;
  process.env.TW_AUDIENCE = 'https://api.example.test';
  const app = await NestFactory.create(AppModule, { logger: false });
  await app.listen(0, '127.0.0.1');
  const line = {
    url: await app.getUrl(),
    moduleType: typeof module === 'object' && typeof require === 'function' ? 'commonjs' : 'esm',
    token: await issuer.mintToken({ scope: 'read:report' }),
    otherToken: await issuer.mintToken({ scope: 'write:report' }),
  };
  process.stdout.write(`${JSON.stringify(line)}\n`);
  const stop = async () => {
    await app.close();
    await issuer.close();
    process.exit(0);
  };
  process.once('SIGTERM', () => void stop());
  process.once('SIGINT', () => void stop());
}

bootstrap().catch((error: unknown) => {
  process.stderr.write(
    `${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
  );
  process.exit(1);
});
