//! Board checks against small stand-in modules (tests/wasm/abi-stub.wat, compiled by gen.mjs) and,
//! when it has been built, the real firmware.

use std::cell::RefCell;
use std::rc::Rc;

use mipfw_board::board::{Board, Hooks};

#[derive(Default)]
struct Seen {
    tx: Vec<(u32, Vec<u8>)>,
    logs: Vec<(i32, String)>,
    events: Vec<(i32, Vec<u8>)>,
}

struct Rec(Rc<RefCell<Seen>>);

impl Hooks for Rec {
    fn now_ms(&mut self) -> i64 { 1234 }
    fn tx(&mut self, iface: u32, frame: &[u8]) { self.0.borrow_mut().tx.push((iface, frame.to_vec())); }
    fn deliver(&mut self, _packet: &[u8]) {}
    fn random(&mut self, buf: &mut [u8]) { buf.fill(1); }
    fn log(&mut self, level: i32, text: &str) { self.0.borrow_mut().logs.push((level, text.to_string())); }
    fn event(&mut self, kind: i32, data: &[u8]) { self.0.borrow_mut().events.push((kind, data.to_vec())); }
}

fn stub(name: &str) -> Vec<u8> {
    std::fs::read(format!("{}/tests/wasm/{name}", env!("CARGO_MANIFEST_DIR"))).unwrap()
}

fn start(name: &str, chunks: &[Vec<u8>], pages: u32) -> (Result<Board, String>, Rc<RefCell<Seen>>) {
    let seen = Rc::new(RefCell::new(Seen::default()));
    (Board::new(&stub(name), chunks, pages, Box::new(Rec(seen.clone()))), seen)
}

fn ok_chunks() -> Vec<Vec<u8>> {
    vec![b"MIPF\0\x01\0\0".to_vec(), b"MIPF\0\x01\0\0".to_vec()]
}

#[test]
fn starts_and_reads_counters_and_calls() {
    let (b, seen) = start("stub.wasm", &ok_chunks(), 2);
    let mut b = b.unwrap();
    // init stored now_ms (1234) in counter "a".
    assert_eq!(b.counters(), vec![("a".to_string(), 1234), ("b".to_string(), 0)]);
    assert_eq!(b.rx(3, &[1, 2, 3, 4]), 0);
    assert_eq!(seen.borrow().tx, vec![(3, vec![1, 2, 3, 4])]);
    assert_eq!(b.counter("b"), 1);
    assert_eq!(b.tick(1000), 1100);
    assert_eq!(b.heap_used(), 4242);
    assert_eq!(b.static_bytes(), 100);
    assert_eq!(b.memory_pages(), 1);
    b.link(0, true, Some([1, 2, 3, 4, 5, 6]));
    assert!(b.dump_raw(0).is_empty());
    assert!(b.trapped().is_none());
    // A frame longer than rx_capacity is not copied: the core is told capacity + 1 (counted too long).
    assert_eq!(b.rx(0, &vec![7u8; 4000]), 0);
    assert_eq!(seen.borrow().tx.last().unwrap().1.len(), 1519);
}

#[test]
fn a_trap_is_an_error_naming_the_call_not_a_panic() {
    let (b, seen) = start("stub.wasm", &ok_chunks(), 2);
    let mut b = b.unwrap();
    assert_eq!(b.rx(0, &[0xff, 0]), -1);
    let t = b.trapped().unwrap().to_string();
    assert!(t.starts_with("rx: ") && t.contains("unreachable"), "{t}");
    assert!(seen.borrow().logs.iter().any(|(l, s)| *l == 0 && s.contains("trap in rx")));
    // The board still answers later calls.
    assert_eq!(b.rx(0, &[1]), 0);
}

#[test]
fn an_out_of_bounds_pointer_from_the_module_traps() {
    let (b, seen) = start("stub.wasm", &ok_chunks(), 2);
    let mut b = b.unwrap();
    assert_eq!(b.output(&[0x45; 20]), -1);
    let t = b.trapped().unwrap();
    assert!(t.starts_with("output: ") && t.contains("out of bounds"), "{t}");
    assert!(seen.borrow().tx.is_empty());
}

