//! `mipfw-board sim-peer`: the emulated network (host/node/sim) drives one board running under wasm3
//! over two named pipes, with virtual time. The Node side is host/node/remote.ts (`RemoteBoard`);
//! the protocol:
//!
//! Requests (simulator -> peer, the `--requests` FIFO): `u32 len` (bytes after this field),
//! `u8 op`, `i64 now_ms` (the virtual time `now_ms()` returns during the call), body.
//! Records (peer -> simulator, the `--records` FIFO): `u32 len`, `u8 type`, body. Every request is
//! answered by any number of tx/deliver/event/log/random records and then exactly one `done` (or
//! `error`). A `random` record asks for bytes: the simulator answers with an `OP_RANDOM` request
//! carrying them, so the board draws from the same seeded stream as it would under Node.
//! All integers little-endian.

use std::cell::RefCell;
use std::fs::{File, OpenOptions};
use std::io::{BufReader, BufWriter, ErrorKind, Read, Write};
use std::rc::Rc;

use crate::board::{Board, Hooks};

pub const OP_INIT: u8 = 1; // u32 memory_pages, u32 chunk count, then per chunk u32 len + bytes
pub const OP_RX: u8 = 2; // u32 iface, frame
pub const OP_OUTPUT: u8 = 3; // packet
pub const OP_TICK: u8 = 4; // i64 tick time
pub const OP_LINK: u8 = 5; // u32 iface, u8 up, u8 has_bssid, bssid[6]
pub const OP_COUNTERS: u8 = 6; // done extra: u32 n, then per counter u16 name len, name, u64 value
pub const OP_INFO: u8 = 7; // done value heap_used, extra u32 memory_pages
pub const OP_RANDOM: u8 = 8; // the bytes asked for by a random record
pub const OP_QUIT: u8 = 9;
pub const OP_STATION: u8 = 10; // u32 iface, u8 up, mac[6], pad (issue 10.10)

pub const R_TX: u8 = 1; // u32 iface, frame
pub const R_DELIVER: u8 = 2; // packet
pub const R_EVENT: u8 = 3; // u32 kind, data
pub const R_LOG: u8 = 4; // i32 level, UTF-8 text
pub const R_RANDOM: u8 = 5; // u32 n
pub const R_DONE: u8 = 6; // i64 value, extra bytes
pub const R_ERROR: u8 = 7; // UTF-8 message

/// Both pipe ends and the virtual clock, shared by the request loop and the board's hooks.
struct Io {
    r: BufReader<File>,
    w: BufWriter<File>,
    now: i64,
}

/// The simulator went away or the pipe broke: nothing else to do but stop.
fn gone(what: &str, e: std::io::Error) -> ! {
    if e.kind() != ErrorKind::UnexpectedEof && e.kind() != ErrorKind::BrokenPipe {
        eprintln!("mipfw-board sim-peer: {what}: {e}");
    }
    std::process::exit(if e.kind() == ErrorKind::UnexpectedEof { 0 } else { 1 })
}

impl Io {
    /// Write one record made of `parts` (after the type byte).
    fn record(&mut self, kind: u8, parts: &[&[u8]]) {
        let len: usize = 1 + parts.iter().map(|p| p.len()).sum::<usize>();
        let r = (|| -> std::io::Result<()> {
            self.w.write_all(&(len as u32).to_le_bytes())?;
            self.w.write_all(&[kind])?;
            for p in parts {
                self.w.write_all(p)?;
            }
            Ok(())
        })();
        if let Err(e) = r {
            gone("writing a record", e);
        }
    }

    fn flush(&mut self) {
        if let Err(e) = self.w.flush() {
            gone("writing records", e);
        }
    }

    /// Read one request into `body`; returns (op, now_ms), or None at end of input.
    fn request(&mut self, body: &mut Vec<u8>) -> Option<(u8, i64)> {
        let mut hdr = [0u8; 4];
        match self.r.read_exact(&mut hdr) {
            Ok(()) => {}
            Err(e) if e.kind() == ErrorKind::UnexpectedEof => return None,
            Err(e) => gone("reading a request", e),
        }
        let len = u32::from_le_bytes(hdr) as usize;
        if len < 9 {
            gone("reading a request", std::io::Error::new(ErrorKind::InvalidData, format!("request of {len} bytes")));
        }
        let mut head = [0u8; 9];
        if let Err(e) = self.r.read_exact(&mut head) {
            gone("reading a request", e);
        }
        body.clear();
        body.resize(len - 9, 0);
        if let Err(e) = self.r.read_exact(body) {
            gone("reading a request", e);
        }
        Some((head[0], i64::from_le_bytes(head[1..9].try_into().unwrap())))
    }

