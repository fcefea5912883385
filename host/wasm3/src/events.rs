//! Firmware events decoded by the one layout table both hosts read: `schema/events.json`, embedded at
//! compile time (no Node at run time). host/node/sim/events.ts decodes the same table; the field
//! types are listed in the table's "about".

use serde_json::Value;
use std::sync::OnceLock;

/// The table, parsed once.
fn table() -> &'static Value {
    static T: OnceLock<Value> = OnceLock::new();
    T.get_or_init(|| serde_json::from_str(include_str!("../../../schema/events.json")).expect("schema/events.json is valid JSON"))
}

fn size_of(t: &str) -> Option<usize> {
    Some(match t {
        "u8" | "bool" | "enum" | "regflags" | "accepted" => 1,
        "u16" => 2,
        "u32" => 4,
        "mac" => 6,
        "addr" => 16,
        _ => return None,
    })
}

fn u16le(d: &[u8], o: usize) -> u32 {
    u16::from_le_bytes([d[o], d[o + 1]]) as u32
}
fn u32le(d: &[u8], o: usize) -> u32 {
    u32::from_le_bytes([d[o], d[o + 1], d[o + 2], d[o + 3]])
}

/// Text of a 16-byte address (network order), as host/node/sim/events.ts formatAddr: an
/// IPv4-mapped address ::ffff:a.b.c.d as a.b.c.d, any other in RFC 5952 form (lower-case hex, no
/// leading zeros, the longest run of two or more zero groups, the first of equal runs, as "::").
pub fn format_addr(a: &[u8]) -> String {
    if a[..10].iter().all(|&x| x == 0) && a[10] == 0xff && a[11] == 0xff {
        return format!("{}.{}.{}.{}", a[12], a[13], a[14], a[15]);
    }
    let g: Vec<u16> = (0..8).map(|i| u16::from_be_bytes([a[2 * i], a[2 * i + 1]])).collect();
    let (mut best, mut best_len) = (usize::MAX, 1);
    let mut i = 0;
    while i < 8 {
        if g[i] != 0 {
            i += 1;
            continue;
        }
        let mut j = i;
        while j < 8 && g[j] == 0 {
            j += 1;
        }
        if j - i > best_len {
            best = i;
            best_len = j - i;
        }
        i = j;
    }
    let hexs = |s: &[u16]| s.iter().map(|x| format!("{x:x}")).collect::<Vec<_>>().join(":");
    if best == usize::MAX {
        hexs(&g)
    } else {
        format!("{}::{}", hexs(&g[..best]), hexs(&g[best + best_len..]))
    }
}

/// Registration Request flag letters, high bit first (RFC 2002 §3.3; "seeds": P 0x02, R 0x01;
/// "rfc3344": T 0x02, 0x01 reserved "x"), as host/node/sim/events.ts requestFlags.
pub fn request_flags(f: u8, rfc3344: bool) -> String {
    let names = if rfc3344 { ['S', 'B', 'D', 'M', 'G', 'V', 'T', 'x'] } else { ['S', 'B', 'D', 'M', 'G', 'V', 'P', 'R'] };
    (0..8).filter(|i| f & (0x80 >> i) != 0).map(|i| names[i]).collect()
}

