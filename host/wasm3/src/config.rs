//! Node configuration: the JSON users write (same fields, defaults, validation and messages as
//! host/node/config.ts), board profiles from boards/*.json, and the binary config chunks of
//! docs/abi.md "Configuration".

use std::path::Path;

use serde_json::{Map, Value};

/// Table sizes of a board profile (docs/abi.md BOARD record).
#[derive(Clone, Debug, PartialEq)]
pub struct Sizes {
    pub arp_entries: u32,
    pub routes: u32,
    pub timers: u32,
    pub pending_frames: u32,
    pub frame_bytes: u32,
    pub bindings: u32,
    pub visitors: u32,
    pub security_assocs: u32,
    pub reassembly_slots: u32,
    pub reassembly_bytes: u32,
}

/// One boards/<name>.json profile.
#[derive(Clone, Debug, PartialEq)]
pub struct BoardProfile {
    pub name: String,
    pub description: String,
    pub memory_pages: u32,
    pub max_interfaces: u32,
    pub mtu: u32,
    pub sizes: Sizes,
}

/// One firmware interface.
#[derive(Clone, Debug, PartialEq)]
pub struct IfaceConfig {
    /// The name in the configuration (the Linux driver binds the Linux interface of this name).
    pub name: String,
    pub mac: [u8; 6],
    /// Host order; 0 when unnumbered.
    pub ip: u32,
    pub prefix_len: u8,
    pub mtu: u32,
    pub advertise: bool,
    pub home: bool,
    pub dhcp: bool,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Encapsulation { IpIp, Minimal, Gre }

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Colocated { Never, Auto, Always }

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Replay { Timestamps, Nonces }

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Algorithm { KeyedMd5, HmacMd5 }

/// Registration Request preferences of a mobile node.
#[derive(Clone, Debug, PartialEq)]
pub struct RequestConfig {
    pub simultaneous: bool,
    pub broadcast: bool,
    pub encapsulation: Encapsulation,
}

/// Mobile IP settings (docs/abi.md MOBILITY record); every field has a default.
#[derive(Clone, Debug, PartialEq)]
pub struct MobilityConfig {
    pub home_address: u32,
    pub home_agent: u32,
    pub home_prefix_len: u32,
    pub lifetime_sec: u32,
    pub advert_interval_ms: u32,
    pub advert_lifetime_sec: u32,
    pub encapsulations: Vec<Encapsulation>,
    pub max_bindings_per_node: u32,
    pub request: RequestConfig,
    pub colocated: Colocated,
    pub replay: Replay,
    pub replay_window_sec: u32,
    pub clock_offset_sec: i32,
    pub busy: bool,
    pub retransmit_ms: u32,
    pub retransmit_max_ms: u32,
    pub solicit_interval_ms: u32,
    /// Mobile node: send through a reverse tunnel to the home agent; foreign agent: offer it (RFC 3024).
    pub reverse_tunnel: bool,
    /// Meaning of request flag bits 0x02 / 0x01 (docs/decisions.md).
    pub registration_profile: RegistrationProfile,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RegistrationProfile { Seeds, Rfc3344 }

/// What a security association authenticates (RFC 2002 §3.5.2-3.5.4).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SaUse { MobileHome, MobileForeign, ForeignHome }

/// A mobility security association (docs/abi.md SA record).
#[derive(Clone, Debug, PartialEq)]
pub struct SecurityAssociation {
    pub peer: u32,
    pub spi: u32,
    pub algorithm: Algorithm,
    pub key: Vec<u8>,
    pub replay: Replay,
    pub cover_spi: bool,
    pub use_: SaUse,
}

/// A static route; `iface` indexes NodeConfig::interfaces, `via` 0 = on-link.
#[derive(Clone, Debug, PartialEq)]
pub struct RouteConfig {
    pub dest: u32,
    pub prefix_len: u8,
    pub via: u32,
    pub iface: u32,
}

/// Node options (docs/abi.md NODE record).
#[derive(Clone, Debug, PartialEq)]
pub struct NodeOptions {
    pub default_ttl: u32,
    pub arp_timeout_sec: u32,
    pub arp_retries: u32,
    pub icmp_errors_per_sec: u32,
    pub log_level: u32,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Role { Host, Router, MobileNode, ForeignAgent, HomeAgent }

/// A configuration that passed validation: every field present and in range.
#[derive(Clone, Debug, PartialEq)]
pub struct NodeConfig {
    pub name: String,
    pub board: BoardProfile,
    pub roles: Vec<Role>,
    pub interfaces: Vec<IfaceConfig>,
    pub routes: Vec<RouteConfig>,
    pub sizes: Sizes,
    pub node: NodeOptions,
    pub mobility: MobilityConfig,
    pub security_associations: Vec<SecurityAssociation>,
}

/// Capacity of the firmware's config buffer (docs/abi.md `config_capacity`).
pub const CONFIG_CAPACITY: usize = 4096;


// ---- board profiles -----------------------------------------------------------------------------

/// The profiles of boards/*.json built into the binary, in the order host/node/config.ts lists them
/// (a board then needs no boards/ directory; `--boards DIR` reads another set).
const EMBEDDED_BOARDS: [(&str, &str); 6] = [
    ("esp32.json", include_str!("../../../boards/esp32.json")),
    ("esp32-c3.json", include_str!("../../../boards/esp32-c3.json")),
    ("rpi-zero-2w.json", include_str!("../../../boards/rpi-zero-2w.json")),
    ("rpi4.json", include_str!("../../../boards/rpi4.json")),
    ("linux.json", include_str!("../../../boards/linux.json")),
    ("emulated.json", include_str!("../../../boards/emulated.json")),
];
/// The board used when a configuration names none.
pub const DEFAULT_BOARD: &str = "emulated";

/// A set of board profiles, in listing order.
#[derive(Clone, Debug)]
pub struct Boards(pub Vec<BoardProfile>);

impl Boards {
    /// The profiles built into the binary (boards/*.json at build time).
    pub fn embedded() -> Boards {
        let v = EMBEDDED_BOARDS.iter().map(|(f, text)| parse_board(f, text).expect("embedded board profile")).collect();
        Boards(v)
    }

    /// Every DIR/*.json profile: the ones host/node/config.ts lists first, in its order, then the rest by name.
    pub fn from_dir(dir: &Path) -> Result<Boards, Vec<String>> {
        let rd = std::fs::read_dir(dir).map_err(|e| vec![format!("{}: cannot read the board profiles: {e}", dir.display())])?;
        let mut files: Vec<String> = rd
            .filter_map(|e| e.ok())
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .filter(|n| n.ends_with(".json"))
            .collect();
        let rank = |n: &String| EMBEDDED_BOARDS.iter().position(|(f, _)| f == n).unwrap_or(usize::MAX);
        files.sort_by(|a, b| rank(a).cmp(&rank(b)).then(a.cmp(b)));
        let mut out = Vec::new();
        let mut problems = Vec::new();
        for f in files {
            let path = dir.join(&f);
            match std::fs::read_to_string(&path) {
                Ok(text) => match parse_board(&path.display().to_string(), &text) {
                    Ok(b) => out.push(b),
                    Err(mut p) => problems.append(&mut p),
                },
                Err(e) => problems.push(format!("{}: cannot read: {e}", path.display())),
            }
        }
        if !problems.is_empty() {
            return Err(problems);
        }
        if out.is_empty() {
            return Err(vec![format!("{}: no board profiles (*.json)", dir.display())]);
        }
        Ok(Boards(out))
    }

