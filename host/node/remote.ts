// A board whose firmware runs in another process — `mipfw-board sim-peer` (the wasm3 runtime,
// host/wasm3/src/simpeer.rs) — driven synchronously over two named pipes with virtual time, so the
// emulated network can run the same scenario on either runtime and compare traces
// (test/host/conformance.test.mjs). The protocol is described at the top of simpeer.rs.
//
// fs.openSync on a FIFO gives a blocking descriptor, so fs.writeSync/fs.readSync here are plain
// blocking system calls: every call returns only after the peer answered "done", exactly like a call
// into an in-process Board. (child_process pipes are non-blocking and cannot be read this way.)

import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { openSync, readSync, readFileSync, writeSync, closeSync, mkdtempSync, rmSync, existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { BoardError, type BoardHooks } from "./board.js";
import { encodeConfigChunks, type ValidConfig } from "./config.js";

/** What the simulator uses of a board: the in-process Board and RemoteBoard both provide it. */
export interface SimBoard {
  readonly name: string;
  readonly config: ValidConfig;
  init(): void;
  rx(iface: number, frame: Uint8Array): number;
  output(packet: Uint8Array): number;
  tick(nowMs: number): number;
  link(iface: number, up: boolean, bssid?: Uint8Array): void;
  /** Add configuration records to the running board (ABI `config_add`); in-process boards only. */
  configAdd?(records: Uint8Array): { code: number; reason: string };
  /** A station left / joined the access point behind `iface` (ABI `station`; the peer protocol's OP_STATION). */
  station?(iface: number, up: boolean, mac: Uint8Array): void;
  counters(): Record<string, number>;
  heapUsed(): number;
  memoryPages(): number;
  close?(): void;
}

/** Where to find the wasm3 runtime and the firmware it loads. */
export interface RemoteOptions {
  /** The `mipfw-board` executable. */
  binary: string;
  /** The firmware module it loads (build/firmware.wasm). */
  firmware: string;
  /** Only the boards of these node names run remotely, the others in this process (default: all).
   *  Lets a test serve one node by another runtime, e.g. the C host's `mipfw-c sim-peer` (issue 9). */
  nodes?: readonly string[];
  /** The peer's arguments instead of `sim-peer --firmware F --requests R --records W --name N`, so
   *  `binary` can be another program speaking the protocol, e.g. qemu running the emulated
   *  microcontroller (host/c/rv32-virt/qemu.mjs simPeerArgs). The FIFOs are `pipe`.in (requests) and
   *  `pipe`.out (records), as qemu's `-chardev pipe,path=PIPE` wants them; such a peer still running
   *  5 s after close is killed. */
  args?: (io: { requests: string; records: string; pipe: string; name: string }) => string[];
}

// Requests (Node -> peer): u32 length of what follows, u8 op, i64 now_ms, body.
export const OP_INIT = 1;     // u32 memoryPages, u32 chunk count, then per chunk u32 length + bytes
export const OP_RX = 2;       // u32 iface, frame
export const OP_OUTPUT = 3;   // packet
export const OP_TICK = 4;     // i64 tick time
export const OP_LINK = 5;     // u32 iface, u8 up, u8 has bssid, bssid[6]
export const OP_COUNTERS = 6; // -> done extra: u32 n, then per counter u16 name length, name, u64 value
export const OP_INFO = 7;     // -> done value heap_used, extra u32 memory_pages
export const OP_RANDOM = 8;   // answer to a random request: the bytes
export const OP_QUIT = 9;
export const OP_STATION = 10; // u32 iface, u8 up, mac[6], pad (issue 10.10)
// Records (peer -> Node): u32 length of what follows, u8 type, body.
export const R_TX = 1;        // u32 iface, frame
export const R_DELIVER = 2;   // packet
export const R_EVENT = 3;     // u32 kind, data
export const R_LOG = 4;       // i32 level, UTF-8 text
export const R_RANDOM = 5;    // u32 n: the peer waits for an OP_RANDOM request with n bytes
export const R_DONE = 6;      // i64 return value, extra bytes
export const R_ERROR = 7;     // UTF-8 message: the call failed (configuration refused, trap)

const CONFIG_CAPACITY = 4096; // docs/abi.md: config_capacity()
const I64_MAX = 0x7fffffffffffffffn;
const utf8 = new TextDecoder();

export class RemoteBoard implements SimBoard {
  readonly name: string;
  private readonly child: ChildProcess;
  private readonly dir: string;
  private wfd = -1;
  private rfd = -1;
  private out = new Uint8Array(16384);
  private outDv = new DataView(this.out.buffer);
  private inb = new Uint8Array(1 << 20);
  private inDv = new DataView(this.inb.buffer);
  private inStart = 0;
  private inEnd = 0;
  private doneValue = 0n;
  private doneExtra: Uint8Array = new Uint8Array(0);
  private closed = false;
  /** What counters/heapUsed/memoryPages return after close (a summary is built after the run). */
  private last: { counters: Record<string, number>; heap: number; pages: number } | null = null;

  constructor(readonly config: ValidConfig, readonly hooks: BoardHooks, readonly opts: RemoteOptions) {
    this.name = config.name;
    if (!opts.args && !existsSync(opts.binary)) throw new BoardError(`${this.name}: wasm3 runtime not found: ${opts.binary} (cargo build --release in host/wasm3)`);
    if (!existsSync(opts.firmware)) throw new BoardError(`${this.name}: firmware not found: ${opts.firmware}`);
    this.dir = mkdtempSync(join(tmpdir(), "mipfw-peer-"));
    const pipe = join(this.dir, "peer"), req = `${pipe}.in`, resp = `${pipe}.out`;
    const mk = spawnSync("mkfifo", [req, resp]);
    if (mk.status !== 0) { rmSync(this.dir, { recursive: true, force: true }); throw new BoardError(`${this.name}: mkfifo failed: ${mk.stderr}`); }
    // The peer's stderr goes to a file (read back synchronously if it dies: a panic message).
    const errFd = openSync(join(this.dir, "stderr"), "w");
    const args = opts.args ? opts.args({ requests: req, records: resp, pipe, name: this.name })
      : ["sim-peer", "--firmware", opts.firmware, "--requests", req, "--records", resp, "--name", this.name];
    this.child = spawn(opts.binary, args, { stdio: ["ignore", "inherit", errFd] });
    closeSync(errFd);
    this.child.unref();
    if (this.child.pid === undefined) { this.cleanup(); throw new BoardError(`${this.name}: cannot start ${opts.binary}`); }
    // The peer opens "req" for reading first, then "resp" for writing: the same order here, so
    // both blocking opens pair up.
    this.wfd = openSync(req, "w");
    this.rfd = openSync(resp, "r");
  }

  /** Process id of the peer (for measurements). */
  get pid(): number { return this.child.pid!; }

  private need(n: number): void {
    if (n <= this.out.length) return;
    const b = new Uint8Array(Math.max(n, this.out.length * 2));
    b.set(this.out);
    this.out = b;
    this.outDv = new DataView(b.buffer);
  }

  /** Start a request of `op` with `body` bytes to follow at offset 13. */
  private begin(op: number, body: number): void {
    this.need(13 + body);
    this.outDv.setUint32(0, 9 + body, true);
    this.out[4] = op;
    this.outDv.setBigInt64(5, BigInt(Math.floor(this.hooks.now())), true);
  }

  private send(len: number): void {
    let o = 0;
    try {
      while (o < len) o += writeSync(this.wfd, this.out, o, len - o);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === "EPIPE") throw new BoardError(`${this.name}: the wasm3 peer exited${this.exitNote()}`);
      throw e;
    }
  }

  /** Make at least `n` bytes available from inStart. */
  private fill(n: number): void {
    if (this.inEnd - this.inStart >= n) return;
    if (this.inStart > 0) {
      this.inb.copyWithin(0, this.inStart, this.inEnd);
      this.inEnd -= this.inStart;
      this.inStart = 0;
    }
    if (n > this.inb.length) {
      const b = new Uint8Array(Math.max(n, this.inb.length * 2));
      b.set(this.inb.subarray(0, this.inEnd));
      this.inb = b;
      this.inDv = new DataView(b.buffer);
    }
    while (this.inEnd < n) {
      const got = readSync(this.rfd, this.inb, this.inEnd, this.inb.length - this.inEnd, null);
      if (got === 0) throw new BoardError(`${this.name}: the wasm3 peer exited${this.exitNote()}`);
      this.inEnd += got;
    }
  }

  private exitNote(): string {
    let text = "";
    try { text = readFileSync(join(this.dir, "stderr"), "utf8").trim().slice(-2000); } catch { /* none */ }
    return text ? `: ${text}` : "";
  }

  /** Send the request built in `out`, then handle records until "done"; returns the done value. */
  private call(len: number): bigint {
    if (this.closed) throw new BoardError(`${this.name}: board closed`);
    this.send(len);
    const hooks = this.hooks;
    for (;;) {
      this.fill(4);
      const n = this.inDv.getUint32(this.inStart, true);
      this.fill(4 + n);
      const p = this.inStart + 4;
      const type = this.inb[p];
      const body = p + 1, end = p + n;
      this.inStart = end;
      switch (type) {
        case R_TX: hooks.tx(this.inDv.getUint32(body, true), this.inb.subarray(body + 4, end)); break;
        case R_DELIVER: hooks.deliver(this.inb.slice(body, end)); break;
        case R_EVENT: hooks.event?.(this.inDv.getUint32(body, true), this.inb.slice(body + 4, end)); break;
        case R_LOG: hooks.log?.(this.inDv.getInt32(body, true), utf8.decode(this.inb.subarray(body + 4, end))); break;
        case R_RANDOM: {
          const k = this.inDv.getUint32(body, true);
          const buf = new Uint8Array(k);
          if (hooks.random) hooks.random(buf);
          else for (let i = 0; i < k; i++) buf[i] = (Math.random() * 256) | 0;
          // The request buffer may hold nothing we still need: the call's request was sent.
          this.begin(OP_RANDOM, k);
          this.out.set(buf, 13);
          this.send(13 + k);
          break;
        }
        case R_DONE:
          this.doneValue = this.inDv.getBigInt64(body, true);
          this.doneExtra = this.inb.slice(body + 8, end);
          return this.doneValue;
        case R_ERROR: throw new BoardError(`${this.name}: ${utf8.decode(this.inb.subarray(body, end))}`);
        default: throw new BoardError(`${this.name}: bad record type ${type} from the wasm3 peer`);
      }
    }
  }

  /** Load the configuration and start (again: all state discarded). Throws BoardError if refused. */
  init(): void {
    const chunks = encodeConfigChunks(this.config, CONFIG_CAPACITY);
    const body = 8 + chunks.reduce((s, c) => s + 4 + c.length, 0);
    this.begin(OP_INIT, body);
    this.outDv.setUint32(13, this.config.board.memoryPages, true);
    this.outDv.setUint32(17, chunks.length, true);
    let o = 21;
    for (const c of chunks) { this.outDv.setUint32(o, c.length, true); this.out.set(c, o + 4); o += 4 + c.length; }
    this.call(13 + body);
  }

  rx(iface: number, frame: Uint8Array): number {
    this.begin(OP_RX, 4 + frame.length);
    this.outDv.setUint32(13, iface, true);
    this.out.set(frame, 17);
    return Number(this.call(17 + frame.length));
  }

  output(packet: Uint8Array): number {
    this.begin(OP_OUTPUT, packet.length);
    this.out.set(packet, 13);
    return Number(this.call(13 + packet.length));
  }

  tick(nowMs: number): number {
    this.begin(OP_TICK, 8);
    this.outDv.setBigInt64(13, BigInt(Math.floor(nowMs)), true);
    const next = this.call(21);
    return next >= I64_MAX ? Infinity : Number(next);
  }

  link(iface: number, up: boolean, bssid?: Uint8Array): void {
    this.begin(OP_LINK, 12);
    this.outDv.setUint32(13, iface, true);
    this.out[17] = up ? 1 : 0;
    this.out[18] = up && bssid ? 1 : 0;
    this.out.fill(0, 19, 25);
    if (up && bssid) this.out.set(bssid.subarray(0, 6), 19);
    this.call(25);
  }

  station(iface: number, up: boolean, mac: Uint8Array): void {
    this.begin(OP_STATION, 12);
    this.outDv.setUint32(13, iface, true);
    this.out[17] = up ? 1 : 0;
    this.out.fill(0, 18, 25);
    this.out.set(mac.subarray(0, 6), 18);
    this.call(25);
  }

  counters(): Record<string, number> {
    if (this.last) return { ...this.last.counters };
    this.begin(OP_COUNTERS, 0);
    this.call(13);
    const b = this.doneExtra, dv = new DataView(b.buffer, b.byteOffset, b.length);
    const n = dv.getUint32(0, true);
    const out: Record<string, number> = {};
    let o = 4;
    for (let i = 0; i < n; i++) {
      const len = dv.getUint16(o, true);
      const name = utf8.decode(b.subarray(o + 2, o + 2 + len));
      out[name] = Number(dv.getBigUint64(o + 2 + len, true));
      o += 2 + len + 8;
    }
    return out;
  }

  heapUsed(): number {
    if (this.last) return this.last.heap;
    this.begin(OP_INFO, 0);
    return Number(this.call(13));
  }

  memoryPages(): number {
    if (this.last) return this.last.pages;
    this.begin(OP_INFO, 0);
    this.call(13);
    return new DataView(this.doneExtra.buffer, this.doneExtra.byteOffset).getUint32(0, true);
  }

  memoryBytes(): number { return this.memoryPages() * 65536; }

  /** Stop the peer and remove the pipes; counters, heapUsed and memoryPages keep their last values. */
  close(): void {
    if (this.closed) return;
    try {
      this.last = { counters: this.counters(), heap: this.heapUsed(), pages: this.memoryPages() };
    } catch { /* the peer failed: nothing to keep */ }
    try {
      this.begin(OP_QUIT, 0);
      this.send(13);
    } catch { /* the peer is gone already */ }
    this.closed = true;
    // The board stops at "quit"; a peer that did not is stopped after 5 s.
    if (this.opts.args) setTimeout(() => { if (this.child.exitCode === null) this.child.kill(); }, 5000).unref();
    this.cleanup();
  }

  private cleanup(): void {
    if (this.wfd >= 0) { try { closeSync(this.wfd); } catch { /* closed */ } this.wfd = -1; }
    if (this.rfd >= 0) { try { closeSync(this.rfd); } catch { /* closed */ } this.rfd = -1; }
    rmSync(this.dir, { recursive: true, force: true });
  }
}
