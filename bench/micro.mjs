/**
 * Micro benchmark: the cost of one verification, one at a time, per algorithm and library.
 * Hot: the same token again and again. Cold: a pool of distinct tokens, cycled (a token comes back
 * only after all the others). Runs pinned to one core (WebCrypto's thread pool included), so
 * async hand-offs cost what they cost on a server pinned to one core. Medians of several rounds,
 * libraries interleaved within each round.
 *
 *   node bench/micro.mjs [--quick] [--algorithms=RS256,ES256,EdDSA,HS256] [--pool=N]
 *                        [--tw-options='{"...": ...}'] [--out=file.json]
 */
import crypto from 'node:crypto';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createTokenward } from '@tokenward/core';
import { createTestIssuer } from '@tokenward/testing';
import { createVerifier } from 'fast-jwt';
import { importJWK, jwtVerify, SignJWT } from 'jose';
import jsonwebtoken from 'jsonwebtoken';
import { settingsFromArgv } from './lib/args.mjs';
import { ensurePinned, exitWithParent } from './lib/children.mjs';
import { machineCpuSeconds } from './lib/cpu.mjs';
import { machineInfo } from './lib/machine.mjs';
import { renderMicro } from './lib/report.mjs';
import { median } from './lib/stats.mjs';
import { flat, mintMany, tamper } from './lib/tokens.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const CORE = 1;
const AUDIENCE = 'https://api.example.test';
const HS_ISSUER = 'https://issuer.bench.test';

/** node:crypto parameters per algorithm, for the floor. */
const FLOOR = {
  RS256: { hash: 'sha256' },
  ES256: { hash: 'sha256', dsaEncoding: 'ieee-p1363' },
  EdDSA: { hash: null },
};

/** Keys, issuer and tokens for one algorithm. */
async function fixture(alg, poolSize) {
  const claims = () => ({ scope: 'read:report' });
  if (alg === 'HS256') {
    // A string secret, as most apps configure one (its UTF-8 bytes are the HMAC key).
    const secret = crypto.randomBytes(32).toString('base64url');
    const secretBytes = new TextEncoder().encode(secret);
    const now = Math.floor(Date.now() / 1000);
    const mint = (extra = {}) =>
      new SignJWT({
        sub: 'user-123',
        client_id: 'client-abc',
        jti: crypto.randomUUID(),
        ...claims(),
        ...extra,
      })
        .setProtectedHeader({ alg: 'HS256', typ: 'at+jwt' })
        .setIssuer(HS_ISSUER)
        .setAudience(extra.aud ?? AUDIENCE)
        .setIssuedAt(now)
        .setExpirationTime(now + 3600)
        .sign(secretBytes);
    return {
      alg,
      issuer: HS_ISSUER,
      secret,
      secretBytes,
      hot: flat(await mint()),
      pool: await mintMany(() => mint(), poolSize),
      wrongAudience: await mint({ aud: 'https://other-api.example.test' }),
      close: async () => {},
    };
  }
  const issuer = await createTestIssuer({ algorithm: alg, expiresIn: 3600, audience: AUDIENCE });
  const jwk = issuer.currentKey.publicJwk;
  return {
    alg,
    issuer: issuer.issuer,
    jwksUri: issuer.jwksUri,
    jwks: issuer.jwks(),
    jwk,
    keyObject: crypto.createPublicKey({ key: jwk, format: 'jwk' }),
    pem: crypto
      .createPublicKey({ key: jwk, format: 'jwk' })
      .export({ type: 'spki', format: 'pem' }),
    hot: flat(await issuer.mintToken(claims())),
    pool: await mintMany(() => issuer.mintToken(claims()), poolSize),
    wrongAudience: await issuer.mintToken({ aud: 'https://other-api.example.test' }),
    close: () => issuer.close(),
  };
}

/**
 * The libraries, each as `{ name, kind, async, verify(token) }` (verify throws or rejects on an
 * invalid token). `kind` is `floor`, `tokenward` or `peer`.
 */