    /// The profile called `name`.
    pub fn get(&self, name: &str) -> Option<&BoardProfile> {
        self.0.iter().find(|b| b.name == name)
    }
}

/// One profile file; problems name the file and field.
fn parse_board(file: &str, text: &str) -> Result<BoardProfile, Vec<String>> {
    let v: Value = serde_json::from_str(text).map_err(|e| vec![format!("{file}: not valid JSON: {e}")])?;
    let mut p = Vec::new();
    let Some(o) = v.as_object() else { return Err(vec![format!("{file}: expected a JSON object, got {}", show(Some(&v)))]) };
    let string = |k: &str, p: &mut Vec<String>| match o.get(k).and_then(Value::as_str) {
        Some(s) => s.to_string(),
        None => { p.push(format!("{file}.{k}: expected a string, got {}", show(o.get(k)))); String::new() }
    };
    let name = string("name", &mut p);
    let description = string("description", &mut p);
    let int = |obj: &Map<String, Value>, k: &str, where_: &str, lo: f64, hi: f64, p: &mut Vec<String>| -> u32 {
        match obj.get(k) {
            Some(x) if is_integer(x) && num(x) >= lo && num(x) <= hi => num(x) as u32,
            g => { p.push(format!("{file}.{where_}{k}: expected an integer {lo}..{hi}, got {}", show(g))); 0 }
        }
    };
    let memory_pages = int(o, "memoryPages", "", 1.0, 16384.0, &mut p);
    let max_interfaces = int(o, "maxInterfaces", "", 1.0, 8.0, &mut p);
    let mtu = int(o, "mtu", "", 576.0, 9004.0, &mut p);
    let mut sz = [0u32; 10];
    match o.get("sizes").and_then(Value::as_object) {
        Some(so) => {
            for (i, (k, (lo, hi))) in SIZE_RANGES.iter().enumerate() {
                sz[i] = int(so, k, "sizes.", *lo as f64, *hi as f64, &mut p);
            }
        }
        None => p.push(format!("{file}.sizes: expected an object, got {}", show(o.get("sizes")))),
    }
    if !p.is_empty() {
        return Err(p);
    }
    Ok(BoardProfile { name, description, memory_pages, max_interfaces, mtu, sizes: sizes_from(sz) })
}

fn sizes_from(a: [u32; 10]) -> Sizes {
    Sizes {
        arp_entries: a[0], routes: a[1], timers: a[2], pending_frames: a[3], frame_bytes: a[4],
        bindings: a[5], visitors: a[6], security_assocs: a[7], reassembly_slots: a[8], reassembly_bytes: a[9],
    }
}

fn sizes_to(s: &Sizes) -> [u32; 10] {
    [s.arp_entries, s.routes, s.timers, s.pending_frames, s.frame_bytes, s.bindings, s.visitors, s.security_assocs,
     s.reassembly_slots, s.reassembly_bytes]
}

// ---- ranges and defaults (host/node/config.ts; the core enforces the same, assembly/config.ts) ----

const SIZE_RANGES: [(&str, (i64, i64)); 10] = [
    ("arpEntries", (1, 4096)), ("routes", (1, 4096)), ("timers", (8, 262144)), ("pendingFrames", (0, 256)),
    ("frameBytes", (590, 9018)), ("bindings", (0, 65536)), ("visitors", (0, 65536)), ("securityAssocs", (0, 65536)),
    ("reassemblySlots", (0, 256)), ("reassemblyBytes", (576, 65535)),
];
const NODE_RANGES: [(&str, (i64, i64)); 5] = [
    ("defaultTtl", (1, 255)), ("arpTimeoutSec", (1, 86400)), ("arpRetries", (1, 10)), ("icmpErrorsPerSec", (0, 100000)),
    ("logLevel", (0, 3)),
];
const NODE_DEFAULTS: [u32; 5] = [64, 60, 3, 10, 2];
const ROLES: [&str; 5] = ["host", "router", "mobile-node", "foreign-agent", "home-agent"];
const ENCAPS: [&str; 3] = ["ipip", "minimal", "gre"];
const MOBILITY_RANGES: [(&str, (i64, i64)); 10] = [
    ("homePrefixLen", (1, 32)), ("lifetimeSec", (1, 65534)), ("advertIntervalMs", (1000, 600000)),
    ("advertLifetimeSec", (1, 9000)), ("maxBindingsPerNode", (1, 16)), ("replayWindowSec", (1, 3600)),
    ("clockOffsetSec", (-2147483648, 2147483647)), ("retransmitMs", (1000, 60000)), ("retransmitMaxMs", (1000, 600000)),
    ("solicitIntervalMs", (1000, 600000)),
];
const TOP_FIELDS: [&str; 10] = ["name", "board", "roles", "interfaces", "routes", "sizes", "node", "mobility", "securityAssociations", "comment"];

// ---- JavaScript-compatible views of JSON values (messages must match host/node/config.ts) ---------

fn num(v: &Value) -> f64 {
    v.as_f64().unwrap_or(f64::NAN)
}

/// Number.isInteger
fn is_integer(v: &Value) -> bool {
    v.is_number() && num(v).is_finite() && num(v).fract() == 0.0
}

/// `v ?? default` for a field: missing or null.
fn nullish(v: Option<&Value>) -> bool {
    matches!(v, None | Some(Value::Null))
}

/// Object.keys order: array-index keys ascending, then the others in insertion order.
fn js_keys(o: &Map<String, Value>) -> Vec<&String> {
    let index = |k: &str| -> Option<u64> {
        if k.is_empty() || k.len() > 10 || !k.bytes().all(|b| b.is_ascii_digit()) || (k.len() > 1 && k.starts_with('0')) {
            return None;
        }
        k.parse::<u64>().ok().filter(|&n| n < 4294967295)
    };
    let mut idx: Vec<(u64, &String)> = o.keys().filter_map(|k| index(k).map(|n| (n, k))).collect();
    idx.sort();
    let mut out: Vec<&String> = idx.into_iter().map(|(_, k)| k).collect();
    out.extend(o.keys().filter(|k| index(k).is_none()));
    out
}

/// Number.prototype.toString for a double (shortest round-trip digits, JS exponent rules).
fn js_number(x: f64) -> String {
    if x == 0.0 {
        return "0".into();
    }
    if !x.is_finite() {
        return if x.is_nan() { "NaN".into() } else if x > 0.0 { "Infinity".into() } else { "-Infinity".into() };
    }
    let sign = if x < 0.0 { "-" } else { "" };
    let e = format!("{:e}", x.abs()); // "d.ddde-N" or "de N"
    let (mant, exp) = e.split_once('e').unwrap();
    let exp: i32 = exp.parse().unwrap();
    let digits: String = mant.chars().filter(|c| *c != '.').collect();
    let k = digits.len() as i32;
    let n = exp + 1;
    let body = if k <= n && n <= 21 {
        format!("{digits}{}", "0".repeat((n - k) as usize))
    } else if 0 < n && n <= 21 {
        format!("{}.{}", &digits[..n as usize], &digits[n as usize..])
    } else if -6 < n && n <= 0 {
        format!("0.{}{digits}", "0".repeat((-n) as usize))
    } else {
        let es = if n - 1 >= 0 { format!("+{}", n - 1) } else { format!("-{}", 1 - n) };
        if k == 1 { format!("{digits}e{es}") } else { format!("{}.{}e{es}", &digits[..1], &digits[1..]) }
    };
    format!("{sign}{body}")
}

/// JSON.stringify
fn stringify(v: &Value) -> String {
    match v {
        Value::Null => "null".into(),
        Value::Bool(b) => b.to_string(),
        Value::Number(_) => js_number(num(v)),
        Value::String(s) => serde_json::to_string(s).unwrap(),
        Value::Array(a) => format!("[{}]", a.iter().map(stringify).collect::<Vec<_>>().join(",")),
        Value::Object(o) => format!(
            "{{{}}}",
            js_keys(o).into_iter().map(|k| format!("{}:{}", serde_json::to_string(k).unwrap(), stringify(&o[k.as_str()]))).collect::<Vec<_>>().join(",")
        ),
    }
}

/// How a value is shown in a problem: "nothing" when absent, else its JSON (at most 60 UTF-16 units).
fn show(v: Option<&Value>) -> String {
    let Some(v) = v else { return "nothing".into() };
    let s = stringify(v);
    let units: Vec<u16> = s.encode_utf16().collect();
    if units.len() > 60 { format!("{}...", String::from_utf16_lossy(&units[..57])) } else { s }
}

fn str_val(s: &str) -> Value {
    Value::String(s.to_string())
}

/// Parse "a.b.c.d" into a host-order u32.
pub fn parse_ip(v: Option<&Value>) -> Option<u32> {
    parse_ip_str(v?.as_str()?)
}

fn parse_ip_str(s: &str) -> Option<u32> {
    let parts: Vec<&str> = s.split('.').collect();
    if parts.len() != 4 {
        return None;
    }
    let mut a = 0u32;
    for p in parts {
        if p.is_empty() || p.len() > 3 || !p.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        let o: u32 = p.parse().ok()?;
        if o > 255 {
            return None;
        }
        a = a << 8 | o;
    }
    Some(a)
}

/// Format a host-order address as a.b.c.d.
pub fn format_ip(a: u32) -> String {
    format!("{}.{}.{}.{}", a >> 24, (a >> 16) & 255, (a >> 8) & 255, a & 255)
}

/// Parse "a.b.c.d/len".
fn parse_cidr(v: Option<&Value>) -> Option<(u32, u8)> {
    let s = v?.as_str()?;
    let mut it = s.split('/');
    let a = it.next()?;
    let l = it.next()?;
    if it.next().is_some() {
        return None;
    }
    let ip = parse_ip_str(a)?;
    if l.is_empty() || l.len() > 2 || !l.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let n: u8 = l.parse().ok()?;
    if n > 32 { None } else { Some((ip, n)) }
}

fn parse_mac(v: Option<&Value>) -> Option<[u8; 6]> {
    let s = v?.as_str()?;
    let parts: Vec<&str> = s.split(':').collect();
    if parts.len() != 6 {
        return None;
    }
    let mut m = [0u8; 6];
    for (i, p) in parts.iter().enumerate() {
        if p.len() != 2 || !p.bytes().all(|b| b.is_ascii_hexdigit()) {
            return None;
        }
        m[i] = u8::from_str_radix(p, 16).ok()?;
    }
    Some(m)
}

fn parse_key(v: Option<&Value>) -> Option<Vec<u8>> {
    let s = v?.as_str()?;
    if let Some(t) = s.strip_prefix("text:") {
        return if t.is_empty() { None } else { Some(t.as_bytes().to_vec()) };
    }
    if s.is_empty() || s.len() % 2 != 0 || !s.bytes().all(|b| b.is_ascii_hexdigit()) {
        return None;
    }
    Some((0..s.len()).step_by(2).map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap()).collect())
}

fn name_ok(v: Option<&Value>, max: usize) -> Option<&str> {
    let s = v?.as_str()?;
    let ok = !s.is_empty() && s.len() <= max && s.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'.' || b == b'-');
    if ok { Some(s) } else { None }
}

// ---- validation ---------------------------------------------------------------------------------

struct Problems<'w> {
    where_: &'w str,
    list: Vec<String>,
}

