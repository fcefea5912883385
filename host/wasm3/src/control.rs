//! Live inspection of a running board (issue 14 point 3): the control socket, `status`, `log-level`,
//! and the security-association reload of SIGHUP.
//!
//! Protocol (docs/wasm3.md "Control socket"): a Unix stream socket; the client writes one request
//! line (`status` or `log-level LEVEL`), the board answers one JSON line and closes. The socket is
//! created mode 0600 (only the board's user, or root, may connect).

use std::io::{BufRead, BufReader, Read, Write};
use std::os::unix::fs::PermissionsExt;
use std::os::unix::net::{UnixListener, UnixStream};
use std::path::{Path, PathBuf};
use std::time::Duration;

use serde_json::{json, Map, Value};

use crate::board::Board;

/// Log levels by name, as the core numbers them (0 error .. 3 debug).
pub const LEVELS: [&str; 4] = ["error", "warning", "info", "debug"];

/// The level named `s` (or its number), Err naming the expected values.
pub fn parse_level(s: &str) -> Result<i32, String> {
    if let Some(i) = LEVELS.iter().position(|l| *l == s) {
        return Ok(i as i32);
    }
    match s.parse::<i32>() {
        Ok(n) if (0..4).contains(&n) => Ok(n),
        _ => Err(format!("log level: expected one of error, warning, info, debug (or 0..3), got {s:?}")),
    }
}

/// The control socket's path: `--control`, else $MIPFW_CONTROL, else /run/mipfw/<name>.sock.
pub fn default_path(name: &str) -> PathBuf {
    match std::env::var("MIPFW_CONTROL") {
        Ok(p) if !p.is_empty() => PathBuf::from(p),
        _ => PathBuf::from(format!("/run/mipfw/{name}.sock")),
    }
}

/// The listening control socket of a board; removed when dropped.
pub struct Control {
    pub listener: UnixListener,
    pub path: PathBuf,
}

impl Control {
    /// Bind `path` with mode 0600. A stale socket (nobody answers) is replaced; a live one is an error.
    pub fn bind(path: &Path) -> Result<Control, String> {
        if let Some(dir) = path.parent() {
            if !dir.as_os_str().is_empty() && !dir.exists() {
                std::fs::create_dir_all(dir).map_err(|e| format!("control socket: cannot create {}: {e}", dir.display()))?;
                let _ = std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o750));
            }
        }
        if path.exists() {
            if UnixStream::connect(path).is_ok() {
                return Err(format!("control socket {}: another board answers there (give --control PATH)", path.display()));
            }
            std::fs::remove_file(path).map_err(|e| format!("control socket {}: cannot remove the stale socket: {e}", path.display()))?;
        }
        // umask 0177 while binding: the socket is never connectable by others, not even briefly.
        let old = unsafe { libc::umask(0o177) };
        let r = UnixListener::bind(path);
        unsafe { libc::umask(old) };
        let listener = r.map_err(|e| format!("control socket {}: {e}", path.display()))?;
        listener.set_nonblocking(true).map_err(|e| format!("control socket: {e}"))?;
        Ok(Control { listener, path: path.to_path_buf() })
    }

    /// Accept and answer every waiting client; `answer` maps a request line to the JSON reply.
    pub fn serve(&self, mut answer: impl FnMut(&str) -> Value) {
        while let Ok((s, _)) = self.listener.accept() {
            let _ = s.set_nonblocking(false);
            let _ = s.set_read_timeout(Some(Duration::from_millis(500)));
            let _ = s.set_write_timeout(Some(Duration::from_millis(2000)));
            let mut line = String::new();
            let mut r = BufReader::new(&s).take(4096);
            if r.read_line(&mut line).is_err() {
                continue;
            }
            let reply = answer(line.trim());
            let mut w = &s;
            let _ = writeln!(w, "{reply}");
        }
    }
}

impl Drop for Control {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.path);
    }
}

/// Send `request` to the board at `path`; its JSON reply.
pub fn request(path: &Path, request: &str) -> Result<Value, String> {
    let mut s = UnixStream::connect(path).map_err(|e| format!("cannot reach a board at {}: {e} (is it running? give --control PATH)", path.display()))?;
    s.set_read_timeout(Some(Duration::from_secs(5))).ok();
    writeln!(s, "{request}").map_err(|e| format!("{}: {e}", path.display()))?;
    let mut text = String::new();
    s.read_to_string(&mut text).map_err(|e| format!("{}: {e}", path.display()))?;
    let v: Value = serde_json::from_str(text.trim()).map_err(|e| format!("{}: not a JSON reply ({e}): {text:?}", path.display()))?;
    if let Some(err) = v.get("error").and_then(Value::as_str) {
        return Err(err.to_string());
    }
    Ok(v)
}

