//! Node configuration: the JSON users write, validated and encoded by walking the one schema
//! (schema/config.fields.json, embedded at compile time; host/node/config.ts walks the same file) plus
//! the few cross-field rules it names; board profiles from boards/*.json; the binary config chunks of
//! docs/abi.md "Configuration". Messages match host/node/config.ts to the byte.

use std::path::Path;
use std::sync::OnceLock;

use serde_json::{Map, Value};

/// One boards/<name>.json profile (`json`: the whole file, for the schema's "board.*" references).
#[derive(Clone, Debug, PartialEq)]
pub struct BoardProfile {
    pub name: String,
    pub description: String,
    pub memory_pages: u32,
    pub max_interfaces: u32,
    pub mtu: u32,
    pub json: Value,
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

/// A static route; `iface` indexes NodeConfig::interfaces, `via` 0 = on-link.
#[derive(Clone, Debug, PartialEq)]
pub struct RouteConfig {
    pub dest: u32,
    pub prefix_len: u8,
    pub via: u32,
    pub iface: u32,
}

/// The mobile node's home address and prefix (the Linux driver gives them to its TUN device).
#[derive(Clone, Debug, PartialEq)]
pub struct MobilityConfig {
    pub home_address: u32,
    pub home_prefix_len: u32,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Role { Host, Router, MobileNode, ForeignAgent, HomeAgent, RegistrationServer, CareOfAgent }

/// A configuration that passed validation: the typed fields the driver reads, and `tree`, every
/// field of schema/config.fields.json with its value or default (what the encoder walks).
#[derive(Clone, Debug, PartialEq)]
pub struct NodeConfig {
    pub name: String,
    pub board: BoardProfile,
    pub roles: Vec<Role>,
    pub interfaces: Vec<IfaceConfig>,
    pub routes: Vec<RouteConfig>,
    pub mobility: MobilityConfig,
    pub tree: Map<String, Value>,
}

/// Capacity of the firmware's config buffer (docs/abi.md `config_capacity`).
pub const CONFIG_CAPACITY: usize = 4096;

// ---- the schema ---------------------------------------------------------------------------------

/// schema/config.fields.json, built into the binary (no Node at run time).
const SCHEMA_TEXT: &str = include_str!("../../../schema/config.fields.json");

fn schema() -> &'static Value {
    static S: OnceLock<Value> = OnceLock::new();
    S.get_or_init(|| serde_json::from_str(SCHEMA_TEXT).expect("schema/config.fields.json"))
}

/// The field at a dotted path below the root ("sizes").
fn field_at(path: &str) -> &'static Value {
    path.split('.').fold(&schema()["root"], |f, k| &f["fields"][k])
}

/// The sub-fields of an object field, in schema order.
fn fields_of(f: &'static Value) -> impl Iterator<Item = (&'static String, &'static Value)> {
    f["fields"].as_object().into_iter().flatten()
}

/// The board used when a configuration names none (the schema's default of `board`).
fn default_board() -> &'static str {
    field_at("board")["default"].as_str().unwrap_or("emulated")
}

// ---- board profiles -----------------------------------------------------------------------------

/// The profiles of boards/*.json built into the binary, in the order host/node/config.ts lists them
/// (a board then needs no boards/ directory; `--boards DIR` reads another set).
const EMBEDDED_BOARDS: [(&str, &str); 7] = [
    ("esp32.json", include_str!("../../../boards/esp32.json")),
    ("esp32-c3.json", include_str!("../../../boards/esp32-c3.json")),
    ("rpi-zero-2w.json", include_str!("../../../boards/rpi-zero-2w.json")),
    ("rpi4.json", include_str!("../../../boards/rpi4.json")),
    ("linux.json", include_str!("../../../boards/linux.json")),
    ("emulated.json", include_str!("../../../boards/emulated.json")),
    ("mcu-rv32-virt.json", include_str!("../../../boards/mcu-rv32-virt.json")),
];

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
    match o.get("sizes").and_then(Value::as_object) {
        Some(so) => {
            for (k, f) in fields_of(field_at("sizes")) {
                int(so, k, "sizes.", num(&f["min"]), num(&f["max"]), &mut p);
            }
        }
        None => p.push(format!("{file}.sizes: expected an object, got {}", show(o.get("sizes")))),
    }
    if !p.is_empty() {
        return Err(p);
    }
    Ok(BoardProfile { name, description, memory_pages, max_interfaces, mtu, json: v.clone() })
}

// ---- JavaScript-compatible views of JSON values (messages must match host/node/config.ts) ---------

fn num(v: &Value) -> f64 {
    v.as_f64().unwrap_or(f64::NAN)
}

/// Number.isInteger
fn is_integer(v: &Value) -> bool {
    v.is_number() && num(v).is_finite() && num(v).fract() == 0.0
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


fn chars_ok(s: &str, class: &str) -> bool {
    let c: Vec<char> = class.chars().collect();
    s.chars().all(|ch| {
        let mut i = 0;
        while i < c.len() {
            if i + 2 < c.len() && c[i + 1] == '-' {
                if c[i] <= ch && ch <= c[i + 2] {
                    return true;
                }
                i += 3;
            } else {
                if c[i] == ch {
                    return true;
                }
                i += 1;
            }
        }
        false
    })
}

/// Parse "addr/len": an IPv6 address in RFC 4291 §2.2 text and a prefix length 0..128.
fn parse_cidr6(v: Option<&Value>) -> Option<([u8; 16], u8)> {
    let s = v?.as_str()?;
    let mut it = s.split('/');
    let a: std::net::Ipv6Addr = it.next()?.parse().ok()?;
    let l = it.next()?;
    if it.next().is_some() || l.is_empty() || l.len() > 3 || !l.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let n: u8 = l.parse().ok()?;
    if n > 128 { None } else { Some((a.octets(), n)) }
}

// ---- validation: one walk over the schema ------------------------------------------------------------


fn u32_of(v: Option<&Value>) -> u32 {
    v.and_then(Value::as_i64).unwrap_or(0) as u32
}

fn cidr_value(a: u32, l: u8) -> Value {
    Value::Array(vec![Value::from(a), Value::from(l)])
}

fn bytes_value(b: &[u8]) -> Value {
    Value::Array(b.iter().map(|&x| Value::from(x)).collect())
}

fn bytes_of(v: &Value) -> Vec<u8> {
    v.as_array().map(|a| a.iter().map(|x| x.as_u64().unwrap_or(0) as u8).collect()).unwrap_or_default()
}

/// One validation: where problems go, the board profiles, and the configuration built so far.
struct Walk<'a> {
    where_: &'a str,
    boards: &'a Boards,
    p: Vec<String>,
    tree: Map<String, Value>,
    /// Per `unique` field of the list being walked: items indexed so far and their values (as JSON text).
    /// Why (speed): 4096 ipsec peers (issue 13) took 0.9 s with a scan of the earlier items per item.
    unique: Vec<(String, usize, std::collections::HashSet<String>)>,
}

