// Route optimization on real Linux interfaces (issue 10 point 9; docs/e2e.md "Route optimization"):
// test/e2e/ro-netns.sh builds the roaming topology in network namespaces with the correspondent itself a
// `mipfw-board` (route optimization on; its Linux programs send through the board's TUN), roams the mobile
// node home -> fa1 -> fa2 -> home with smooth handoff on, and checks on the bridge captures that the
// correspondent's datagrams go straight to each care-of address after the home agent's Binding Update.
// Skipped unless running as root with `ip netns`, tshark and the mipfw-board binary built.
import { test } from "node:test";
import { runNetnsScript } from "./netns-run.mjs";

test("e2e: route optimization on real interfaces — a mipfw-board correspondent tunnels straight to the care-of address; smooth handoff fa1 -> fa2", (t) => runNetnsScript(t, "ro-netns.sh", "mipfw-ro-e2e-", "br-core at fa1"));
