//! `mipfw-board bench FILE`: replay frames into boards under wasm3 and time them. bench/wasm3.mjs
//! builds the cases (the same boards, frames and operation counts it measures under Node) and
//! writes FILE; this prints one JSON line per case and a last line with the peak resident memory.
//!
//! FILE (little-endian): "MIPB", u32 version 1, u32 case count, then per case:
//! `u32 name len, name, u32 memory_pages, i64 now_ms, u32 startup_repeats,
//!  u32 chunk count, (u32 len, bytes)*, u32 setup op count, op*, u32 measured op count, op*,
//!  u32 ops per round, u32 warm-up rounds, u32 rounds`;
//! op = `u8 kind (0 rx, 1 output, 2 link up, 3 link down, 4 tick), u32 iface, u32 len, bytes`.
//! Measured ops are replayed in order, wrapping around, continuing across rounds (so a list of
//! distinct registration requests is consumed once when it holds ops × (warm-up + rounds) entries).

use std::cell::Cell;
use std::rc::Rc;
use std::time::Instant;

use crate::board::{Board, Hooks};

struct Op {
    kind: u8,
    iface: u32,
    data: Vec<u8>,
}

struct Case {
    name: String,
    memory_pages: u32,
    now_ms: i64,
    startup_repeats: u32,
    chunks: Vec<Vec<u8>>,
    setup: Vec<Op>,
    measured: Vec<Op>,
    per_round: u32,
    warmup: u32,
    rounds: u32,
}

/// What the bench's hooks saw.
#[derive(Default)]
struct Seen {
    tx: Cell<u64>,
    last_tx_len: Cell<usize>,
    delivered: Cell<u64>,
    error: std::cell::RefCell<String>,
}

struct BenchHooks {
    now: i64,
    seen: Rc<Seen>,
    rnd: u32,
}

impl Hooks for BenchHooks {
    fn now_ms(&mut self) -> i64 {
        self.now
    }
    fn tx(&mut self, _iface: u32, frame: &[u8]) {
        self.seen.tx.set(self.seen.tx.get() + 1);
        self.seen.last_tx_len.set(frame.len());
    }
    fn deliver(&mut self, _packet: &[u8]) {
        self.seen.delivered.set(self.seen.delivered.get() + 1);
    }
    fn random(&mut self, buf: &mut [u8]) {
        for b in buf {
            // xorshift32: reproducible, no system entropy needed for a bench
            self.rnd ^= self.rnd << 13;
            self.rnd ^= self.rnd >> 17;
            self.rnd ^= self.rnd << 5;
            *b = self.rnd as u8;
        }
    }
    fn log(&mut self, level: i32, text: &str) {
        if level == 0 {
            *self.seen.error.borrow_mut() = text.to_string();
        }
    }
    fn event(&mut self, _kind: i32, _data: &[u8]) {}
}

struct Reader<'a> {
    b: &'a [u8],
    o: usize,
}

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize) -> Result<&'a [u8], String> {
        let end = self.o.checked_add(n).filter(|&e| e <= self.b.len()).ok_or_else(|| format!("bench file truncated at byte {}", self.o))?;
        let s = &self.b[self.o..end];
        self.o = end;
        Ok(s)
    }
    fn u8(&mut self) -> Result<u8, String> {
        Ok(self.take(1)?[0])
    }
    fn u32(&mut self) -> Result<u32, String> {
        Ok(u32::from_le_bytes(self.take(4)?.try_into().unwrap()))
    }
    fn i64(&mut self) -> Result<i64, String> {
        Ok(i64::from_le_bytes(self.take(8)?.try_into().unwrap()))
    }
    fn bytes(&mut self) -> Result<Vec<u8>, String> {
        let n = self.u32()? as usize;
        Ok(self.take(n)?.to_vec())
    }
    fn ops(&mut self) -> Result<Vec<Op>, String> {
        let n = self.u32()?;
        let mut v = Vec::with_capacity(n as usize);
        for _ in 0..n {
            let kind = self.u8()?;
            let iface = self.u32()?;
            let data = self.bytes()?;
            v.push(Op { kind, iface, data });
        }
        Ok(v)
    }
}

fn parse(b: &[u8]) -> Result<Vec<Case>, String> {
    let mut r = Reader { b, o: 0 };
    if r.take(4)? != b"MIPB" {
        return Err("not a bench file (magic MIPB expected)".into());
    }
    let version = r.u32()?;
    if version != 1 {
        return Err(format!("bench file version {version}, this program reads 1"));
    }
    let n = r.u32()?;
    let mut cases = Vec::new();
    for _ in 0..n {
        let name = String::from_utf8_lossy(&r.bytes()?).into_owned();
        let memory_pages = r.u32()?;
        let now_ms = r.i64()?;
        let startup_repeats = r.u32()?;
        let nchunks = r.u32()?;
        let mut chunks = Vec::new();
        for _ in 0..nchunks {
            chunks.push(r.bytes()?);
        }
        let setup = r.ops()?;
        let measured = r.ops()?;
        let per_round = r.u32()?;
        let warmup = r.u32()?;
        let rounds = r.u32()?;
        cases.push(Case { name, memory_pages, now_ms, startup_repeats, chunks, setup, measured, per_round, warmup, rounds });
    }
    Ok(cases)
}

fn apply(b: &mut Board, op: &Op, now: i64) -> i32 {
    match op.kind {
        0 => b.rx(op.iface, &op.data),
        1 => b.output(&op.data),
        2 => {
            let bssid = <[u8; 6]>::try_from(op.data.as_slice()).ok();
            b.link(op.iface, true, bssid);
            0
        }
        3 => {
            b.link(op.iface, false, None);
            0
        }
        _ => {
            b.tick(now);
            0
        }
    }
}