impl Walk<'_> {
    /// True when an item of `earlier` (the list's items so far) has a `key` field equal to `x`.
    fn seen_before(&mut self, earlier: &[Value], key: &str, x: &Value) -> bool {
        if x.is_object() {
            return earlier.iter().any(|e| e.get(key) == Some(x));
        }
        let i = match self.unique.iter().position(|u| u.0 == key) {
            Some(i) => i,
            None => {
                self.unique.push((key.to_string(), 0, Default::default()));
                self.unique.len() - 1
            }
        };
        let u = &mut self.unique[i];
        for e in &earlier[u.1..] {
            if let Some(v) = e.get(key).filter(|v| !v.is_object()) {
                u.2.insert(v.to_string());
            }
        }
        u.1 = earlier.len();
        u.2.contains(&x.to_string())
    }

    fn bad(&mut self, field: &str, expected: &str, got: Option<&Value>) {
        self.p.push(format!("{}.{field}: expected {expected}, got {}", self.where_, show(got)));
    }

    /// The board profile named by the configuration, else the schema's stand-in for an unknown one.
    fn board(&self) -> Value {
        if let Some(b) = self.tree.get("board").and_then(Value::as_str).and_then(|n| self.boards.get(n)) {
            return b.json.clone();
        }
        let u = &schema()["unknownBoard"];
        let sizes = self.boards.get(u["sizesOf"].as_str().unwrap_or(default_board())).map(|b| b.json["sizes"].clone())
            .unwrap_or_else(|| Boards::embedded().get(default_board()).unwrap().json["sizes"].clone());
        serde_json::json!({ "name": u["name"], "maxInterfaces": u["maxInterfaces"], "mtu": u["mtu"], "sizes": sizes })
    }

    /// "board.x.y" from the board profile, anything else from the configuration built so far.
    fn reference(&self, path: &str) -> Option<Value> {
        let mut it = path.split('.');
        let head = it.next()?;
        let mut v = if head == "board" { self.board() } else { self.tree.get(head)?.clone() };
        for k in it {
            v = v.get(k)?.clone();
        }
        Some(v)
    }

    fn bound(&self, v: &Value, dflt: f64) -> f64 {
        match v {
            Value::Null => dflt,
            Value::Object(o) => self.reference(o["ref"].as_str().unwrap_or("")).map(|x| num(&x)).unwrap_or(f64::NAN) - o.get("minus").map(num).unwrap_or(0.0),
            n => num(n),
        }
    }

    fn values(&self, f: &Value) -> Vec<String> {
        match &f["values"] {
            Value::String(s) if s == "boards" => self.boards.0.iter().map(|b| b.name.clone()).collect(),
            Value::String(_) => self.tree.get("interfaces").and_then(Value::as_array).into_iter().flatten()
                .filter_map(|x| x.get("name").and_then(Value::as_str).map(str::to_string)).collect(),
            Value::Object(o) => o.keys().cloned().collect(),
            _ => Vec::new(),
        }
    }

    /// The expected text of `f`, its placeholders filled.
    fn expected(&self, f: &Value) -> String {
        let t = f["expected"].as_str().or_else(|| schema()["types"][f["type"].as_str().unwrap_or("")]["expected"].as_str()).unwrap_or("");
        let mut out = String::new();
        let mut rest = t;
        while let Some(i) = rest.find('{') {
            let Some(j) = rest[i..].find('}') else { break };
            let k = &rest[i + 1..i + j];
            if k.is_empty() || !k.chars().all(|c| c.is_ascii_alphabetic() || c == '.') {
                out.push_str(&rest[..=i]);
                rest = &rest[i + 1..];
                continue;
            }
            out.push_str(&rest[..i]);
            out.push_str(&match k {
                "min" => js_number(self.bound(&f["min"], 0.0)),
                "max" => js_number(self.bound(&f["max"], f64::INFINITY)),
                "values" => self.values(if f["items"].is_null() { f } else { &f["items"] }).join(", "),
                _ => match self.reference(k) {
                    Some(Value::String(s)) => s,
                    Some(v) if v.is_number() => js_number(num(&v)),
                    Some(v) => stringify(&v),
                    None => "undefined".into(),
                },
            });
            rest = &rest[i + j + 1..];
        }
        out.push_str(rest);
        out
    }

    /// Validate `raw` (None when absent) against `f`; the value, or None when wrong or absent.
    fn value(&mut self, f: &'static Value, raw: Option<&Value>, field: &str, siblings: &Map<String, Value>, earlier: Option<&[Value]>, key: &str) -> Option<Value> {
        let Some(raw) = raw else {
            if f["required"] == Value::Bool(true) {
                let e = self.expected(f);
                self.bad(field, &e, None);
                return None;
            }
            if f["type"] == "object" {
                return Some(Value::Object(self.object(f, &Map::new(), field, None, true, false)));
            }
            let d = &f["default"];
            return match d {
                Value::Null => None,
                Value::Object(o) if o.contains_key("rule") => None,
                Value::Object(o) if o.contains_key("ref") => {
                    let r = self.reference(o["ref"].as_str().unwrap_or(""));
                    self.value(f, Some(r.as_ref().unwrap_or(&Value::Null)), field, siblings, earlier, key)
                }
                Value::Object(o) if o.contains_key("sibling") => {
                    let b = Value::Bool(siblings.get(o["sibling"].as_str().unwrap_or("")) == Some(&o["is"]));
                    self.value(f, Some(&b), field, siblings, earlier, key)
                }
                d => self.value(f, Some(d), field, siblings, earlier, key),
            };
        };
        let mut v = self.check(f, raw, field);
        if let (Some(x), Some(msg), Some(e)) = (&v, f["unique"].as_str(), earlier) {
            if self.seen_before(e, key, x) {
                self.bad(field, msg, Some(raw));
                v = None;
            }
        }
        if v.is_none() && !f["default"].is_null() && f["type"] != "list" {
            // A wrong value is reported once; the checks of other fields go on with the default.
            let n = self.p.len();
            v = self.value(f, None, field, siblings, earlier, key);
            self.p.truncate(n);
        }
        v
    }

    fn check(&mut self, f: &'static Value, raw: &Value, field: &str) -> Option<Value> {
        let ty = f["type"].as_str().unwrap_or("");
        let t = &schema()["types"][ty];
        let lit = raw.as_str().and_then(|s| f["literals"].get(s)).cloned();
        let parsed = lit.as_ref().unwrap_or(raw);
        match ty {
            "any" => return Some(raw.clone()),
            "object" => {
                if let Value::Object(o) = raw {
                    return Some(Value::Object(self.object(f, o, field, None, false, false)));
                }
                let e = self.expected(f);
                self.bad(field, &e, Some(raw));
                return Some(Value::Object(self.object(f, &Map::new(), field, None, true, false)));
            }
            "list" => return Some(Value::Array(self.list(f, raw, field))),
            "integer" => {
                let (lo, hi) = (self.bound(&f["min"], f64::NEG_INFINITY), self.bound(&f["max"], f64::INFINITY));
                if is_integer(raw) && num(raw) >= lo && num(raw) <= hi {
                    return Some(Value::from(num(raw) as i64));
                }
            }
            "boolean" => {
                if raw.is_boolean() {
                    return Some(raw.clone());
                }
            }
            "enum" => {
                if raw.as_str().is_some_and(|s| self.values(f).iter().any(|x| x == s)) {
                    return Some(raw.clone());
                }
            }
            "string" => {
                if let Some(s) = raw.as_str() {
                    let n = s.encode_utf16().count() as f64;
                    if n >= num(&f["minLength"]) && n <= num(&f["maxLength"]) && chars_ok(s, f["chars"].as_str().unwrap_or("")) {
                        return Some(raw.clone());
                    }
                }
            }
            "ipv4" => {
                if let Some(a) = parse_ip(Some(parsed)) {
                    if lit.is_some() || f["nonzero"] != Value::Bool(true) || a != 0 {
                        return Some(Value::from(a));
                    }
                }
            }
            "cidr4" => {
                if let Some((a, l)) = parse_cidr(Some(parsed)) {
                    if lit.is_none() && f["unicast"] == Value::Bool(true) && (l == 0 || a >> 28 >= 14 || a >> 24 == 127 || a >> 24 == 0) {
                        self.bad(field, t["unicast"].as_str().unwrap_or(""), Some(raw));
                        return None;
                    }
                    return Some(cidr_value(a, l));
                }
            }
            "ip6" => {
                if let Some(a) = parsed.as_str().and_then(|x| x.parse::<std::net::Ipv6Addr>().ok()).map(|x| x.octets()) {
                    let zero8 = a[..8].iter().all(|&x| x == 0);
                    let unspec_or_mapped = zero8 && ((a[8] | a[9] | a[10] | a[11]) == 0 || (a[8] | a[9]) == 0 && a[10] == 0xff && a[11] == 0xff);
                    if f["unicast"] == Value::Bool(true) && (a[0] == 0xff || unspec_or_mapped) {
                        self.bad(field, t["unicast"].as_str().unwrap_or(""), Some(raw));
                        return None;
                    }
                    // A group: RFC 4291 §2.7, ff00::/8.
                    if f["multicast"] == Value::Bool(true) && a[0] != 0xff {
                        self.bad(field, t["multicast"].as_str().unwrap_or(""), Some(raw));
                        return None;
                    }
                    return Some(bytes_value(&a));
                }
            }
            "cidr6" => {
                if let Some((a, l)) = parse_cidr6(Some(parsed)) {
                    // A unicast interface address: not ::, not IPv4-mapped (that is "ipv4"), not multicast (RFC 4291).
                    let zero8 = a[..8].iter().all(|&x| x == 0);
                    let unspec_or_mapped = zero8 && ((a[8] | a[9] | a[10] | a[11]) == 0 || (a[8] | a[9]) == 0 && a[10] == 0xff && a[11] == 0xff);
                    if f["unicast"] == Value::Bool(true) && (a[0] == 0xff || unspec_or_mapped) {
                        self.bad(field, t["unicast"].as_str().unwrap_or(""), Some(raw));
                        return None;
                    }
                    return Some(Value::Array(vec![bytes_value(&a), Value::from(l)]));
                }
            }
            "mac" => {
                if let Some(m) = parse_mac(Some(raw)) {
                    if f["unicast"] == Value::Bool(true) && m[0] & 1 != 0 {
                        self.bad(field, t["unicast"].as_str().unwrap_or(""), Some(raw));
                        return None;
                    }
                    if f["nonzero"] == Value::Bool(true) && m.iter().all(|&b| b == 0) {
                        self.bad(field, t["nonzero"].as_str().unwrap_or(""), Some(raw));
                        return None;
                    }
                    return Some(bytes_value(&m));
                }
            }
            "key" => {
                if let Some(k) = parse_key(Some(raw)).filter(|k| k.len() as f64 >= num(&t["minBytes"]) && k.len() as f64 <= num(&t["maxBytes"])) {
                    return Some(bytes_value(&k));
                }
                let e = self.expected(f);
                self.bad(field, &e, Some(&t["shown"]));
                return None;
            }
            _ => {}
        }
        let e = self.expected(f);
        self.bad(field, &e, Some(raw));
        None
    }

    /// Walk an object's fields in schema order (`root`: also keep each value in `tree` at once, so
    /// later fields can refer to earlier ones).
    fn object(&mut self, f: &'static Value, raw: &Map<String, Value>, field: &str, earlier: Option<&[Value]>, absent: bool, root: bool) -> Map<String, Value> {
        let prefix = if field.is_empty() { String::new() } else { format!("{field}.") };
        let names: Vec<&String> = fields_of(f).map(|(k, _)| k).collect();
        if !absent {
            for k in js_keys(raw) {
                if !names.contains(&k) {
                    let list = names.iter().map(|s| s.as_str()).collect::<Vec<_>>().join(", ");
                    self.bad(&format!("{prefix}{k}"), &format!("{} {list}", f["unknown"].as_str().unwrap_or("")), Some(&str_val(k)));
                }
            }
        }
        let mut into = Map::new();
        for (k, sub) in fields_of(f) {
            let v = self.value(sub, raw.get(k), &format!("{prefix}{k}"), &into, earlier, k);
            // A missing or wrong list is empty to the rules.
            if let Some(v) = v.or_else(|| (sub["type"] == "list").then(|| Value::Array(Vec::new()))) {
                if root {
                    self.tree.insert(k.clone(), v.clone());
                }
                into.insert(k.clone(), v);
            }
        }
        into
    }

    fn list(&mut self, f: &'static Value, raw: &Value, field: &str) -> Vec<Value> {
        let (lo, hi) = (self.bound(&f["min"], 0.0), self.bound(&f["max"], f64::INFINITY));
        let noun = f["countNoun"].as_str();
        let arr = match raw.as_array() {
            Some(a) if (a.len() as f64) >= lo && ((a.len() as f64) <= hi || !f["maxExpected"].is_null()) => a,
            _ => {
                let got = match (raw.as_array(), noun) {
                    (Some(a), Some(n)) => str_val(&format!("{} {n}", a.len())),
                    _ => raw.clone(),
                };
                let e = self.expected(f);
                self.bad(field, &e, Some(&got));
                return Vec::new();
            }
        };
        let item = &f["items"];
        let mut out: Vec<Value> = Vec::new();
        // Each list its own `unique` index (an item's own lists have theirs).
        let outer = std::mem::take(&mut self.unique);
        for (i, r) in arr.iter().enumerate() {
            let at = format!("{field}[{i}]");
            if item["type"] == "object" {
                match r.as_object() {
                    Some(o) => {
                        let v = self.object(item, o, &at, Some(&out), false, false);
                        out.push(Value::Object(v));
                    }
                    None => {
                        let e = self.expected(item);
                        self.bad(&at, &e, Some(r));
                        out.push(Value::Null);
                    }
                }
                continue;
            }
            let Some(v) = self.check(item, r, &at) else { continue };
            if out.contains(&v) {
                if f["unique"] != "merge" {
                    self.bad(&at, f["unique"].as_str().unwrap_or(""), Some(r));
                }
                continue;
            }
            out.push(v);
        }
        self.unique = outer;
        let n = out.iter().filter(|x| !x.is_null()).count();
        if let Some(m) = f["maxExpected"].as_str() {
            if n as f64 > hi {
                let mut g = f.clone();
                g["expected"] = str_val(m);
                let e = self.expected(&g);
                self.bad(field, &e, Some(&str_val(&format!("{n} {}", noun.unwrap_or("")))));
            }
        }
        for v in out.clone() {
            for w in f["implies"].get(v.as_str().unwrap_or("")).and_then(Value::as_array).into_iter().flatten() {
                if !out.contains(w) {
                    out.push(w.clone());
                }
            }
        }
        out
    }
}

