#!/usr/bin/python3
# An independent IPsec AH peer on a real link (issue 12.8): scapy's IPsec (Debian python3-scapy) talks to a
# mipfw-board node over eth0. For each case: echo requests sealed by scapy (its sequence numbers 1..N) go
# to the board; the board's answers are captured and opened by scapy with the board's outbound SA (ICV
# checked), and their sequence numbers recorded; one forged request (a flipped payload bit) must get no
# answer. Prints one JSON line with the results. Usage:
#   ah6.py BOARD_MAC BOARD_ADDR 'JSON list of {alg, key, src, spiToBoard, spiFromBoard}' [count]
import json, sys, time, logging
logging.getLogger("scapy.runtime").setLevel(logging.ERROR)
from scapy.all import Ether, IPv6, ICMPv6EchoRequest, ICMPv6EchoReply, AsyncSniffer, sendp, Raw, get_if_hwaddr, conf
from scapy.layers.ipsec import SecurityAssociation, AH

conf.verb = 0
board_mac, board, cases = sys.argv[1], sys.argv[2], json.loads(sys.argv[3])
count = int(sys.argv[4]) if len(sys.argv) > 4 else 3
me = get_if_hwaddr("eth0")
out = []
for c in cases:
    to_board = SecurityAssociation(AH, spi=c["spiToBoard"], auth_algo=c["alg"], auth_key=bytes.fromhex(c["key"]))
    from_board = SecurityAssociation(AH, spi=c["spiFromBoard"], auth_algo=c["alg"], auth_key=bytes.fromhex(c["key"]))
    sn = AsyncSniffer(iface="eth0", lfilter=lambda p: IPv6 in p and p[IPv6].src == board and p[IPv6].dst == c["src"] and AH in p)
    sn.start()
    time.sleep(0.5)
    ident = 0x4000 + len(out)
    for i in range(1, count + 1):
        p = IPv6(src=c["src"], dst=board, hlim=64) / ICMPv6EchoRequest(id=ident, seq=i, data=b"mipfw-ah" * 4)
        sendp(Ether(src=me, dst=board_mac) / to_board.encrypt(p, seq_num=i), iface="eth0")
        time.sleep(0.2)
    # A forged one: sequence count+1, a data bit flipped after sealing (the board must drop it).
    p = IPv6(src=c["src"], dst=board, hlim=64) / ICMPv6EchoRequest(id=ident, seq=99, data=b"mipfw-ah" * 4)
    raw = bytearray(bytes(to_board.encrypt(p, seq_num=count + 1)))
    raw[-1] ^= 1
    sendp(Ether(src=me, dst=board_mac) / IPv6(bytes(raw)), iface="eth0")
    time.sleep(1.0)
    got = sn.stop()
    answers = []
    for q in got:
        seq = q[AH].seq
        try:
            inner = IPv6(bytes(from_board.decrypt(IPv6(bytes(q[IPv6])))))
            ok = ICMPv6EchoReply in inner and inner[ICMPv6EchoReply].id == ident
            answers.append({"ahSeq": seq, "ok": bool(ok), "echoSeq": int(inner[ICMPv6EchoReply].seq) if ok else None})
        except Exception as e:
            answers.append({"ahSeq": seq, "ok": False, "error": type(e).__name__})
    out.append({"alg": c["alg"], "answers": answers})
print(json.dumps(out), flush=True)