    fn done(&mut self, value: i64, extra: &[u8]) {
        self.record(R_DONE, &[&value.to_le_bytes(), extra]);
        self.flush();
    }

    fn error(&mut self, msg: &str) {
        self.record(R_ERROR, &[msg.as_bytes()]);
        self.flush();
    }
}

/// The board's hooks: every import becomes a record on the pipe.
struct PeerHooks(Rc<RefCell<Io>>);

impl Hooks for PeerHooks {
    fn now_ms(&mut self) -> i64 {
        self.0.borrow().now
    }
    fn tx(&mut self, iface: u32, frame: &[u8]) {
        self.0.borrow_mut().record(R_TX, &[&iface.to_le_bytes(), frame]);
    }
    fn deliver(&mut self, packet: &[u8]) {
        self.0.borrow_mut().record(R_DELIVER, &[packet]);
    }
    fn random(&mut self, buf: &mut [u8]) {
        let mut io = self.0.borrow_mut();
        io.record(R_RANDOM, &[&(buf.len() as u32).to_le_bytes()]);
        io.flush();
        let mut body = Vec::with_capacity(buf.len());
        match io.request(&mut body) {
            Some((OP_RANDOM, _)) if body.len() == buf.len() => buf.copy_from_slice(&body),
            Some((op, _)) => {
                eprintln!("mipfw-board sim-peer: expected {} random bytes, got op {op} with {} bytes", buf.len(), body.len());
                std::process::exit(1);
            }
            None => std::process::exit(0),
        }
    }
    fn log(&mut self, level: i32, text: &str) {
        self.0.borrow_mut().record(R_LOG, &[&level.to_le_bytes(), text.as_bytes()]);
    }
    fn event(&mut self, kind: i32, data: &[u8]) {
        self.0.borrow_mut().record(R_EVENT, &[&kind.to_le_bytes(), data]);
    }
}

/// Little-endian field reader over a request body; None when the body is too short.
struct Cursor<'a> {
    b: &'a [u8],
    o: usize,
}

impl<'a> Cursor<'a> {
    fn take(&mut self, n: usize) -> Option<&'a [u8]> {
        let s = self.b.get(self.o..self.o.checked_add(n)?)?;
        self.o += n;
        Some(s)
    }
    fn u32(&mut self) -> Option<u32> {
        Some(u32::from_le_bytes(self.take(4)?.try_into().ok()?))
    }
    fn i64(&mut self) -> Option<i64> {
        Some(i64::from_le_bytes(self.take(8)?.try_into().ok()?))
    }
    fn rest(&mut self) -> &'a [u8] {
        let s = &self.b[self.o.min(self.b.len())..];
        self.o = self.b.len();
        s
    }
}

struct Args {
    firmware: String,
    requests: String,
    records: String,
    name: String,
}

fn parse_args(args: &[String]) -> Result<Args, String> {
    let mut a = Args { firmware: "build/firmware.wasm".into(), requests: String::new(), records: String::new(), name: "board".into() };
    let mut i = 0;
    while i < args.len() {
        let v = args.get(i + 1).cloned().ok_or_else(|| format!("sim-peer: {} needs a value", args[i]))?;
        match args[i].as_str() {
            "--firmware" => a.firmware = v,
            "--requests" => a.requests = v,
            "--records" => a.records = v,
            "--name" => a.name = v,
            other => return Err(format!("sim-peer: unknown option {other:?} (usage: sim-peer --requests FIFO --records FIFO [--firmware FILE] [--name NAME])")),
        }
        i += 2;
    }
    if a.requests.is_empty() || a.records.is_empty() {
        return Err("sim-peer: --requests FIFO and --records FIFO are required".into());
    }
    Ok(a)
}

