// The HTTP benchmark's peer: Stack Auth's backend-integration page ("Using JWT", Node.js) in
// Node's own http server. The verification is the page's code as it stands:
// `jose.createRemoteJWKSet(new URL(<the project's jwks.json>))` made once, then
// `await jose.jwtVerify(accessToken, jwks)` with the token from the `x-stack-access-token`
// header; 200 with a small JSON body when it holds, 401 otherwise.
//
// Prints `{"listening":"127.0.0.1:<port>","library":"jose <v>","runtime":"Node <v>"}` once it
// accepts connections; exits when stdin closes.
//
// Usage: node http_server.mjs <jwks-url>   (run from a folder whose node_modules has jose;
// `cargo xtask bench --http` installs it into target/peers/node and copies this script there)
import { readFileSync } from 'node:fs';
import http from 'node:http';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as jose from 'jose';

const [jwksUrl] = process.argv.slice(2);
if (!jwksUrl) throw new Error('usage: node http_server.mjs <jwks-url>');

// you can cache this and refresh it with a low frequency
const jwks = jose.createRemoteJWKSet(new URL(jwksUrl));

const server = http.createServer(async (req, res) => {
  const accessToken = req.headers['x-stack-access-token'];
  try {
    const { payload } = await jose.jwtVerify(accessToken, jwks);
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ user_id: payload.sub }));
  } catch (error) {
    // The page logs the error and "Invalid user"; stderr keeps stdout for the harness.
    console.error(error);
    console.error('Invalid user');
    res.writeHead(401, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ error: 'invalid user' }));
  }
});

const here = dirname(fileURLToPath(import.meta.url));
const version = JSON.parse(
  readFileSync(join(here, 'node_modules', 'jose', 'package.json'), 'utf8'),
).version;
server.listen(0, '127.0.0.1', () => {
  const { port } = server.address();
  console.log(
    JSON.stringify({
      listening: `127.0.0.1:${port}`,
      library: `jose ${version}`,
      runtime: `Node ${process.version}`,
    }),
  );
});

process.stdin.on('end', () => process.exit(0));
process.stdin.on('error', () => process.exit(0));
process.stdin.resume();