// ---- dump decoding (docs/abi.md "Dump") ---------------------------------------------------------

fn u16le(r: &[u8], o: usize) -> u64 {
    u16::from_le_bytes([r[o], r[o + 1]]) as u64
}
fn u32le(r: &[u8], o: usize) -> u64 {
    u32::from_le_bytes(r[o..o + 4].try_into().unwrap()) as u64
}
fn i64le(r: &[u8], o: usize) -> i64 {
    i64::from_le_bytes(r[o..o + 8].try_into().unwrap())
}

/// A 16-byte address: dotted quad when IPv4-mapped, RFC 5952 text otherwise.
pub fn addr(r: &[u8], o: usize) -> String {
    let a: [u8; 16] = r[o..o + 16].try_into().unwrap();
    let v6 = std::net::Ipv6Addr::from(a);
    match v6.to_ipv4_mapped() {
        Some(v4) => v4.to_string(),
        None => v6.to_string(),
    }
}

fn mapped(r: &[u8], o: usize) -> bool {
    r[o..o + 10].iter().all(|&b| b == 0) && r[o + 10] == 0xff && r[o + 11] == 0xff
}

fn mac(r: &[u8], o: usize) -> String {
    r[o..o + 6].iter().map(|b| format!("{b:02x}")).collect::<Vec<_>>().join(":")
}

/// A prefix length as the core stores it (96 + n for an IPv4-mapped address).
fn prefix(len: u8, is_v4: bool) -> u64 {
    if is_v4 { len.saturating_sub(96) as u64 } else { len as u64 }
}

/// Seconds left until `at` (ms, the board's clock), null for "never" (i64::MAX).
fn left(at: i64, now: i64) -> Value {
    if at == i64::MAX { Value::Null } else { json!(((at - now).max(0) + 999) / 1000) }
}

/// The tables of `status`: (name, dump table, record length).
pub const TABLES: [(&str, u32, usize); 8] = [
    ("interfaces", 0, 32),
    ("routes", 1, 36),
    ("neighbours", 2, 32),
    ("agents", 11, 56),
    ("bindings", 3, 52),
    ("visitors", 4, 80),
    ("bindingCache", 6, 68),
    ("bindings6", 9, 48),
];

/// Mobility Agent Advertisement flags as letters (RFC 2002 §2.1.1, RFC 3024 T, seed 001 S), as the core
/// stores them (assembly/wire/icmp.ts MA_FLAG_*: R 0x8000 .. S 0x0080).
fn agent_flags(f: u64) -> String {
    "RBHFMGVTS".chars().enumerate().filter(|(i, _)| f & (0x8000 >> i) != 0).map(|(_, c)| c).collect()
}

