#!/usr/bin/env python3
"""UDP stream for the end-to-end test (docs/e2e.md), standard library only.

  udp.py send DEST PORT RATE LOG      send "seq send_time" datagrams at RATE/s until killed; log "seq t"
  udp.py echo DEST PORT RATE SENT RECV   as send (SENT as its LOG), from one socket that also takes the
                                       echoed datagrams and logs them to RECV like recv
  udp.py recv PORT LOG                 log "seq send_time recv_time" for every datagram received
  udp.py wait LOG AFTER TIMEOUT        exit 0 once LOG holds a datagram sent after AFTER (epoch s), 1 on timeout
  udp.py handoffs EVENTS              per link-up of the mobile node: time to its accepted registration reply
  udp.py report SENT RECV MOVES OUT [PING]   per move (MOVES: "label time" lines): interruption and loss
                                       as JSON (PING: `ping -D` output: requests lost)
"""
import json
import os
import socket
import sys
import threading
import time


def send(dest, port, rate, log, s=None):
    s = s or socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    gap = 1.0 / rate
    seq = 0
    nxt = time.time()
    with open(log, "w", buffering=1) as f:
        while True:
            now = time.time()
            payload = f"{seq} {now:.6f} ".encode().ljust(200, b".")
            try:
                s.sendto(payload, (dest, port))
            except OSError:
                pass  # no route yet: the packet is lost like any other
            f.write(f"{seq} {now:.6f}\n")
            seq += 1
            nxt += gap
            time.sleep(max(0.0, nxt - time.time()))


def echo(dest, port, rate, sent_log, recv_log):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind(("0.0.0.0", 0))
    threading.Thread(target=recv_loop, args=(s, recv_log), daemon=True).start()
    send(dest, port, rate, sent_log, s)


def recv(port, log):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind(("0.0.0.0", port))
    recv_loop(s, log)


def recv_loop(s, log):
    with open(log, "w", buffering=1) as f:
        while True:
            data = s.recv(2048)
            t = time.time()
            parts = data.split(b" ")
            try:
                f.write(f"{int(parts[0])} {float(parts[1]):.6f} {t:.6f}\n")
            except (ValueError, IndexError):
                pass


def read_recv(path):
    out = []
    if not os.path.exists(path):
        return out
    with open(path) as f:
        for line in f:
            p = line.split()
            if len(p) == 3:
                out.append((int(p[0]), float(p[1]), float(p[2])))
    return out


def wait(log, after, timeout):
    end = time.time() + timeout
    while time.time() < end:
        if any(sent > after for _, sent, _ in read_recv(log)[-50:]):
            return 0
        time.sleep(0.05)
    return 1


def report(sent_log, recv_log, moves_log, out, ping_log=None):
    ping = []
    if ping_log and os.path.exists(ping_log):
        with open(ping_log) as f:
            for line in f:  # "[1763790000.123456] 64 bytes from 10.1.0.20: icmp_seq=5 ttl=63 time=0.4 ms"
                if "bytes from" in line and line.startswith("[") and "icmp_seq=" in line:
                    q = int(line.split("icmp_seq=")[1].split()[0])
                    ping.append((float(line[1:line.index("]")]), q))
    sent = []
    with open(sent_log) as f:
        for line in f:
            p = line.split()
            if len(p) == 2:
                sent.append((int(p[0]), float(p[1])))
    got = {}
    for seq, st, rt in read_recv(recv_log):
        got.setdefault(seq, (st, rt))
    moves = []
    with open(moves_log) as f:
        for line in f:
            p = line.split()
            if len(p) == 2:
                moves.append((p[0], float(p[1])))
    end = sent[-1][1] if sent else 0
    rows = []
    for i, (label, t) in enumerate(moves):
        t_next = moves[i + 1][1] if i + 1 < len(moves) else end
        window = [(s, st) for s, st in sent if t <= st < t_next]
        lost = [s for s, _ in window if s not in got]
        # Interruption: the longest run of lost datagrams around/after the move, as the time between the
        # sending of the last datagram delivered before it and the first delivered after it (send times,
        # so a sender that pauses does not count as an outage).
        recvd = sorted((s, st) for s, st in sent if s in got and t - 2.0 <= st < t_next)
        gaps = [b[1] - a[1] for a, b in zip(recvd, recvd[1:]) if b[0] > a[0] + 1 and b[1] >= t]
        if label == "start":
            first = min((got[s][1] for s, st in window if s in got), default=None)
            gaps = [first - t] if first is not None else []
        rows.append({
            "move": label,
            "sent": len(window),
            "received": len(window) - len(lost),
            "lost": len(lost),
            "interruptionMs": round(max(gaps) * 1000) if gaps else (0 if window and not lost else None),
        })
        if ping:
            seqs = sorted({q for x, q in ping if t - 1.0 <= x < t_next})
            rows[-1]["pingReplies"] = len(seqs)
            rows[-1]["pingLost"] = (seqs[-1] - seqs[0] + 1 - len(seqs)) if seqs else None
    with open(out, "w") as f:
        json.dump({"moves": rows, "sentTotal": len(sent), "receivedTotal": len(got)}, f, indent=1)
    for r in rows:
        extra = f"; ping: {r['pingLost']} lost, {r['pingReplies']} answered" if "pingLost" in r else ""
        print(f"  {r['move']:<10} UDP interruption {r['interruptionMs']} ms, lost {r['lost']}/{r['sent']}{extra}")


def handoffs(events_log):
    """From the mobile node's events: per link-up, the time until the next accepted registration reply."""
    ev = []
    with open(events_log) as f:
        for line in f:
            try:
                ev.append(json.loads(line))
            except ValueError:
                pass
    out = []
    for i, e in enumerate(ev):
        if e.get("name") == "link" and e.get("up"):
            rep = next((x for x in ev[i + 1:] if x.get("name") == "reg_reply" and x.get("code") == 0), None)
            nxt = next((x for x in ev[i + 1:] if x.get("name") == "link"), None)
            if rep and (nxt is None or rep["tMs"] <= nxt["tMs"]):
                out.append(f"coa {rep['coa']}: registered {rep['tMs'] - e['tMs']} ms after link up")
    print("  " + "\n  ".join(out))


if __name__ == "__main__":
    a = sys.argv[1:]
    if a[:1] == ["send"]:
        send(a[1], int(a[2]), float(a[3]), a[4])
    elif a[:1] == ["echo"]:
        echo(a[1], int(a[2]), float(a[3]), a[4], a[5])
    elif a[:1] == ["recv"]:
        recv(int(a[1]), a[2])
    elif a[:1] == ["wait"]:
        sys.exit(wait(a[1], float(a[2]), float(a[3])))
    elif a[:1] == ["handoffs"]:
        handoffs(a[1])
    elif a[:1] == ["report"]:
        report(a[1], a[2], a[3], a[4], a[5] if len(a) > 5 else None)
    else:
        print(__doc__)
        sys.exit(2)