async function libraries(fx, twOptions) {
  const { alg } = fx;
  const hs = alg === 'HS256';
  const libs = [];

  // The floor: the signature check alone with node:crypto and a ready KeyObject (split, base64url
  // decode, verify); no JSON, no claims.
  if (hs) {
    libs.push({
      name: 'node:crypto HMAC (floor)',
      kind: 'floor',
      verify(token) {
        const dot = token.lastIndexOf('.');
        const mac = crypto.createHmac('sha256', fx.secret).update(token.slice(0, dot)).digest();
        const sig = Buffer.from(token.slice(dot + 1), 'base64url');
        if (sig.length !== mac.length || !crypto.timingSafeEqual(sig, mac))
          throw new Error('bad signature');
      },
    });
  } else {
    const { hash, dsaEncoding } = FLOOR[alg];
    const key = dsaEncoding ? { key: fx.keyObject, dsaEncoding } : fx.keyObject;
    libs.push({
      name: 'node:crypto verify (floor)',
      kind: 'floor',
      verify(token) {
        const dot = token.lastIndexOf('.');
        const sig = Buffer.from(token.slice(dot + 1), 'base64url');
        if (!crypto.verify(hash, Buffer.from(token.slice(0, dot)), key, sig))
          throw new Error('bad signature');
      },
    });
  }

  const keyOptions = hs ? { secret: fx.secret } : { jwks: fx.jwks };
  const local = createTokenward({
    issuer: fx.issuer,
    audience: AUDIENCE,
    ...keyOptions,
    ...twOptions,
  });
  libs.push({
    name: hs ? 'tokenward verify() (secret)' : 'tokenward verify() (local jwks)',
    kind: 'tokenward',
    async: true,
    verify: (token) => local.verify(token),
  });
  if (!hs) {
    const remote = createTokenward({
      issuer: fx.issuer,
      audience: AUDIENCE,
      jwksUri: fx.jwksUri,
      ...twOptions,
    });
    await remote.warmup();
    libs.push({
      name: 'tokenward verify() (remote JWKS)',
      kind: 'tokenward',
      async: true,
      verify: (token) => remote.verify(token),
    });
  }
  libs.push({
    name: 'tokenward authenticate()',
    kind: 'tokenward',
    async: true,
    async verify(token) {
      const outcome = await local.authenticate({ authorization: `Bearer ${token}` });
      if (!outcome.ok) throw outcome.error;
    },
  });

  const joseKey = hs ? fx.secretBytes : await importJWK(fx.jwk, alg);
  const joseOptions = { issuer: fx.issuer, audience: AUDIENCE, algorithms: [alg] };
  libs.push({
    name: 'jose jwtVerify (key imported once)',
    kind: 'peer',
    async: true,
    verify: (token) => jwtVerify(token, joseKey, joseOptions),
  });

  const fastKey = hs ? fx.secret : fx.pem;
  const fastOptions = {
    key: fastKey,
    algorithms: [alg],
    allowedIss: fx.issuer,
    allowedAud: AUDIENCE,
  };
  const fast = createVerifier(fastOptions);
  libs.push({ name: 'fast-jwt', kind: 'peer', verify: (token) => fast(token) });
  const fastCached = createVerifier({ ...fastOptions, cache: true });
  libs.push({
    name: 'fast-jwt (cache: 1,000)',
    kind: 'peer',
    verify: (token) => fastCached(token),
  });

  if (alg !== 'EdDSA') {
    // jsonwebtoken 9 has no EdDSA. Given the PEM string, as jwks-rsa hands it over.
    const jwtOptions = { algorithms: [alg], issuer: fx.issuer, audience: AUDIENCE };
    libs.push({
      name: hs ? 'jsonwebtoken (secret)' : 'jsonwebtoken (PEM string)',
      kind: 'peer',
      verify: (token) => jsonwebtoken.verify(token, hs ? fx.secret : fx.pem, jwtOptions),
    });
  }
  return libs;
}

/**
 * Building blocks, to see where a verification's time goes: the WebCrypto round trip (a job on
 * libuv's thread pool, awaited) against the same work done synchronously with node:crypto.
 */