/// One dump record as a JSON object with stable keys (None: too short).
pub fn decode(table: u32, r: &[u8], now: i64, ifnames: &[String]) -> Option<Value> {
    let need = TABLES.iter().find(|t| t.1 == table).map(|t| t.2)?;
    if r.len() < need {
        return None;
    }
    let ifname = |i: u8| ifnames.get(i as usize).cloned().unwrap_or_else(|| i.to_string());
    Some(match table {
        0 => json!({"iface": ifname(r[0]), "up": r[1] != 0, "mac": mac(r, 2), "mtu": u16le(r, 8),
                    "address": addr(r, 16), "prefixLen": prefix(r[10], mapped(r, 16))}),
        1 => {
            let gw = addr(r, 20);
            let onlink = gw == "0.0.0.0" || gw == "::";
            json!({"dest": addr(r, 4), "prefixLen": prefix(r[0], mapped(r, 4)), "iface": ifname(r[1]),
                   "via": if onlink { Value::Null } else { json!(gw) }})
        }
        2 => {
            let state = ["none", "incomplete", "reachable", "stale", "delay", "probe"].get(r[6] as usize).copied().unwrap_or("unknown");
            json!({"address": addr(r, 16), "mac": mac(r, 0), "state": state, "iface": ifname(r[7]), "expiresSec": left(i64le(r, 8), now)})
        }
        3 => {
            let encap = match r[19] { 1 => "ipip", 2 => "minimal", 4 => "gre", _ => "unknown" };
            json!({"home": addr(r, 20), "careOf": addr(r, 36), "lifetimeSec": u16le(r, 16), "expiresSec": left(i64le(r, 0), now),
                   "flags": r[18], "encapsulation": encap, "identification": format!("{:016x}", u64::from_le_bytes(r[8..16].try_into().unwrap()))})
        }
        4 => {
            let state = match r[7] { 1 => "pending", 2 => "accepted", 3 => "re-registering", _ => "unknown" };
            json!({"home": addr(r, 32), "homeAgent": addr(r, 48), "careOf": addr(r, 64), "mac": mac(r, 0), "iface": ifname(r[6]),
                   "state": state, "lifetimeSec": u16le(r, 8), "expiresSec": left(i64le(r, 16), now), "udpSourcePort": u16le(r, 10)})
        }
        6 => json!({"home": addr(r, 20), "careOf": addr(r, 36), "homeAgent": addr(r, 52), "lifetimeSec": u16le(r, 16),
                    "expiresSec": left(i64le(r, 0), now), "flags": r[18]}),
        9 => {
            let mut v = json!({"home": addr(r, 0), "careOf": addr(r, 16), "lifetimeSec": u32le(r, 40), "expiresSec": left(i64le(r, 32), now),
                               "seq": u16le(r, 44), "homeRegistration": r[47] & 1 != 0});
            // The home address's AH sequence numbers (firmware with RESTORE, docs/abi.md table 9).
            if r.len() >= 56 {
                v["ahOutSeq"] = json!(u32le(r, 48));
                v["ahInHighest"] = json!(u32le(r, 52));
            }
            v
        }
        11 => {
            let kind = r[15];
            let state = match (kind, r[16]) {
                (1, s) => ["heard", "in use", "home", "in use, home"][(s & 3) as usize],
                (2, _) => "advertising",
                (3, 1) => "registered",
                (3, 2) => "registering",
                (3, 3) => "de-registering",
                (3, _) => "at home",
                _ => "unknown",
            };
            let coa = addr(r, 40);
            let plen = r[17];
            json!({"kind": match kind { 1 => "heard", 2 => "own", 3 => "homeAgent6", _ => "unknown" },
                   "address": addr(r, 24), "careOf": if coa == "0.0.0.0" || coa == "::" { Value::Null } else { json!(coa) },
                   "iface": ifname(r[14]), "state": state, "flags": agent_flags(u16le(r, 8)), "seq": u16le(r, 10),
                   "regLifetimeSec": u16le(r, 12), "expiresSec": left(i64le(r, 0), now),
                   "prefixLen": if plen == 255 { Value::Null } else { json!(plen) }, "mac": mac(r, 18)})
        }
        _ => return None,
    })
}

/// The tunnels a node keeps: one per home agent binding (and IPv6 binding), to the care-of address.
fn tunnels(tables: &Map<String, Value>) -> Vec<Value> {
    let mut out = Vec::new();
    for b in tables.get("bindings").and_then(Value::as_array).into_iter().flatten() {
        out.push(json!({"home": b["home"], "remote": b["careOf"], "encapsulation": b["encapsulation"]}));
    }
    for b in tables.get("bindings6").and_then(Value::as_array).into_iter().flatten() {
        if b["homeRegistration"] == true {
            out.push(json!({"home": b["home"], "remote": b["careOf"], "encapsulation": "ip6ip6"}));
        }
    }
    out
}

/// Everything `status` shows: tables, counters, the registration state the events reported.
pub fn status(board: &mut Board, now: i64, ifnames: &[String], head: Map<String, Value>, registration: &Map<String, Value>) -> Value {
    let mut tables = Map::new();
    for (name, t, _) in TABLES {
        let rows: Vec<Value> = board.dump_raw(t).iter().filter_map(|r| decode(t, r, now, ifnames)).collect();
        tables.insert(name.to_string(), Value::Array(rows));
    }
    let tun = tunnels(&tables);
    tables.insert("tunnels".into(), Value::Array(tun));
    let mut counters = Map::new();
    for (k, v) in board.counters() {
        counters.insert(k, json!(v));
    }
    let mut out = head;
    out.insert("registration".into(), Value::Object(registration.clone()));
    out.insert("tables".into(), Value::Object(tables));
    out.insert("counters".into(), Value::Object(counters));
    Value::Object(out)
}