// ---- cross-field rules (schema/config.fields.json "rules"; the same in host/node/config.ts) ---------

fn ip_of(ifc: &Value) -> u32 {
    u32_of(ifc.get("ipv4").and_then(|c| c.get(0)))
}
fn len_of(ifc: &Value) -> u32 {
    u32_of(ifc.get("ipv4").and_then(|c| c.get(1)))
}
fn on_subnet(ifc: &Value, a: u32) -> bool {
    len_of(ifc) > 0 && (ip_of(ifc) ^ a) >> (32 - len_of(ifc)) == 0
}
fn has_role(t: &Map<String, Value>, r: &str) -> bool {
    t["roles"].as_array().is_some_and(|a| a.iter().any(|x| x == r))
}

fn rule(name: &str, w: &mut Walk, raw: &Map<String, Value>) {
    let t = w.tree.clone();
    let ifs: Vec<Value> = t["interfaces"].as_array().cloned().unwrap_or_default();
    let (mn, ha, fa) = (has_role(&t, "mobile-node"), has_role(&t, "home-agent"), has_role(&t, "foreign-agent"));
    let m = &t["mobility"];
    match name {
        "roleConflict" => {
            if mn && (fa || ha) {
                w.bad("roles", "mobile-node alone, or agent roles without mobile-node", raw.get("roles"));
            }
        }
        "routeInterface" => {
            for (i, r) in t["routes"].as_array().into_iter().flatten().enumerate() {
                let rr = &raw["routes"][i];
                if r.is_null() || rr.get("iface").is_some() {
                    continue;
                }
                let via = u32_of(r.get("via"));
                if via == 0 {
                    w.bad(&format!("routes[{i}]"), "a gateway (via) or an interface (iface)", Some(rr));
                } else if let Some(x) = ifs.iter().find(|x| !x.is_null() && on_subnet(x, via)) {
                    w.tree["routes"][i]["iface"] = x["name"].clone();
                } else {
                    w.bad(&format!("routes[{i}].via"), "a gateway on the subnet of one of the interfaces (or give iface)", rr.get("via"));
                }
            }
        }
        "homeDefaults" => {
            let first = ifs.first().cloned().unwrap_or(Value::Null);
            let home = m.get("homeAddress").cloned().unwrap_or_else(|| Value::from(ip_of(&first)));
            w.tree["mobility"]["homeAddress"] = home.clone();
            if m.get("homePrefixLen").is_none() {
                let mut l = if len_of(&first) != 0 { len_of(&first) } else { 24 };
                if let Some(x) = ifs.iter().find(|x| mn && !x.is_null() && Value::from(ip_of(x)) == home) {
                    // (An unnumbered interface, an IPv6-only mobile node's, keeps the default.)
                    if len_of(x) != 0 {
                        l = len_of(x);
                    }
                }
                w.tree["mobility"]["homePrefixLen"] = Value::from(l);
            }
        }
        "retransmitOrder" => {
            if let (Some(a), Some(b)) = (m.get("retransmitMs"), m.get("retransmitMaxMs")) {
                if num(b) < num(a) {
                    w.bad("mobility.retransmitMaxMs", &format!("at least retransmitMs = {}", js_number(num(a))), Some(b));
                }
            }
        }
        "saUse" => {
            for (i, sa) in t["securityAssociations"].as_array().into_iter().flatten().enumerate() {
                if sa.is_null() || raw["securityAssociations"][i].get("use").is_some() {
                    continue;
                }
                // A mobile node's associations are with home agents; a home agent's with its mobile nodes
                // when the peer is on a home link, else with foreign agents; a foreign agent's must say.
                let mut use_ = Some("mobile-home");
                if let (Some(peer), false) = (sa.get("peer"), mn) {
                    let peer = u32_of(Some(peer));
                    if ha && ifs.iter().any(|x| x.get("home") == Some(&Value::Bool(true)) && on_subnet(x, peer)) {
                        use_ = Some("mobile-home");
                    } else if ha && !fa {
                        use_ = Some("foreign-home");
                    } else if fa {
                        use_ = None;
                    }
                    // Distributed registration (seed 002): a server's or care-of agent's peers are of every kind.
                    if has_role(&t, "registration-server") || has_role(&t, "care-of-agent") {
                        use_ = None;
                    }
                }
                match use_ {
                    Some(u) => w.tree["securityAssociations"][i]["use"] = str_val(u),
                    None => {
                        let e = w.expected(&field_at("securityAssociations")["items"]["fields"]["use"]);
                        w.bad(&format!("securityAssociations[{i}].use"), &format!("{e} (a foreign agent's association may be with a mobile node or a home agent; a registration server's or care-of agent's with any party)"), None);
                    }
                }
            }
        }
        "homeAgentHome" => {
            let live: Vec<&Value> = ifs.iter().filter(|x| !x.is_null()).collect();
            if ha && !live.iter().any(|x| x.get("home") == Some(&Value::Bool(true))) {
                let names = Value::Array(live.iter().filter_map(|x| x.get("name").cloned()).collect());
                w.bad("interfaces", "one interface with \"home\": true on a home agent", Some(&names));
            }
        }
        "mobileNode" => {
            if !mn {
                return;
            }
            if !raw.contains_key("mobility") {
                w.bad("mobility", "an object with at least homeAgent for a mobile node", None);
            }
            let (agent, home, plen) = (u32_of(m.get("homeAgent")), u32_of(m.get("homeAddress")), u32_of(m.get("homePrefixLen")));
            if agent != 0 && plen < 32 {
                let mask = if plen == 0 { 0 } else { u32::MAX << (32 - plen) };
                if (agent ^ home) & mask != 0 {
                    w.bad("mobility.homeAgent", &format!("an address on the home network {}/{plen}", format_ip(home & mask)), Some(&str_val(&format_ip(agent))));
                }
            }
            let sas: Vec<&Value> = t["securityAssociations"].as_array().into_iter().flatten().filter(|x| !x.is_null()).collect();
            if agent != 0 && !sas.iter().any(|sa| u32_of(sa.get("peer")) == agent && sa.get("peer").is_some()) {
                let peers = Value::Array(sas.iter().filter_map(|sa| sa.get("peer")).map(|p| str_val(&format_ip(u32_of(Some(p))))).collect());
                w.bad("securityAssociations", &format!("an association with the home agent {} (mobile-home authentication is mandatory)", format_ip(agent)), Some(&peers));
            }
        }
        _ => {}
    }
}