impl Problems<'_> {
    fn bad(&mut self, field: &str, expected: &str, got: Option<&Value>) {
        self.list.push(format!("{}.{field}: expected {expected}, got {}", self.where_, show(got)));
    }
}

/// Copy the integer fields of object `raw` (if given) into `into`, each checked against its range.
fn integer_fields(raw: Option<&Value>, name: &str, ranges: &[(&str, (i64, i64))], into: &mut [u32], p: &mut Problems) {
    let Some(raw) = raw else { return };
    let Some(o) = raw.as_object() else { return p.bad(name, "an object", Some(raw)) };
    let names: Vec<&str> = ranges.iter().map(|r| r.0).collect();
    for k in js_keys(o) {
        let v = &o[k.as_str()];
        let Some(i) = names.iter().position(|n| n == k) else {
            p.bad(&format!("{name}.{k}"), &format!("one of {}", names.join(", ")), Some(&str_val(k)));
            continue;
        };
        let (lo, hi) = ranges[i].1;
        if !is_integer(v) || num(v) < lo as f64 || num(v) > hi as f64 {
            p.bad(&format!("{name}.{k}"), &format!("an integer {lo}..{hi}"), Some(v));
        } else {
            into[i] = num(v) as i64 as u32;
        }
    }
}

/// Validate a node configuration (parsed JSON) against `boards`. `where_` prefixes field names.
/// Err lists every problem found, each naming its field.
pub fn validate_config(raw: &Value, where_: &str, boards: &Boards) -> Result<NodeConfig, Vec<String>> {
    let mut p = Problems { where_, list: Vec::new() };
    let Some(o) = raw.as_object() else {
        return Err(vec![format!("{where_}: expected a JSON object, got {}", show(Some(raw)))]);
    };
    for k in js_keys(o) {
        if !TOP_FIELDS.contains(&k.as_str()) {
            p.bad(k, &format!("one of the fields {}", TOP_FIELDS.join(", ")), Some(&str_val(k)));
        }
    }

    let name = name_ok(o.get("name"), 32).map(str::to_string);
    if name.is_none() {
        p.bad("name", "1-32 letters, digits, '_', '.', '-'", o.get("name"));
    }

    let default_board = str_val(DEFAULT_BOARD);
    let board_raw = if nullish(o.get("board")) { &default_board } else { &o["board"] };
    let board = board_raw.as_str().and_then(|n| boards.get(n)).cloned();
    if board.is_none() {
        let names: Vec<&str> = boards.0.iter().map(|b| b.name.as_str()).collect();
        p.bad("board", &format!("one of {}", names.join(", ")), Some(board_raw));
    }

    let default_roles = Value::Array(vec![str_val("host")]);
    let roles_raw = if nullish(o.get("roles")) { &default_roles } else { &o["roles"] };
    let mut roles: Vec<&str> = Vec::new();
    match roles_raw.as_array() {
        Some(a) if !a.is_empty() => {
            for (i, r) in a.iter().enumerate() {
                match r.as_str().filter(|s| ROLES.contains(s)) {
                    None => p.bad(&format!("roles[{i}]"), &format!("one of {}", ROLES.join(", ")), Some(r)),
                    Some(s) if roles.contains(&s) => p.bad(&format!("roles[{i}]"), "each role once", Some(r)),
                    Some(s) => roles.push(s),
                }
            }
        }
        _ => p.bad("roles", &format!("a non-empty list of {}", ROLES.join(", ")), Some(roles_raw)),
    }

    let base_sizes = board.as_ref().map(|b| b.sizes.clone()).or_else(|| boards.get(DEFAULT_BOARD).map(|b| b.sizes.clone()))
        .unwrap_or_else(|| Boards::embedded().get(DEFAULT_BOARD).unwrap().sizes.clone());
    let mut sz = sizes_to(&base_sizes);
    integer_fields(o.get("sizes"), "sizes", &SIZE_RANGES, &mut sz, &mut p);
    let sizes = sizes_from(sz);
    let mut nd = NODE_DEFAULTS;
    integer_fields(o.get("node"), "node", &NODE_RANGES, &mut nd, &mut p);

    // Interfaces.
    let mut interfaces: Vec<IfaceConfig> = Vec::new();
    let max_if = board.as_ref().map(|b| b.max_interfaces).unwrap_or(8);
    let ifs = o.get("interfaces").and_then(Value::as_array).filter(|a| !a.is_empty() && a.len() <= max_if as usize);
    if ifs.is_none() {
        let got = match o.get("interfaces") {
            Some(Value::Array(a)) => Some(str_val(&format!("{} interfaces", a.len()))),
            other => other.cloned(),
        };
        let bname = board.as_ref().map(|b| b.name.as_str()).unwrap_or("?");
        p.bad("interfaces", &format!("a list of 1..{max_if} interfaces (board {bname})"), got.as_ref());
    }
    for (i, ifc) in ifs.into_iter().flatten().enumerate() {
        let f = format!("interfaces[{i}]");
        let Some(io) = ifc.as_object() else { p.bad(&f, "an object", Some(ifc)); continue };
        let if_fields = ["name", "mac", "ipv4", "mtu", "advertise", "home", "dhcp"];
        for k in js_keys(io) {
            if !if_fields.contains(&k.as_str()) {
                p.bad(&format!("{f}.{k}"), &format!("one of the fields {}", if_fields.join(", ")), Some(&str_val(k)));
            }
        }
        for k in ["advertise", "home", "dhcp"] {
            if let Some(v) = io.get(k) {
                if !v.is_boolean() {
                    p.bad(&format!("{f}.{k}"), "true or false", Some(v));
                }
            }
        }
        let if_name = io.get("name");
        match name_ok(if_name, 15) {
            None => p.bad(&format!("{f}.name"), "an interface name of 1-15 letters, digits, '_', '.', '-'", if_name),
            Some(n) if interfaces.iter().any(|x| x.name == n) => p.bad(&format!("{f}.name"), "a name not used by another interface", if_name),
            Some(_) => {}
        }
        let mac = parse_mac(io.get("mac"));
        match mac {
            None => p.bad(&format!("{f}.mac"), "a MAC address like 02:00:00:00:00:01", io.get("mac")),
            Some(m) if m[0] & 1 != 0 => p.bad(&format!("{f}.mac"), "a unicast MAC address (first octet even)", io.get("mac")),
            Some(m) if m.iter().all(|&b| b == 0) => p.bad(&format!("{f}.mac"), "a non-zero MAC address", io.get("mac")),
            _ => {}
        }
        let mut cidr = Some((0u32, 0u8));
        if let Some(v) = io.get("ipv4") {
            cidr = parse_cidr(Some(v));
            match cidr {
                None => p.bad(&format!("{f}.ipv4"), "an address with prefix length like 10.0.1.1/24", Some(v)),
                Some((ip, len)) if len == 0 || ip >> 28 >= 14 || ip >> 24 == 127 || ip >> 24 == 0 => {
                    p.bad(&format!("{f}.ipv4"), "a unicast address with a prefix length 1..32", Some(v))
                }
                _ => {}
            }
        }
        let mtu_default = Value::from(board.as_ref().map(|b| b.mtu).unwrap_or(1500));
        let mtu_v = if nullish(io.get("mtu")) { &mtu_default } else { &io["mtu"] };
        let max_mtu = sizes.frame_bytes as f64 - 14.0;
        let mtu_ok = is_integer(mtu_v) && num(mtu_v) >= 576.0 && num(mtu_v) <= max_mtu;
        if !mtu_ok {
            p.bad(&format!("{f}.mtu"), &format!("an integer 576..{} (frameBytes {} - 14)", js_number(max_mtu), sizes.frame_bytes), Some(mtu_v));
        }
        // Keep the interface even when one of its fields is wrong, so routes are checked against it
        // and one mistake is reported once (as host/node/config.ts does).
        interfaces.push(IfaceConfig {
            name: if_name.and_then(Value::as_str).map(str::to_string).unwrap_or_else(|| format!("#{i}")),
            mac: mac.unwrap_or([0; 6]),
            ip: cidr.map(|c| c.0).unwrap_or(0),
            prefix_len: cidr.map(|c| c.1).unwrap_or(0),
            mtu: if mtu_ok { num(mtu_v) as u32 } else { 0 },
            advertise: io.get("advertise") == Some(&Value::Bool(true)),
            home: io.get("home") == Some(&Value::Bool(true)),
            dhcp: io.get("dhcp") == Some(&Value::Bool(true)),
        });
    }

    // Routes.
    let mut routes: Vec<RouteConfig> = Vec::new();
    match o.get("routes") {
        None => {}
        Some(Value::Array(list)) => {
            for (i, r) in list.iter().enumerate() {
                let f = format!("routes[{i}]");
                let Some(ro) = r.as_object() else { p.bad(&f, "an object", Some(r)); continue };
                for k in js_keys(ro) {
                    if !["dest", "via", "iface"].contains(&k.as_str()) {
                        p.bad(&format!("{f}.{k}"), "one of the fields dest, via, iface", Some(&str_val(k)));
                    }
                }
                let dest = if ro.get("dest") == Some(&str_val("default")) { Some((0, 0)) } else { parse_cidr(ro.get("dest")) };
                if dest.is_none() {
                    p.bad(&format!("{f}.dest"), "a prefix like 10.0.2.0/24 or \"default\"", ro.get("dest"));
                }
                let via = if ro.contains_key("via") { parse_ip(ro.get("via")) } else { Some(0) };
                if via.is_none() {
                    p.bad(&format!("{f}.via"), "a gateway address like 10.0.1.1", ro.get("via"));
                }
                let mut iface: i64 = -1;
                if let Some(iv) = ro.get("iface") {
                    iface = iv.as_str().and_then(|n| interfaces.iter().position(|x| x.name == n)).map(|x| x as i64).unwrap_or(-1);
                    if iface < 0 {
                        let names: Vec<&str> = interfaces.iter().map(|x| x.name.as_str()).collect();
                        p.bad(&format!("{f}.iface"), &format!("one of the interfaces {}", names.join(", ")), Some(iv));
                    }
                } else if let Some(g) = via.filter(|&g| g != 0) {
                    iface = interfaces
                        .iter()
                        .position(|x| x.prefix_len > 0 && ((x.ip ^ g) >> (32 - x.prefix_len as u32)) == 0)
                        .map(|x| x as i64)
                        .unwrap_or(-1);
                    if iface < 0 {
                        p.bad(&format!("{f}.via"), "a gateway on the subnet of one of the interfaces (or give iface)", ro.get("via"));
                    }
                } else {
                    p.bad(&f, "a gateway (via) or an interface (iface)", Some(r));
                }
                if let (Some(d), Some(g), true) = (dest, via, iface >= 0) {
                    routes.push(RouteConfig { dest: d.0, prefix_len: d.1, via: g, iface: iface as u32 });
                }
            }
        }
        Some(other) => p.bad("routes", "a list of routes", Some(other)),
    }
    if routes.len() > sizes.routes as usize {
        p.bad("routes", &format!("at most sizes.routes = {} routes", sizes.routes), Some(&str_val(&format!("{} routes", routes.len()))));
    }

    // Mobile IP roles: a mobile node has a local stack; agents forward (RFC 2002 §1.5).
    if roles.contains(&"mobile-node") && !roles.contains(&"host") {
        roles.push("host");
    }
    if (roles.contains(&"foreign-agent") || roles.contains(&"home-agent")) && !roles.contains(&"router") {
        roles.push("router");
    }
    let mn = roles.contains(&"mobile-node");
    if mn && (roles.contains(&"foreign-agent") || roles.contains(&"home-agent")) {
        p.bad("roles", "mobile-node alone, or agent roles without mobile-node", Some(roles_raw));
    }
    let mobility = validate_mobility(o.get("mobility"), &interfaces, mn, &mut p);
    let sas = validate_sas(o.get("securityAssociations"), &roles, &interfaces, &mut p);
    if sas.len() > sizes.security_assocs as usize {
        p.bad(
            "securityAssociations",
            &format!("at most sizes.securityAssocs = {} associations", sizes.security_assocs),
            Some(&str_val(&format!("{} associations", sas.len()))),
        );
    }
    if roles.contains(&"home-agent") && !interfaces.iter().any(|x| x.home) {
        let names = Value::Array(interfaces.iter().map(|x| str_val(&x.name)).collect());
        p.bad("interfaces", "one interface with \"home\": true on a home agent", Some(&names));
    }
    if mn && mobility.home_agent != 0 && !sas.iter().any(|sa| sa.peer == mobility.home_agent) {
        let peers = Value::Array(sas.iter().map(|sa| str_val(&format_ip(sa.peer))).collect());
        p.bad(
            "securityAssociations",
            &format!("an association with the home agent {} (mobile-home authentication is mandatory)", format_ip(mobility.home_agent)),
            Some(&peers),
        );
    }

    if !p.list.is_empty() {
        return Err(p.list);
    }
    let role = |s: &str| match s {
        "host" => Role::Host,
        "router" => Role::Router,
        "mobile-node" => Role::MobileNode,
        "foreign-agent" => Role::ForeignAgent,
        _ => Role::HomeAgent,
    };
    Ok(NodeConfig {
        name: name.unwrap(),
        board: board.unwrap(),
        roles: roles.into_iter().map(role).collect(),
        interfaces,
        routes,
        sizes,
        node: NodeOptions { default_ttl: nd[0], arp_timeout_sec: nd[1], arp_retries: nd[2], icmp_errors_per_sec: nd[3], log_level: nd[4] },
        mobility,
        security_associations: sas,
    })
}