async function primitives(fx) {
  const subtle = globalThis.crypto.subtle;
  const encoder = new TextEncoder();
  const dot = fx.hot.lastIndexOf('.');
  const input = encoder.encode(fx.hot.slice(0, dot));
  const signature = Buffer.from(fx.hot.slice(dot + 1), 'base64url');
  const webKey = await subtle.importKey(
    'jwk',
    fx.jwk,
    { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' },
    false,
    ['verify'],
  );
  return [
    { name: 'await Promise.resolve() (a microtask)', verify: async () => {}, async: true },
    {
      name: 'node:crypto SHA-256 of the token (sync)',
      verify: (token) => crypto.createHash('sha256').update(token).digest(),
    },
    {
      name: 'crypto.subtle.digest SHA-256 of the token (awaited)',
      async: true,
      verify: (token) => subtle.digest('SHA-256', encoder.encode(token)),
    },
    {
      name: 'node:crypto RSA verify (sync, KeyObject)',
      verify: () => crypto.verify('sha256', input, fx.keyObject, signature),
    },
    {
      name: 'crypto.subtle.verify RS256 (awaited, CryptoKey)',
      async: true,
      verify: () => subtle.verify('RSASSA-PKCS1-v1_5', webKey, signature, input),
    },
  ];
}

async function rejects(lib, token) {
  try {
    await lib.verify(token);
    return false;
  } catch {
    return true;
  }
}

/** Every library must accept a valid token and refuse a bad signature (and, except the floor, another audience). */
async function sanityCheck(lib, fx) {
  await lib.verify(fx.hot);
  await lib.verify(fx.pool[fx.pool.length - 1]);
  if (!(await rejects(lib, tamper(fx.hot))))
    throw new Error(`${lib.name} accepted a bad signature`);
  if (lib.kind !== 'floor' && !(await rejects(lib, fx.wrongAudience))) {
    throw new Error(`${lib.name} accepted a token for another audience`);
  }
}

/** Run `lib.verify` over `tokens` (cycling from `state.next`) for `ms` milliseconds. */
async function timed(lib, tokens, state, ms) {
  const n = tokens.length;
  let i = state.next;
  let ops = 0;
  const verify = lib.verify;
  const start = performance.now();
  const end = start + ms;
  let now = start;
  if (lib.async) {
    while (now < end) {
      for (let k = 0; k < 16; k++) {
        await verify(tokens[i]);
        i = i + 1 === n ? 0 : i + 1;
      }
      ops += 16;
      now = performance.now();
    }
  } else {
    while (now < end) {
      for (let k = 0; k < 16; k++) {
        verify(tokens[i]);
        i = i + 1 === n ? 0 : i + 1;
      }
      ops += 16;
      now = performance.now();
    }
  }
  state.next = i;
  return (ops / (now - start)) * 1000;
}

async function main() {
  exitWithParent();
  await ensurePinned(CORE);
  const settings = settingsFromArgv();
  const poolSize = Math.max(1000, Math.round(settings.pool / 2));
  const rounds = settings.quick ? 3 : 5;
  const ms = settings.quick ? 100 : 250;
  const warmupMs = settings.quick ? 100 : 300;
  const log = (message) => process.stderr.write(`[micro] ${message}\n`);
  const started = Date.now();

  const results = [];
  const noise = {};
  const blocks = [];
  for (const alg of settings.algorithms) {
    const fx = await fixture(alg, poolSize);
    try {
      const libs = await libraries(fx, settings.twOptions);
      for (const lib of libs) await sanityCheck(lib, fx);
      const samples = new Map(libs.map((lib) => [lib, { hot: [], cold: [] }]));
      const cursors = new Map(libs.map((lib) => [lib, { next: 0 }]));
      const hot = [fx.hot];
      const own0 = process.cpuUsage();
      const machine0 = machineCpuSeconds();
      const t0 = performance.now();
      for (const lib of libs) {
        await timed(lib, hot, { next: 0 }, warmupMs);
        await timed(lib, fx.pool, cursors.get(lib), warmupMs);
      }
      for (let round = 0; round < rounds; round++) {
        for (const lib of libs) {
          samples.get(lib).hot.push(await timed(lib, hot, { next: 0 }, ms));
          samples.get(lib).cold.push(await timed(lib, fx.pool, cursors.get(lib), ms));
        }
      }
      const wall = (performance.now() - t0) / 1000;
      const own = process.cpuUsage(own0);
      // CPU other processes used meanwhile, in cores (WebCrypto's thread pool counts as ours).
      noise[alg] = Math.max(
        0,
        (machineCpuSeconds() - machine0 - (own.user + own.system) / 1e6) / wall,
      );
      if (alg === 'RS256') {
        for (const block of await primitives(fx)) {
          await timed(block, hot, { next: 0 }, warmupMs);
          const runs = [];
          for (let round = 0; round < rounds; round++)
            runs.push(await timed(block, hot, { next: 0 }, ms));
          blocks.push({ name: block.name, ops: median(runs) });
          log(`building block ${block.name.padEnd(52)} ${(1e6 / median(runs)).toFixed(1)} µs`);
        }
      }
      for (const lib of libs) {
        const s = samples.get(lib);
        const row = {
          alg,
          library: lib.name,
          kind: lib.kind,
          hotOps: median(s.hot),
          coldOps: median(s.cold),
          hotAll: s.hot.map(Math.round),
          coldAll: s.cold.map(Math.round),
        };
        results.push(row);
        log(
          `${alg} ${lib.name.padEnd(36)} hot ${Math.round(row.hotOps)} ops/s (${(1e6 / row.hotOps).toFixed(1)} µs)  cold ${Math.round(row.coldOps)} ops/s (${(1e6 / row.coldOps).toFixed(1)} µs)`,
        );
      }
    } finally {
      await fx.close();
    }
  }
  const result = {
    kind: 'micro',
    machine: machineInfo(path.join(here, '..')),
    settings: {
      rounds,
      ms,
      warmupMs,
      pool: poolSize,
      pinnedCore: CORE,
      twOptions: settings.twOptions,
    },
    results,
    blocks,
    noise,
    wallSeconds: Math.round((Date.now() - started) / 1000),
  };
  if (settings.out) writeFileSync(settings.out, JSON.stringify(result, null, 2));
  else process.stdout.write(`${renderMicro(result)}\n`);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) await main();
