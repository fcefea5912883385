// Distributed registration on real Linux interfaces (issue 11 point 8; docs/e2e.md "Distributed registration"):
// test/e2e/dremip-netns.sh builds the roaming topology in network namespaces with a home registration server,
// a local registration server and a care-of agent as `mipfw-board` processes (with the home agent, the foreign
// agents and the mobile node), roams the mobile node home -> fa1 -> fa2 -> home and checks the registrations,
// the tunnel chain ha -> coa1 -> fa on the core bridge, and that the move inside the domain reached no home node.
// Skipped unless running as root with `ip netns`, tshark and the mipfw-board binary built.
import { test } from "node:test";
import { runNetnsScript } from "./netns-run.mjs";

test("e2e: distributed registration on real interfaces — registration servers and a care-of agent as mipfw-board processes; tunnel chain ha -> coa1 -> fa; the move fa1 -> fa2 stays in the domain", (t) => runNetnsScript(t, "dremip-netns.sh", "mipfw-dr-e2e-", "br-core:"));