fn encap(s: &str) -> Encapsulation {
    match s {
        "minimal" => Encapsulation::Minimal,
        "gre" => Encapsulation::Gre,
        _ => Encapsulation::IpIp,
    }
}

fn validate_mobility(raw: Option<&Value>, interfaces: &[IfaceConfig], mn: bool, p: &mut Problems) -> MobilityConfig {
    let first = interfaces.first();
    let mut m = MobilityConfig {
        home_address: first.map(|x| x.ip).unwrap_or(0),
        home_agent: 0,
        home_prefix_len: first.map(|x| x.prefix_len as u32).filter(|&l| l != 0).unwrap_or(24),
        lifetime_sec: 300,
        advert_interval_ms: 1000,
        advert_lifetime_sec: 3,
        encapsulations: vec![Encapsulation::IpIp],
        max_bindings_per_node: 4,
        request: RequestConfig { simultaneous: false, broadcast: false, encapsulation: Encapsulation::IpIp },
        colocated: Colocated::Auto,
        replay: Replay::Timestamps,
        replay_window_sec: 7,
        clock_offset_sec: 0,
        busy: false,
        retransmit_ms: 1000,
        retransmit_max_ms: 8000,
        solicit_interval_ms: 1000,
        reverse_tunnel: false,
        registration_profile: RegistrationProfile::Seeds,
    };
    let Some(raw) = raw else {
        if mn {
            p.bad("mobility", "an object with at least homeAgent for a mobile node", None);
        }
        return m;
    };
    let Some(o) = raw.as_object() else {
        p.bad("mobility", "an object", Some(raw));
        return m;
    };
    let mut fields: Vec<&str> = vec!["homeAddress", "homeAgent", "homePrefixLen", "encapsulations", "request", "colocated", "replay", "busy",
        "reverseTunnel", "registrationProfile"];
    fields.extend(MOBILITY_RANGES.iter().map(|r| r.0));
    for k in js_keys(o) {
        let v = &o[k.as_str()];
        let f = format!("mobility.{k}");
        if !fields.contains(&k.as_str()) {
            p.bad(&f, &format!("one of the fields {}", fields.join(", ")), Some(&str_val(k)));
            continue;
        }
        if let Some((_, (lo, hi))) = MOBILITY_RANGES.iter().find(|r| r.0 == k) {
            if !is_integer(v) || num(v) < *lo as f64 || num(v) > *hi as f64 {
                p.bad(&f, &format!("an integer {lo}..{hi}"), Some(v));
            } else {
                let n = num(v) as i64;
                match k.as_str() {
                    "homePrefixLen" => m.home_prefix_len = n as u32,
                    "lifetimeSec" => m.lifetime_sec = n as u32,
                    "advertIntervalMs" => m.advert_interval_ms = n as u32,
                    "advertLifetimeSec" => m.advert_lifetime_sec = n as u32,
                    "maxBindingsPerNode" => m.max_bindings_per_node = n as u32,
                    "replayWindowSec" => m.replay_window_sec = n as u32,
                    "clockOffsetSec" => m.clock_offset_sec = n as i32,
                    "retransmitMs" => m.retransmit_ms = n as u32,
                    "retransmitMaxMs" => m.retransmit_max_ms = n as u32,
                    _ => m.solicit_interval_ms = n as u32,
                }
            }
            continue;
        }
        match k.as_str() {
            "homeAddress" => match parse_ip(Some(v)).filter(|&a| a != 0) {
                Some(a) => m.home_address = a,
                None => p.bad(&f, "an address like 10.0.0.5", Some(v)),
            },
            "homeAgent" => {
                if v.as_str() == Some("discover") {
                    m.home_agent = 0;
                } else {
                    match parse_ip(Some(v)).filter(|&a| a != 0) {
                        Some(a) => m.home_agent = a,
                        None => p.bad(&f, "an address like 10.0.0.1, or \"discover\"", Some(v)),
                    }
                }
            }
            "encapsulations" => match v.as_array() {
                Some(a) if !a.is_empty() && a.iter().all(|e| e.as_str().is_some_and(|s| ENCAPS.contains(&s))) => {
                    let mut list: Vec<Encapsulation> = Vec::new();
                    for e in a {
                        let x = encap(e.as_str().unwrap());
                        if !list.contains(&x) {
                            list.push(x);
                        }
                    }
                    m.encapsulations = list;
                }
                _ => p.bad(&f, &format!("a non-empty list of {}", ENCAPS.join(", ")), Some(v)),
            },
            "request" => {
                let Some(ro) = v.as_object() else { p.bad(&f, "an object", Some(v)); continue };
                for rk in js_keys(ro) {
                    let rv = &ro[rk.as_str()];
                    let rf = format!("{f}.{rk}");
                    match rk.as_str() {
                        "simultaneous" | "broadcast" => match rv.as_bool() {
                            None => p.bad(&rf, "true or false", Some(rv)),
                            Some(b) if rk == "simultaneous" => m.request.simultaneous = b,
                            Some(b) => m.request.broadcast = b,
                        },
                        "encapsulation" => match rv.as_str().filter(|s| ENCAPS.contains(s)) {
                            None => p.bad(&rf, &format!("one of {}", ENCAPS.join(", ")), Some(rv)),
                            Some(s) => m.request.encapsulation = encap(s),
                        },
                        _ => p.bad(&rf, "one of the fields simultaneous, broadcast, encapsulation", Some(&str_val(rk))),
                    }
                }
            }
            "colocated" => match v.as_str() {
                Some("never") => m.colocated = Colocated::Never,
                Some("auto") => m.colocated = Colocated::Auto,
                Some("always") => m.colocated = Colocated::Always,
                _ => p.bad(&f, "one of never, auto, always", Some(v)),
            },
            "replay" => match v.as_str() {
                Some("timestamps") => m.replay = Replay::Timestamps,
                Some("nonces") => m.replay = Replay::Nonces,
                _ => p.bad(&f, "one of timestamps, nonces", Some(v)),
            },
            "registrationProfile" => match v.as_str() {
                Some("seeds") => m.registration_profile = RegistrationProfile::Seeds,
                Some("rfc3344") => m.registration_profile = RegistrationProfile::Rfc3344,
                _ => p.bad(&f, "one of seeds, rfc3344", Some(v)),
            },
            _ => match v.as_bool() {
                // busy, reverseTunnel
                Some(b) if k == "reverseTunnel" => m.reverse_tunnel = b,
                Some(b) => m.busy = b,
                None => p.bad(&f, "true or false", Some(v)),
            },
        }
    }
    if !o.contains_key("homePrefixLen") && mn {
        if let Some(home) = interfaces.iter().find(|x| x.ip == m.home_address) {
            m.home_prefix_len = home.prefix_len as u32;
        }
    }
    if mn && m.home_agent != 0 && m.home_prefix_len < 32 {
        let mask = if m.home_prefix_len == 0 { 0 } else { u32::MAX << (32 - m.home_prefix_len) };
        if (m.home_agent ^ m.home_address) & mask != 0 {
            p.bad(
                "mobility.homeAgent",
                &format!("an address on the home network {}/{}", format_ip(m.home_address & mask), m.home_prefix_len),
                Some(&str_val(&format_ip(m.home_agent))),
            );
        }
    }
    if m.retransmit_max_ms < m.retransmit_ms {
        p.bad("mobility.retransmitMaxMs", &format!("at least retransmitMs = {}", m.retransmit_ms), Some(&Value::from(m.retransmit_max_ms)));
    }
    m
}

