// Scenarios are validated by walking schema/scenario.fields.json (host/node/sim/scenario.ts with the
// walker of host/node/config.ts): each field type refuses with its exact message; every field of the
// description is known to the walker and exercised (test/fixtures/scenarios/every-field.json holds
// every field, and each one, made wrong, is refused under its own name); every named rule exists.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { host } from "./helpers.mjs";

const root = new URL("../../", import.meta.url).pathname;
const read = (p) => JSON.parse(readFileSync(root + p, "utf8"));
const D = read("schema/scenario.fields.json");
const every = () => read("test/fixtures/scenarios/every-field.json");

function problems(raw) {
  try { host.validateScenario(raw); } catch (e) { assert.ok(e instanceof host.ScenarioError, String(e)); return e.problems; }
  assert.fail("accepted an invalid scenario");
}
/** Apply `mutate` to the every-field scenario; its problems must include each of `want` exactly. */
function refuses(mutate, ...want) {
  const raw = every();
  mutate(raw);
  const p = problems(raw);
  for (const w of want) assert.ok(p.includes(w), `missing: ${w}\nhave:\n${p.join("\n")}`);
}

test("scenario fields: each type refuses with field, expected and actual value", () => {
  assert.doesNotThrow(() => host.validateScenario(every()));
  // integer: wrong type, out of range, missing required
  refuses((r) => { r.seed = "x"; r.mobilityStepMs = 0; delete r.durationMs; },
    'scenario.seed: expected an integer 0..4294967295, got "x"',
    "scenario.mobilityStepMs: expected an integer 1..60000, got 0",
    "scenario.durationMs: expected an integer 1..31536000000, got nothing");
  refuses((r) => { r.nodes[4].leaseSec = 1.5; }, "scenario.nodes[4].leaseSec: expected an integer 10..2147483647, got 1.5");
  // number
  refuses((r) => { r.wifi.hysteresisDb = 101; r.segments[0].loss = "none"; delete r.accessPoints[0].x; },
    "scenario.wifi.hysteresisDb: expected a number 0..100, got 101",
    'scenario.segments[0].loss: expected a number 0..1, got "none"',
    "scenario.accessPoints[0].x: expected a number -1000000..1000000, got nothing");
  // boolean, string
  refuses((r) => { r.wifi.linkHints = "yes"; r.description = 5; r.name = "no spaces"; },
    'scenario.wifi.linkHints: expected true or false, got "yes"',
    "scenario.description: expected a string, got 5",
    "scenario.name: expected 1-32 letters, digits, '_', '.', '-', got \"no spaces\"");
  // list
  refuses((r) => { r.segments = { lan1: {} }; r.nodes[4].dns = ["1.1.1.1", "1.1.1.2", "1.1.1.3", "1.1.1.4", "1.1.1.5"]; r.nodes[2].movement.points = []; },
    'scenario.segments: expected a list, got {"lan1":{}}',
    'scenario.nodes[4].dns: expected a list of up to 4 addresses, got ["1.1.1.1","1.1.1.2","1.1.1.3","1.1.1.4","1.1.1.5"]',
    "scenario.nodes[2].movement.points: expected a non-empty list, got []");
  assert.ok(problems({ name: "x", durationMs: 1, nodes: [] }).includes("scenario.nodes: expected a non-empty list, got []"));
  // object
  refuses((r) => { r.wifi = 3; r.nodes[0].position = "here"; r.segments[1] = "lan2"; r.nodes[4].pool = null; r.nodes[3].movement.area = [0, 0, 1, 1]; },
    "scenario.wifi: expected an object, got 3",
    'scenario.nodes[0].position: expected an object {x, y} in metres, got "here"',
    'scenario.segments[1]: expected an object, got "lan2"',
    "scenario.nodes[4].pool: expected an object {start, end} of addresses on the server's subnet, got null",
    "scenario.nodes[3].movement.area: expected an object {x0, y0, x1, y1} in metres, got [0,0,1,1]");
  // map
  refuses((r) => { r.nodes[1].attach = "lan1"; }, 'scenario.nodes[1].attach: expected an object mapping each interface name to a segment, "wifi" or null, got "lan1"');
  // variant: not an object, no such tag, and the tag's default (a node without kind is a board)
  refuses((r) => { r.nodes[2].movement = 5; r.nodes[3].movement.type = "fly"; r.apps[0].type = "tcp"; r.actions[0] = 7; r.nodes[4].kind = "printer"; },
    'scenario.nodes[2].movement: expected an object with type "waypoints" or "randomWalk", got 5',
    'scenario.nodes[3].movement.type: expected "waypoints" or "randomWalk", got "fly"',
    'scenario.apps[0].type: expected "cbr" or "ping", got "tcp"',
    "scenario.actions[0]: expected an object, got 7",
    'scenario.nodes[4].kind: expected "board" (a firmware node, the default) or "dhcp-server", got "printer"');
  // mac, cidr4, ipv4
  refuses((r) => { r.accessPoints[0].bssid = "03:aa:00:00:00:01"; r.nodes[4].mac = "00:00:00:00:00:00"; r.nodes[4].ipv4 = "10.0.2.2/31"; r.nodes[4].dns = ["dns"]; },
    'scenario.accessPoints[0].bssid: expected a unicast MAC address like 02:aa:00:00:00:01, got "03:aa:00:00:00:01"',
    'scenario.nodes[4].mac: expected a unicast MAC address like 02:00:00:00:04:02, got "00:00:00:00:00:00"',
    'scenario.nodes[4].ipv4: expected the server\'s address with prefix length like 10.4.0.2/24 (prefix 1..30), got "10.0.2.2/31"',
    'scenario.nodes[4].dns[0]: expected an address like 10.0.0.53, got "dns"');
  // hex, span
  refuses((r) => { r.actions[3].frameHex = "ff ff ff"; r.nodes[3].movement.speedMps = [3, 1]; },
    "scenario.actions[3].frameHex: expected an Ethernet frame as hex (14..9018 bytes; spaces and ':' ignored), got \"ff ff ff\"",
    "scenario.nodes[3].movement.speedMps: expected a speed in m/s (0..1000] or a range [min, max], got [3,1]");
  refuses((r) => { r.nodes[3].movement.speedMps = 0; }, "scenario.nodes[3].movement.speedMps: expected a speed in m/s (0..1000] or a range [min, max], got 0");
  // ref (checked by rules), absent or wrong
  refuses((r) => { delete r.accessPoints[0].segment; r.nodes[4].attach = "lan9"; r.actions[1].node = "dhcp1"; r.actions[4].segment = 3; },
    "scenario.accessPoints[0].segment: expected one of the segments lan1, lan2, got nothing",
    'scenario.nodes[4].attach: expected one of the segments lan1, lan2, got "lan9"',
    'scenario.actions[1].node: expected one of the firmware nodes r1, h1, m1, m2, got "dhcp1"',
    "scenario.actions[4].segment: expected one of the segments or access points lan1, lan2, ap1, got 3");
  // unknown fields, at every level
  refuses((r) => { r.bogus = 1; r.wifi.x = 1; r.nodes[3].movement.area.z = 1; r.apps[1].port = 7; r.nodes[0].position.z = 0; },
    'scenario.bogus: expected one of the fields name, description, seed, durationMs, mobilityStepMs, wifi, segments, accessPoints, nodes, apps, actions, changes, comment, $schema, got "bogus"',
    'scenario.wifi.x: expected one of the fields hysteresisDb, linkHints, got "x"',
    'scenario.nodes[3].movement.area.z: expected one of the fields x0, y0, x1, y1, got "z"',
    'scenario.apps[1].port: expected one of the fields type, name, from, to, family, intervalMs, count, sizeBytes, startMs, stopMs, comment, got "port"',
    'scenario.nodes[0].position.z: expected one of the fields x, y, got "z"');
  // a board node's other fields are its node configuration, refused as such
  refuses((r) => { r.nodes[1].bogus = 1; }, 'scenario.nodes[1].bogus: expected one of the fields name, board, roles, sizes, node, interfaces, ipv6, ipv6Groups, tunnels6, ipsec, routes, routes6, mobility, securityAssociations, comment, $schema, got "bogus"');
  // unique within a list
  refuses((r) => { r.apps[1].name = "cbr1"; r.accessPoints.push({ ...r.accessPoints[0], name: "ap2" }); },
    'scenario.apps[1].name: expected an app name not used by another app, got "cbr1"',
    'scenario.accessPoints[1].bssid: expected a BSSID not used by another access point, got "02:aa:00:00:00:01"');
  // movement under its older name "mobility", and both at once
  refuses((r) => { r.nodes[2].mobility = r.nodes[2].movement; delete r.nodes[2].movement; r.nodes[2].mobility.points[1].atMs = -1; },
    "scenario.nodes[2].mobility.points[1].atMs: expected a number 0..31536000000, got -1");
  refuses((r) => { r.nodes[2].mobility = { type: "waypoints", points: [{ atMs: 0, x: 0, y: 0 }] }; },
    'scenario.nodes[2].mobility: expected Mobile IP settings (movement is given in "movement"), got {"type":"waypoints","points":[{"atMs":0,"x":0,"y":0}]}');
});

