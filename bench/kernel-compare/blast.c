// UDP load generator and IP-in-IP sink for bench/kernel-compare.sh.
//   blast send DST PORT PPS SECONDS [PAYLOAD]  UDP to DST:PORT at PPS packets/s (0: as fast as it can),
//       sendmmsg in batches of 32 (1 when paced at 50k/s or less), UDP checksum off (SO_NO_CHECK: no checksum work on any path); each
//       payload carries a magic, a sequence number and CLOCK_REALTIME in ns at send. Prints one JSON line.
//   blast recv SECONDS  a raw IPPROTO_IPIP socket (the kernel has no ipip module: the raw socket takes
//       the tunnelled datagrams) for SECONDS; counts the tunnelled datagrams carrying the magic and the
//       one-way latency from the payload's send time to the kernel's receive timestamp (SO_TIMESTAMPNS)
//       at the far end. Prints one JSON line with the count and latency percentiles.
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define MAGIC 0x6d697066u /* "mipf" */
#define BATCH 32
#define MAX_US 200000

struct payload { uint32_t magic; uint32_t pad; uint64_t seq; uint64_t t_ns; };

static uint64_t ns(clockid_t c) { struct timespec t; clock_gettime(c, &t); return (uint64_t)t.tv_sec * 1000000000ull + t.tv_nsec; }

static int do_send(const char *dst, int port, double pps, double secs, int plen) {
  if (plen < (int)sizeof(struct payload)) plen = sizeof(struct payload);
  int fd = socket(AF_INET, SOCK_DGRAM, 0);
  int one = 1, buf = 4 << 20;
  setsockopt(fd, SOL_SOCKET, SO_NO_CHECK, &one, sizeof one);
  setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &buf, sizeof buf);
  struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons(port) };
  inet_pton(AF_INET, dst, &sa.sin_addr);
  if (connect(fd, (struct sockaddr *)&sa, sizeof sa) < 0) { perror("connect"); return 1; }
  static unsigned char data[BATCH][2048];
  struct iovec iov[BATCH]; struct mmsghdr m[BATCH];
  memset(m, 0, sizeof m);
  for (int i = 0; i < BATCH; i++) { iov[i].iov_base = data[i]; iov[i].iov_len = plen; m[i].msg_hdr.msg_iov = &iov[i]; m[i].msg_hdr.msg_iovlen = 1; }
  /* Paced below 50k/s: one datagram per call, so latency samples are not queued behind a burst. */
  int batch = pps > 0 && pps <= 50000 ? 1 : BATCH;
  uint64_t seq = 0, errors = 0, t0 = ns(CLOCK_MONOTONIC), end = t0 + (uint64_t)(secs * 1e9);
  for (;;) {
    uint64_t now = ns(CLOCK_MONOTONIC);
    if (now >= end) break;
    if (pps > 0) {
      uint64_t due = t0 + (uint64_t)((double)seq * 1e9 / pps);
      if (due > now) { if (due - now > 200000) { struct timespec t = { 0, (long)(due - now - 100000) }; nanosleep(&t, 0); } continue; }
    }
    uint64_t rt = ns(CLOCK_REALTIME);
    for (int i = 0; i < batch; i++) { struct payload *p = (struct payload *)data[i]; p->magic = MAGIC; p->seq = seq + i; p->t_ns = rt; }
    int r = sendmmsg(fd, m, batch, 0);
    if (r < 0) { errors++; if (errno != ENOBUFS && errno != EAGAIN) { perror("sendmmsg"); return 1; } continue; }
    seq += r;
  }
  double el = (ns(CLOCK_MONOTONIC) - t0) / 1e9;
  printf("{\"sent\":%llu,\"seconds\":%.3f,\"pps\":%.0f,\"errors\":%llu}\n", (unsigned long long)seq, el, seq / el, (unsigned long long)errors);
  return 0;
}

static uint32_t hist[MAX_US + 1];