const SA_USES: [&str; 3] = ["mobile-home", "mobile-foreign", "foreign-home"];

fn sa_use(s: &str) -> Option<SaUse> {
    match s {
        "mobile-home" => Some(SaUse::MobileHome),
        "mobile-foreign" => Some(SaUse::MobileForeign),
        "foreign-home" => Some(SaUse::ForeignHome),
        _ => None,
    }
}

/// The use of an association that does not say (host/node/config.ts defaultSaUse, docs/decisions.md);
/// None: a foreign agent's association must say.
fn default_sa_use(peer: u32, roles: &[&str], interfaces: &[IfaceConfig]) -> Option<&'static str> {
    if roles.contains(&"mobile-node") {
        return Some("mobile-home");
    }
    if roles.contains(&"home-agent") {
        let on_home = interfaces.iter().any(|x| x.home && x.prefix_len > 0 && ((x.ip ^ peer) >> (32 - x.prefix_len as u32)) == 0);
        if on_home {
            return Some("mobile-home");
        }
        if !roles.contains(&"foreign-agent") {
            return Some("foreign-home");
        }
    }
    if roles.contains(&"foreign-agent") { None } else { Some("mobile-home") }
}

fn validate_sas(raw: Option<&Value>, roles: &[&str], interfaces: &[IfaceConfig], p: &mut Problems) -> Vec<SecurityAssociation> {
    let mut out: Vec<SecurityAssociation> = Vec::new();
    let Some(raw) = raw else { return out };
    let Some(list) = raw.as_array() else {
        p.bad("securityAssociations", "a list of security associations", Some(raw));
        return out;
    };
    let fields = ["peer", "spi", "algorithm", "key", "replay", "coverSpi", "use"];
    for (i, r) in list.iter().enumerate() {
        let f = format!("securityAssociations[{i}]");
        let Some(ro) = r.as_object() else { p.bad(&f, "an object", Some(r)); continue };
        for k in js_keys(ro) {
            if !fields.contains(&k.as_str()) {
                p.bad(&format!("{f}.{k}"), &format!("one of the fields {}", fields.join(", ")), Some(&str_val(k)));
            }
        }
        let peer = parse_ip(ro.get("peer")).filter(|&a| a != 0);
        match peer {
            None => p.bad(&format!("{f}.peer"), "the peer's address like 10.0.0.1", ro.get("peer")),
            Some(a) if out.iter().any(|x| x.peer == a) => p.bad(&format!("{f}.peer"), "one association per peer", ro.get("peer")),
            _ => {}
        }
        // SPI 0-255 are reserved (RFC 2002 §3.5.1).
        let spi_v = ro.get("spi");
        let spi_ok = spi_v.is_some_and(|v| is_integer(v) && num(v) >= 256.0 && num(v) <= 4294967295.0);
        if !spi_ok {
            p.bad(&format!("{f}.spi"), "an integer 256..4294967295 (0-255 are reserved)", spi_v);
        }
        let default_alg = str_val("hmac-md5");
        let alg_v = if nullish(ro.get("algorithm")) { &default_alg } else { &ro["algorithm"] };
        let algorithm = match alg_v.as_str() {
            Some("keyed-md5") => Some(Algorithm::KeyedMd5),
            Some("hmac-md5") => Some(Algorithm::HmacMd5),
            _ => None,
        };
        if algorithm.is_none() {
            p.bad(&format!("{f}.algorithm"), "one of keyed-md5, hmac-md5", Some(alg_v));
        }
        let key = parse_key(ro.get("key")).filter(|k| k.len() <= 64);
        if key.is_none() {
            let hidden = str_val("(hidden)");
            p.bad(&format!("{f}.key"), "1-64 bytes as hex (\"00112233...\") or \"text:...\"", ro.get("key").map(|_| &hidden));
        }
        let default_replay = str_val("timestamps");
        let rep_v = if nullish(ro.get("replay")) { &default_replay } else { &ro["replay"] };
        let replay = match rep_v.as_str() {
            Some("timestamps") => Some(Replay::Timestamps),
            Some("nonces") => Some(Replay::Nonces),
            _ => None,
        };
        if replay.is_none() {
            p.bad(&format!("{f}.replay"), "one of timestamps, nonces", Some(rep_v));
        }
        let default_cover = Value::Bool(alg_v.as_str() == Some("hmac-md5"));
        let cover_v = if nullish(ro.get("coverSpi")) { &default_cover } else { &ro["coverSpi"] };
        if !cover_v.is_boolean() {
            p.bad(&format!("{f}.coverSpi"), "true or false", Some(cover_v));
        }
        let default_use = match peer { Some(a) => default_sa_use(a, roles, interfaces), None => Some("mobile-home") };
        let use_v = if nullish(ro.get("use")) { default_use.map(str_val) } else { Some(ro["use"].clone()) };
        let use_ = match &use_v {
            None => {
                p.bad(&format!("{f}.use"), &format!("one of {} (a foreign agent's association may be with a mobile node or a home agent)", SA_USES.join(", ")), ro.get("use"));
                None
            }
            Some(v) => {
                let u = v.as_str().and_then(sa_use);
                if u.is_none() {
                    p.bad(&format!("{f}.use"), &format!("one of {}", SA_USES.join(", ")), Some(v));
                }
                u
            }
        };
        if let (Some(peer), Some(key)) = (peer, key) {
            out.push(SecurityAssociation {
                peer,
                spi: if spi_ok { num(spi_v.unwrap()) as u32 } else { 0 },
                algorithm: algorithm.unwrap_or(Algorithm::HmacMd5),
                key,
                replay: replay.unwrap_or(Replay::Timestamps),
                cover_spi: cover_v.as_bool().unwrap_or(false),
                use_: use_.unwrap_or(SaUse::MobileHome),
            });
        }
    }
    out
}

