//! Log lines with their journald priority (issue 14.1, docs/deploy.md "Logs").
//!
//! Under systemd a service's standard error is a stream to journald, and `$JOURNAL_STREAM` holds that
//! stream's `device:inode`. journald reads a leading `<N>` on each line as the syslog priority
//! (sd-daemon(3); `SyslogLevelPrefix=` is on by default), so `journalctl -p warning` and the colours of
//! `journalctl` follow the board's own levels. The prefix is written only when standard error *is* that
//! stream: on a terminal, in a pipe or in a test the lines stay as they were.

use std::sync::OnceLock;

/// Syslog priority of a board log line, from its level word: `[name] error: ...` → 3 (err),
/// `warning:` → 4, `info:` → 6, `debug:` → 7; a line with no level word (a refusal list, usage) is
/// an error when `default_err`, else info (5, notice, is not used by the board).
pub fn priority(line: &str, default_err: bool) -> u8 {
    // Skip a leading "[name] " and look at the first word.
    let rest = match line.strip_prefix('[') {
        Some(r) => r.split_once("] ").map_or(line, |(_, t)| t),
        None => line,
    };
    let rest = rest.strip_prefix("mipfw-board: ").unwrap_or(rest);
    for (word, p) in [("error:", 3), ("warning:", 4), ("info:", 6), ("debug:", 7)] {
        if rest.starts_with(word) {
            return p;
        }
    }
    if default_err { 3 } else { 6 }
}

/// True when standard error is journald's stream for this service (`$JOURNAL_STREAM` = its st_dev:st_ino).
pub fn to_journal() -> bool {
    static ON: OnceLock<bool> = OnceLock::new();
    *ON.get_or_init(|| match std::env::var("JOURNAL_STREAM") {
        Ok(v) => stream_matches(&v, 2),
        Err(_) => false,
    })
}

/// `$JOURNAL_STREAM`'s `device:inode` against descriptor `fd`.
pub fn stream_matches(value: &str, fd: i32) -> bool {
    let Some((d, i)) = value.split_once(':') else { return false };
    let (Ok(dev), Ok(ino)) = (d.parse::<u64>(), i.parse::<u64>()) else { return false };
    let mut st: libc::stat = unsafe { std::mem::zeroed() };
    // SAFETY: fstat fills `st` for an open descriptor or fails; no other memory is touched.
    if unsafe { libc::fstat(fd, &mut st) } != 0 {
        return false;
    }
    st.st_dev as u64 == dev && st.st_ino as u64 == ino
}

/// The line as written to standard error: with `<N>` per line when it goes to the journal.
pub fn format(text: &str, default_err: bool, journal: bool) -> String {
    if !journal {
        return text.to_string();
    }
    let mut out = String::with_capacity(text.len() + 4);
    for (k, l) in text.split('\n').enumerate() {
        if k > 0 {
            out.push('\n');
        }
        out.push_str(&format!("<{}>{l}", priority(l, default_err)));
    }
    out
}

/// `eprintln!` with the journald priority prefix when standard error is the journal; a line without
/// a level word counts as an error (what the board prints without one are refusals and failures).
#[macro_export]
macro_rules! elog {
    ($($a:tt)*) => {{
        let t = format!($($a)*);
        eprintln!("{}", $crate::journal::format(&t, true, $crate::journal::to_journal()));
    }};
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn levels_from_the_words() {
        assert_eq!(priority("[ha] error: SIGHUP: refused", false), 3);
        assert_eq!(priority("[ha] warning: no route", false), 4);
        assert_eq!(priority("[mn] info: registered", false), 6);
        assert_eq!(priority("[mn] debug: rx", true), 7);
        assert_eq!(priority("mipfw-board: error: x", false), 3);
        assert_eq!(priority("warning: duplicate", false), 4);
        assert_eq!(priority("  securityAssociations[0].key: expected 16 bytes", true), 3);
        assert_eq!(priority("plain", false), 6);
    }

    #[test]
    fn prefix_only_for_the_journal() {
        assert_eq!(format("[ha] warning: w", true, false), "[ha] warning: w");
        assert_eq!(format("[ha] warning: w", true, true), "<4>[ha] warning: w");
        assert_eq!(format("cfg: invalid configuration:\n  a: b", true, true), "<3>cfg: invalid configuration:\n<3>  a: b");
    }

    #[test]
    fn stream_identity() {
        let mut st: libc::stat = unsafe { std::mem::zeroed() };
        assert_eq!(unsafe { libc::fstat(2, &mut st) }, 0);
        let v = format!("{}:{}", st.st_dev as u64, st.st_ino as u64);
        assert!(stream_matches(&v, 2), "{v} is descriptor 2");
        assert!(!stream_matches(&format!("{}:{}", st.st_dev as u64, st.st_ino as u64 + 1), 2));
        assert!(!stream_matches("garbage", 2));
        assert!(!stream_matches("1:", 2));
    }
}
