#!/usr/bin/env python3
"""Register a co-located mobile node (care-of address COA) with a home agent for bench/kernel-compare.sh:
one RFC 2002 Registration Request (D flag, HMAC-MD5 mobile-home authentication, timestamp
identification) from COA:434 to HA:434; exits 0 when the reply's code is 0 (accepted).
usage: register.py HA HOME COA SPI KEY LIFETIME"""
import hashlib, hmac, socket, struct, sys, time

ha, home, coa, spi, key, lifetime = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4]), sys.argv[5].encode(), int(sys.argv[6])
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind((coa, 434))
s.settimeout(1.0)
for attempt in range(5):
    now = time.time()
    ident = (int(now) + 2208988800) << 32 | int((now % 1) * (1 << 32))
    msg = struct.pack("!BBH4s4s4sQ", 1, 0x20, lifetime, socket.inet_aton(home), socket.inet_aton(ha), socket.inet_aton(coa), ident)
    head = bytes([32, 20]) + struct.pack("!I", spi)
    s.sendto(msg + head + hmac.new(key, msg + head, hashlib.md5).digest(), (ha, 434))
    try:
        data, _ = s.recvfrom(2048)
    except socket.timeout:
        continue
    if data[0] == 3:
        print(f"registration reply code {data[1]}")
        sys.exit(0 if data[1] == 0 else 1)
sys.exit("no registration reply")