// ---- binary encoding (docs/abi.md "Configuration"; mirrors encodeConfigChunks) -----------------------

const REC_BOARD: u8 = 1;
const REC_NODE: u8 = 2;
const REC_IFACE: u8 = 3;
const REC_ROUTE: u8 = 4;
const REC_MOBILITY: u8 = 5;
const REC_SA: u8 = 6;

fn record(rtype: u8, body: &[u8]) -> Vec<u8> {
    let mut r = Vec::with_capacity(4 + body.len());
    r.push(rtype);
    r.push(0);
    r.extend_from_slice(&(body.len() as u16).to_be_bytes());
    r.extend_from_slice(body);
    r
}

fn kv(pairs: &[(u16, u32)]) -> Vec<u8> {
    let mut b = Vec::with_capacity(pairs.len() * 6);
    for (k, v) in pairs {
        b.extend_from_slice(&k.to_be_bytes());
        b.extend_from_slice(&v.to_be_bytes());
    }
    b
}

fn config_records(c: &NodeConfig) -> Vec<Vec<u8>> {
    let mut recs = Vec::new();
    let s = &c.sizes;
    recs.push(record(REC_BOARD, &kv(&[
        (1, c.board.memory_pages), (2, s.arp_entries), (3, s.routes), (4, s.timers), (5, s.pending_frames),
        (6, s.frame_bytes), (7, s.bindings), (8, s.visitors), (9, s.security_assocs), // 10 is reserved (docs/abi.md)
        (11, s.reassembly_slots), (12, s.reassembly_bytes),
    ])));
    let roles = c.roles.iter().fold(0u32, |b, r| b | match r {
        Role::Router => 1,
        Role::Host => 2,
        Role::MobileNode => 4,
        Role::ForeignAgent => 8,
        Role::HomeAgent => 16,
    });
    let n = &c.node;
    recs.push(record(REC_NODE, &kv(&[
        (1, roles), (2, n.default_ttl), (3, n.arp_timeout_sec), (4, n.arp_retries), (5, n.icmp_errors_per_sec), (6, n.log_level),
    ])));
    for (i, ifc) in c.interfaces.iter().enumerate() {
        let mut b = [0u8; 16];
        b[0] = i as u8;
        b[1] = ifc.advertise as u8 | (ifc.home as u8) << 1 | (ifc.dhcp as u8) << 2;
        b[2..8].copy_from_slice(&ifc.mac);
        b[8..12].copy_from_slice(&ifc.ip.to_be_bytes());
        b[12] = ifc.prefix_len;
        b[14..16].copy_from_slice(&(ifc.mtu as u16).to_be_bytes());
        recs.push(record(REC_IFACE, &b));
    }
    for r in &c.routes {
        let mut b = [0u8; 12];
        b[0..4].copy_from_slice(&r.dest.to_be_bytes());
        b[4] = r.prefix_len;
        b[5] = r.iface as u8;
        b[8..12].copy_from_slice(&r.via.to_be_bytes());
        recs.push(record(REC_ROUTE, &b));
    }
    let m = &c.mobility;
    // Registration Request flag bits (RFC 2002 §3.3): S 0x80, B 0x40, D 0x20, M 0x10, G 0x08.
    let flags = if m.request.simultaneous { 0x80 } else { 0 }
        | if m.request.broadcast { 0x40 } else { 0 }
        | match m.request.encapsulation { Encapsulation::Minimal => 0x10, Encapsulation::Gre => 0x08, Encapsulation::IpIp => 0 };
    let encaps = m.encapsulations.iter().fold(0u32, |b, e| b | match e { Encapsulation::IpIp => 1, Encapsulation::Minimal => 2, Encapsulation::Gre => 4 });
    recs.push(record(REC_MOBILITY, &kv(&[
        (1, m.home_address), (2, m.home_agent), (3, m.home_prefix_len), (4, m.lifetime_sec), (5, m.advert_interval_ms),
        (6, m.advert_lifetime_sec), (7, encaps), (8, m.max_bindings_per_node), (9, flags),
        (10, match m.colocated { Colocated::Never => 0, Colocated::Auto => 1, Colocated::Always => 2 }),
        (11, (m.replay == Replay::Nonces) as u32), (12, m.replay_window_sec), (13, m.clock_offset_sec as u32),
        (14, m.busy as u32), (15, m.retransmit_ms), (16, m.retransmit_max_ms), (17, m.solicit_interval_ms),
        (18, m.reverse_tunnel as u32), (19, (m.registration_profile == RegistrationProfile::Rfc3344) as u32),
    ])));
    for sa in &c.security_associations {
        let mut b = Vec::with_capacity(12 + sa.key.len());
        b.extend_from_slice(&sa.peer.to_be_bytes());
        b.extend_from_slice(&sa.spi.to_be_bytes());
        b.push(if sa.algorithm == Algorithm::KeyedMd5 { 1 } else { 2 });
        b.push((sa.replay == Replay::Nonces) as u8);
        let use_bits = match sa.use_ { SaUse::MobileHome => 1u8, SaUse::MobileForeign => 2, SaUse::ForeignHome => 3 };
        b.push(sa.cover_spi as u8 | use_bits << 1);
        b.push(sa.key.len() as u8);
        b.extend_from_slice(&sa.key);
        recs.push(record(REC_SA, &b));
    }
    recs
}

