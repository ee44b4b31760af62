// peers.mjs - the peers workload on the Node engines: casbin, Cedar (wasm)
// and Biscuit (wasm).
//
//   node --experimental-wasm-modules peers.mjs ENGINE WORKLOAD [MODEL]
//
// ENGINE is casbin-node (MODEL: ../casbin/model.conf), cedar or biscuit;
// `peers.mjs show WORKLOAD` prints every engine's encoding of the token;
// `peers.mjs floor` the cost of the wasm engines' emptiest decision.
// Each engine builds its encoding of the token in WORKLOAD once, outside the
// timed loop; then its decision on every request is compared with authz's
// (recorded in WORKLOAD) and any difference stops the run (exit 1); then the
// same requests are timed and one result line is printed, as authz_peers
// does (see there for PEERS_RUNS, PEERS_MIN_MS and the line's format). An
// engine whose package cannot be loaded prints a "skip" line and exits 3.

import { readFileSync } from "node:fs";

function fail(msg) {
  process.stderr.write(`peers.mjs: ${msg}\n`);
  process.exit(1);
}

function load(path) {
  const w = { n: 0, scopes: [], grants: [], allow: [], reqs: [] };
  const lines = readFileSync(path, "utf8").split("\n");
  if (lines[0] !== "authz-peers 1") fail(`${path}: not a workload file`);
  for (let i = 1; i < lines.length; i++) {
    const line = lines[i];
    if (line === "") continue;
    const f = line.split(" ");
    if (f[0] === "n" && f.length === 2) w.n = Number(f[1]);
    else if (f[0] === "scope" && f.length === 2) w.scopes.push(f[1]);
    else if (f[0] === "grant" && f.length === 4)
      w.grants.push({ scope: f[1], type: f[2], action: f[3] });
    else if (f[0] === "allow" && f.length === 2) {
      const colon = f[1].indexOf(":");
      w.allow.push({ type: f[1].slice(0, colon), id: f[1].slice(colon + 1) });
    } else if (f[0] === "req" && f.length === 5)
      w.reqs.push({
        type: f[1],
        id: f[2] === "-" ? "" : f[2],
        action: f[3],
        decision: f[4] === "1",
      });
    else fail(`${path}:${i + 1}: bad line ${JSON.stringify(line)}`);
  }
  if (w.reqs.length === 0) fail(`${path}: no requests`);
  return w;
}

// ---- casbin ---------------------------------------------------------------
// The same model file as casbin-go, the same policy lines (see
// ../casbin/model.conf). enforceSync is casbin's synchronous enforce: the
// same decision without a Promise per call.
function casbinRules(w) {
  return {
    p: w.grants.map((g) => [g.scope, g.type, g.action]),
    g: w.scopes.map((s) => ["token", s]),
    g2: w.allow.map((a) => [`${a.type}:${a.id}`, "token"]),
  };
}

async function casbinNode(w, modelPath) {
  const casbin = await import("casbin");
  const m = casbin.newModelFromString(readFileSync(modelPath, "utf8"));
  const e = await casbin.newEnforcer(m);
  const rules = casbinRules(w);
  await e.addPolicies(rules.p);
  await e.addGroupingPolicies(rules.g);
  await e.addNamedGroupingPolicies("g2", rules.g2);
  return (r) => e.enforceSync("token", r.type, r.id, r.action);
}

// ---- Cedar ----------------------------------------------------------------
// Coder's types become Cedar entity types (workspace -> Workspace), actions
// are Action entities, each scope is a Scope entity the token is a member
// of, and each scope's grants are one permit per type. The allow list is
// one forbid policy: every request outside it is forbidden, whatever the
// scopes permit (forbid overrides permit). The policy set is parsed once
// (preparsePolicySet); each request passes only the token entity with its
// three scope parents.
function cedarType(t) {
  return t
    .split("_")
    .map((s) => s[0].toUpperCase() + s.slice(1))
    .join("");
}

function cedarPolicies(w) {
  const q = JSON.stringify;
  const out = [];
  const byScopeType = new Map();
  for (const g of w.grants) {
    const k = `${g.scope}\u0000${g.type}`;
    if (!byScopeType.has(k)) byScopeType.set(k, []);
    byScopeType.get(k).push(g.action);
  }
  for (const [k, actions] of byScopeType) {
    const [scope, type] = k.split("\u0000");
    out.push(
      `permit (principal in Scope::${q(scope)}, action in [${actions
        .map((a) => `Action::${q(a)}`)
        .join(", ")}], resource is ${cedarType(type)});`,
    );
  }
  const types = [],
    ids = [];
  for (const a of w.allow) {
    if (a.type === "*") throw new Error("*: entries are not in this job");
    if (a.id === "*") types.push(`resource is ${cedarType(a.type)}`);
    else ids.push(`${cedarType(a.type)}::${q(a.id)}`);
  }
  out.push(
    `forbid (principal == Token::"token", action, resource)\n  unless { ${[
      ...types,
      `resource in [${ids.join(", ")}]`,
    ].join(" || ")} };`,
  );
  return out.join("\n");
}

