// Drives Stack Auth's own published JS server SDK (`@stackframe/js`, pinned in package.json)
// for the Rust tests: one JSON command in (argv[2], or standard input), one JSON answer out.
//
// A command is `{"steps": [step, ...]}` (or a single step); the answer is
// `{"results": [result, ...], "refusedRequests": [url, ...]}`. Each step names the app it uses:
//   "app": {"projectId", "secretServerKey", "publishableClientKey"?, "baseUrl"}
// and one operation:
//   {"op": "getUser", "tokenStore": {"accessToken", "refreshToken"} | {"headers": {...}} | null,
//    "options": {...}?, "withAuth": bool?}
//       -> {"user": <user as plain JSON> | null, "authJson"?, "authorizationHeader"?, "authHeaders"?}
//   {"op": "getUserById", "userId": "..."}
//       -> {"user": <user as plain JSON> | null}
//   {"op": "getUserByApiKey", "apiKey": "..."}            getUser({apiKey})
//       -> {"user": <user> | null}
//   {"op": "getTeamByApiKey", "apiKey": "..."}            getTeam({apiKey})
//       -> {"team": <team> | null}
//   {"op": "getTeam", "teamId": "..."}                    getTeam(id)
//       -> {"team": <team> | null}
//   {"op": "listTeams", "userId": "..."}                  user.listTeams()
//       -> {"teams": [<team>, ...]}
//   {"op": "hasPermission", "userId", "teamId"?, "permissionId"}
//       user.hasPermission({id: teamId}, permissionId), or the project form without teamId
//       -> {"has": bool}
//   {"op": "listPermissions", "userId", "teamId"?, "recursive"?}
//       user.listPermissions({id: teamId}, {recursive}) or listPermissions({recursive})
//       -> {"ids": [permission id, ...]}
//   {"op": "getActiveSessions", "userId": "..."}          user.getActiveSessions()
//       -> {"sessions": [<session>, ...]}
// The user-scoped operations answer {"user": null} when getUser(userId) finds no user.
// A step that throws gives {"error": {"name", "message", "code"?}}.
//
// The SDK may only reach the origins of the apps' base URLs: any other request (telemetry, a
// fallback host) is refused and listed in `refusedRequests`, so a test never touches the
// internet and can assert that nothing tried to.

import { readFileSync } from "node:fs";

const refusedRequests = [];
const allowedOrigins = new Set();
const realFetch = globalThis.fetch;
globalThis.fetch = async (input, init) => {
  const url = new URL(typeof input === "string" || input instanceof URL ? input : input.url);
  if (!allowedOrigins.has(url.origin)) {
    refusedRequests.push(url.href);
    throw new TypeError(`interop harness: refused a request to ${url.origin}`);
  }
  return realFetch(input, init);
};

const { StackServerApp } = await import("@stackframe/js");

/** The user object as plain JSON: its data, not its methods; dates as ISO strings. */
function plain(value, seen = new WeakSet()) {
  if (value === null || value === undefined) return value ?? null;
  if (value instanceof Date) return value.toISOString();
  if (typeof value === "function") return undefined;
  if (typeof value !== "object") return value;
  if (seen.has(value)) return undefined;
  seen.add(value);
  if (Array.isArray(value)) return value.map((v) => plain(v, seen) ?? null);
  const out = {};
  for (const key of Object.keys(value)) {
    if (key.startsWith("_")) continue;
    const v = plain(value[key], seen);
    if (v !== undefined) out[key] = v;
  }
  return out;
}

function app(spec) {
  allowedOrigins.add(new URL(spec.baseUrl).origin);
  return new StackServerApp({
    projectId: spec.projectId,
    secretServerKey: spec.secretServerKey,
    ...(spec.publishableClientKey ? { publishableClientKey: spec.publishableClientKey } : {}),
    baseUrl: spec.baseUrl,
    tokenStore: null,
  });
}

async function run(step) {
  const server = app(step.app);
  switch (step.op) {
    case "getUser": {
      const user = await server.getUser({ ...(step.options ?? {}), tokenStore: step.tokenStore });
      const result = { user: plain(user) };
      if (user && step.withAuth) {
        result.authJson = await user.getAuthJson();
        result.authorizationHeader = await user.getAuthorizationHeader();
        result.authHeaders = await user.getAuthHeaders();
      }
      return result;
    }
    case "getUserById":
      return { user: plain(await server.getUser(step.userId)) };
    case "getUserByApiKey":
      return { user: plain(await server.getUser({ apiKey: step.apiKey })) };
    case "getTeamByApiKey":
      return { team: plain(await server.getTeam({ apiKey: step.apiKey })) };
    case "getTeam":
      return { team: plain(await server.getTeam(step.teamId)) };
    case "listTeams":
    case "hasPermission":
    case "listPermissions":
    case "getActiveSessions": {
      const user = await server.getUser(step.userId);
      if (!user) return { user: null };
      return await onUser(user, step);
    }
    default:
      throw new Error(`unknown op ${JSON.stringify(step.op)}`);
  }
}

async function onUser(user, step) {
  const scope = step.teamId ? { id: step.teamId } : null;
  switch (step.op) {
    case "listTeams":
      return { teams: plain([...(await user.listTeams())]) };
    case "hasPermission":
      return { has: scope ? await user.hasPermission(scope, step.permissionId) : await user.hasPermission(step.permissionId) };
    case "listPermissions": {
      const options = step.recursive === undefined ? undefined : { recursive: step.recursive };
      const list = scope ? await user.listPermissions(scope, options) : await user.listPermissions(options);
      return { ids: list.map((p) => p.id) };
    }
    default:
      return { sessions: plain(await user.getActiveSessions()) };
  }
}

const raw = process.argv[2] ?? readFileSync(0, "utf8");
const command = JSON.parse(raw);
const steps = Array.isArray(command.steps) ? command.steps : [command];
const results = [];
for (const step of steps) {
  try {
    results.push(await run(step));
  } catch (e) {
    results.push({ error: { name: e?.name ?? "Error", message: String(e?.message ?? e), code: e?.errorCode ?? e?.code } });
  }
}
// The SDK keeps timers and pooled connections alive; the answer is complete, so leave now.
process.stdout.write(JSON.stringify({ results, refusedRequests }) + "\n", () => process.exit(0));