/// `status` as text: a header, the registration state, each non-empty table, the non-zero counters.
pub fn render_text(v: &Value) -> String {
    let mut s = String::new();
    let scalar = |x: &Value| match x {
        Value::String(t) => t.clone(),
        Value::Null => "-".into(),
        o => o.to_string(),
    };
    s.push_str(&format!("board {}  roles {}  uptime {} s  log level {}\n",
        scalar(&v["name"]), v["roles"].as_array().map(|a| a.iter().map(scalar).collect::<Vec<_>>().join(",")).unwrap_or_default(),
        scalar(&v["uptimeSec"]), scalar(&v["logLevel"])));
    if let Some(reg) = v["registration"].as_object().filter(|m| !m.is_empty()) {
        s.push_str("\nregistration\n");
        for (k, x) in reg {
            let fields: Vec<String> = x.as_object().into_iter().flatten().filter(|(f, _)| !matches!(f.as_str(), "hex" | "kind")).map(|(f, y)| format!("{f}={}", scalar(y))).collect();
            s.push_str(&format!("  {k}: {}\n", fields.join(" ")));
        }
    }
    for (name, rows) in v["tables"].as_object().into_iter().flatten() {
        let Some(rows) = rows.as_array().filter(|r| !r.is_empty()) else { continue };
        let cols: Vec<String> = rows[0].as_object().map(|o| o.keys().cloned().collect()).unwrap_or_default();
        let cells: Vec<Vec<String>> = rows.iter().map(|r| cols.iter().map(|c| scalar(&r[c])).collect()).collect();
        let w: Vec<usize> = cols.iter().enumerate().map(|(i, c)| cells.iter().map(|r| r[i].len()).max().unwrap_or(0).max(c.len())).collect();
        s.push_str(&format!("\n{name} ({})\n", rows.len()));
        let line = |r: &[String]| r.iter().zip(&w).map(|(x, w)| format!("{x:<w$}")).collect::<Vec<_>>().join("  ").trim_end().to_string();
        s.push_str(&format!("  {}\n", line(&cols)));
        for r in &cells {
            s.push_str(&format!("  {}\n", line(r)));
        }
    }
    let nz: Vec<String> = v["counters"].as_object().into_iter().flatten().filter(|(_, x)| x.as_u64() != Some(0)).map(|(k, x)| format!("{k}={x}")).collect();
    s.push_str(&format!("\ncounters (non-zero)\n  {}\n", if nz.is_empty() { "none".to_string() } else { nz.join(" ") }));
    s
}

// ---- SIGHUP: security associations ----------------------------------------------------------------

/// Record types a reload applies: SA (6) and IPSEC (9) (docs/abi.md "Configuration").
pub const RELOADED: [u8; 2] = [6, 9];

/// The records of configuration chunks (each: type u8, pad, length u16 BE, body), header skipped.
pub fn records(chunks: &[Vec<u8>]) -> Vec<Vec<u8>> {
    let mut out = Vec::new();
    for c in chunks {
        let mut o = 8;
        while o + 4 <= c.len() {
            let len = u16::from_be_bytes([c[o + 2], c[o + 3]]) as usize;
            let end = (o + 4 + len).min(c.len());
            out.push(c[o..end].to_vec());
            o = end;
        }
    }
    out
}

/// What a reload does: the records to hand to config_add, the old records to put back if the core
/// refuses part of it, and what it changes.
#[derive(Debug, PartialEq)]
pub struct Plan {
    /// New and changed SA/IPSEC records, in the new configuration's order.
    pub apply: Vec<Vec<u8>>,
    /// The running records of the changed associations (config_add them again to undo a partial reload).
    pub undo: Vec<Vec<u8>>,
    pub added: usize,
    pub changed: usize,
    pub warnings: Vec<String>,
}

/// The peer an SA (6) or IPSEC (9) record is for, as text.
fn peer_of(r: &[u8]) -> String {
    match r[0] {
        6 if r.len() >= 24 => addr(r, 12),
        9 if r.len() >= 36 => addr(r, 20),
        _ => "?".into(),
    }
}

/// What a reload from `old` to `new` chunks does: Ok(Plan), or Err when it removes an association.
/// A changed association (same peer, new key, SPI, algorithm, replay method...) is replaced in place by
/// the core's config_add (REKEY, assembly/features.ts): bindings, visitors and registrations stay.
/// Why removal is refused: the bindings and registrations the association authenticated would outlive it
/// (a home agent would keep tunnelling to a mobile node it can no longer authenticate, until the lifetime
/// runs out), and the core has no "remove" for a running table; a restart drops them both.
pub fn reload_plan(old: &[Vec<u8>], new: &[Vec<u8>]) -> Result<Plan, String> {
    let (o, n) = (records(old), records(new));
    let sa = |r: &Vec<u8>| RELOADED.contains(&r[0]);
    let what = |r: &Vec<u8>| if r[0] == 6 { "securityAssociations" } else { "ipsec" };
    let same_peer = |a: &Vec<u8>, b: &Vec<u8>| a[0] == b[0] && peer_of(a) == peer_of(b);
    if let Some(r) = o.iter().find(|r| sa(r) && !n.iter().any(|x| same_peer(x, r))) {
        return Err(format!(
            "{} of peer {}: removed in the new configuration; a running board does not remove an association (its bindings would outlive it): restart the board to remove one",
            what(r), peer_of(r)
        ));
    }
    let mut plan = Plan { apply: Vec::new(), undo: Vec::new(), added: 0, changed: 0, warnings: Vec::new() };
    for r in n.iter().filter(|r| sa(r) && !o.contains(r)) {
        match o.iter().find(|x| same_peer(x, r)) {
            Some(was) => {
                plan.changed += 1;
                plan.undo.push(was.clone());
            }
            None => plan.added += 1,
        }
        plan.apply.push(r.clone());
    }
    let rest = |v: &[Vec<u8>]| v.iter().filter(|r| !sa(r)).cloned().collect::<Vec<_>>();
    if rest(&o) != rest(&n) {
        plan.warnings.push("the new configuration changes more than securityAssociations/ipsec: those changes take effect at the next restart".to_string());
    }
    Ok(plan)
}