static int do_recv(double secs) {
  int fd = socket(AF_INET, SOCK_RAW, IPPROTO_IPIP);
  if (fd < 0) { perror("socket"); return 1; }
  int one = 1, buf = 16 << 20;
  setsockopt(fd, SOL_SOCKET, SO_TIMESTAMPNS, &one, sizeof one);
  setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &buf, sizeof buf);
  struct timeval tv = { 0, 100000 };
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  enum { N = 64 };
  static unsigned char data[N][2048];
  static uint64_t cbuf[N][8];
  struct iovec iov[N]; struct mmsghdr m[N];
  uint64_t count = 0, lat_n = 0, last_seq = 0, t_end = ns(CLOCK_MONOTONIC) + (uint64_t)(secs * 1e9);
  while (ns(CLOCK_MONOTONIC) < t_end) {
    for (int i = 0; i < N; i++) {
      iov[i].iov_base = data[i]; iov[i].iov_len = sizeof data[i];
      memset(&m[i].msg_hdr, 0, sizeof m[i].msg_hdr);
      m[i].msg_hdr.msg_iov = &iov[i]; m[i].msg_hdr.msg_iovlen = 1;
      m[i].msg_hdr.msg_control = cbuf[i]; m[i].msg_hdr.msg_controllen = sizeof cbuf[i];
    }
    int r = recvmmsg(fd, m, N, MSG_WAITFORONE, 0);
    if (r <= 0) continue;
    for (int i = 0; i < r; i++) {
      unsigned char *b = data[i];
      unsigned len = m[i].msg_len;
      if (len < 20) continue;
      unsigned o = (b[0] & 15) * 4;                 /* outer header */
      if (len < o + 20 || b[o + 9] != IPPROTO_UDP) continue;
      unsigned u = o + (b[o] & 15) * 4;             /* inner UDP header */
      if (len < u + 8 + sizeof(struct payload)) continue;
      struct payload p; memcpy(&p, b + u + 8, sizeof p);
      if (p.magic != MAGIC) continue;
      count++;
      if (p.seq > last_seq) last_seq = p.seq;
      for (struct cmsghdr *c = CMSG_FIRSTHDR(&m[i].msg_hdr); c; c = CMSG_NXTHDR(&m[i].msg_hdr, c)) {
        if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_TIMESTAMPNS) {
          struct timespec ts; memcpy(&ts, CMSG_DATA(c), sizeof ts);
          int64_t d = ((int64_t)ts.tv_sec * 1000000000ll + ts.tv_nsec - (int64_t)p.t_ns) / 1000;
          hist[d < 0 ? 0 : d > MAX_US ? MAX_US : d]++;
          lat_n++;
        }
      }
    }
  }
  double pct[3] = { 0.5, 0.9, 0.99 }; long out[3] = { -1, -1, -1 };
  for (int k = 0; k < 3; k++) {
    uint64_t want = (uint64_t)(pct[k] * lat_n), acc = 0;
    for (int d = 0; d <= MAX_US && lat_n; d++) { acc += hist[d]; if (acc > want) { out[k] = d; break; } }
  }
  printf("{\"received\":%llu,\"lastSeq\":%llu,\"latUsP50\":%ld,\"latUsP90\":%ld,\"latUsP99\":%ld}\n",
         (unsigned long long)count, (unsigned long long)last_seq, out[0], out[1], out[2]);
  return 0;
}

int main(int argc, char **argv) {
  setvbuf(stdout, 0, _IOLBF, 0);
  if (argc >= 6 && !strcmp(argv[1], "send")) return do_send(argv[2], atoi(argv[3]), atof(argv[4]), atof(argv[5]), argc > 6 ? atoi(argv[6]) : 64);
  if (argc >= 3 && !strcmp(argv[1], "recv")) return do_recv(atof(argv[2]));
  fprintf(stderr, "usage: blast send DST PORT PPS SECONDS [PAYLOAD] | blast recv SECONDS\n");
  return 2;
}