test("scenario fields: the rules the description names refuse with their messages", () => {
  refuses((r) => { r.segments[1].name = "wifi"; r.accessPoints[0].name = "lan1"; },
    'scenario.segments[1].name: expected a name other than "wifi", got "wifi"',
    'scenario.accessPoints[0].name: expected a name not used by scenario.segments[0], got "lan1"');
  refuses((r) => { r.nodes[4].name = "h1"; r.nodes[4].mac = "02:00:00:00:01:10"; },
    'scenario.nodes[4].name: expected a node name not used by another node, got "h1"',
    'scenario.nodes[4].mac: expected a MAC address not used by h1.eth0, got "02:00:00:00:01:10"');
  refuses((r) => { r.nodes[4].pool = { start: "10.0.2.120", end: "10.0.2.100" }; r.nodes[4].router = "10.9.9.9"; },
    'scenario.nodes[4].pool.end: expected an address not below start (10.0.2.120), got "10.0.2.100"',
    'scenario.nodes[4].router: expected a router address on the server\'s subnet, got "10.9.9.9"');
  refuses((r) => { r.nodes[4].pool = { start: "10.0.2.1", end: "10.0.2.9" }; },
    'scenario.nodes[4].pool: expected a range that leaves out the server\'s own address 10.0.2.2, got {"start":"10.0.2.1","end":"10.0.2.9"}');
  refuses((r) => { r.nodes[2].attach = { wlan0: "wifi", eth5: null }; },
    'scenario.nodes[2].attach.eth5: expected one of the interfaces wlan0, eth9, got "eth5"',
    "scenario.nodes[2].attach.eth9: expected a segment name, \"wifi\" or null for every interface, got nothing");
  refuses((r) => { r.nodes[2].movement.points[1].atMs = 0; r.nodes[2].movement.points.unshift({ atMs: 5, x: 0, y: 0 }); r.nodes[3].movement.area.x1 = -20; },
    "scenario.nodes[2].movement.points[1].atMs: expected a time not before the previous point (5), got 0",
    'scenario.nodes[3].movement.area: expected x0 <= x1 and y0 <= y1, got {"x0":-10,"y0":-10,"x1":-20,"y1":10}');
  refuses((r) => { delete r.nodes[2].movement; r.accessPoints = []; },
    'scenario.nodes[2].position: expected a position {x, y} (or a movement) for a node with a "wifi" interface, got nothing',
    'scenario.nodes[2].attach: expected access points in the scenario for a "wifi" interface, got "no accessPoints"');
  refuses((r) => { r.apps[0].from = "r1"; r.apps[1].to = "dhcp1"; r.apps[0].stopMs = 50; },
    'scenario.apps[0].from: expected a node with the role "host" (a local stack), got "r1"',
    'scenario.apps[1].to: expected a firmware node (not a dhcp-server), got "dhcp1"',
    "scenario.apps[0].stopMs: expected a time after startMs (100), got 50");
  refuses((r) => { r.changes.push({ atMs: 5, node: "nobody", ipv6: [] }, { atMs: 5, node: "h1", ipv6: [] }, { atMs: 5, node: "dhcp1", ipv6: [] }, { atMs: 5, node: "r1", ipv6: [] },
    { atMs: 5, node: "r1", ipv6: [{ iface: "eth7", address: "2001:db8:3::1/64", colour: "red" }, { iface: "eth0", address: "10.0.3.1/24" }] }); },
    'scenario.changes[1].node: expected one of the firmware nodes r1, h1, m1, m2, got "nobody"',
    'scenario.changes[2].node: expected a node with node.ipv6 "dual" or "only" (the change adds IPv6 addresses), got "h1"',
    'scenario.changes[3].node: expected one of the firmware nodes r1, h1, m1, m2, got "dhcp1"',
    'scenario.changes[4].ipv6: expected a non-empty list of IPv6 addresses like [{ "iface": "eth0", "address": "2001:db8:2::1/64" }], got []',
    'scenario.changes[5].ipv6[0].colour: expected one of the fields iface, address, advertise, home, validSec, preferredSec, got "colour"',
    'scenario.changes[5].ipv6[0].iface: expected one of the interfaces eth0, eth1, got "eth7"',
    'scenario.changes[5].ipv6[1].address: expected an IPv6 address with prefix length like 2001:db8:1::1/64, got "10.0.3.1/24"');
  refuses((r) => { r.apps[2].to = "2001:db8::1"; }, 'scenario.apps[2].listener: expected one of the nodes r1, h1, m1, m2, dhcp1 running IPv6, for a flow to an IPv6 multicast group, got "m2"');
  refuses((r) => { r.apps.push({ type: "cbr", name: "cbr2", from: "m1", to: "m1", port: 6000 }); },
    'scenario.apps[3].port: expected a port not used by another flow to m1, got 6000');
  // Defaults the rules fill in: ports by index, stopMs at the end, the start position from the movement.
  const raw = every();
  raw.apps.push({ type: "cbr", name: "cbr3", from: "m1", to: "h1" });
  const s = host.validateScenario(raw);
  assert.deepEqual([s.apps[3].port, s.apps[3].sourcePort, s.apps[3].stopMs, s.apps[3].dst], [5003, 40003, Infinity, 0x0a00010a]);
  // A flow to a group counted at its listener (issue 13.5); a listener for a unicast destination is refused.
  assert.deepEqual([s.apps[2].to, s.apps[2].listener, s.apps[2].dst6[0]], ["ff0e::101", "m2", 0xff]);
  assert.deepEqual(s.nodes.map((n) => n.position), [{ x: 5, y: 5 }, null, { x: 0, y: 5 }, { x: 0, y: 0 }]);
  assert.deepEqual(s.nodes[2].attach, ["wifi", null]);
  assert.deepEqual(s.segments[1], { name: "lan2", ...host.SEGMENT_DEFAULTS });
  assert.deepEqual(host.SEGMENT_DEFAULTS, { delayUs: 100, jitterUs: 0, loss: 0, bandwidthBps: 100e6, queueFrames: 256 });
  assert.deepEqual(host.CELL_DEFAULTS, { delayUs: 1000, jitterUs: 0, loss: 0, bandwidthBps: 54e6, queueFrames: 64 });
  assert.deepEqual(Array.from(s.actions[3].frame), [255, 255, 255, 255, 255, 255, 2, 0, 0, 0, 9, 9, 8, 0]);
  // A change: its time, node, words, and the buffer for config_add (header, one ADDR6 record: interface 1,
  // /64, advertised, the default lifetimes, the address).
  assert.deepEqual(s.changes.map((c) => [c.atUs, c.node, c.what]), [[1000000, "r1", "2001:db8:2::1/64 on eth1 (advertised)"]]);
  assert.equal(Buffer.from(s.changes[0].records).toString("hex"),
    "4d495046000200000800002001400200" + "00278d00" + "00093a80" + "00000000" + "20010db8000200000000000000000001");
});

