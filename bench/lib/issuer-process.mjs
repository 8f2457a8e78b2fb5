/**
 * The issuer of the HTTP benchmark, in its own process: a @tokenward/testing issuer on 127.0.0.1
 * (discovery + JWKS), and every token the load generator sends, minted up front (RS256, 2048-bit
 * key). Writes the tokens to a file and prints `READY <json>`; serves JWKS until its parent goes.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createTestIssuer } from '@tokenward/testing';
import { exitWithParent } from './children.mjs';
import { flat, mintMany, tamper } from './tokens.mjs';

exitWithParent();

const pool = Number(process.argv[2] ?? 2000);
const warmPool = Math.min(2000, Math.max(200, Math.round(pool / 10)));

const issuer = await createTestIssuer({ algorithm: 'RS256', expiresIn: 3600 });
const audience = issuer.audience;
const started = performance.now();
const hot = flat(await issuer.mintToken({ scope: 'read:report' }));
const cold = await mintMany(() => issuer.mintToken({ scope: 'read:report' }), pool);
const warm = await mintMany(() => issuer.mintToken({ scope: 'read:report' }), warmPool);
const badSignature = tamper(hot);
const wrongAudience = await issuer.mintToken({ aud: 'https://other-api.example.test' });
const foreignKey = await issuer.createForeignKey();
const foreign = await issuer.mintToken({}, { key: foreignKey });
const mintMs = performance.now() - started;

const dir = mkdtempSync(path.join(os.tmpdir(), 'tokenward-bench-'));
const file = path.join(dir, 'tokens.json');
writeFileSync(file, JSON.stringify({ hot, cold, warm, badSignature, wrongAudience, foreign }));
const cleanup = () => rmSync(dir, { recursive: true, force: true });
process.on('exit', cleanup);
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => process.exit(0));

console.log(
  `READY ${JSON.stringify({
    issuer: issuer.issuer,
    audience,
    jwksUri: issuer.jwksUri,
    discoveryUri: issuer.discoveryUri,
    tokensFile: file,
    pool,
    warmPool,
    mintMs: Math.round(mintMs),
    tokenLength: hot.length,
  })}`,
);