fn json_str(s: &str) -> String {
    let mut o = String::from("\"");
    for ch in s.chars() {
        match ch {
            '"' => o.push_str("\\\""),
            '\\' => o.push_str("\\\\"),
            c if (c as u32) < 0x20 => o.push_str(&format!("\\u{:04x}", c as u32)),
            c => o.push(c),
        }
    }
    o.push('"');
    o
}

/// Peak resident set size of this process in KiB (VmHWM), 0 if unknown.
pub fn peak_rss_kib() -> u64 {
    let Ok(s) = std::fs::read_to_string("/proc/self/status") else { return 0 };
    s.lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap_or(0)
}

fn run_case(wasm: &[u8], c: &Case, batch: bool) -> Result<String, String> {
    let seen = Rc::new(Seen::default());
    let hooks = |seed: u32| Box::new(BenchHooks { now: c.now_ms, seen: seen.clone(), rnd: 0x9e37_79b9 ^ seed });
    // Start-up: new Board (parse, instantiate, init) until init returned, median of the repeats.
    let mut starts = Vec::new();
    for i in 0..c.startup_repeats {
        let t0 = Instant::now();
        let b = Board::new(wasm, &c.chunks, c.memory_pages, hooks(i + 1))?;
        starts.push(t0.elapsed().as_nanos() as f64);
        drop(b);
    }
    let t0 = Instant::now();
    let mut board = Board::new(wasm, &c.chunks, c.memory_pages, hooks(0)).map_err(|e| format!("{}: {e}", c.name))?;
    starts.push(t0.elapsed().as_nanos() as f64);
    starts.sort_by(|a, b| a.partial_cmp(b).unwrap());
    let startup_us = starts[starts.len() / 2] / 1000.0;
    for op in &c.setup {
        if apply(&mut board, op, c.now_ms) < 0 {
            return Err(format!("{}: the firmware trapped during setup", c.name));
        }
    }
    let tx0 = seen.tx.get();
    let mut per = Vec::new();
    if !c.measured.is_empty() && c.per_round > 0 {
        let m = c.measured.len();
        let mut k = 0usize;
        for r in 0..(c.warmup + c.rounds) {
            let t0 = Instant::now();
            // As a board does (linux.rs): received frames go in batches through the ring and one
            // rx_batch call when the firmware has a ring; everything else one call each.
            let slots = if batch && board.has_rx_batch() { board.ring_slots() } else { 1 };
            let mut done = 0;
            while done < c.per_round {
                let op = &c.measured[k];
                if slots > 1 && op.kind == 0 {
                    let mut n = 0u32;
                    while n < slots && done < c.per_round && c.measured[k].kind == 0 {
                        let o = &c.measured[k];
                        board.ring_put(n, o.iface as u16, &o.data);
                        n += 1;
                        done += 1;
                        k += 1;
                        if k == m {
                            k = 0;
                        }
                    }
                    board.rx_batch(n);
                    continue;
                }
                apply(&mut board, op, c.now_ms);
                done += 1;
                k += 1;
                if k == m {
                    k = 0;
                }
            }
            let ns = t0.elapsed().as_nanos() as f64 / c.per_round as f64;
            if r >= c.warmup {
                per.push(ns);
            }
        }
    }
    per.sort_by(|a, b| a.partial_cmp(b).unwrap());
    let med = per.get(per.len() / 2).copied().unwrap_or(0.0);
    let counters = board.counters();
    let counter = |n: &str| counters.iter().find(|(k, _)| k == n).map_or(0, |(_, v)| *v);
    Ok(format!(
        "{{\"name\":{},\"nsPerOp\":{:.1},\"min\":{:.1},\"max\":{:.1},\"startupUs\":{:.1},\"tx\":{},\"lastTxLen\":{},\"delivered\":{},\"forwarded\":{},\"pages\":{},\"heapUsed\":{},\"rssPeakKiB\":{}}}",
        json_str(&c.name),
        med,
        per.first().copied().unwrap_or(0.0),
        per.last().copied().unwrap_or(0.0),
        startup_us,
        seen.tx.get() - tx0,
        seen.last_tx_len.get(),
        seen.delivered.get(),
        counter("forwarded"),
        board.memory_pages(),
        board.heap_used(),
        peak_rss_kib(),
    ))
}

/// `mipfw-board bench FILE [--firmware build/firmware.wasm]`
pub fn run(args: &[String]) -> Result<(), String> {
    let mut file = None;
    let mut firmware = String::from("build/firmware.wasm");
    let mut batch = true;
    let mut i = 0;
    while i < args.len() {
        match args[i].as_str() {
            "--firmware" if i + 1 < args.len() => {
                firmware = args[i + 1].clone();
                i += 2;
            }
            "--no-batch" => {
                batch = false;
                i += 1;
            }
            a if !a.starts_with("--") && file.is_none() => {
                file = Some(a.to_string());
                i += 1;
            }
            a => return Err(format!("bench: unexpected argument {a:?} (usage: bench FILE [--firmware FILE] [--no-batch])")),
        }
    }
    let file = file.ok_or("bench: needs a FILE written by bench/wasm3.mjs")?;
    let data = std::fs::read(&file).map_err(|e| format!("bench: {file}: {e}"))?;
    let cases = parse(&data).map_err(|e| format!("bench: {file}: {e}"))?;
    drop(data);
    let wasm = std::fs::read(&firmware).map_err(|e| format!("bench: cannot read firmware {firmware}: {e}"))?;
    for c in &cases {
        println!("{}", run_case(&wasm, c, batch)?);
    }
    println!("{{\"rssPeakKiB\":{}}}", peak_rss_kib());
    Ok(())
}