test("scenario fields: the description uses only what the walker knows, and every rule it names exists", () => {
  assert.deepEqual(host.describeProblems(host.SCENARIO_DESCRIPTION), []);
  assert.deepEqual(host.describeProblems(host.CONFIG_DESCRIPTION), []);
  const named = Object.keys(D.rules).filter((k) => k !== "$comment");
  assert.deepEqual(Object.keys(host.SCENARIO_RULES), named, "scenario.ts RULES are the description's rules, in its order");
  // describeProblems itself finds an unknown type, key and rule.
  const bad = structuredClone(D);
  bad.root.fields.seed.type = "float";
  bad.root.fields.name.colour = "red";
  bad.root.fields.wifi.rules = ["nope"];
  assert.deepEqual(host.describeProblems(bad), ["root.name: key colour", "root.seed: type float", "root.seed: no expected text for float", "root.wifi: rule nope"]);
});

/** Every field of the description with where it stands in `raw` (lists at each item, variants by tag). */
function fieldsOf(f, v, at, out, seen, key) {
  seen.add(key);
  out.push({ f, at, key });
  if (v === undefined || v === null) return;
  const sub = f.type === "variant" ? variant(f, v[f.tag] ?? f.tagDefault) : f;
  const k2 = f.type === "variant" ? `${key}<${v[f.tag] ?? f.tagDefault}>` : key;
  if (f.type === "variant") seen.add(k2);
  if (sub.type === "object") for (const [k, x] of Object.entries(sub.fields)) {
    const from = x.legacy && v[k] === undefined && v[x.legacy.field]?.[x.legacy.has] !== undefined ? x.legacy.field : k;
    if (from in v) fieldsOf(x, v[from], `${at}.${from}`, out, seen, `${k2}.${k}`);
    else seen.has(`${k2}.${k}`) || out.push({ f: x, at: `${at}.${k}`, key: `${k2}.${k}`, absent: true });
  }
  if (sub.type === "list") v.forEach((x, i) => fieldsOf(sub.items, x, `${at}[${i}]`, out, seen, `${k2}[]`));
  if (sub.type === "map") for (const [k, x] of Object.entries(v)) fieldsOf(sub.items, x, `${at}.${k}`, out, seen, `${k2}.*`);
}
const variant = (f, tag) => f.variants[tag]?.same ? variant(f, f.variants[tag].same) : f.variants[tag];
/** Every field key of the description (variants by tag, list items as []). */
function keysOf(f, key, out) {
  out.add(key);
  if (f.same) return out;
  if (f.variants) for (const t of Object.keys(f.variants)) keysOf(f.variants[t], `${key}<${t}>`, out); // a "same" variant: its tag only
  for (const [k, x] of Object.entries(f.fields ?? {})) keysOf(x, `${key}.${k}`, out);
  if (f.items) keysOf(f.items, f.type === "map" ? `${key}.*` : `${key}[]`, out);
  return out;
}

