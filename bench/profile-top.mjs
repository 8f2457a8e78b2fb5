/**
 * Summarize V8 CPU profiles (`.cpuprofile`, from `node --cpu-prof` or `bench --cpu-prof`): the
 * functions with the most self time, and self time per package.
 *
 *   node bench/profile-top.mjs <file.cpuprofile> [more files...] [--top=25]
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';

const args = process.argv.slice(2);
const topArg = args.find((a) => a.startsWith('--top='));
const top = topArg ? Number(topArg.slice(6)) : 25;
const files = args.filter((a) => !a.startsWith('--'));
if (files.length === 0) {
  console.error('usage: node bench/profile-top.mjs <file.cpuprofile> [...] [--top=25]');
  process.exit(2);
}

/** Where a script belongs: an npm package, a tokenward package, node internals, or the app. */
function packageOf(url) {
  if (url === '') return '(native / V8)';
  if (url.startsWith('node:')) return 'node (internal)';
  const nm = url.lastIndexOf('/node_modules/');
  if (nm !== -1) {
    const rest = url.slice(nm + '/node_modules/'.length).split('/');
    return rest[0].startsWith('@') ? `${rest[0]}/${rest[1]}` : rest[0];
  }
  const tw = /\/packages\/([^/]+)\//.exec(url);
  if (tw) return `@tokenward/${tw[1]}`;
  return path.basename(url);
}

for (const file of files) {
  const profile = JSON.parse(readFileSync(file, 'utf8'));
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const self = new Map();
  // Time per node: each sample lasts until the next one (timeDeltas[i + 1]).
  const deltas = profile.timeDeltas ?? [];
  const hits = new Map();
  for (let i = 0; i < profile.samples.length; i++) {
    const id = profile.samples[i];
    hits.set(id, (hits.get(id) ?? 0) + (deltas[i + 1] ?? 0));
  }
  let total = 0;
  for (const [id, micros] of hits) {
    const node = byId.get(id);
    const cf = node.callFrame;
    const where = cf.url.startsWith('node:')
      ? cf.url
      : `${packageOf(cf.url)}:${path.basename(cf.url)}`;
    const key =
      `${cf.functionName || '(anonymous)'} ${cf.url ? `${where}:${cf.lineNumber + 1}` : ''}`.trim();
    self.set(key, (self.get(key) ?? 0) + micros);
    total += micros;
  }
  const idle = [...self].filter(([k]) => k.startsWith('(idle)')).reduce((s, [, v]) => s + v, 0);
  const busy = total - idle;
  console.log(
    `\n${path.basename(file)}: ${(total / 1e6).toFixed(2)} s sampled, ${(busy / 1e6).toFixed(2)} s busy`,
  );
  console.log('\nself time, % of busy:');
  const rows = [...self].filter(([k]) => !k.startsWith('(idle)')).sort((a, b) => b[1] - a[1]);
  for (const [key, micros] of rows.slice(0, top)) {
    console.log(`${((micros / busy) * 100).toFixed(1).padStart(5)}%  ${key}`);
  }
  const perPackage = new Map();
  for (const [id, micros] of hits) {
    const cf = byId.get(id).callFrame;
    if (cf.functionName === '(idle)') continue;
    const name = cf.url
      ? packageOf(cf.url)
      : cf.functionName.startsWith('(')
        ? cf.functionName
        : '(native / V8)';
    perPackage.set(name, (perPackage.get(name) ?? 0) + micros);
  }
  console.log('\nself time per package, % of busy:');
  for (const [name, micros] of [...perPackage].sort((a, b) => b[1] - a[1]).slice(0, 15)) {
    console.log(`${((micros / busy) * 100).toFixed(1).padStart(5)}%  ${name}`);
  }
}
