// Verifies the interop fixture's `normal-user` token with jose's `jwtVerify` and the same
// public JWK the Rust benches use (imported once), checking ES256, issuer, audience and expiry
// with 5 s of leeway, as the Rust verifier does. Prints one JSON line: the median verifications
// per second over timed batches.
//
// Usage: node verify.mjs <interop-dir> [seconds]   (run from a folder whose node_modules has jose;
// `cargo xtask bench --peers` installs it into target/peers/node and copies this script there)
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { importJWK, jwtVerify } from 'jose';

const [interop, seconds = '10'] = process.argv.slice(2);
if (!interop) throw new Error('usage: node verify.mjs <interop-dir> [seconds]');
const cases = JSON.parse(readFileSync(join(interop, 'cases.json'), 'utf8'));
const pid = cases.project_id;
const fixture = cases.cases.find((c) => c.name === 'normal-user');
const token = fixture.token;
const jwks = JSON.parse(
  readFileSync(join(interop, 'jwks', pid, 'jwks.json@include_anonymous=true'), 'utf8'),
);
const kid = JSON.parse(Buffer.from(token.split('.')[0], 'base64url').toString()).kid;
const key = await importJWK(jwks.keys.find((k) => k.kid === kid), 'ES256');
const options = {
  algorithms: ['ES256'],
  issuer: `${cases.base_url}/api/v1/projects/${pid}`,
  audience: pid,
  clockTolerance: 5,
  requiredClaims: ['exp', 'sub'],
};

const { payload } = await jwtVerify(token, key, options);
if (payload.sub !== fixture.expect.user_id) throw new Error('wrong subject');

const now = () => Number(process.hrtime.bigint()) / 1e9;
// Runs verifications in chunks of 100 until `duration` seconds pass; returns verifications/s.
async function batch(duration) {
  const start = now();
  let n = 0;
  while (now() - start < duration) {
    for (let i = 0; i < 100; i++) await jwtVerify(token, key, options);
    n += 100;
  }
  return n / (now() - start);
}

const batches = 20;
await batch(1); // warm-up (JIT)
const rates = [];
for (let i = 0; i < batches; i++) rates.push(await batch(Number(seconds) / batches));
rates.sort((a, b) => a - b);
const here = dirname(fileURLToPath(import.meta.url));
const jose = JSON.parse(readFileSync(join(here, 'node_modules', 'jose', 'package.json'), 'utf8'));
console.log(
  JSON.stringify({
    library: `jose ${jose.version}`,
    runtime: `Node ${process.version}`,
    ops_per_sec: rates[Math.floor(batches / 2)],
    batches,
  }),
);