/// Validate a node configuration (parsed JSON) against `boards`. `where_` prefixes field names.
/// Err lists every problem found, each naming its field.
pub fn validate_config(raw: &Value, where_: &str, boards: &Boards) -> Result<NodeConfig, Vec<String>> {
    let Some(o) = raw.as_object() else {
        return Err(vec![format!("{where_}: expected a JSON object, got {}", show(Some(raw)))]);
    };
    let mut w = Walk { where_, boards, p: Vec::new(), tree: Map::new(), unique: Vec::new() };
    w.object(&schema()["root"], o, "", None, false, true);
    for name in schema()["rules"].as_object().unwrap().keys() {
        rule(name, &mut w, o);
    }
    if !w.p.is_empty() {
        return Err(w.p);
    }
    let t = w.tree;
    let board = boards.get(t["board"].as_str().unwrap_or("")).cloned().expect("validated board");
    let ifs: Vec<IfaceConfig> = t["interfaces"].as_array().unwrap().iter().map(|x| {
        let mut mac = [0u8; 6];
        mac.copy_from_slice(&bytes_of(&x["mac"]));
        IfaceConfig {
            name: x["name"].as_str().unwrap_or("").to_string(), mac, ip: ip_of(x), prefix_len: len_of(x) as u8,
            mtu: u32_of(x.get("mtu")), advertise: x["advertise"] == true, home: x["home"] == true, dhcp: x["dhcp"] == true,
        }
    }).collect();
    let routes = t["routes"].as_array().unwrap().iter().map(|r| RouteConfig {
        dest: u32_of(r["dest"].get(0)), prefix_len: u32_of(r["dest"].get(1)) as u8, via: u32_of(r.get("via")),
        iface: ifs.iter().position(|x| Some(x.name.as_str()) == r["iface"].as_str()).unwrap_or(0) as u32,
    }).collect();
    let roles = t["roles"].as_array().unwrap().iter().map(|r| match r.as_str().unwrap_or("") {
        "host" => Role::Host,
        "router" => Role::Router,
        "mobile-node" => Role::MobileNode,
        "foreign-agent" => Role::ForeignAgent,
        "registration-server" => Role::RegistrationServer,
        "care-of-agent" => Role::CareOfAgent,
        _ => Role::HomeAgent,
    }).collect();
    let mobility = MobilityConfig { home_address: u32_of(t["mobility"].get("homeAddress")), home_prefix_len: u32_of(t["mobility"].get("homePrefixLen")) };
    Ok(NodeConfig { name: t["name"].as_str().unwrap_or("").to_string(), board, roles, interfaces: ifs, routes, mobility, tree: t })
}