test("scenario fields: every field of the description is in every-field.json, and each one made wrong is refused under its own name", () => {
  const raw = every();
  const seen = new Set(), all = [];
  fieldsOf(D.root, raw, "scenario", all, seen, "");
  const missing = [...keysOf(D.root, "", new Set())].filter((k) => !seen.has(k));
  assert.deepEqual(missing, [], "fields of scenario.fields.json that every-field.json does not give");
  const path = (at) => at.replace(/^scenario\.?/, "").split(/\.|\[(\d+)\]/).filter((x) => x !== undefined && x !== "");
  const setAt = (o, at, v) => { const p = path(at); let x = o; for (const k of p.slice(0, -1)) x = x[k]; if (v === undefined) delete x[p.at(-1)]; else x[p.at(-1)] = v; };
  let mutated = 0;
  for (const { f, at, absent } of all) {
    if (at === "scenario" || absent) continue;
    if (f.type === "any") {
      // Any value is accepted (comments, $schema); the tag fields of variants are checked by their variant.
      if (/\.(type|kind)$/.test(at)) continue;
      const r = every(); setAt(r, at, { anything: [1] });
      assert.doesNotThrow(() => host.validateScenario(r), at);
      continue;
    }
    const wrong = ["object", "map", "variant"].includes(f.type) ? 12345 : f.type === "list" ? "x" : { wrong: true };
    const r = every(); setAt(r, at, wrong);
    const p = problems(r);
    assert.ok(p.some((x) => x.startsWith(`${at}: expected `) || x.startsWith(`${at}.`)), `${at} = ${JSON.stringify(wrong)}:\n${p.join("\n")}`);
    mutated++;
    if (f.required) {
      const r2 = every(); setAt(r2, at, undefined);
      assert.ok(problems(r2).some((x) => x.startsWith(`${at}: expected `) && x.endsWith("got nothing")), `${at} absent`);
    }
  }
  assert.ok(mutated >= 100, `${mutated} fields mutated`);
});