#[test]
fn refusals_carry_the_cores_reason() {
    let mut bad = ok_chunks();
    bad[0][0] = b'X';
    let (b, _) = start("stub.wasm", &bad, 2);
    assert_eq!(b.err().unwrap(), "firmware refused the configuration (code 1): config: refused on purpose");
    let (b, _) = start("stub.wasm", &[vec![0u8; 4097]], 2);
    assert!(b.err().unwrap().contains("4097 bytes, the firmware takes at most 4096"));
    let (b, _) = start("stub.wasm", &[], 2);
    assert!(b.is_err());
}

#[test]
fn memory_beyond_the_board_budget_is_refused() {
    let (b, _) = start("stub-grows.wasm", &ok_chunks(), 2);
    assert_eq!(b.err().unwrap(), "firmware uses 4 pages, the board allows 2");
    let (b, _) = start("stub-grows.wasm", &ok_chunks(), 4);
    assert_eq!(b.unwrap().memory_pages(), 4);
    let (b, _) = start("stub.wasm", &ok_chunks(), 0);
    assert!(b.err().unwrap().contains("declares 1 pages"));
}

#[test]
fn wrong_abi_imports_and_signatures_are_refused() {
    let (b, _) = start("stub-abi1.wasm", &ok_chunks(), 2);
    assert_eq!(b.err().unwrap(), "firmware ABI 1, host ABI 3");
    let (b, _) = start("stub-badsig.wasm", &ok_chunks(), 2);
    let e = b.err().unwrap();
    assert!(e.contains("host.deliver") && e.contains("signature"), "{e}");
    let (b, _) = start("stub-env.wasm", &ok_chunks(), 2);
    let e = b.err().unwrap();
    assert!(e.starts_with("firmware imports function env.abort;"), "{e}");
    let seen = Rc::new(RefCell::new(Seen::default()));
    let e = Board::new(b"\0asm\x01\0\0\0garbage", &ok_chunks(), 2, Box::new(Rec(seen))).err().unwrap();
    assert!(e.starts_with("firmware: not a valid WebAssembly module"), "{e}");
}

#[test]
fn the_real_firmware_answers_arp() {
    let path = format!("{}/../../build/firmware.wasm", env!("CARGO_MANIFEST_DIR"));
    let Ok(wasm) = std::fs::read(&path) else {
        eprintln!("skipped: {path} not built (npm run build)");
        return;
    };
    let json = r#"{ "name": "r1", "roles": ["router"], "interfaces": [
        { "name": "eth0", "mac": "02:00:00:00:01:01", "ipv4": "10.0.1.1/24" },
        { "name": "eth1", "mac": "02:00:00:00:02:01", "ipv4": "10.0.2.1/24" }] }"#;
    let raw: serde_json::Value = serde_json::from_str(json).unwrap();
    let cfg = mipfw_board::config::validate_config(&raw, "config", &mipfw_board::config::Boards::embedded()).unwrap();
    let chunks = mipfw_board::config::encode_config_chunks(&cfg, 4096);
    let seen = Rc::new(RefCell::new(Seen::default()));
    let mut b = Board::new(&wasm, &chunks, cfg.board.memory_pages, Box::new(Rec(seen.clone()))).unwrap();
    b.link(0, true, None);
    let peer = mipfw_board::selftest::peer_of(0x0a000101, 24);
    assert_eq!(b.rx(0, &mipfw_board::selftest::arp_request(peer, 0x0a000101)), 0);
    let tx = seen.borrow().tx.clone();
    assert_eq!(tx.len(), 1);
    assert_eq!(&tx[0].1[12..14], &[0x08, 0x06]);
    assert_eq!(&tx[0].1[20..22], &[0, 2], "ARP reply");
    assert_eq!(b.counter("arp_tx_reply"), 1);
    assert!(b.memory_pages() <= cfg.board.memory_pages);
    assert!(b.trapped().is_none());
}

