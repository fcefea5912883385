#!/usr/bin/python3
# Known-good IPv6 AH packets (RFC 2402 transport mode, HMAC-MD5-96 / HMAC-SHA1-96) from scapy 2.5.0,
# an implementation independent of mipfw, for test/assembly/security-ah.spec.ts.
# Run: /usr/bin/python3 test/vectors/ah-vectors.py   (Debian: apt-get install -y python3-scapy)
# scapy computes the ICV over the packet with Traffic Class, Flow Label and Hop Limit zeroed, the data of
# options whose type has bit 0x20 zeroed, and a routing header reordered as it will be at the final
# destination (scapy.layers.ipsec.zero_mutable_fields, sending=True).
from scapy.all import IPv6, UDP, Raw, IPv6ExtHdrDestOpt, IPv6ExtHdrHopByHop, IPv6ExtHdrRouting, HBHOptUnknown, RouterAlert, PadN
from scapy.layers.ipsec import SecurityAssociation, AH

MD5_KEY = bytes(range(0x01, 0x11))            # 16 bytes (RFC 2403 §3: 128-bit key)
SHA1_KEY = bytes(range(0x21, 0x35))           # 20 bytes (RFC 2404 §3: 160-bit key)
SRC, DST = "2001:db8::1", "2001:db8:1::2"

def at_final_destination(b):
    """The packet as the last node of its type 0 routing header sees it: every remaining hop's swap of
    the destination with the next address done, Segments Left 0 (RFC 2460 §4.4)."""
    p = IPv6(b)
    rh = p[IPv6ExtHdrRouting]
    addrs = list(rh.addresses)
    n = len(addrs)
    for k in range(n - rh.segleft, n):
        p.dst, addrs[k] = addrs[k], p.dst
    rh.addresses = addrs
    rh.segleft = 0
    return bytes(p)

def show(name, sa, pkt, seq):
    p = sa.encrypt(pkt, seq_num=seq)
    b = bytes(p)
    print(f"// {name}: {len(b)} bytes")
    print(f'const {name} = "{b.hex()}";')
    if p.haslayer(IPv6ExtHdrRouting):
        b = at_final_destination(b)
        print(f'const {name}_FINAL = "{b.hex()}";')
    # scapy's own receiver accepts the packet (as the final destination sees it)
    SecurityAssociation(AH, spi=sa.spi, auth_algo=sa.auth_algo.name, auth_key=sa.auth_key).decrypt(IPv6(b))

sha = SecurityAssociation(AH, spi=0x1000, auth_algo="HMAC-SHA1-96", auth_key=SHA1_KEY)
md5 = SecurityAssociation(AH, spi=0x2000, auth_algo="HMAC-MD5-96", auth_key=MD5_KEY)

base = lambda: IPv6(src=SRC, dst=DST, hlim=64, tc=0xb8, fl=0x12345)
show("SHA1_UDP", sha, base() / UDP(sport=1234, dport=434) / Raw(b"mipfw AH test payload"), 1)
show("MD5_UDP", md5, IPv6(src=SRC, dst=DST, hlim=255, tc=0x2e, fl=0xfedcb) / UDP(sport=5000, dport=6000) / Raw(b"hello, md5"), 7)
# Hop-by-Hop (Router Alert 0x05, immutable) and Destination Options with a mutable option 0x3e
# (action 00, change bit set) and an immutable one 0x1e, both before AH.
show("SHA1_OPTS", sha,
     base() / IPv6ExtHdrHopByHop(options=[RouterAlert(value=0)])
     / IPv6ExtHdrDestOpt(options=[HBHOptUnknown(otype=0x3e, optdata=b"\xaa\xbb\xcc\xdd"),
                                  HBHOptUnknown(otype=0x1e, optdata=b"\x11\x22\x33\x44\x55\x66")])
     / UDP(sport=7, dport=7) / Raw(b"opts"), 0x1234)
# Type 0 routing header with 2 addresses as sent by the source (Segments Left 2).
show("MD5_RH0", md5,
     IPv6(src=SRC, dst="2001:db8:2::a", hlim=9, tc=1, fl=1)
     / IPv6ExtHdrRouting(addresses=["2001:db8:2::b", "2001:db8:1::2"])
     / UDP(sport=9, dport=9) / Raw(b"rh0"), 3)