/// `mipfw-board sim-peer --requests FIFO --records FIFO [--firmware FILE] [--name NAME]`
pub fn run(args: &[String]) -> Result<(), String> {
    let a = parse_args(args)?;
    // Open order matters: the simulator opens "requests" for writing first, then "records" for reading.
    let r = File::open(&a.requests).map_err(|e| format!("sim-peer: {}: {e}", a.requests))?;
    let w = OpenOptions::new().write(true).open(&a.records).map_err(|e| format!("sim-peer: {}: {e}", a.records))?;
    let io = Rc::new(RefCell::new(Io { r: BufReader::with_capacity(65536, r), w: BufWriter::with_capacity(65536, w), now: 0 }));
    // A firmware that cannot be read is reported as the answer to the first init.
    let wasm = std::fs::read(&a.firmware).map_err(|e| format!("cannot read firmware {}: {e}", a.firmware));
    let mut board: Option<Board> = None;
    let mut body = Vec::with_capacity(16384);
    let name = a.name;
    loop {
        let Some((op, now)) = io.borrow_mut().request(&mut body) else { return Ok(()) };
        io.borrow_mut().now = now;
        let mut c = Cursor { b: &body, o: 0 };
        match op {
            OP_INIT => {
                board = None; // a restart discards all state (docs/abi.md init)
                let parsed = (|| {
                    let pages = c.u32()?;
                    let n = c.u32()?;
                    let mut chunks = Vec::with_capacity(n as usize);
                    for _ in 0..n {
                        let len = c.u32()? as usize;
                        chunks.push(c.take(len)?.to_vec());
                    }
                    Some((pages, chunks))
                })();
                let result = match (&wasm, parsed) {
                    (Err(e), _) => Err(e.clone()),
                    (_, None) => Err("malformed init request".to_string()),
                    (Ok(wasm), Some((pages, chunks))) => Board::new(wasm, &chunks, pages, Box::new(PeerHooks(io.clone()))),
                };
                match result {
                    Ok(b) => {
                        board = Some(b);
                        io.borrow_mut().done(0, &[]);
                    }
                    Err(e) => io.borrow_mut().error(&format!("firmware refused the configuration: {e}")),
                }
            }
            OP_RX => {
                let Some(iface) = c.u32() else { io.borrow_mut().error("malformed rx request"); continue };
                let frame = c.rest();
                let rc = board.as_mut().map_or(1, |b| b.rx(iface, frame));
                finish(&io, rc, "rx", &name);
            }
            OP_OUTPUT => {
                let rc = board.as_mut().map_or(1, |b| b.output(c.rest()));
                finish(&io, rc, "output", &name);
            }
            OP_TICK => {
                let Some(t) = c.i64() else { io.borrow_mut().error("malformed tick request"); continue };
                let next = board.as_mut().map_or(i64::MAX, |b| b.tick(t));
                io.borrow_mut().done(next, &[]);
            }
            OP_LINK => {
                let (Some(iface), Some(f)) = (c.u32(), c.take(8)) else { io.borrow_mut().error("malformed link request"); continue };
                let bssid = if f[1] != 0 { Some(<[u8; 6]>::try_from(&f[2..8]).unwrap()) } else { None };
                if let Some(b) = board.as_mut() {
                    b.link(iface, f[0] != 0, bssid);
                }
                io.borrow_mut().done(0, &[]);
            }
            OP_STATION => {
                let (Some(iface), Some(f)) = (c.u32(), c.take(8)) else { io.borrow_mut().error("malformed station request"); continue };
                if let Some(b) = board.as_mut() {
                    b.station(iface, f[0] != 0, <[u8; 6]>::try_from(&f[1..7]).unwrap());
                }
                io.borrow_mut().done(0, &[]);
            }
            OP_COUNTERS => {
                let list = board.as_ref().map(|b| b.counters()).unwrap_or_default();
                let mut extra = Vec::with_capacity(4 + list.len() * 32);
                extra.extend_from_slice(&(list.len() as u32).to_le_bytes());
                for (n, v) in &list {
                    extra.extend_from_slice(&(n.len() as u16).to_le_bytes());
                    extra.extend_from_slice(n.as_bytes());
                    extra.extend_from_slice(&v.to_le_bytes());
                }
                io.borrow_mut().done(0, &extra);
            }
            OP_INFO => {
                let (heap, pages) = board.as_ref().map_or((0, 0), |b| (b.heap_used(), b.memory_pages()));
                io.borrow_mut().done(heap as i64, &pages.to_le_bytes());
            }
            OP_QUIT => return Ok(()),
            other => io.borrow_mut().error(&format!("unknown request op {other}")),
        }
    }
}

/// Answer an rx/output call: its return value, or an error when the module trapped.
fn finish(io: &Rc<RefCell<Io>>, rc: i32, call: &str, name: &str) {
    if rc < 0 {
        io.borrow_mut().error(&format!("{name}: the firmware trapped in {call} ({rc})"));
    } else {
        io.borrow_mut().done(rc as i64, &[]);
    }
}