async function cedar(w) {
  const c = await import("@cedar-policy/cedar-wasm/nodejs");
  const text = cedarPolicies(w);
  const parsed = c.preparsePolicySet("peers", { staticPolicies: text });
  if (parsed.type !== "success")
    fail(`cedar: policies: ${JSON.stringify(parsed.errors)}`);
  const entities = [
    {
      uid: { type: "Token", id: "token" },
      attrs: {},
      parents: w.scopes.map((s) => ({ type: "Scope", id: s })),
    },
  ];
  const principal = { type: "Token", id: "token" };
  const types = new Map();
  for (const r of w.reqs)
    if (!types.has(r.type)) types.set(r.type, cedarType(r.type));
  return (r) => {
    const ans = c.statefulIsAuthorized({
      principal,
      action: { type: "Action", id: r.action },
      resource: { type: types.get(r.type), id: r.id },
      context: {},
      preparsedPolicySetId: "peers",
      entities,
    });
    if (ans.type !== "success")
      fail(`cedar: ${JSON.stringify(ans.errors)}`);
    if (ans.response.diagnostics.errors.length !== 0)
      fail(`cedar: ${JSON.stringify(ans.response.diagnostics.errors)}`);
    return ans.response.decision === "allow";
  };
}

// ---- Biscuit --------------------------------------------------------------
// The token is a Biscuit minted once and signed with an Ed25519 root key:
// its authority block holds scope("...") and allowed(TYPE, ID) facts
// (allowed("template", "*") for template:*). It is serialised and parsed
// back with the root public key (signature verified) outside the timed
// loop. The server's authorizer knows the catalog, grants(SCOPE, TYPE,
// ACTION), and holds the two allow policies; per request it is built from
// that base with resource(TYPE, ID) and operation(ACTION) facts and the
// token, and authorize() either returns (allow) or throws (deny).
function biscuitCode(w) {
  const q = JSON.stringify;
  return {
    token: [
      ...w.scopes.map((s) => `scope(${q(s)});`),
      ...w.allow.map((a) => `allowed(${q(a.type)}, ${q(a.id)});`),
    ].join("\n"),
    authorizer: [
      ...w.grants.map(
        (g) => `grants(${q(g.scope)}, ${q(g.type)}, ${q(g.action)});`,
      ),
      // The request's facts first: they bind $op, $type and $id.
      "allow if operation($op), resource($type, $id), allowed($type, $id), scope($s), grants($s, $type, $op);",
      'allow if operation($op), resource($type, $id), allowed($type, "*"), scope($s), grants($s, $type, $op);',
    ].join("\n"),
  };
}

async function biscuit(w) {
  const b = await import("@biscuit-auth/biscuit-wasm");
  const code = biscuitCode(w);
  const root = new b.KeyPair(b.SignatureAlgorithm.Ed25519);
  const builder = b.Biscuit.builder();
  builder.addCode(code.token);
  const bytes = builder.build(root.getPrivateKey()).toBytes();
  const token = b.Biscuit.fromBytes(bytes, root.getPublicKey());

  const base = new b.AuthorizerBuilder();
  base.addCode(code.authorizer);
  // Biscuit's default limits (1000 facts, 100 iterations) with a time limit
  // of 10 s instead of 1 ms: on a shared machine a process can be kept off
  // the CPU for longer than 1 ms in the middle of a decision, and a timeout
  // is an error here, never a deny.
  const LIMITS = { max_facts: 1000, max_iterations: 100, max_time_micro: 10000000 };
  const resource = b.Fact.fromString("resource({type}, {id})");
  const operation = b.Fact.fromString("operation({op})");
  return (r) => {
    const a = new b.AuthorizerBuilder();
    a.merge(base);
    resource.set("type", r.type);
    resource.set("id", r.id);
    operation.set("op", r.action);
    a.addFact(resource);
    a.addFact(operation);
    const authz = a.buildAuthenticated(token);
    try {
      authz.authorizeWithLimits(LIMITS);
      return true;
    } catch (e) {
      // A deny is "no allow policy matched"; anything else (a limit, a
      // malformed fact) is an error, never a deny.
      const nomatch = e?.FailedLogic?.NoMatchingPolicy;
      if (nomatch && Array.isArray(nomatch.checks) && nomatch.checks.length === 0)
        return false;
      fail(`biscuit: ${JSON.stringify(e)}`);
    } finally {
      authz.free();
    }
  };
}

