// The publishable packages' metadata, so that it cannot regress: one licence (MIT) with its text in
// every package directory (and so in every tarball), author, keywords, engines, sideEffects that
// tell the truth, and the changesets configuration that versions the six packages together.
//
// `repository`, `homepage` and `bugs` are absent on purpose until the repository has a public
// address (see "Releasing" in the README); once added, `repository` must name its `directory`.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

const PUBLISHABLE = ['core', 'express', 'fastify', 'hono', 'nestjs', 'testing'] as const;
/** The framework each adapter's keywords must name. */
const FRAMEWORK: Record<string, string> = {
  express: 'express',
  fastify: 'fastify',
  hono: 'hono',
  nestjs: 'nestjs',
};
const REQUIRED_KEYWORDS = ['oauth2', 'jwt', 'access-token'];

interface Manifest {
  name: string;
  private?: boolean;
  license?: string;
  author?: string;
  keywords?: unknown;
  engines?: { node?: string };
  sideEffects?: unknown;
  files?: string[];
  repository?: { directory?: string } | string;
  scripts?: Record<string, string>;
}

function readJson<T>(...path: string[]): T {
  return JSON.parse(readFileSync(join(root, ...path), 'utf8')) as T;
}

const rootManifest = readJson<Manifest>('package.json');
const licenceText = readFileSync(join(root, 'LICENSE'), 'utf8');

/** Source files (relative to the package's `src`) that import a module only for its effect. */
function sideEffectImports(dir: string): string[] {
  const found: string[] = [];
  const walk = (rel: string): void => {
    for (const entry of readdirSync(join(dir, rel), { withFileTypes: true })) {
      const path = rel === '' ? entry.name : `${rel}/${entry.name}`;
      if (entry.isDirectory()) walk(path);
      else if (/\.[cm]?ts$/.test(entry.name) && !entry.name.endsWith('.d.ts')) {
        const source = readFileSync(join(dir, path), 'utf8');
        if (/^\s*import\s+['"][^'"]+['"]/m.test(source)) found.push(path);
      }
    }
  };
  walk('');
  return found.sort();
}

describe('packaging: the root', () => {
  it('has an MIT LICENSE naming the tokenward authors, and says MIT in package.json', () => {
    expect(licenceText.startsWith('MIT License\n')).toBe(true);
    expect(licenceText).toContain('Copyright (c) 2026 the tokenward authors');
    expect(licenceText).toContain('THE SOFTWARE IS PROVIDED "AS IS", WITHOUT WARRANTY OF ANY KIND');
    expect(rootManifest.private).toBe(true);
    expect(rootManifest.license).toBe('MIT');
    expect(rootManifest.engines?.node).toBe('>=20.19');
  });

  it('publishes exactly the six packages (a new one must be added here and to changesets)', () => {
    const publishable = readdirSync(join(root, 'packages'))
      .filter((dir) => existsSync(join(root, 'packages', dir, 'package.json')))
      .filter((dir) => readJson<Manifest>('packages', dir, 'package.json').private !== true)
      .sort();
    expect(publishable).toEqual([...PUBLISHABLE].sort());
  });

  it('releases with changesets: scripts, and never a publish script', () => {
    expect(rootManifest.scripts?.changeset).toBe('changeset');
    expect(rootManifest.scripts?.['version-packages']).toBe('changeset version');
    for (const [name, command] of Object.entries(rootManifest.scripts ?? {})) {
      expect(name, 'no script named ci').not.toBe('ci');
      expect(command, `script ${name}`).not.toMatch(/\bpublish\b/);
    }
  });

  it('versions the six packages together, publicly, from main, ignoring examples and bench', () => {
    const config = readJson<{
      fixed: string[][];
      access: string;
      baseBranch: string;
      ignore: string[];
    }>('.changeset', 'config.json');
    expect(config.fixed).toHaveLength(1);
    expect([...(config.fixed[0] ?? [])].sort()).toEqual(
      PUBLISHABLE.map((name) => `@tokenward/${name}`).sort(),
    );
    expect(config.access).toBe('public');
    expect(config.baseBranch).toBe('main');
    expect(config.ignore).toEqual(
      expect.arrayContaining(['@tokenward-examples/*', '@tokenward/bench']),
    );
  });
});

describe.each(PUBLISHABLE)('packaging: @tokenward/%s', (dir) => {
  const manifest = readJson<Manifest>('packages', dir, 'package.json');

  it('is MIT, with the root LICENSE text in its directory and in its files', () => {
    expect(manifest.name).toBe(`@tokenward/${dir}`);
    expect(manifest.license).toBe('MIT');
    const licencePath = join(root, 'packages', dir, 'LICENSE');
    expect(existsSync(licencePath), `packages/${dir}/LICENSE`).toBe(true);
    expect(readFileSync(licencePath, 'utf8')).toBe(licenceText);
    expect(manifest.files).toContain('LICENSE');
  });

  it('names its author, keywords and engines', () => {
    expect(manifest.author).toBe('the tokenward authors');
    expect(Array.isArray(manifest.keywords)).toBe(true);
    const keywords = manifest.keywords as string[];
    expect(keywords).toEqual(expect.arrayContaining(REQUIRED_KEYWORDS));
    const framework = FRAMEWORK[dir];
    if (framework !== undefined) expect(keywords).toContain(framework);
    expect(new Set(keywords).size).toBe(keywords.length);
    expect(manifest.engines?.node).toBe(rootManifest.engines?.node);
  });

  it('declares sideEffects truthfully: false only if no module is imported for its effect', () => {
    const effects = sideEffectImports(join(root, 'packages', dir, 'src'));
    if (effects.length === 0) {
      expect(manifest.sideEffects).toBe(false);
    } else {
      // Exactly the built counterparts of the modules with a bare import (e.g. nestjs's
      // `import 'reflect-metadata'`), so a bundler keeps them and may still drop the rest.
      expect(manifest.sideEffects).toEqual(
        effects.map((path) => `./dist/${path.replace(/\.([cm]?)ts$/, '.$1js')}`),
      );
    }
  });

  it('names no repository without its directory (and no invented address)', () => {
    if (manifest.repository !== undefined) {
      expect(typeof manifest.repository).toBe('object');
      expect((manifest.repository as { directory?: string }).directory).toBe(`packages/${dir}`);
    }
  });
});