/// `records` packed into config_add chunks of at most `capacity` bytes behind `header` (8 bytes).
pub fn pack(header: &[u8], records: &[Vec<u8>], capacity: usize) -> Vec<Vec<u8>> {
    let mut out: Vec<Vec<u8>> = Vec::new();
    for r in records {
        if out.last().map_or(true, |c| c.len() + r.len() > capacity) {
            out.push(header[..8].to_vec());
        }
        out.last_mut().unwrap().extend_from_slice(r);
    }
    out
}

// ---- bindings across restarts ---------------------------------------------------------------------

/// Outbound AH sequence numbers a restored Mobile IPv6 binding skips (the BINDING6 record's ahOutSeq is
/// the persisted one plus this): the file is written at each binding change and whenever a counter went
/// LEASE/2 past what the file holds (`lease_due`), so the counter in the file is never more than LEASE/2
/// (plus what a second sends) behind; resuming LEASE ahead never repeats a number the mobile node's
/// anti-replay window has seen (RFC 4302 §3.4.3), and 2^32 lasts 4096 restarts.
pub const AH_SEQ_LEASE: u64 = 1 << 20;

/// The home agent's bindings as persisted: the decoded table 3 rows (IPv4) and the home registrations of
/// table 9 (Mobile IPv6, with their AH sequence numbers) with the wall-clock expiry (`expiresUnixMs`,
/// null: infinite), written atomically (temp file + rename).
pub fn persist(path: &Path, rows: &[Value], rows6: &[Value], now_unix_ms: i64) -> Result<(), String> {
    let until = |r: &Value| {
        let mut r = r.clone();
        r["expiresUnixMs"] = match r["expiresSec"].as_i64() {
            Some(left) => json!(now_unix_ms + left * 1000),
            None => Value::Null,
        };
        r
    };
    let list: Vec<Value> = rows.iter().map(until).collect();
    let list6: Vec<Value> = rows6.iter().filter(|r| r["homeRegistration"] == true).map(until).collect();
    let doc = json!({"format": 1, "savedUnixMs": now_unix_ms, "bindings": list, "bindings6": list6});
    let tmp = path.with_extension("tmp");
    {
        let mut f = std::fs::OpenOptions::new().write(true).create(true).truncate(true).mode(0o600).open(&tmp)
            .map_err(|e| format!("bindings file {}: {e}", tmp.display()))?;
        f.write_all(doc.to_string().as_bytes()).and_then(|_| f.sync_all()).map_err(|e| format!("bindings file {}: {e}", tmp.display()))?;
    }
    std::fs::rename(&tmp, path).map_err(|e| format!("bindings file {}: {e}", path.display()))
}

/// True when an outbound AH counter of `rows6` (table 9, decoded) went AH_SEQ_LEASE / 2 or more past the
/// one last persisted for its home address (`saved`): time to write the file again.
pub fn lease_due(rows6: &[Value], saved: &std::collections::HashMap<String, u64>) -> bool {
    rows6.iter().filter(|r| r["homeRegistration"] == true).any(|r| {
        let now = r["ahOutSeq"].as_u64().unwrap_or(0);
        let was = r["home"].as_str().and_then(|h| saved.get(h)).copied().unwrap_or(0);
        now >= was + AH_SEQ_LEASE / 2
    })
}

use std::os::unix::fs::OpenOptionsExt;