// ---- the bindings' own cost -------------------------------------------------
// `peers.mjs floor`: CPU time per call of the cheapest decision each wasm
// package can make, with no policy work to speak of: Cedar with one
// `permit (principal, action, resource);` and no entities, Biscuit with an
// authorizer that holds only `allow if true` and no token. What a decision
// costs above this is the engine's evaluation of the job.
async function floor() {
  const c = await import("@cedar-policy/cedar-wasm/nodejs");
  const b = await import("@biscuit-auth/biscuit-wasm");
  if (c.preparsePolicySet("floor", { staticPolicies: "permit (principal, action, resource);" }).type !== "success")
    fail("cedar: the floor policy does not parse");
  const call = {
    principal: { type: "Token", id: "token" },
    action: { type: "Action", id: "read" },
    resource: { type: "Workspace", id: "910a2dec-8902-4cc1-beeb-8da1658eec67" },
    context: {},
    preparsedPolicySetId: "floor",
    entities: [],
  };
  const allowAll = b.Policy.fromString("allow if true");
  const LIMITS = { max_facts: 1000, max_iterations: 100, max_time_micro: 10000000 };
  const cases = {
    cedar: () => c.statefulIsAuthorized(call).response.decision === "allow",
    biscuit: () => {
      const a = new b.AuthorizerBuilder();
      a.addPolicy(allowAll);
      const z = a.buildUnauthenticated();
      try {
        z.authorizeWithLimits(LIMITS);
        return true;
      } finally {
        z.free();
      }
    },
  };
  for (const [name, f] of Object.entries(cases)) {
    // Warm up as long as the job's checking pass does (4096 calls): the
    // first calls run before the JIT has compiled the wasm code fully.
    for (let i = 0; i < 4096; i++) f();
    const cpu = [];
    for (let k = 0; k < 5; k++) {
      const c0 = process.cpuUsage();
      for (let i = 0; i < 1000; i++) if (!f()) fail(`${name}: the floor call denied`);
      const c1 = process.cpuUsage(c0);
      cpu.push((((c1.user + c1.system) * 1000) / 1000).toFixed(1));
    }
    process.stdout.write(`floor engine=${name} calls=1000 cpu_ns=${cpu.join(",")}\n`);
  }
}

// ---- the run --------------------------------------------------------------
const ENGINES = { "casbin-node": casbinNode, cedar, biscuit };

async function main() {
  const [engine, workPath, modelPath] = process.argv.slice(2);
  if (engine === "floor") return floor();
  if (engine === "show" && workPath) {
    // Each encoding as text, for reading: node peers.mjs show WORKLOAD
    const w = load(workPath);
    const r = casbinRules(w);
    process.stdout.write(
      "# casbin policy lines\n" +
        ["p", "g", "g2"].map((k) => r[k].map((l) => `${k}, ${l.join(", ")}`).join("\n")).join("\n") +
        "\n\n# Cedar policies\n" + cedarPolicies(w) +
        "\n\n# Biscuit token (authority block)\n" + biscuitCode(w).token +
        "\n\n# Biscuit authorizer\n" + biscuitCode(w).authorizer + "\n",
    );
    return;
  }
  if (!ENGINES[engine] || !workPath)
    fail("usage: peers.mjs casbin-node|cedar|biscuit WORKLOAD [MODEL]");
  const w = load(workPath);
  let decide;
  try {
    decide = await ENGINES[engine](w, modelPath);
  } catch (e) {
    if (e?.code === "ERR_MODULE_NOT_FOUND" || e?.code === "ERR_UNKNOWN_FILE_EXTENSION") {
      process.stdout.write(`skip engine=${engine} reason=${e.message.split("\n")[0]}\n`);
      process.exit(3);
    }
    throw e;
  }

  let allowed = 0;
  const t0 = process.hrtime.bigint();
  w.reqs.forEach((r, i) => {
    const d = decide(r);
    if (d !== r.decision)
      fail(
        `${engine}: request ${i} (${r.type} ${JSON.stringify(r.id)} ${r.action}): ` +
          `${engine} says ${d ? "allow" : "deny"}, authz says ${r.decision ? "allow" : "deny"}`,
      );
    if (d) allowed++;
  });

  const dt = Number(process.hrtime.bigint() - t0);
  const env = (k, d) => (Number(process.env[k]) > 0 ? Number(process.env[k]) : d);
  const runs = env("PEERS_RUNS", 5);
  const minMs = env("PEERS_MIN_MS", 200);
  const count = Math.max(256, Math.floor((minMs * 1e6) / ((dt + 1) / w.reqs.length)));
  const wall = [],
    cpu = [];
  let next = 0;
  for (let k = 0; k < runs; k++) {
    let bad = 0;
    const c0 = process.cpuUsage();
    const w0 = process.hrtime.bigint();
    for (let j = 0; j < count; j++) {
      const r = w.reqs[next];
      if (decide(r) !== r.decision) bad++;
      if (++next === w.reqs.length) next = 0;
    }
    const dw = Number(process.hrtime.bigint() - w0);
    const c1 = process.cpuUsage(c0);
    if (bad !== 0) fail("a decision changed while timed");
    wall.push((dw / count).toFixed(1));
    cpu.push((((c1.user + c1.system) * 1000) / count).toFixed(1));
  }
  process.stdout.write(
    `result engine=${engine} n=${w.n} requests=${w.reqs.length} allowed=${allowed} ` +
      `per_run=${count} wall_ns=${wall.join(",")} cpu_ns=${cpu.join(",")}\n`,
  );
}

await main();
