// LWT-BPF "xmit" program: the Linux kernel doing a Mobile IP home agent's tunnel entry (RFC 2003 §3)
// for bench/kernel-compare.sh, on a kernel without the ipip module. Pushes an outer IPv4 header
// (HA_ADDR -> COA_ADDR, protocol 4, TTL 64, DF copied from the inner header, RFC 2003 §3.1) in front
// of the forwarded datagram, with its total length and header checksum.
// Build: clang -O2 -target bpf -DHA_ADDR=0x0a000001 -DCOA_ADDR=0x0a000002 -c ipip_encap.bpf.c
#include <linux/bpf.h>
#include <linux/ip.h>
#include <linux/in.h>

#define SEC(n) __attribute__((section(n), used))

static long (*bpf_lwt_push_encap)(struct __sk_buff *skb, __u32 type, void *hdr, __u32 len) = (void *)BPF_FUNC_lwt_push_encap;
static long (*bpf_skb_load_bytes)(const struct __sk_buff *skb, __u32 off, void *to, __u32 len) = (void *)BPF_FUNC_skb_load_bytes;

SEC("lwt_xmit")
int ipip_encap(struct __sk_buff *skb) {
  struct iphdr inner, outer = {};
  if (bpf_skb_load_bytes(skb, 0, &inner, sizeof(inner)) < 0) return BPF_DROP;
  outer.version = 4;
  outer.ihl = 5;
  outer.ttl = 64;
  outer.protocol = IPPROTO_IPIP;
  outer.frag_off = inner.frag_off & __builtin_bswap16(0x4000);
  outer.saddr = __builtin_bswap32(HA_ADDR);
  outer.daddr = __builtin_bswap32(COA_ADDR);
  outer.tot_len = __builtin_bswap16(__builtin_bswap16(inner.tot_len) + sizeof(outer));
  __u32 sum = 0;
  __u16 *w = (__u16 *)&outer;
#pragma unroll
  for (int i = 0; i < 10; i++) sum += w[i];
  sum = (sum & 0xffff) + (sum >> 16);
  sum = (sum & 0xffff) + (sum >> 16);
  outer.check = (__u16)~sum;
  if (bpf_lwt_push_encap(skb, BPF_LWT_ENCAP_IP, &outer, sizeof(outer)) < 0) return BPF_DROP;
  return BPF_OK;
}

char LICENSE[] SEC("license") = "GPL";