// ---- binary encoding (docs/abi.md "Configuration"), driven by each field's record/key/at ---------------

/// The number a scalar value encodes to (enum codes, boolean bits, OR of a list's codes).
fn code(f: &Value, v: &Value, names: &[String]) -> u32 {
    match f["type"].as_str().unwrap_or("") {
        "list" => v.as_array().into_iter().flatten().fold(0, |b, x| b | code(&f["items"], x, names)),
        "boolean" => if v == true { f["bits"].as_u64().unwrap_or(1) as u32 } else { 0 },
        "enum" => {
            let s = v.as_str().unwrap_or("");
            let c = if f["values"] == "interfaces" { names.iter().position(|n| n == s).unwrap_or(0) as u32 } else { u32_of(f["values"].get(s)) };
            c << f["shift"].as_u64().unwrap_or(0)
        }
        _ => v.as_i64().unwrap_or(0) as u32,
    }
}

/// The 16-byte form of IPv4 address `v4` in configuration records (ABI v2): ::ffff:a.b.c.d,
/// network order (RFC 4291 §2.5.5.2); host/node/config.ts mappedAddress.
pub fn mapped_address(v4: u32) -> [u8; 16] {
    let mut a = [0u8; 16];
    a[10] = 0xff;
    a[11] = 0xff;
    a[12..].copy_from_slice(&v4.to_be_bytes());
    a
}