/// BINDING records (config_add type 12, docs/abi.md) for the persisted bindings still alive at
/// `now_unix_ms` (expired ones are dropped: the wall clock decides); Err names what is wrong with the file.
pub fn restore_records(text: &str, now_unix_ms: i64) -> Result<(Vec<Vec<u8>>, usize), String> {
    let v: Value = serde_json::from_str(text).map_err(|e| format!("not valid JSON: {e}"))?;
    if v["format"] != 1 {
        return Err(format!("format: expected 1, got {}", v["format"]));
    }
    let list = v["bindings"].as_array().ok_or("bindings: expected a list")?;
    let (mut out, mut expired) = (Vec::new(), 0);
    for (i, b) in list.iter().enumerate() {
        let ip = |k: &str| -> Result<[u8; 16], String> {
            let s = b[k].as_str().ok_or(format!("bindings[{i}].{k}: expected an IPv4 address, got {}", b[k]))?;
            let a: std::net::Ipv4Addr = s.parse().map_err(|_| format!("bindings[{i}].{k}: expected an IPv4 address, got {s:?}"))?;
            Ok(a.to_ipv6_mapped().octets())
        };
        let (home, coa) = (ip("home")?, ip("careOf")?);
        let until = b["expiresUnixMs"].as_i64().ok_or(format!("bindings[{i}].expiresUnixMs: expected a number, got {}", b["expiresUnixMs"]))?;
        if until <= now_unix_ms {
            expired += 1;
            continue;
        }
        let left = ((until - now_unix_ms + 999) / 1000).min(65535) as u16;
        let flags = b["flags"].as_u64().filter(|f| *f < 256).ok_or(format!("bindings[{i}].flags: expected 0..255, got {}", b["flags"]))? as u8;
        let id = b["identification"].as_str().and_then(|s| u64::from_str_radix(s, 16).ok()).unwrap_or(0);
        let mut r = vec![12u8, 0, 0, 44];
        r.extend_from_slice(&left.to_be_bytes());
        r.extend_from_slice(&[flags, 0]);
        r.extend_from_slice(&id.to_be_bytes());
        r.extend_from_slice(&home);
        r.extend_from_slice(&coa);
        out.push(r);
    }
    // Mobile IPv6 home registrations (absent in files of older boards): BINDING6 records (type 13).
    for (i, b) in v["bindings6"].as_array().into_iter().flatten().enumerate() {
        let ip = |k: &str| -> Result<[u8; 16], String> {
            let s = b[k].as_str().ok_or(format!("bindings6[{i}].{k}: expected an IPv6 address, got {}", b[k]))?;
            let a: std::net::Ipv6Addr = s.parse().map_err(|_| format!("bindings6[{i}].{k}: expected an IPv6 address, got {s:?}"))?;
            Ok(a.octets())
        };
        let (home, coa) = (ip("home")?, ip("careOf")?);
        let left: u32 = match &b["expiresUnixMs"] {
            Value::Null => u32::MAX,
            x => {
                let until = x.as_i64().ok_or(format!("bindings6[{i}].expiresUnixMs: expected a number or null, got {x}"))?;
                if until <= now_unix_ms {
                    expired += 1;
                    continue;
                }
                ((until - now_unix_ms + 999) / 1000).min(u32::MAX as i64 - 1) as u32
            }
        };
        let num = |k: &str, max: u64| b[k].as_u64().filter(|n| *n <= max).ok_or(format!("bindings6[{i}].{k}: expected 0..{max}, got {}", b[k]));
        let seq = num("seq", 65535)? as u16;
        let out_seq = b["ahOutSeq"].as_u64().unwrap_or(0);
        // (No SA of its own: 0 stays 0. Else resume a lease ahead, short of wrapping: RFC 4302 §2.5.)
        let out_seq = if out_seq == 0 { 0 } else { (out_seq + AH_SEQ_LEASE).min(u32::MAX as u64 - 1) as u32 };
        let in_hi = b["ahInHighest"].as_u64().unwrap_or(0).min(u32::MAX as u64) as u32;
        let mut r = vec![13u8, 0, 0, 48];
        r.extend_from_slice(&left.to_be_bytes());
        r.extend_from_slice(&seq.to_be_bytes());
        r.extend_from_slice(&[0, 0]);
        r.extend_from_slice(&out_seq.to_be_bytes());
        r.extend_from_slice(&in_hi.to_be_bytes());
        r.extend_from_slice(&home);
        r.extend_from_slice(&coa);
        out.push(r);
    }
    Ok((out, expired))
}

