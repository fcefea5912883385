#!/usr/bin/env python3
"""The emulated rv32 MCU's side of test/e2e/mcu-netns.sh (docs/mcu.md "Roaming on real interfaces"),
standard library only.

  mcu.py uart IN LOG EVENTS    read the MCU's UART lines from IN (a FIFO fed by qemu's stdout) until EOF;
                               LOG: every line with the host time ("<epoch s> <line>"); EVENTS: each
                               "event K HEX" line decoded with schema/events.json as one JSON line
                               {"tMs": host epoch ms, "kind", "name", fields..., "hex"} (the same
                               fields as mipfw-board's MIPFW_EVENTS, docs/e2e.md)
  mcu.py monitor SOCK CMD      one command to qemu's human monitor on the unix socket SOCK
  mcu.py monitor SOCK -        commands from stdin, one a line, over one connection (no start-up cost per
                               command); per command a line "ok" or "error: <monitor output>"
  mcu.py figures LOG OUT       the counters and "# mcu" figures of the last 'c' report in LOG, merged
                               into the JSON file OUT under "mcu"; printed
"""
import json
import os
import re
import socket
import sys
import time

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..")


def load_schema():
    with open(os.path.join(ROOT, "schema", "events.json")) as f:
        s = json.load(f)
    return {e["kind"]: e for e in s["events"]}, s["enums"]


def addr(b):
    if b[:10] == bytes(10) and b[10:12] == b"\xff\xff":
        return ".".join(str(x) for x in b[12:16])
    return ":".join(b[i:i + 2].hex() for i in range(0, 16, 2))


def decode(kind, data, table, enums):
    ev = {"kind": kind}
    e = table.get(kind)
    if e is None:
        ev["name"] = f"kind_{kind}"
        ev["hex"] = data.hex()
        return ev
    ev["name"] = e["name"]
    size = {"u8": 1, "bool": 1, "enum": 1, "regflags": 1, "accepted": 1, "u16": 2, "u32": 4, "mac": 6, "addr": 16}
    if all(f["at"] + size[f["type"]] <= len(data) for f in e["fields"]):
        for f in e["fields"]:
            at, t = f["at"], f["type"]
            v = data[at:at + size[t]]
            if t in ("u8", "regflags"):
                val = v[0]
            elif t == "bool":
                val = v[0] != 0
            elif t == "accepted":
                val = v[0] in (0, 1)
            elif t == "u16":
                val = int.from_bytes(v, "little")
            elif t == "u32":
                val = int.from_bytes(v, "little")
            elif t == "mac":
                val = ":".join(f"{x:02x}" for x in v)
            elif t == "addr":
                val = addr(v)
            else:  # enum
                en = enums[f["enum"]]
                val = en["names"].get(str(v[0]), f"{en['prefix']}_{v[0]}")
            ev[f["name"]] = val
    ev["hex"] = data.hex()
    return ev


def uart(src, log, events):
    table, enums = load_schema()
    with open(src, "rb") as inp, open(log, "w", buffering=1) as lf, open(events, "w", buffering=1) as ef:
        for raw in inp:
            t = time.time()
            line = raw.decode("utf-8", "replace").rstrip("\r\n")
            lf.write(f"{t:.6f} {line}\n")
            m = re.fullmatch(r"event (\d+) ([0-9a-f]*)", line)
            if m:
                ev = {"tMs": round(t * 1000)}
                ev.update(decode(int(m.group(1)), bytes.fromhex(m.group(2)), table, enums))
                ef.write(json.dumps(ev, separators=(",", ":")) + "\n")


def monitor(path, cmd):
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.settimeout(5)
    s.connect(path)
    buf = b""
    cmds = (l.strip() for l in sys.stdin) if cmd == "-" else [cmd]

    def until_prompt():
        nonlocal buf
        while not buf.rstrip().endswith(b"(qemu)"):
            d = s.recv(4096)
            if not d:
                raise SystemExit(f"monitor {path}: closed")
            buf += d

    until_prompt()  # banner
    bad = 0
    for c in cmds:
        if not c:
            continue
        buf = b""
        s.sendall(c.encode() + b"\n")
        until_prompt()
        # the echo of the command, then its output (terminal escapes stripped)
        out = re.sub(rb"\x1b\[[0-9;]*[A-Za-z]", b"", buf).decode("utf-8", "replace")
        out = " ".join(l.strip() for l in out.splitlines() if l.strip() and c not in l and not l.startswith("(qemu)"))
        bad += 1 if out else 0  # set_link prints nothing when it worked
        print(f"error: {out}" if out else "ok", flush=True)
    s.close()
    return 1 if bad else 0


def figures(log, out):
    with open(log) as f:
        lines = [l.split(" ", 1)[1].rstrip("\n") if " " in l else "" for l in f]
    starts = [i for i, l in enumerate(lines) if l.startswith("counter ") or l.startswith("udp_echo ") or l.startswith("# mcu")]
    ends = [i for i, l in enumerate(lines) if l == "counters end"]
    if not ends:
        print("no counters report ('c') in the UART log")
        return 1
    end = ends[-1]
    begin = end
    while begin > 0 and begin - 1 in starts:
        begin -= 1
    fig = {"counters": {}}
    for l in lines[begin:end]:
        m = re.fullmatch(r"counter (\S+) (\d+)", l)
        if m:
            fig["counters"][m.group(1)] = int(m.group(2))
        m = re.fullmatch(r"udp_echo port (\d+) sent (\d+) dropped (\d+)", l)
        if m:
            fig["udpEcho"] = {"port": int(m.group(1)), "sent": int(m.group(2)), "dropped": int(m.group(3))}
        m = re.search(r"heap peak (\d+) bytes .*C stack peak (\d+) of (\d+), RAM before the heap (\d+), RAM high-water (\d+) of (\d+)", l)
        if m:
            fig.update(heapPeak=int(m.group(1)), cStackPeak=int(m.group(2)), ramStatic=int(m.group(4)),
                       ramHighWater=int(m.group(5)), ramBytes=int(m.group(6)))
        m = re.search(r"value stack peak (\d+) bytes, compiled (\d+) of (\d+) functions, linear memory (\d+)", l)
        if m:
            fig.update(wasm3StackPeak=int(m.group(1)), compiled=int(m.group(2)), functions=int(m.group(3)),
                       linearMemory=int(m.group(4)))
    res = {}
    if os.path.exists(out):
        with open(out) as f:
            res = json.load(f)
    res["mcu"] = fig
    with open(out, "w") as f:
        json.dump(res, f, indent=1)
    print(f"  mcu: RAM high-water {fig.get('ramHighWater')} of {fig.get('ramBytes')} bytes (heap peak {fig.get('heapPeak')}, "
          f"C stack {fig.get('cStackPeak')}), wasm3 value stack {fig.get('wasm3StackPeak')}, "
          f"compiled {fig.get('compiled')} of {fig.get('functions')} functions, udp echo {fig.get('udpEcho')}")
    return 0


if __name__ == "__main__":
    a = sys.argv[1:]
    if a[:1] == ["uart"] and len(a) == 4:
        uart(a[1], a[2], a[3])
    elif a[:1] == ["monitor"] and len(a) == 3:
        sys.exit(monitor(a[1], a[2]))
    elif a[:1] == ["figures"] and len(a) == 3:
        sys.exit(figures(a[1], a[2]))
    else:
        print(__doc__)
        sys.exit(2)