/// Prefix lengths in records count bits of the 16-byte address: an IPv4 /n is 96 + n (docs/decisions.md).
pub const V4_PREFIX_BASE: u32 = 96;

struct Encoder {
    names: Vec<String>,
    /// Key/value entries per record: the value's bytes (a u32 big-endian, or a 16-byte address).
    kv: Vec<(String, Vec<(u16, Vec<u8>)>)>,
    structs: Vec<(String, Vec<Vec<u8>>)>,
}

impl Encoder {
    fn walk(&mut self, f: &Value, v: Option<&Value>, buf: &mut Option<&mut Vec<u8>>, name: &str) {
        let Some(v) = v else { return };
        let ty = f["type"].as_str().unwrap_or("");
        if ty == "object" {
            for (k, sub) in f["fields"].as_object().into_iter().flatten() {
                self.walk(sub, v.get(k), buf, k);
            }
            return;
        }
        let rec = schema()["records"].as_array().unwrap().iter().find(|r| ty == "list" && r["list"] == name);
        if let Some(rec) = rec {
            let mut items = Vec::new();
            for (i, item) in v.as_array().into_iter().flatten().enumerate() {
                let mut b = vec![0u8; rec["size"].as_u64().unwrap_or(0) as usize + item.get("key").map(|k| bytes_of(k).len()).unwrap_or(0)];
                if let Some(at) = rec["indexAt"].as_u64() {
                    b[at as usize] = i as u8;
                }
                // Address fields left out are ::ffff:0.0.0.0 (/96): every address in a record is IPv4-mapped.
                for a in f["items"]["fields"].as_object().into_iter().flatten().map(|(_, a)| a) {
                    let (ty, at) = (a["type"].as_str().unwrap_or(""), a["at"].as_u64().unwrap_or(0) as usize);
                    if a.get("record").is_some() && (ty == "ipv4" || ty == "cidr4") {
                        b[at..at + 16].copy_from_slice(&mapped_address(0));
                    }
                    if a.get("record").is_some() && ty == "cidr4" {
                        b[a["prefixAt"].as_u64().unwrap_or(0) as usize] = V4_PREFIX_BASE as u8;
                    }
                }
                self.walk(&f["items"], Some(item), &mut Some(&mut b), name);
                items.push(b);
            }
            // The item count in a key/value record, so the core carves the table before later records arrive.
            if let (Some(ck), false) = (rec.get("countKey"), items.is_empty()) {
                let pairs = &mut self.kv.iter_mut().find(|(n, _)| ck["record"] == n.as_str()).expect("kv record").1;
                pairs.push((ck["key"].as_u64().unwrap_or(0) as u16, (items.len() as u32).to_be_bytes().to_vec()));
            }
            self.structs.push((rec["name"].as_str().unwrap_or("").to_string(), items));
            return;
        }
        let Some(record) = f["record"].as_str() else { return };
        let Some(b) = buf else {
            let key = f["key"].as_u64().unwrap_or(0) as u16;
            let c = if ty == "ipv4" { mapped_address(u32_of(Some(v))).to_vec() } else { code(f, v, &self.names).to_be_bytes().to_vec() };
            let pairs = &mut self.kv.iter_mut().find(|(n, _)| n == record).expect("kv record").1;
            match pairs.iter_mut().find(|(k, _)| *k == key) {
                // Fields sharing a key are flag bits: OR them (bytewise, as the value is big-endian).
                Some(p) => p.1.iter_mut().zip(c).for_each(|(a, b)| *a |= b),
                None => pairs.push((key, c)),
            }
            return;
        };
        let at = f["at"].as_u64().unwrap_or(0) as usize;
        match (ty, f["as"].as_str()) {
            ("cidr4", _) => {
                b[at..at + 16].copy_from_slice(&mapped_address(u32_of(v.get(0))));
                b[f["prefixAt"].as_u64().unwrap_or(0) as usize] = (V4_PREFIX_BASE + u32_of(v.get(1))) as u8;
            }
            ("ipv4", _) => b[at..at + 16].copy_from_slice(&mapped_address(u32_of(Some(v)))),
            ("ip6", _) => b[at..at + 16].copy_from_slice(&bytes_of(v)),
            ("cidr6", _) => {
                b[at..at + 16].copy_from_slice(&bytes_of(&v[0]));
                b[f["prefixAt"].as_u64().unwrap_or(0) as usize] = u32_of(v.get(1)) as u8;
            }
            ("mac", _) => b[at..at + 6].copy_from_slice(&bytes_of(v)),
            ("key", _) => {
                let k = bytes_of(v);
                b[f["lenAt"].as_u64().unwrap_or(0) as usize] = k.len() as u8;
                b[at..at + k.len()].copy_from_slice(&k);
            }
            (_, Some("u32")) => b[at..at + 4].copy_from_slice(&code(f, v, &self.names).to_be_bytes()),
            (_, Some("u16")) => b[at..at + 2].copy_from_slice(&(code(f, v, &self.names) as u16).to_be_bytes()),
            _ => b[at] |= code(f, v, &self.names) as u8,
        }
    }
}

