// A CommonJS NestJS app (the `nest new` shape: "type": "commonjs", tsc with module commonjs,
// experimentalDecorators, emitDecoratorMetadata) that require()s the ESM-only @tokenward/nestjs
// and @tokenward/testing (Node >= 20.19 loads ES modules through require()).
//
// The app's sources are `.cts` so that the repo's ESM typecheck (tsconfig.test.json, which
// includes test/**/*.ts with verbatimModuleSyntax) does not try to check them as ESM; they are
// compiled here with test/nest-cjs/tsconfig.json into a fresh directory under app/dist (gitignored),
// from where Node resolves @tokenward/* and @nestjs/* through the repo root node_modules.
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdir, mkdtemp, readFile, rm, rmdir } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..', '..');
const run = promisify(execFile);

interface Ready {
  url: string;
  moduleType: string;
  token: string;
  otherToken: string;
}

let outDir: string;
let child: ChildProcess | undefined;
let ready: Ready;
let stderr = '';

beforeAll(async () => {
  await mkdir(join(here, 'app', 'dist'), { recursive: true });
  outDir = await mkdtemp(join(here, 'app', 'dist', 'run-'));
  await run(
    join(root, 'node_modules', '.bin', 'tsc'),
    ['-p', join(here, 'tsconfig.json'), '--outDir', outDir],
    { cwd: root },
  );
  child = spawn(process.execPath, [join(outDir, 'main.cjs')], {
    cwd: here,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
    stderr += chunk;
  });
  const lines = createInterface({ input: child.stdout! });
  const exited = once(child, 'exit').then(([code]) => {
    throw new Error(`the CJS app exited with ${String(code)} before it was ready:\n${stderr}`);
  });
  const [line] = (await Promise.race([once(lines, 'line'), exited])) as [string];
  ready = JSON.parse(line) as Ready;
}, 30_000);

afterAll(async () => {
  if (child !== undefined && child.exitCode === null) {
    const exited = once(child, 'exit');
    child.kill('SIGTERM');
    await exited;
  }
  if (outDir !== undefined) await rm(outDir, { recursive: true, force: true });
  // Remove app/dist too unless another run is using it.
  await rmdir(join(here, 'app', 'dist')).catch(() => undefined);
});

describe('a CommonJS NestJS app requiring the ESM-only packages', () => {
  it('is compiled to CommonJS that require()s @tokenward/nestjs and @tokenward/testing', async () => {
    const main = await readFile(join(outDir, 'main.cjs'), 'utf8');
    const controller = await readFile(join(outDir, 'reports.controller.cjs'), 'utf8');
    expect(main).toContain('require("@tokenward/testing")');
    expect(controller).toContain('require("@tokenward/nestjs")');
    expect(controller).toContain(
      '__metadata("design:paramtypes", [reports_service_cjs_1.ReportsService])',
    );
    expect(ready.moduleType).toBe('commonjs');
    expect(ready.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
  });

  it('answers 401 without a token', async () => {
    const res = await fetch(`${ready.url}/reports`);
    expect(res.status).toBe(401);
    expect(res.headers.get('www-authenticate')).toBe('Bearer');
    expect(await res.text()).toBe(
      '{"error":"unauthorized","error_description":"A bearer token is required"}',
    );
  });

  it('answers 200 with a minted token; @Auth() and constructor injection work', async () => {
    const res = await fetch(`${ready.url}/reports`, {
      headers: { authorization: `Bearer ${ready.token}` },
    });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({
      subject: 'user-123',
      scopes: ['read:report'],
      reports: ['report-of-user-123'],
    });
  });

  it('answers 403 for a missing scope and 200 on a @Public() route', async () => {
    const denied = await fetch(`${ready.url}/reports`, {
      headers: { authorization: `Bearer ${ready.otherToken}` },
    });
    expect(denied.status).toBe(403);
    expect(denied.headers.get('www-authenticate')).toContain('scope="read:report"');
    expect((await fetch(`${ready.url}/health`)).status).toBe(200);
  });

  it('loads without errors on stderr', () => {
    // Node 20.19 may print an ExperimentalWarning for require(esm); anything else is a failure.
    const unexpected = stderr
      .split('\n')
      .filter((line) => line !== '' && !/ExperimentalWarning|--trace-warnings/.test(line));
    expect(unexpected).toEqual([]);
  });
});
