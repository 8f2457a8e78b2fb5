/**
 * `@tokenward/hono/variables` is opt-in: a program that imports it types `c.var.auth` on a plain
 * `new Hono()`; a program that does not, does not. Each case is its own TypeScript program (an
 * augmentation is global to a program), compiled in memory against the built package.
 */
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const here = dirname(fileURLToPath(import.meta.url));

const BODY = `
import type { AuthContext } from '@tokenward/hono';
import { Hono } from 'hono';
type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
new Hono().get('/', (c) => {
  const exact: Equal<typeof c.var.auth, AuthContext | undefined> = true;
  const got = c.get('auth');
  const viaGet: Equal<typeof got, AuthContext | undefined> = true;
  return c.text(String(exact && viaGet && c.var.auth?.subject));
});
`;

/** Type errors of one in-memory module placed in this folder (so packages resolve as here). */
function typeErrors(source: string): readonly ts.Diagnostic[] {
  const file = join(here, `virtual-${Math.random().toString(36).slice(2)}.ts`);
  const options: ts.CompilerOptions = {
    target: ts.ScriptTarget.ES2022,
    module: ts.ModuleKind.NodeNext,
    moduleResolution: ts.ModuleResolutionKind.NodeNext,
    strict: true,
    noEmit: true,
    skipLibCheck: true,
    types: [],
  };
  const host = ts.createCompilerHost(options);
  const { getSourceFile, fileExists, readFile } = host;
  host.fileExists = (name) => name === file || fileExists.call(host, name);
  host.readFile = (name) => (name === file ? source : readFile.call(host, name));
  host.getSourceFile = (name, version, ...rest) =>
    name === file
      ? ts.createSourceFile(name, source, version)
      : getSourceFile.call(host, name, version, ...rest);
  const program = ts.createProgram([file], options, host);
  return ts.getPreEmitDiagnostics(program, program.getSourceFile(file));
}

function messages(diagnostics: readonly ts.Diagnostic[]): string[] {
  return diagnostics.map((d) => ts.flattenDiagnosticMessageText(d.messageText, '\n'));
}

describe('@tokenward/hono/variables (opt-in c.var.auth typing)', () => {
  it('types c.var.auth and c.get("auth") on a plain Hono app once imported', () => {
    const diagnostics = typeErrors(`import type {} from '@tokenward/hono/variables';\n${BODY}`);
    expect(messages(diagnostics)).toEqual([]);
  });

  it('augments nothing without the import', () => {
    const diagnostics = typeErrors(BODY);
    expect(diagnostics.length).toBeGreaterThan(0);
  });
}, 60_000);