#[test]
fn the_real_firmware_takes_a_batch_like_frames_one_by_one() {
    let path = format!("{}/../../build/firmware.wasm", env!("CARGO_MANIFEST_DIR"));
    let Ok(wasm) = std::fs::read(&path) else {
        eprintln!("skipped: {path} not built (npm run build)");
        return;
    };
    let json = r#"{ "name": "r1", "board": "rpi-zero-2w", "roles": ["router"], "interfaces": [
        { "name": "eth0", "mac": "02:00:00:00:01:01", "ipv4": "10.0.1.1/24" },
        { "name": "eth1", "mac": "02:00:00:00:02:01", "ipv4": "10.0.2.1/24" }] }"#;
    let raw: serde_json::Value = serde_json::from_str(json).unwrap();
    let cfg = mipfw_board::config::validate_config(&raw, "config", &mipfw_board::config::Boards::embedded()).unwrap();
    let chunks = mipfw_board::config::encode_config_chunks(&cfg, 4096);
    let board = || {
        let seen = Rc::new(RefCell::new(Seen::default()));
        (Board::new(&wasm, &chunks, cfg.board.memory_pages, Box::new(Rec(seen.clone()))).unwrap(), seen)
    };
    let (mut one, seen_one) = board();
    let (mut many, seen_many) = board();
    assert!(many.has_rx_batch());
    assert_eq!(many.ring_slots(), 32);
    // ARP requests from 20 peers on both links, a frame for no interface, one too long.
    let mut frames: Vec<(u16, Vec<u8>)> = Vec::new();
    for i in 0..20u32 {
        let (iface, net) = if i % 2 == 0 { (0u16, 0x0a000100u32) } else { (1, 0x0a000200) };
        frames.push((iface, mipfw_board::selftest::arp_request(net + 10 + i, net + 1)));
    }
    frames.push((7, frames[0].1.clone()));
    frames.push((0, vec![0u8; 4000]));
    for (iface, f) in &frames {
        one.rx(*iface as u32, f);
    }
    for (i, (iface, f)) in frames.iter().enumerate() {
        many.ring_put(i as u32, *iface, f);
    }
    many.ring_set(frames.len() as u32, 0xffff, 60); // empty slot: skipped, not counted
    assert_eq!(many.rx_batch(frames.len() as u32 + 1), 20, "20 frames used");
    assert_eq!(seen_many.borrow().tx, seen_one.borrow().tx);
    assert_eq!(seen_many.borrow().tx.len(), 20, "20 ARP replies");
    assert_eq!(many.counters(), one.counters());
    assert_eq!(many.counter("rx_frames"), 22);
    assert_eq!(many.counter("drop_bad_iface"), 1);
    assert_eq!(many.counter("drop_too_long"), 1);
    assert_eq!(many.rx_batch(33), -1, "more slots than the ring has");
    assert!(many.trapped().is_none());
}

/// Issue 14.2: what the Linux driver does on an nl80211 ROAM that keeps the carrier (linux.rs): link up
/// again with the new access point. The firmware reports the new BSSID and a mobile node looks for its
/// agent again (Agent Solicitations), which the same node without the roam does not do as often.
#[test]
fn the_real_firmware_takes_a_roam_to_a_new_access_point_as_a_link_event() {
    let path = format!("{}/../../build/firmware.wasm", env!("CARGO_MANIFEST_DIR"));
    let Ok(wasm) = std::fs::read(&path) else {
        eprintln!("skipped: {path} not built (npm run build)");
        return;
    };
    let json = r#"{ "name": "mn", "board": "rpi4", "roles": ["mobile-node"],
        "interfaces": [ { "name": "wlan0", "mac": "02:00:00:01:00:20", "ipv4": "10.1.0.20/24" } ],
        "routes": [ { "dest": "default", "via": "10.1.0.1" } ],
        "mobility": { "homeAgent": "10.1.0.1" },
        "securityAssociations": [ { "peer": "10.1.0.1", "spi": 4096, "key": "text:k" } ] }"#;
    let raw: serde_json::Value = serde_json::from_str(json).unwrap();
    let cfg = mipfw_board::config::validate_config(&raw, "config", &mipfw_board::config::Boards::embedded()).unwrap();
    let chunks = mipfw_board::config::encode_config_chunks(&cfg, 4096);
    let (ap1, ap2) = ([2u8, 0, 0, 0, 0xa1, 1], [2u8, 0, 0, 0, 0xa2, 1]);
    // Agent Solicitations (ICMP type 10) sent in the 3 s after t = 5 s, with or without the roam then.
    let run = |roam: bool| {
        let seen = Rc::new(RefCell::new(Seen::default()));
        let mut b = Board::new(&wasm, &chunks, cfg.board.memory_pages, Box::new(Rec(seen.clone()))).unwrap();
        b.link(0, true, Some(ap1));
        for t in (0..5000).step_by(50) {
            b.tick(t);
        }
        seen.borrow_mut().tx.clear();
        seen.borrow_mut().events.clear();
        if roam {
            b.link(0, true, Some(ap2));
        }
        for t in (5000..8000).step_by(50) {
            b.tick(t);
        }
        let s = seen.borrow();
        let solicits = s.tx.iter().filter(|(_, f)| f.len() > 34 && f[12..14] == [8, 0] && f[23] == 1 && f[34] == 10).count();
        (s.events.clone(), solicits)
    };
    let (events, with_roam) = run(true);
    let link: Vec<&Vec<u8>> = events.iter().filter(|(k, _)| *k == 1).map(|(_, d)| d).collect();
    assert_eq!(link.len(), 1, "one LINK event");
    assert_eq!(&link[0][..8], &[0, 1, 2, 0, 0, 0, 0xa2, 1], "iface 0 up, the new access point");
    let (events, without) = run(false);
    assert!(events.iter().all(|(k, _)| *k != 1), "no LINK event without the roam");
    assert!(with_roam > without, "solicitations after the roam: {with_roam}, without it: {without}");
}