fn pack(recs: &[Vec<u8>]) -> Vec<u8> {
    let mut out = vec![0x4d, 0x49, 0x50, 0x46, 0, 1, 0, 0];
    for r in recs {
        out.extend_from_slice(r);
    }
    out
}

/// The whole configuration in one buffer (any size).
pub fn encode_config(c: &NodeConfig) -> Vec<u8> {
    pack(&config_records(c))
}

/// Buffers of at most `capacity` bytes: the first for `init` (every record but as many ROUTE/SA
/// records as fit), the rest for `config_add` (ROUTE and SA records only). The first may still
/// exceed `capacity` when the non-route records alone do; the board refuses it then.
pub fn encode_config_chunks(c: &NodeConfig, capacity: usize) -> Vec<Vec<u8>> {
    let recs = config_records(c);
    let per_peer = |r: &Vec<u8>| r[0] == REC_ROUTE || r[0] == REC_SA;
    let mut chunks: Vec<Vec<Vec<u8>>> = vec![recs.iter().filter(|r| !per_peer(r)).cloned().collect()];
    let mut size = 8 + chunks[0].iter().map(Vec::len).sum::<usize>();
    for r in recs.iter().filter(|r| per_peer(r)) {
        if size + r.len() > capacity {
            chunks.push(Vec::new());
            size = 8;
        }
        size += r.len();
        chunks.last_mut().unwrap().push(r.clone());
    }
    chunks.iter().map(|c| pack(c)).collect()
}

/// Read a node configuration file and validate it against `boards`; `where_` is "config".
pub fn load_config_with(path: &Path, boards: &Boards) -> Result<(NodeConfig, Vec<Vec<u8>>), Vec<String>> {
    let text = std::fs::read_to_string(path).map_err(|e| vec![format!("{}: cannot read: {e}", path.display())])?;
    let raw: Value = serde_json::from_str(&text).map_err(|e| vec![format!("{}: not valid JSON: {e}", path.display())])?;
    let cfg = validate_config(&raw, "config", boards)?;
    let chunks = encode_config_chunks(&cfg, CONFIG_CAPACITY);
    Ok((cfg, chunks))
}

