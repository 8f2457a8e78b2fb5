/** Minting helpers shared by micro, memory and the HTTP issuer. */

/** Mint `count` distinct tokens with `mint()`, `parallel` at a time (WebCrypto runs them on the thread pool). */
export async function mintMany(mint, count, parallel = 64) {
  const out = new Array(count);
  let next = 0;
  async function worker() {
    while (next < count) {
      const i = next++;
      out[i] = flat(await mint(i));
    }
  }
  await Promise.all(Array.from({ length: Math.min(parallel, count) }, worker));
  return out;
}

/**
 * A flat copy of a string. Tokens built by concatenation are rope strings that V8 flattens the
 * first time they are searched, which would otherwise show up in timings and memory figures.
 */
export function flat(token) {
  return Buffer.from(token, 'latin1').toString('latin1');
}

/**
 * The same token with one signature character changed (not the last one, which may carry spare
 * bits): still well-formed, with a signature that does not verify.
 */
export function tamper(token) {
  const i = token.length - 8;
  const c = token[i] === 'A' ? 'B' : 'A';
  return token.slice(0, i) + c + token.slice(i + 1);
}