/// A BINDING6 record `secs` seconds later (its lifetime shortened; infinite stays), None when it ran out:
/// for a restore retried after the home agent's own addresses passed DAD (linux.rs).
pub fn binding6_later(rec: &[u8], secs: u32) -> Option<Vec<u8>> {
    let left = u32::from_be_bytes(rec[4..8].try_into().ok()?);
    if left == u32::MAX {
        return Some(rec.to_vec());
    }
    let left = left.checked_sub(secs).filter(|l| *l > 0)?;
    let mut r = rec.to_vec();
    r[4..8].copy_from_slice(&left.to_be_bytes());
    Some(r)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rec(t: u8, body: &[u8]) -> Vec<u8> {
        let mut r = vec![t, 0];
        r.extend_from_slice(&(body.len() as u16).to_be_bytes());
        r.extend_from_slice(body);
        r
    }

    fn sa(peer_last: u8, key: u8) -> Vec<u8> {
        let mut b = vec![0u8; 25];
        b[0..4].copy_from_slice(&300u32.to_be_bytes());
        b[7] = 1;
        b[8 + 10] = 0xff;
        b[8 + 11] = 0xff;
        b[8 + 12..8 + 16].copy_from_slice(&[10, 0, 1, peer_last]);
        b[24] = key;
        rec(6, &b)
    }

    fn chunk(recs: &[Vec<u8>]) -> Vec<u8> {
        let mut c = b"MIPF\0\x01\0\0".to_vec();
        for r in recs {
            c.extend_from_slice(r);
        }
        c
    }

    #[test]
    fn persisted_bindings_become_records_and_expired_ones_are_dropped() {
        let text = r#"{"format":1,"savedUnixMs":0,"bindings":[
            {"home":"10.1.0.20","careOf":"10.2.0.1","flags":16,"identification":"00000000000000ff","expiresUnixMs":100500},
            {"home":"10.1.0.21","careOf":"10.2.0.1","flags":0,"identification":"0","expiresUnixMs":90000}]}"#;
        let (recs, expired) = restore_records(text, 95_000).unwrap();
        assert_eq!(expired, 1);
        assert_eq!(recs.len(), 1);
        let r = &recs[0];
        assert_eq!(&r[..4], &[12, 0, 0, 44]);
        assert_eq!(u16::from_be_bytes([r[4], r[5]]), 6, "5.5 s left: 6");
        assert_eq!(r[6], 16);
        assert_eq!(&r[8..16], &255u64.to_be_bytes());
        assert_eq!(addr(r, 16), "10.1.0.20");
        assert_eq!(addr(r, 32), "10.2.0.1");
        assert_eq!(restore_records(r#"{"format":1,"bindings":[{"home":"x","careOf":"10.2.0.1"}]}"#, 0).unwrap_err(),
            "bindings[0].home: expected an IPv4 address, got \"x\"");
    }

    #[test]
    fn persisted_mobile_ipv6_bindings_become_binding6_records_with_the_ah_counter_leased_ahead() {
        let text = r#"{"format":1,"savedUnixMs":0,"bindings":[],"bindings6":[
            {"home":"2001:db8:1::64","careOf":"2001:db8:2::c0a","seq":7,"ahOutSeq":40,"ahInHighest":107,"expiresUnixMs":100500},
            {"home":"2001:db8:1::65","careOf":"2001:db8:2::c0b","seq":1,"ahOutSeq":0,"ahInHighest":0,"expiresUnixMs":null},
            {"home":"2001:db8:1::66","careOf":"2001:db8:2::c0c","seq":1,"expiresUnixMs":90000}]}"#;
        let (recs, expired) = restore_records(text, 95_000).unwrap();
        assert_eq!((recs.len(), expired), (2, 1));
        let r = &recs[0];
        assert_eq!(&r[..4], &[13, 0, 0, 48]);
        assert_eq!(u32::from_be_bytes(r[4..8].try_into().unwrap()), 6, "5.5 s left: 6");
        assert_eq!(u16::from_be_bytes([r[8], r[9]]), 7);
        assert_eq!(u32::from_be_bytes(r[12..16].try_into().unwrap()) as u64, 40 + AH_SEQ_LEASE);
        assert_eq!(u32::from_be_bytes(r[16..20].try_into().unwrap()), 107);
        assert_eq!(addr(r, 20), "2001:db8:1::64");
        assert_eq!(addr(r, 36), "2001:db8:2::c0a");
        assert_eq!(u32::from_be_bytes(recs[1][4..8].try_into().unwrap()), u32::MAX, "infinite");
        assert_eq!(u32::from_be_bytes(recs[1][12..16].try_into().unwrap()), 0, "no SA: no counter");
        let mut saved = std::collections::HashMap::new();
        let rows = vec![json!({"home": "2001:db8:1::64", "homeRegistration": true, "ahOutSeq": 40 + AH_SEQ_LEASE / 2 - 1})];
        saved.insert("2001:db8:1::64".to_string(), 40);
        assert!(!lease_due(&rows, &saved));
        let rows = vec![json!({"home": "2001:db8:1::64", "homeRegistration": true, "ahOutSeq": 40 + AH_SEQ_LEASE / 2})];
        assert!(lease_due(&rows, &saved));
        assert_eq!(u32::from_be_bytes(binding6_later(&recs[0], 4).unwrap()[4..8].try_into().unwrap()), 2);
        assert!(binding6_later(&recs[0], 6).is_none(), "ran out while waiting");
        assert_eq!(binding6_later(&recs[1], 100).unwrap(), recs[1], "infinite");
    }

    #[test]
    fn levels_parse_by_name_and_number() {
        assert_eq!(parse_level("debug"), Ok(3));
        assert_eq!(parse_level("1"), Ok(1));
        assert_eq!(parse_level("loud").unwrap_err(), "log level: expected one of error, warning, info, debug (or 0..3), got \"loud\"");
    }

    #[test]
    fn a_reload_adds_new_associations_replaces_changed_ones_and_refuses_a_removal() {
        let iface = rec(1, &[1, 2, 3]);
        let old = vec![chunk(&[iface.clone(), sa(10, 1)])];
        let new = vec![chunk(&[iface.clone(), sa(10, 1), sa(11, 2)])];
        let p = reload_plan(&old, &new).unwrap();
        assert_eq!(p, Plan { apply: vec![sa(11, 2)], undo: vec![], added: 1, changed: 0, warnings: vec![] });
        // A new key for the same peer: replaced, the running record kept to undo a partial reload.
        let changed = vec![chunk(&[iface.clone(), sa(10, 9), sa(11, 2)])];
        let p = reload_plan(&old, &changed).unwrap();
        assert_eq!((p.apply, p.undo, p.added, p.changed), (vec![sa(10, 9), sa(11, 2)], vec![sa(10, 1)], 1, 1));
        // Nothing changed: nothing to do.
        assert_eq!(reload_plan(&old, &old).unwrap().apply.len(), 0);
        assert_eq!(reload_plan(&old, &[chunk(&[iface.clone()])]).unwrap_err(),
            "securityAssociations of peer 10.0.1.10: removed in the new configuration; a running board does not remove an association (its bindings would outlive it): restart the board to remove one");
        // Another peer in place of the first: a removal.
        assert!(reload_plan(&old, &[chunk(&[iface.clone(), sa(12, 1)])]).unwrap_err().contains("peer 10.0.1.10: removed"));
        let other = vec![chunk(&[rec(1, &[9]), sa(10, 1)])];
        assert_eq!(reload_plan(&old, &other).unwrap().warnings.len(), 1, "other changes are a warning");
        let packed = pack(&old[0], &[sa(11, 2), sa(12, 2)], 8 + 29);
        assert_eq!(packed.len(), 2);
        assert_eq!(records(&packed), vec![sa(11, 2), sa(12, 2)]);
    }

    #[test]
    fn dump_records_decode_with_stable_keys() {
        let mut r = vec![0u8; 52];
        r[0..8].copy_from_slice(&61_000i64.to_le_bytes());
        r[16..18].copy_from_slice(&600u16.to_le_bytes());
        r[19] = 1;
        r[30] = 0xff; r[31] = 0xff; r[32..36].copy_from_slice(&[10, 0, 1, 10]);
        r[46] = 0xff; r[47] = 0xff; r[48..52].copy_from_slice(&[10, 0, 2, 10]);
        let v = decode(3, &r, 1_000, &[]).unwrap();
        assert_eq!(v["home"], "10.0.1.10");
        assert_eq!(v["careOf"], "10.0.2.10");
        assert_eq!(v["expiresSec"], 60);
        assert_eq!(v["encapsulation"], "ipip");
        assert!(decode(3, &r[..51], 0, &[]).is_none());
        // An agent heard by a mobile node (kind 1), in use, foreign agent with a care-of address.
        let mut a = vec![0u8; 56];
        a[0..8].copy_from_slice(&11_000i64.to_le_bytes());
        a[8..10].copy_from_slice(&0x9000u16.to_le_bytes());
        a[10..12].copy_from_slice(&300u16.to_le_bytes());
        a[12..14].copy_from_slice(&600u16.to_le_bytes());
        a[14] = 0; a[15] = 1; a[16] = 1; a[17] = 24;
        a[18..24].copy_from_slice(&[2, 0, 0, 0, 0, 1]);
        a[34] = 0xff; a[35] = 0xff; a[36..40].copy_from_slice(&[10, 2, 0, 1]);
        a[50] = 0xff; a[51] = 0xff; a[52..56].copy_from_slice(&[10, 2, 0, 1]);
        let v = decode(11, &a, 1_000, &["wlan0".to_string()]).unwrap();
        assert_eq!(v, json!({"kind": "heard", "address": "10.2.0.1", "careOf": "10.2.0.1", "iface": "wlan0", "state": "in use",
            "flags": "RF", "seq": 300, "regLifetimeSec": 600, "expiresSec": 10, "prefixLen": 24, "mac": "02:00:00:00:00:01"}));
        a[15] = 2; a[40..56].fill(0); a[0..8].copy_from_slice(&i64::MAX.to_le_bytes());
        let v = decode(11, &a, 1_000, &[]).unwrap();
        assert_eq!((v["kind"].clone(), v["state"].clone(), v["careOf"].clone(), v["expiresSec"].clone()), (json!("own"), json!("advertising"), Value::Null, Value::Null));
    }
}