/// Every record of `c`, in the schema's record order.
fn config_records(c: &NodeConfig) -> Vec<Vec<u8>> {
    let records = schema()["records"].as_array().unwrap();
    let mut e = Encoder { names: c.interfaces.iter().map(|x| x.name.clone()).collect(), kv: Vec::new(), structs: Vec::new() };
    for r in records.iter().filter(|r| r["form"] == "kv") {
        let fixed = r["fixed"].as_array().into_iter().flatten().map(|x| {
            let from = x["from"].as_str().unwrap_or("").split('.').skip(1).fold(&c.board.json, |o, k| &o[k]);
            (x["key"].as_u64().unwrap_or(0) as u16, u32_of(Some(from)).to_be_bytes().to_vec())
        });
        e.kv.push((r["name"].as_str().unwrap_or("").to_string(), fixed.collect()));
    }
    e.walk(&schema()["root"], Some(&Value::Object(c.tree.clone())), &mut None, "");
    let mut out = Vec::new();
    for r in records {
        let name = r["name"].as_str().unwrap_or("");
        let t = r["type"].as_u64().unwrap_or(0) as u8;
        if r["form"] == "struct" {
            for b in e.structs.iter().filter(|(n, _)| n == name).flat_map(|(_, v)| v) {
                out.push(record(t, b));
            }
            continue;
        }
        let mut pairs = e.kv.iter().find(|(n, _)| n == name).map(|x| x.1.clone()).unwrap_or_default();
        pairs.sort_by_key(|p| p.0);
        // Entries: key u16, length u16, value[length] (a u32, or a 16-byte address).
        let mut b = Vec::with_capacity(pairs.len() * 8);
        for (k, v) in pairs {
            b.extend_from_slice(&k.to_be_bytes());
            b.extend_from_slice(&(v.len() as u16).to_be_bytes());
            b.extend_from_slice(&v);
        }
        out.push(record(t, &b));
    }
    out
}

fn record(rtype: u8, body: &[u8]) -> Vec<u8> {
    let mut r = Vec::with_capacity(4 + body.len());
    r.push(rtype);
    r.push(0);
    r.extend_from_slice(&(body.len() as u16).to_be_bytes());
    r.extend_from_slice(body);
    r
}

fn pack(recs: &[Vec<u8>]) -> Vec<u8> {
    let h = &schema()["header"];
    let mut out = h["magic"].as_str().unwrap_or("").as_bytes().to_vec();
    out.extend_from_slice(&(u32_of(h.get("version")) as u16).to_be_bytes());
    out.extend_from_slice(&[0, 0]);
    for r in recs {
        out.extend_from_slice(r);
    }
    out
}

/// The whole configuration in one buffer (any size).
pub fn encode_config(c: &NodeConfig) -> Vec<u8> {
    pack(&config_records(c))
}

