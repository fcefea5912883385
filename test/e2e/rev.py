#!/usr/bin/env python3
"""A third-party RFC 3344 mobile node and its correspondent for the reverse-tunnel interoperability test
on real interfaces (test/e2e/rev-netns.sh; issue 7.16, RFC 3024), standard library only. Written from the
RFCs, not from mipfw's code: it is the peer mipfw-board (home agent, "rfc3344" profile) must work with.

  rev.py recv PORT OUT TIMEOUT      correspondent: every UDP datagram on PORT -> OUT (JSON list of
                                    [source, payload]) until the payload "end" arrives or TIMEOUT s pass
  rev.py mn HA HOME COA CN PORT N SPI KEY OUT
                                    mobile node with a co-located care-of address COA: registers with T (0x02,
                                    reverse tunnelling, RFC 3024 §5.2) and D (0x20) from COA:434 to HA:434,
                                    resynchronising its timestamp on a 133 reply (RFC 2002 §5.6.1), verifies
                                    the replies' mobile-home authenticators; then sends N UDP datagrams from
                                    HOME to CN:PORT three ways on raw sockets: "tun" IP in IP from COA to HA
                                    (the reverse tunnel), "plain" untunnelled, "forged" IP in IP from a
                                    care-of address that is not the binding's; "spoof" untunnelled from CN's
                                    address (home prefix) to HOME; then "end" through the tunnel.
                                    Summary -> OUT (JSON)
"""
import hashlib
import hmac
import json
import os
import socket
import struct
import sys
import time

NTP_OFFSET = 2208988800  # seconds from 1900 to 1970
FLAG_D = 0x20            # RFC 2002 §3.3: decapsulation by the mobile node (co-located care-of address)
FLAG_T = 0x02            # RFC 3024 §5.2 / RFC 3344 §3.3: reverse tunnelling
EXT_MH_AUTH = 32         # RFC 2002 §3.5.2 mobile-home authentication extension


