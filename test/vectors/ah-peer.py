#!/usr/bin/python3
# An independent AH implementation for test/host/ipsec.test.mjs: scapy's IPsec (Debian python3-scapy).
# stdin: one JSON request per line; stdout: one JSON answer per line.
#   {"op": "seal", "alg": "HMAC-SHA1-96", "key": hex, "spi": n, "seq": n, "packet": hex IPv6 packet}
#     -> {"packet": hex of the packet with AH, sequence number `seq`}
#   {"op": "open", "alg": ..., "key": ..., "spi": n, "packet": hex IPv6 packet with AH}
#     -> {"ok": true, "seq": n, "inner": hex of the packet without AH} or {"ok": false, "error": text}
import sys, json, logging
logging.getLogger("scapy.runtime").setLevel(logging.ERROR)
from scapy.layers.inet6 import IPv6
from scapy.layers.ipsec import SecurityAssociation, AH

for line in sys.stdin:
    r = json.loads(line)
    try:
        sa = SecurityAssociation(AH, spi=r["spi"], auth_algo=r["alg"], auth_key=bytes.fromhex(r["key"]))
        p = IPv6(bytes.fromhex(r["packet"]))
        if r["op"] == "seal":
            out = sa.encrypt(p, seq_num=r["seq"])
            print(json.dumps({"packet": bytes(out).hex()}), flush=True)
        else:
            seq = p[AH].seq
            inner = sa.decrypt(p)
            print(json.dumps({"ok": True, "seq": seq, "inner": bytes(inner).hex()}), flush=True)
    except Exception as e:  # an ICV mismatch raises scapy's IPSecIntegrityError
        print(json.dumps({"ok": False, "error": f"{type(e).__name__}: {e}"}), flush=True)