/// Buffers of at most `capacity` bytes: the first for `init` (every record but as many ROUTE/SA/IPSEC
/// records as fit), the rest for `config_add` (the schema's `later` records only). The first may still
/// exceed `capacity` when the non-route records alone do; the board refuses it then.
pub fn encode_config_chunks(c: &NodeConfig, capacity: usize) -> Vec<Vec<u8>> {
    let later: Vec<u8> = schema()["records"].as_array().unwrap().iter().filter(|r| r["later"] == true).map(|r| u32_of(r.get("type")) as u8).collect();
    let recs = config_records(c);
    let per_peer = |r: &Vec<u8>| later.contains(&r[0]);
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

/// What a valid configuration may still get wrong in practice (issue 14): `check-config` prints these
/// and a board logs them at start; none refuses the configuration.
pub fn warnings(c: &NodeConfig) -> Vec<String> {
    let mut w = Vec::new();
    if c.roles.contains(&Role::MobileNode) && c.routes.is_empty() {
        let ha = match c.tree.get("mobility").map(|m| u32_of(m.get("homeAgent"))) {
            Some(a) if a != 0 => std::net::Ipv4Addr::from(a).to_string(),
            _ => "<home agent>".to_string(),
        };
        w.push(format!(
            "routes: a mobile node without a route reaches only its own link (a correspondent elsewhere sees 100 % loss); expected a default route such as {{\"dest\": \"default\", \"via\": \"{ha}\"}}, got none"
        ));
    }
    w
}

/// `securityAssociations[i].keyFile` (issue 14): the key read from the file (relative to `dir`), which
/// must be readable by its owner only; the field is replaced by `key`. Err names the field, the
/// expectation and what was found.
pub fn resolve_key_files(raw: &mut Value, dir: &Path) -> Result<(), Vec<String>> {
    use std::os::unix::fs::PermissionsExt;
    let mut problems = Vec::new();
    let Some(list) = raw.get_mut("securityAssociations").and_then(Value::as_array_mut) else { return Ok(()) };
    for (i, sa) in list.iter_mut().enumerate() {
        let Some(obj) = sa.as_object_mut() else { continue };
        let Some(kf) = obj.get("keyFile").cloned() else { continue };
        let at = format!("config.securityAssociations[{i}]");
        let Some(name) = kf.as_str().filter(|s| !s.is_empty()) else {
            problems.push(format!("{at}.keyFile: expected the path of a file holding the key, got {kf}"));
            continue;
        };
        if obj.contains_key("key") {
            problems.push(format!("{at}: expected key or keyFile, got both"));
            continue;
        }
        let p = dir.join(name);
        let meta = match std::fs::metadata(&p) {
            Ok(m) => m,
            Err(e) => {
                problems.push(format!("{at}.keyFile: cannot read {}: {e}", p.display()));
                continue;
            }
        };
        let mode = meta.permissions().mode() & 0o777;
        if mode & 0o077 != 0 {
            problems.push(format!("{at}.keyFile: expected a file readable only by its owner (mode 0600 or 0400), got mode {mode:04o} ({})", p.display()));
            continue;
        }
        match std::fs::read_to_string(&p) {
            Ok(t) => {
                obj.remove("keyFile");
                obj.insert("key".into(), Value::String(t.trim().to_string()));
            }
            Err(e) => problems.push(format!("{at}.keyFile: cannot read {}: {e}", p.display())),
        }
    }
    if problems.is_empty() { Ok(()) } else { Err(problems) }
}

/// Read a node configuration file and validate it against `boards`; `where_` is "config".
pub fn load_config_with(path: &Path, boards: &Boards) -> Result<(NodeConfig, Vec<Vec<u8>>), Vec<String>> {
    let text = std::fs::read_to_string(path).map_err(|e| vec![format!("{}: cannot read: {e}", path.display())])?;
    let mut raw: Value = serde_json::from_str(&text).map_err(|e| vec![format!("{}: not valid JSON: {e}", path.display())])?;
    resolve_key_files(&mut raw, path.parent().unwrap_or(Path::new(".")))?;
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
        assert_eq!(c.tree["node"], json!({ "defaultTtl": 64, "arpTimeoutSec": 60, "arpRetries": 3, "icmpErrorsPerSec": 10, "logLevel": 2,
            "ipv6": "off", "dadTransmits": 1, "retransTimerMs": 1000, "reachableTimeMs": 30000, "raIntervalMs": 600000, "raLifetimeSec": 1800 }));
        assert_eq!(c.mobility.home_address, 0x0a00010a);
        assert_eq!(c.mobility.home_prefix_len, 24);
        assert_eq!(c.tree["sizes"], Boards::embedded().get("emulated").unwrap().json["sizes"]);
    }

    #[test]
    fn every_problem_names_field_expected_and_got() {
        let e = check(json!({ "name": "", "board": "vax", "roles": [], "interfaces": "eth0", "extra": 1 })).unwrap_err();
        assert_eq!(e, vec![
            "config.extra: expected one of the fields name, board, roles, sizes, node, interfaces, ipv6, ipv6Groups, tunnels6, ipsec, routes, routes6, mobility, securityAssociations, comment, $schema, got \"extra\"",
            "config.name: expected 1-32 letters, digits, '_', '.', '-', got \"\"",
            "config.board: expected one of esp32, esp32-c3, rpi-zero-2w, rpi4, linux, emulated, mcu-rv32-virt, got \"vax\"",
            "config.roles: expected a non-empty list of host, router, mobile-node, foreign-agent, home-agent, registration-server, care-of-agent, got []",
            "config.interfaces: expected a list of 1..4 interfaces (board emulated), got \"eth0\"",
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
        assert_eq!(c.tree["securityAssociations"][0], json!({
            "peer": 0x0a000001, "spi": 256, "algorithm": "hmac-md5", "key": [b'k'], "replay": "timestamps", "coverSpi": true, "use": "mobile-home",
        }));
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
        assert_eq!(&b[..8], b"MIPF\0\x02\0\0");
        // BOARD: type 1, flags 0, length 128 (sixteen key/length/value entries of 8 bytes; key 10 is
        // reserved), the first memoryPages = 2.
        assert_eq!(&b[8..20], &[1, 0, 0, 128, 0, 1, 0, 4, 0, 0, 0, 2]);
        // NODE (twelve entries): roles = host (2).
        assert_eq!(&b[140..152], &[2, 0, 0, 96, 0, 1, 0, 4, 0, 0, 0, 2]);
        // IFACE (ABI v2): index 0, flags 0, MAC, MTU 1500, prefix 96 + 24, pad, ::ffff:10.0.1.10.
        let mut iface = vec![3, 0, 0, 32, 0, 0, 2, 0, 0, 0, 1, 0x10, 0x05, 0xdc, 120, 0, 0, 0, 0, 0];
        iface.extend_from_slice(&mapped_address(0x0a00_010a));
        assert_eq!(&b[240..276], &iface[..]);
        // MOBILITY (34 entries: homeAddress and homeAgent 16-byte addresses, 32 u32; dremip.homeServer
        // has no default and is left out) comes before
        // the route in the first chunk, ROUTE last: prefix 96 + 0, iface 0, ::ffff:0.0.0.0 via ::ffff:10.0.1.1.
        assert_eq!(&b[276..280], &[5, 0, 1, 40]);
        assert_eq!(&b[280..284], &[0, 1, 0, 16]);
        assert_eq!(&b[284..300], &mapped_address(0x0a00_010a));
        let mut route = vec![4, 0, 0, 36, 96, 0, 0, 0];
        route.extend_from_slice(&mapped_address(0));
        route.extend_from_slice(&mapped_address(0x0a00_0101));
        assert_eq!(&b[576..], &route[..]);
        // The single-buffer form keeps the record order of configRecords (ROUTE before MOBILITY).
        let one = encode_config(&c);
        assert!(one.len() == b.len() && one[276..316] == b[576..]);
    }

    #[test]
    fn ipv6_groups_are_multicast_and_encode_as_group6() {
        let mut v = host();
        v["node"] = json!({ "ipv6": "dual" });
        v["ipv6Groups"] = json!([{ "iface": "eth0", "group": "2001:db8::1" }]);
        assert_eq!(check(v.clone()).unwrap_err(), vec!["config.ipv6Groups[0].group: expected an IPv6 multicast address (ff00::/8) like ff0e::101, got \"2001:db8::1\""]);
        v["ipv6Groups"] = json!([{ "iface": "eth0", "group": "ff0e::101", "away": "local" }]);
        let b = encode_config(&check(v).unwrap());
        // GROUP6 (issue 13.5): type 11, length 20: iface 0, flags 1 (local), pad, ff0e::101.
        let at = b.windows(4).position(|w| w == [11, 0, 0, 20]).expect("a GROUP6 record");
        let mut want = vec![11, 0, 0, 20, 0, 1, 0, 0, 0xff, 0x0e];
        want.extend_from_slice(&[0; 12]);
        want.extend_from_slice(&[1, 1]);
        assert_eq!(&b[at..at + 24], &want[..]);
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
            assert_eq!(&ch[..8], b"MIPF\0\x02\0\0");
            if i > 0 {
                assert_eq!(ch[8], 6, "config_add chunks hold only ROUTE/SA records");
            }
        }
        // Every record appears once: the same bytes as the single buffer, SAs in order.
        let body: usize = chunks.iter().map(|c| c.len() - 8).sum();
        assert_eq!(body + 8, encode_config(&c).len());
        let sa_len = 4 + 24 + 64;
        let spis: Vec<u32> = chunks[1..].iter().flat_map(|c| c[8..].chunks(sa_len).map(|r| u32::from_be_bytes(r[4..8].try_into().unwrap())).collect::<Vec<_>>()).collect();
        assert!(spis.windows(2).all(|w| w[1] == w[0] + 1) && *spis.last().unwrap() == 256 + 99);
    }

    #[test]
    fn board_profiles_from_a_directory_and_their_problems() {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../boards");
        let b = Boards::from_dir(&dir).unwrap();
        let names: Vec<&str> = b.0.iter().map(|x| x.name.as_str()).collect();
        assert_eq!(names, vec!["esp32", "esp32-c3", "rpi-zero-2w", "rpi4", "linux", "emulated", "mcu-rv32-virt"]);
        assert_eq!(b.0, Boards::embedded().0);
        let e = parse_board("x.json", r#"{ "name": "x", "memoryPages": 0, "maxInterfaces": 1, "mtu": 1500, "sizes": {} }"#).unwrap_err();
        assert_eq!(e[0], "x.json.description: expected a string, got nothing");
        assert_eq!(e[1], "x.json.memoryPages: expected an integer 1..16384, got 0");
        assert_eq!(e[2], "x.json.sizes.arpEntries: expected an integer 1..4096, got nothing");
        assert!(Boards::from_dir(Path::new("/nonexistent")).is_err());
    }
}
