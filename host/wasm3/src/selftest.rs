//! `mipfw-board selftest`: start a board from a node configuration, bring its links up, feed it an
//! ARP request for the first interface's address and an ICMP echo request, and print the input frames
//! and everything the firmware did (frames, deliveries, events, non-zero counters) as hex lines. The Node test
//! test/host/wasm3-board.test.mjs feeds the same input to the Node Board and expects the same lines.

use std::time::Instant;

use crate::board::{Board, Hooks};
use crate::config::NodeConfig;
use crate::linux::internet_checksum;

/// Records what the firmware does; time stands at 0 and "random" bytes are (i * 37 + 11) & 255,
/// as in test/host/helpers.mjs.
struct Recorder {
    lines: std::rc::Rc<std::cell::RefCell<Vec<String>>>,
}

fn hex(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02x}")).collect()
}

impl Hooks for Recorder {
    fn now_ms(&mut self) -> i64 { 0 }
    fn tx(&mut self, iface: u32, frame: &[u8]) { self.lines.borrow_mut().push(format!("tx {iface} {}", hex(frame))); }
    fn deliver(&mut self, packet: &[u8]) { self.lines.borrow_mut().push(format!("deliver {}", hex(packet))); }
    fn random(&mut self, buf: &mut [u8]) {
        for (i, b) in buf.iter_mut().enumerate() {
            *b = ((i * 37 + 11) & 255) as u8;
        }
    }
    fn log(&mut self, _level: i32, _text: &str) {}
    fn event(&mut self, kind: i32, data: &[u8]) { self.lines.borrow_mut().push(format!("event {kind} {}", hex(data))); }
}

/// A neighbour on the first interface's subnet: host number 100 (101 if that is the board).
pub fn peer_of(ip: u32, prefix_len: u8) -> u32 {
    let mask = if prefix_len == 0 { 0 } else { u32::MAX << (32 - prefix_len as u32) };
    let p = (ip & mask) | 100;
    if p == ip { p + 1 } else { p }
}

pub const PEER_MAC: [u8; 6] = [0x02, 0x00, 0x00, 0x00, 0x99, 0x01];

/// Ethernet II + ARP request from the peer asking for `target`.
pub fn arp_request(peer: u32, target: u32) -> Vec<u8> {
    let mut f = vec![0xff; 6];
    f.extend_from_slice(&PEER_MAC);
    f.extend_from_slice(&[0x08, 0x06, 0, 1, 0x08, 0, 6, 4, 0, 1]);
    f.extend_from_slice(&PEER_MAC);
    f.extend_from_slice(&peer.to_be_bytes());
    f.extend_from_slice(&[0; 6]);
    f.extend_from_slice(&target.to_be_bytes());
    f
}

/// Ethernet II + IPv4 + ICMP echo request from the peer to `dst` (MAC `dst_mac`).
pub fn echo_request(peer: u32, dst: u32, dst_mac: [u8; 6]) -> Vec<u8> {
    let payload = b"mipfw wasm3 selftest";
    let mut icmp = vec![8, 0, 0, 0, 0x42, 0x42, 0, 1];
    icmp.extend_from_slice(payload);
    let c = internet_checksum(&[&icmp]);
    icmp[2..4].copy_from_slice(&c.to_be_bytes());
    let total = (20 + icmp.len()) as u16;
    let mut ip = vec![0x45, 0];
    ip.extend_from_slice(&total.to_be_bytes());
    ip.extend_from_slice(&[0x12, 0x34, 0, 0, 64, 1, 0, 0]);
    ip.extend_from_slice(&peer.to_be_bytes());
    ip.extend_from_slice(&dst.to_be_bytes());
    let c = internet_checksum(&[&ip]);
    ip[10..12].copy_from_slice(&c.to_be_bytes());
    let mut f = dst_mac.to_vec();
    f.extend_from_slice(&PEER_MAC);
    f.extend_from_slice(&[0x08, 0x00]);
    f.extend_from_slice(&ip);
    f.extend_from_slice(&icmp);
    f
}

/// Run the self test and print the lines; start-up time and peak RSS go to stderr.
pub fn run(cfg: &NodeConfig, chunks: &[Vec<u8>], wasm: &[u8]) -> Result<(), String> {
    let lines = std::rc::Rc::new(std::cell::RefCell::new(Vec::new()));
    let t0 = Instant::now();
    let mut board = Board::new(wasm, chunks, cfg.board.memory_pages, Box::new(Recorder { lines: lines.clone() }))
        .map_err(|e| format!("{}: {e}", cfg.name))?;
    let start_us = t0.elapsed().as_micros();
    for i in 0..cfg.interfaces.len() {
        board.link(i as u32, true, None);
    }
    let ifc = &cfg.interfaces[0];
    let peer = peer_of(ifc.ip, ifc.prefix_len);
    let mut results = Vec::new();
    for frame in [arp_request(peer, ifc.ip), echo_request(peer, ifc.ip, ifc.mac)] {
        lines.borrow_mut().push(format!("input 0 {}", hex(&frame)));
        results.push(board.rx(0, &frame).to_string());
    }
    lines.borrow_mut().push(format!("rx {}", results.join(" ")));
    for (name, v) in board.counters() {
        if v != 0 {
            lines.borrow_mut().push(format!("counter {name} {v}"));
        }
    }
    lines.borrow_mut().push(format!("heap_used {} memory_pages {}", board.heap_used(), board.memory_pages()));
    if let Some(t) = board.trapped() {
        return Err(format!("trap: {t}"));
    }
    for l in lines.borrow().iter() {
        println!("{l}");
    }
    eprintln!("# start-up {start_us} us, peak RSS {} KiB", peak_rss_kib());
    Ok(())
}

/// VmHWM of this process from /proc/self/status (0 if unknown).
pub fn peak_rss_kib() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| s.lines().find(|l| l.starts_with("VmHWM:")).and_then(|l| l.split_whitespace().nth(1)?.parse().ok()))
        .unwrap_or(0)
}