/// The event's name and its fields as (name, JSON value text), in table order; None for a kind the
/// table does not know or a record shorter than its fields (the caller prints it as hex).
pub fn decode(kind: i32, d: &[u8], rfc3344: bool) -> Option<(String, Vec<(String, String)>)> {
    let t = table();
    let ev = t["events"].as_array()?.iter().find(|e| e["kind"].as_i64() == Some(kind as i64))?;
    let fields = ev["fields"].as_array()?;
    let mut out = Vec::new();
    for f in fields {
        let name = f["name"].as_str()?;
        let ty = f["type"].as_str()?;
        let at = f["at"].as_u64()? as usize;
        if at + size_of(ty)? > d.len() {
            return None;
        }
        let v = d[at];
        let text = match ty {
            "u8" => v.to_string(),
            "bool" => (v != 0).to_string(),
            "u16" => u16le(d, at).to_string(),
            "u32" => u32le(d, at).to_string(),
            "addr" => format!("\"{}\"", format_addr(&d[at..at + 16])),
            "mac" => format!("\"{}\"", d[at..at + 6].iter().map(|b| format!("{b:02x}")).collect::<Vec<_>>().join(":")),
            "regflags" => format!("\"{}\"", request_flags(v, rfc3344)),
            "accepted" => (v <= 1).to_string(),
            "enum" => {
                let en = &t["enums"][f["enum"].as_str().unwrap_or("")];
                match en["names"][v.to_string()].as_str() {
                    Some(n) => format!("\"{n}\""),
                    None => format!("\"{}_{v}\"", en["prefix"].as_str().unwrap_or("value")),
                }
            }
            _ => return None,
        };
        out.push((name.to_string(), text));
    }
    Some((ev["name"].as_str()?.to_string(), out))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addresses_in_rfc5952_text() {
        let a = |g: [u16; 8]| format_addr(&g.iter().flat_map(|x| x.to_be_bytes()).collect::<Vec<u8>>());
        assert_eq!(a([0, 0, 0, 0, 0, 0xffff, 0xc000, 0x0201]), "192.0.2.1");
        assert_eq!(a([0x2001, 0xdb8, 0, 0, 1, 0, 0, 1]), "2001:db8::1:0:0:1");
        assert_eq!(a([0x2001, 0xdb8, 0, 1, 1, 1, 1, 1]), "2001:db8:0:1:1:1:1:1");
        assert_eq!(a([0; 8]), "::");
        assert_eq!(a([0, 0, 0, 0, 0, 0, 0, 1]), "::1");
        assert_eq!(a([0xfe80, 0, 0, 0, 0, 0, 0, 0]), "fe80::");
        assert_eq!(a([0, 0, 0, 0, 0, 0xfffe, 0xc000, 0x0201]), "::fffe:c000:201");
    }

    #[test]
    fn every_kind_of_the_table_decodes_and_short_records_do_not() {
        for ev in table()["events"].as_array().unwrap() {
            let kind = ev["kind"].as_i64().unwrap() as i32;
            let (name, _) = decode(kind, &[0u8; 64], false).unwrap();
            assert_eq!(name, ev["name"].as_str().unwrap());
            let need = ev["fields"].as_array().unwrap().iter()
                .map(|f| f["at"].as_u64().unwrap() as usize + size_of(f["type"].as_str().unwrap()).unwrap()).max().unwrap_or(0);
            if need > 0 {
                assert!(decode(kind, &vec![0u8; need - 1], false).is_none(), "{name}");
            }
        }
        assert!(decode(99, &[0u8; 16], false).is_none());
    }

    #[test]
    fn enums_flags_and_addresses() {
        let mut d = vec![0u8; 40];
        d[0] = 3; // dhcp op lost
        d[8..24].copy_from_slice(&[0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 10, 1, 0, 20]);
        d[24..40].copy_from_slice(&[0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1]);
        let (name, f) = decode(12, &d, false).unwrap();
        assert_eq!(name, "dhcp");
        assert_eq!(f[0], ("op".to_string(), "\"lost\"".to_string()));
        assert_eq!(f[1], ("addr".to_string(), "\"10.1.0.20\"".to_string()));
        assert_eq!(f[2], ("router".to_string(), "\"2001:db8::1\"".to_string()));
        d[0] = 9;
        assert_eq!(decode(12, &d, false).unwrap().1[0].1, "\"op_9\"");
        let mut r = vec![0u8; 52];
        r[2] = 0x82; // S + P (seeds) / S + T (rfc3344)
        assert_eq!(decode(5, &r, false).unwrap().1[5].1, "\"SP\"");
        assert_eq!(decode(5, &r, true).unwrap().1[5].1, "\"ST\"");
    }
}

#[cfg(test)]
mod cross_host {
    use super::*;

    /// test/fixtures/event-decodes.json holds the Node host's decodes (test/host/events-table.test.mjs);
    /// the Rust decoder must give the same name and the same fields for every record.
    #[test]
    fn events_decode_like_the_node_host() {
        let text = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../../test/fixtures/event-decodes.json")).unwrap();
        let cases: Vec<Value> = serde_json::from_str(&text).unwrap();
        assert!(cases.len() > 40);
        for c in cases {
            let kind = c["kind"].as_i64().unwrap() as i32;
            let hex = c["hex"].as_str().unwrap();
            let d: Vec<u8> = (0..hex.len()).step_by(2).map(|i| u8::from_str_radix(&hex[i..i + 2], 16).unwrap()).collect();
            let rfc3344 = c["profile"] == "rfc3344";
            match decode(kind, &d, rfc3344) {
                None => assert_eq!(c["known"], false, "{c}"),
                Some((name, fields)) => {
                    assert_eq!(c["known"], true, "{c}");
                    assert_eq!(name, c["name"].as_str().unwrap());
                    let obj: serde_json::Map<String, Value> = fields.into_iter()
                        .map(|(k, v)| (k, serde_json::from_str::<Value>(&v).unwrap())).collect();
                    assert_eq!(Value::Object(obj), c["fields"], "{c}");
                }
            }
        }
    }
}
