#!/usr/bin/env python3
"""Peers of the tunnel-fragmentation test on real interfaces (test/e2e/frag-netns.sh; issue 7.15),
standard library only.

  frag.py register HA HOME HAFIELD COA SPI KEY    Registration Request (RFC 2002 §3.3, HMAC-MD5 mobile-home
                                                  authenticator over the message and the extension's type,
                                                  length and SPI) from COA:434 to HA:434; retried for 10 s;
                                                  exit 0 on reply code 0
  frag.py recv-ipip OUT TIMEOUT                   raw socket for IP protocol 4: the first IP-in-IP datagram the
                                                  kernel hands up (after reassembling its fragments) -> OUT (JSON)
  frag.py send DEST PORT LEN COUNT                COUNT UDP datagrams of LEN payload bytes with DF clear
"""
import hashlib
import hmac
import json
import socket
import struct
import sys
import time

IP_MTU_DISCOVER = 10
IP_PMTUDISC_DONT = 0
NTP_OFFSET = 2208988800


def pattern(n):
    return bytes((i * 7 + 3) & 255 for i in range(n))


def register(ha, home, ha_field, coa, spi, key):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind((coa, 434))
    s.settimeout(0.5)
    deadline = time.time() + 10
    while time.time() < deadline:
        now = time.time()
        ident = (int(now) + NTP_OFFSET) << 32 | int((now % 1) * (1 << 32))
        msg = struct.pack("!BBH4s4s4sQ", 1, 0, 300, socket.inet_aton(home), socket.inet_aton(ha_field),
                          socket.inet_aton(coa), ident)
        head = bytes([32, 20]) + struct.pack("!I", spi)
        auth = hmac.new(key.encode(), msg + head, hashlib.md5).digest()
        s.sendto(msg + head + auth, (ha, 434))
        try:
            while True:
                data, _ = s.recvfrom(2048)
                if len(data) >= 20 and data[0] == 3 and data[12:20] == struct.pack("!Q", ident):
                    print(f"registration reply code {data[1]}")
                    return 0 if data[1] == 0 else 1
        except socket.timeout:
            continue
    print("no registration reply")
    return 1


def recv_ipip(out, timeout):
    s = socket.socket(socket.AF_INET, socket.SOCK_RAW, 4)
    s.settimeout(float(timeout))
    try:
        d, _ = s.recvfrom(65535)
    except socket.timeout:
        print("no IP-in-IP datagram")
        return 1
    hl = (d[0] & 15) * 4
    inner = d[hl:]
    ihl = (inner[0] & 15) * 4
    udp = inner[ihl:]
    ulen = struct.unpack("!H", udp[4:6])[0]
    payload = udp[8:ulen]
    res = {
        "outerLen": struct.unpack("!H", d[2:4])[0], "received": len(d),
        "outerSrc": socket.inet_ntoa(d[12:16]), "outerDst": socket.inet_ntoa(d[16:20]), "outerProto": d[9],
        "innerLen": struct.unpack("!H", inner[2:4])[0], "innerProto": inner[9],
        "innerSrc": socket.inet_ntoa(inner[12:16]), "innerDst": socket.inet_ntoa(inner[16:20]),
        "payloadLen": len(payload), "payloadIntact": payload == pattern(len(payload)),
    }
    with open(out, "w") as f:
        json.dump(res, f)
    print(json.dumps(res))
    return 0


def send(dest, port, n, count):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    # Linux sets DF on UDP by default (path MTU discovery); the test needs a datagram without DF.
    s.setsockopt(socket.IPPROTO_IP, IP_MTU_DISCOVER, IP_PMTUDISC_DONT)
    for _ in range(int(count)):
        s.sendto(pattern(int(n)), (dest, int(port)))
        time.sleep(0.2)
    return 0


if __name__ == "__main__":
    cmd, args = sys.argv[1], sys.argv[2:]
    if cmd == "register":
        sys.exit(register(args[0], args[1], args[2], args[3], int(args[4]), args[5]))
    if cmd == "recv-ipip":
        sys.exit(recv_ipip(args[0], args[1]))
    if cmd == "send":
        sys.exit(send(args[0], args[1], args[2], args[3]))
    print(__doc__)
    sys.exit(2)