/// Read and validate `path` against the profiles in `boards_dir` (the built-in profiles when
/// `boards_dir` does not exist); return the configuration and its binary chunks (first for `init`,
/// the rest for `config_add`). Err lists every problem, each naming its field
/// ("<where>.<field>: expected <what>, got <value>").
pub fn load_config(path: &Path, boards_dir: &Path) -> Result<(NodeConfig, Vec<Vec<u8>>), Vec<String>> {
    let boards = if boards_dir.is_dir() { Boards::from_dir(boards_dir)? } else { Boards::embedded() };
    load_config_with(path, &boards)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn check(v: Value) -> Result<NodeConfig, Vec<String>> {
        validate_config(&v, "config", &Boards::embedded())
    }

    fn host() -> Value {
        json!({ "name": "h1", "interfaces": [{ "name": "eth0", "mac": "02:00:00:00:01:10", "ipv4": "10.0.1.10/24" }],
                "routes": [{ "dest": "default", "via": "10.0.1.1" }] })
    }

    #[test]
    fn defaults_follow_the_board_and_node_defaults() {
        let c = check(host()).unwrap();
        assert_eq!(c.board.name, "emulated");
        assert_eq!(c.roles, vec![Role::Host]);
        assert_eq!(c.interfaces[0].mtu, 1500);
        assert_eq!(c.interfaces[0].ip, 0x0a00010a);
        assert_eq!(c.routes, vec![RouteConfig { dest: 0, prefix_len: 0, via: 0x0a000101, iface: 0 }]);
        assert_eq!(c.node, NodeOptions { default_ttl: 64, arp_timeout_sec: 60, arp_retries: 3, icmp_errors_per_sec: 10, log_level: 2 });
        assert_eq!(c.mobility.home_address, 0x0a00010a);
        assert_eq!(c.mobility.home_prefix_len, 24);
        assert_eq!(c.sizes, Boards::embedded().get("emulated").unwrap().sizes);
    }

    #[test]
    fn every_problem_names_field_expected_and_got() {
        let e = check(json!({ "name": "", "board": "vax", "roles": [], "interfaces": "eth0", "extra": 1 })).unwrap_err();
        assert_eq!(e, vec![
            "config.extra: expected one of the fields name, board, roles, interfaces, routes, sizes, node, mobility, securityAssociations, comment, got \"extra\"",
            "config.name: expected 1-32 letters, digits, '_', '.', '-', got \"\"",
            "config.board: expected one of esp32, esp32-c3, rpi-zero-2w, rpi4, linux, emulated, got \"vax\"",
            "config.roles: expected a non-empty list of host, router, mobile-node, foreign-agent, home-agent, got []",
            "config.interfaces: expected a list of 1..8 interfaces (board ?), got \"eth0\"",
        ]);
        assert_eq!(check(json!(42)).unwrap_err(), vec!["config: expected a JSON object, got 42"]);
    }

    #[test]
    fn interface_and_route_messages() {
        let mut v = host();
        v["interfaces"][0]["mac"] = json!("01:00:5e:00:00:01");
        v["interfaces"][0]["mtu"] = json!(1505);
        v["routes"] = json!([{ "dest": "10.2.0.0/16" }, { "dest": "default", "via": "192.168.1.1" }]);
        assert_eq!(check(v).unwrap_err(), vec![
            "config.interfaces[0].mac: expected a unicast MAC address (first octet even), got \"01:00:5e:00:00:01\"",
            "config.interfaces[0].mtu: expected an integer 576..1504 (frameBytes 1518 - 14), got 1505",
            "config.routes[0]: expected a gateway (via) or an interface (iface), got {\"dest\":\"10.2.0.0/16\"}",
            "config.routes[1].via: expected a gateway on the subnet of one of the interfaces (or give iface), got \"192.168.1.1\"",
        ]);
    }

    #[test]
    fn mobile_node_rules() {
        let v = json!({ "name": "mn", "roles": ["mobile-node"],
            "interfaces": [{ "name": "wlan0", "mac": "02:00:00:00:00:55", "ipv4": "10.0.0.5/24" }] });
        assert_eq!(check(v.clone()).unwrap_err(), vec!["config.mobility: expected an object with at least homeAgent for a mobile node, got nothing"]);
        let mut v2 = v.clone();
        v2["mobility"] = json!({ "homeAgent": "10.0.0.1" });
        assert_eq!(check(v2.clone()).unwrap_err(), vec![
            "config.securityAssociations: expected an association with the home agent 10.0.0.1 (mobile-home authentication is mandatory), got []",
        ]);
        v2["securityAssociations"] = json!([{ "peer": "10.0.0.1", "spi": 256, "key": "text:k" }]);
        let c = check(v2).unwrap();
        assert_eq!(c.roles, vec![Role::MobileNode, Role::Host]);
        assert_eq!(c.security_associations[0], SecurityAssociation {
            peer: 0x0a000001, spi: 256, algorithm: Algorithm::HmacMd5, key: b"k".to_vec(), replay: Replay::Timestamps, cover_spi: true, use_: SaUse::MobileHome,
        });
    }

    #[test]
    fn values_are_shown_as_javascript_would() {
        assert_eq!(js_number(1e21), "1e+21");
        assert_eq!(js_number(1.5e-7), "1.5e-7");
        assert_eq!(js_number(0.5), "0.5");
        assert_eq!(js_number(1518.0), "1518");
        assert_eq!(js_number(-0.0), "0");
        assert_eq!(js_number(18446744073709551615.0), "18446744073709552000");
        assert_eq!(js_number(123456.789), "123456.789");
        assert_eq!(show(None), "nothing");
        assert_eq!(show(Some(&json!({ "b": 1, "a": [true, null] }))), "{\"b\":1,\"a\":[true,null]}");
        assert_eq!(show(Some(&json!("x".repeat(70)))), format!("\"{}...", "x".repeat(56)));
        let o: Value = serde_json::from_str(r#"{"z":1,"2":2,"1":3}"#).unwrap();
        assert_eq!(stringify(&o), r#"{"1":3,"2":2,"z":1}"#);
    }

    #[test]
    fn encoding_matches_the_abi_layout() {
        let c = check(host()).unwrap();
        let chunks = encode_config_chunks(&c, CONFIG_CAPACITY);
        assert_eq!(chunks.len(), 1);
        let b = &chunks[0];
        assert_eq!(&b[..8], b"MIPF\0\x01\0\0");
        // BOARD: type 1, flags 0, length 66 (eleven pairs; key 10 is reserved), first pair memoryPages = 2.
        assert_eq!(&b[8..18], &[1, 0, 0, 66, 0, 1, 0, 0, 0, 2]);
        // NODE: roles = host (2).
        assert_eq!(&b[78..88], &[2, 0, 0, 36, 0, 1, 0, 0, 0, 2]);
        // IFACE: index 0, flags 0, MAC, 10.0.1.10, /24, pad, MTU 1500.
        assert_eq!(&b[118..138], &[3, 0, 0, 16, 0, 0, 2, 0, 0, 0, 1, 0x10, 10, 0, 1, 10, 24, 0, 0x05, 0xdc]);
        // MOBILITY (19 pairs) comes before the route in the first chunk, ROUTE last.
        assert_eq!(&b[138..142], &[5, 0, 0, 114]);
        assert_eq!(&b[256..], &[4, 0, 0, 12, 0, 0, 0, 0, 0, 0, 0, 0, 10, 0, 1, 1]);
        // The single-buffer form keeps the record order of configRecords (ROUTE before MOBILITY).
        let one = encode_config(&c);
        assert!(one.len() == b.len() && one[138..154] == b[256..]);
    }

    #[test]
    fn chunks_split_routes_and_associations_at_the_capacity() {
        let mut v = host();
        let sas: Vec<Value> = (0..100).map(|i| json!({ "peer": format!("10.0.{}.9", i + 1), "spi": 256 + i, "key": "00".repeat(64) })).collect();
        v["securityAssociations"] = Value::Array(sas);
        v["sizes"] = json!({ "securityAssocs": 100 });
        let c = check(v).unwrap();
        let chunks = encode_config_chunks(&c, 4096);
        assert!(chunks.len() >= 3);
        for (i, ch) in chunks.iter().enumerate() {
            assert!(ch.len() <= 4096);
            assert_eq!(&ch[..8], b"MIPF\0\x01\0\0");
            if i > 0 {
                assert_eq!(ch[8], REC_SA, "config_add chunks hold only ROUTE/SA records");
            }
        }
        // Every record appears once: the same bytes as the single buffer, SAs in order.
        let body: usize = chunks.iter().map(|c| c.len() - 8).sum();
        assert_eq!(body + 8, encode_config(&c).len());
        let sa_len = 4 + 12 + 64;
        let spis: Vec<u32> = chunks[1..].iter().flat_map(|c| c[8..].chunks(sa_len).map(|r| u32::from_be_bytes(r[8..12].try_into().unwrap())).collect::<Vec<_>>()).collect();
        assert!(spis.windows(2).all(|w| w[1] == w[0] + 1) && *spis.last().unwrap() == 256 + 99);
    }

    #[test]
    fn board_profiles_from_a_directory_and_their_problems() {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../boards");
        let b = Boards::from_dir(&dir).unwrap();
        let names: Vec<&str> = b.0.iter().map(|x| x.name.as_str()).collect();
        assert_eq!(names, vec!["esp32", "esp32-c3", "rpi-zero-2w", "rpi4", "linux", "emulated"]);
        assert_eq!(b.0, Boards::embedded().0);
        let e = parse_board("x.json", r#"{ "name": "x", "memoryPages": 0, "maxInterfaces": 1, "mtu": 1500, "sizes": {} }"#).unwrap_err();
        assert_eq!(e[0], "x.json.description: expected a string, got nothing");
        assert_eq!(e[1], "x.json.memoryPages: expected an integer 1..16384, got 0");
        assert_eq!(e[2], "x.json.sizes.arpEntries: expected an integer 1..4096, got nothing");
        assert!(Boards::from_dir(Path::new("/nonexistent")).is_err());
    }
}