def cksum(b):
    if len(b) % 2:
        b += b"\0"
    s = sum(struct.unpack("!%dH" % (len(b) // 2), b))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return ~s & 0xFFFF


def ipv4(src, dst, proto, payload, ident):
    h = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(payload), ident & 0xFFFF, 0, 64, proto, 0,
                    socket.inet_aton(src), socket.inet_aton(dst))
    return h[:10] + struct.pack("!H", cksum(h)) + h[12:] + payload


def udp(src, dst, sport, dport, data):
    u = struct.pack("!HHHH", sport, dport, 8 + len(data), 0) + data
    pseudo = socket.inet_aton(src) + socket.inet_aton(dst) + struct.pack("!BBH", 0, 17, len(u))
    c = cksum(pseudo + u) or 0xFFFF
    return u[:6] + struct.pack("!H", c) + u[8:]


def auth_ok(data, spi, key):
    """The mobile-home authenticator of a Registration Reply: HMAC-MD5 over the reply up to and including
    the extension's type, length and SPI (RFC 2002 §3.5.1 with RFC 2104 keyed MD5)."""
    o = 20
    while o + 2 <= len(data):
        t, n = data[o], data[o + 1]
        if t == EXT_MH_AUTH and n == 20 and o + 22 <= len(data):
            if struct.unpack("!I", data[o + 2:o + 6])[0] != spi:
                return False
            want = hmac.new(key, data[:o + 6], hashlib.md5).digest()
            return hmac.compare_digest(want, data[o + 6:o + 22])
        o += 2 + n
    return False


def request(home, ha, coa, ident, spi, key, lifetime=300):
    msg = struct.pack("!BBH4s4s4sQ", 1, FLAG_T | FLAG_D, lifetime, socket.inet_aton(home),
                      socket.inet_aton(ha), socket.inet_aton(coa), ident)
    head = bytes([EXT_MH_AUTH, 4 + 16]) + struct.pack("!I", spi)
    return msg + head + hmac.new(key, msg + head, hashlib.md5).digest()


def register(ha, home, coa, spi, key, log):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind((coa, 434))
    s.settimeout(0.5)
    # An unsynchronised clock (a day behind, as on a device without NTP): the home agent answers 133
    # with its own time, and the node resynchronises (what the test checks).
    now = time.time() - 86400
    ident = (int(now) + NTP_OFFSET) << 32 | int((now % 1) * (1 << 32))
    deadline = time.time() + 8
    while time.time() < deadline:
        s.sendto(request(home, ha, coa, ident, spi, key), (ha, 434))
        try:
            data, src = s.recvfrom(2048)
        except socket.timeout:
            continue
        if len(data) < 20 or data[0] != 3 or socket.inet_ntoa(data[4:8]) != home:
            continue
        code, life = data[1], struct.unpack("!H", data[2:4])[0]
        rid = struct.unpack("!Q", data[12:20])[0]
        ok = auth_ok(data, spi, key)
        log.append({"code": code, "lifetime": life, "authOk": ok, "from": src[0],
                    "sentIdHigh": ident >> 32, "replyIdHigh": rid >> 32})
        if not ok:
            return False
        if code == 133:
            # RFC 2002 §5.6.1 / RFC 3344 §5.7: the reply's high 32 bits are the home agent's time; the
            # next request takes them, with fresh low-order bits.
            ident = (rid >> 32) << 32 | int.from_bytes(os.urandom(4), "big")
            continue
        return code == 0 and (rid >> 32) == (ident >> 32)
    return False


def mn(ha, home, coa, cn, port, n, spi, key, out):
    log = []
    res = {"registration": log}
    res["registered"] = register(ha, home, coa, spi, key, log)
    if not res["registered"]:
        json.dump(res, open(out, "w"))
        print(json.dumps(res))
        return 1
    raw = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_RAW)  # IP_HDRINCL implied
    ident = [1]

    def send(outer_src, src, dst, data):
        inner = ipv4(src, dst, 17, udp(src, dst, 40000, port, data), ident[0])
        ident[0] += 1
        pkt = inner if outer_src is None else ipv4(outer_src, ha, 4, inner, ident[0])
        ident[0] += 1
        raw.sendto(pkt, (ha if outer_src is not None else dst, 0))
        time.sleep(0.005)

    for i in range(n):
        send(coa, home, cn, b"tun-%d" % i)           # the reverse tunnel: COA -> HA, inner HOME -> CN
    for i in range(n):
        send(None, home, cn, b"plain-%d" % i)        # the same, untunnelled, from off the home link
    for i in range(n):
        send("10.2.0.99", home, cn, b"forged-%d" % i)  # a reverse tunnel from a care-of address not bound
    for i in range(n):
        send(None, cn, home, b"spoof-%d" % i)        # a home-prefix source from off the home link, to HOME
    time.sleep(0.2)
    send(coa, home, cn, b"end")
    res["sent"] = {"tun": n, "plain": n, "forged": n, "spoof": n}
    json.dump(res, open(out, "w"))
    print(json.dumps(res))
    return 0


def recv(port, out, timeout):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind(("0.0.0.0", int(port)))
    deadline = time.time() + float(timeout)
    got = []
    while time.time() < deadline:
        s.settimeout(max(0.05, deadline - time.time()))
        try:
            d, src = s.recvfrom(2048)
        except socket.timeout:
            break
        got.append([src[0], d.decode(errors="replace")])
        if d == b"end":
            break
    json.dump(got, open(out, "w"))
    return 0


if __name__ == "__main__":
    cmd, a = sys.argv[1], sys.argv[2:]
    if cmd == "recv":
        sys.exit(recv(a[0], a[1], a[2]))
    if cmd == "mn":
        sys.exit(mn(a[0], a[1], a[2], a[3], int(a[4]), int(a[5]), int(a[6]), a[7].encode(), a[8]))
    print(__doc__)
    sys.exit(2)