/// Rec with a clock the test moves.
struct Clocked(Rc<RefCell<Seen>>, Rc<std::cell::Cell<i64>>);

impl Hooks for Clocked {
    fn now_ms(&mut self) -> i64 { self.1.get() }
    fn tx(&mut self, iface: u32, frame: &[u8]) { self.0.borrow_mut().tx.push((iface, frame.to_vec())); }
    fn deliver(&mut self, _packet: &[u8]) {}
    fn random(&mut self, buf: &mut [u8]) { buf.fill(1); }
    fn log(&mut self, level: i32, text: &str) { self.0.borrow_mut().logs.push((level, text.to_string())); }
    fn event(&mut self, kind: i32, data: &[u8]) { self.0.borrow_mut().events.push((kind, data.to_vec())); }
}

/// Issue 14 with the real firmware, through the board host's own functions: a bindings file with an IPv4
/// binding and a Mobile IPv6 home registration is restored (restore_records + config_add), written back
/// (persist), a changed key is applied by a reload (reload_plan), and the agents table decodes.
#[test]
fn the_real_firmware_restores_both_families_rotates_a_key_and_dumps_its_agents() {
    use mipfw_board::control::{decode, pack, persist, reload_plan, restore_records, AH_SEQ_LEASE};
    let path = format!("{}/../../build/firmware.wasm", env!("CARGO_MANIFEST_DIR"));
    let Ok(wasm) = std::fs::read(&path) else {
        eprintln!("skipped: {path} not built (npm run build)");
        return;
    };
    let config = |key: &str| format!(r#"{{ "name": "ha", "roles": ["router", "home-agent"], "node": {{ "ipv6": "dual" }},
        "interfaces": [ {{ "name": "eth0", "mac": "02:00:00:00:01:01", "ipv4": "10.1.0.1/24", "home": true, "advertise": true }},
                        {{ "name": "eth1", "mac": "02:00:00:00:02:01", "ipv4": "10.0.0.1/24" }} ],
        "ipv6": [ {{ "iface": "eth0", "address": "2001:db8:1::1/64", "advertise": true }}, {{ "iface": "eth1", "address": "2001:db8:2::1/64" }} ],
        "routes": [ {{ "dest": "10.2.0.0/24", "via": "10.0.0.2" }} ],
        "securityAssociations": [ {{ "peer": "10.1.0.20", "spi": 4096, "algorithm": "hmac-md5", "key": "text:{key}" }} ],
        "ipsec": [ {{ "peer": "2001:db8:1::64", "spiIn": 4096, "spiOut": 8192, "algorithm": "hmac-sha1-96", "key": "00112233445566778899aabbccddeeff00112233" }} ] }}"#);
    let chunks_of = |key: &str| {
        let raw: serde_json::Value = serde_json::from_str(&config(key)).unwrap();
        let cfg = mipfw_board::config::validate_config(&raw, "config", &mipfw_board::config::Boards::embedded()).unwrap();
        (mipfw_board::config::encode_config_chunks(&cfg, 4096), cfg.board.memory_pages)
    };
    let (chunks, pages) = chunks_of("old-key");
    let seen = Rc::new(RefCell::new(Seen::default()));
    // (As linux.rs does: the bindings restored right after the start, before any link event.)
    let clock = Rc::new(std::cell::Cell::new(1234i64));
    let mut b = Board::new(&wasm, &chunks, pages, Box::new(Clocked(seen.clone(), clock.clone()))).unwrap();
    // The clock is 1234 ms; the wall clock of the file 1_000_000 ms.
    let text = r#"{"format":1,"savedUnixMs":990000,"bindings":[
        {"home":"10.1.0.20","careOf":"10.2.0.1","flags":0,"identification":"00000000000000ff","expiresUnixMs":1060000}],
        "bindings6":[{"home":"2001:db8:1::64","careOf":"2001:db8:2::c0a","seq":7,"ahOutSeq":40,"ahInHighest":9,"expiresUnixMs":1120000}]}"#;
    let (recs, expired) = restore_records(text, 1_000_000).unwrap();
    assert_eq!((recs.len(), expired), (2, 0));
    b.config_add(&pack(&chunks[0], &recs[..1], 4096)[0]).unwrap();
    // The Mobile IPv6 one waits for DAD of the home agent's own address on the home link (the host retries
    // it once a second: linux.rs), then it is taken.
    let e = b.config_add(&pack(&chunks[0], &recs[1..], 4096)[0]).unwrap_err();
    assert!(e.ends_with("binding: expected 0..0, got 133"), "{e}");
    b.link(0, true, None);
    b.link(1, true, None);
    for t in (1234..=1234 + 3000).step_by(100) {
        clock.set(t);
        b.tick(t);
    }
    b.config_add(&pack(&chunks[0], &recs[1..], 4096)[0]).unwrap();
    let v4: Vec<serde_json::Value> = b.dump_raw(3).iter().filter_map(|r| decode(3, r, 1234, &[])).collect();
    assert_eq!((v4.len(), v4[0]["home"].as_str(), v4[0]["expiresSec"].as_i64()), (1, Some("10.1.0.20"), Some(60)));
    let v6: Vec<serde_json::Value> = b.dump_raw(9).iter().filter_map(|r| decode(9, r, 4234, &[])).collect();
    assert_eq!(v6.len(), 1);
    assert_eq!((v6[0]["home"].as_str(), v6[0]["careOf"].as_str(), v6[0]["seq"].as_u64()), (Some("2001:db8:1::64"), Some("2001:db8:2::c0a"), Some(7)));
    assert_eq!((v6[0]["homeRegistration"].as_bool(), v6[0]["expiresSec"].as_i64()), (Some(true), Some(120)));
    assert_eq!((v6[0]["ahOutSeq"].as_u64(), v6[0]["ahInHighest"].as_u64()), (Some(40 + AH_SEQ_LEASE), Some(9)), "the AH counters go on, leased ahead");
    // Written back: both families, with their wall-clock expiry.
    let file = std::env::temp_dir().join(format!("mipfw-restore-{}.json", std::process::id()));
    persist(&file, &v4, &v6, 1_000_000).unwrap();
    let back: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&file).unwrap()).unwrap();
    let _ = std::fs::remove_file(&file);
    assert_eq!(back["bindings"][0]["expiresUnixMs"], 1_060_000);
    assert_eq!(back["bindings6"][0]["expiresUnixMs"], 1_120_000);
    // A reload with a new key: replaced, the bindings kept.
    let (new, _) = chunks_of("new-key");
    let plan = reload_plan(&chunks, &new).unwrap();
    assert_eq!((plan.added, plan.changed), (0, 1));
    for c in pack(&new[0], &plan.apply, 4096) {
        b.config_add(&c).unwrap();
    }
    assert_eq!(b.dump_raw(3).len() + b.dump_raw(9).len(), 2, "bindings kept");
    // The agents table: the home agent's own advertising interface.
    let agents: Vec<serde_json::Value> = b.dump_raw(11).iter().filter_map(|r| decode(11, r, 1234, &["eth0".into(), "eth1".into()])).collect();
    assert_eq!(agents.len(), 1);
    assert_eq!((agents[0]["kind"].as_str(), agents[0]["iface"].as_str(), agents[0]["address"].as_str()), (Some("own"), Some("eth0"), Some("10.1.0.1")));
    assert!(agents[0]["flags"].as_str().unwrap().contains('H'));
    assert!(b.trapped().is_none());
}
