//! mipfw-board: run the mipfw firmware under wasm3 on a Linux box (docs/wasm3.md).

use std::path::PathBuf;
use std::process::exit;

use mipfw_board::config::{self, Boards, NodeConfig};
use mipfw_board::{bench, linux, selftest, simpeer};

const USAGE: &str = "usage:
  mipfw-board --config node.json [--firmware build/firmware.wasm] [--boards DIR]
              [--tun NAME] [--events FILE] [--verbose] [--no-batch]
              [--control PATH] [--bindings-file FILE]
      run a board: every configured interface bound to the Linux interface of the same name;
      --tun: TUN device of the local stack (default $MIPFW_TUN, else mip0), --events: events as
      JSON lines to FILE (default $MIPFW_EVENTS, else stdout), --verbose: the driver's debug lines
      (default: on when MIPFW_VERBOSE=1), --no-batch: one recvmsg/rx/send per frame instead of
      recvmmsg into the firmware's ring, one rx_batch call and sendmmsg (default: batched unless
      MIPFW_BATCH=0), --control: the control socket of `status` and `log-level` (default
      $MIPFW_CONTROL, else /run/mipfw/<name>.sock; mode 0600), --bindings-file: a home agent writes
      its bindings there at each change (temp file + rename). SIGHUP re-reads the configuration and
      adds its new security associations (docs/deploy.md)
  mipfw-board status [--control PATH] [--json]
      the running board's tables (interfaces, routes, neighbours, bindings, visitors, tunnels, ...),
      counters and registration state; --json: one JSON object (stable keys, numbers as numbers)
  mipfw-board log-level LEVEL [--control PATH]
      error, warning, info or debug: which lines the running board prints from now on
  mipfw-board encode-config [--config] node.json [--boards DIR] [-o IMG]
      print the binary configuration chunks as hex lines (first for init, the rest for config_add);
      -o IMG: write them as a configuration image instead (per chunk a little-endian u32 length and
      the bytes: what the C host, host/c, reads)
  mipfw-board selftest --config node.json [--firmware F] [--boards DIR]
      start the board, answer one ARP request and one ping, print what the firmware sent
  mipfw-board sim-peer ...     (a board driven by the emulated network; see docs/wasm3.md)
  mipfw-board bench ...        (replay frames and time them; see docs/wasm3.md)
  mipfw-board --help
--boards DIR reads DIR/*.json board profiles instead of the ones built in (boards/ at build time).
Exit status: 0 ok, 1 error (unreadable or invalid configuration, board failure), 2 bad arguments.";

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let code = match args.first().map(String::as_str) {
        Some("sim-peer") => report(simpeer::run(&args[1..])),
        Some("bench") => report(bench::run(&args[1..])),
        Some("encode-config") => encode_config(&args[1..]),
        Some("selftest") => with_board_args(&args[1..], Mode::Selftest),
        Some("status") => status(&args[1..]),
        Some("log-level") => log_level(&args[1..]),
        _ => with_board_args(&args, Mode::Run),
    };
    exit(code);
}

/// `--opt=value` as `--opt value` (every command takes both forms).
fn split_eq(args: &[String]) -> Vec<String> {
    let mut out = Vec::with_capacity(args.len());
    for a in args {
        match a.split_once('=') {
            Some((k, v)) if k.starts_with("--") && k.len() > 2 => {
                out.push(k.to_string());
                out.push(v.to_string());
            }
            _ => out.push(a.clone()),
        }
    }
    out
}

/// The control socket of `status`/`log-level`: --control PATH, else $MIPFW_CONTROL, else the only
/// socket in /run/mipfw.
fn control_path(p: Option<String>) -> Result<PathBuf, String> {
    if let Some(p) = p {
        return Ok(PathBuf::from(p));
    }
    if let Ok(p) = std::env::var("MIPFW_CONTROL") {
        if !p.is_empty() {
            return Ok(PathBuf::from(p));
        }
    }
    let socks: Vec<PathBuf> = std::fs::read_dir("/run/mipfw").into_iter().flatten().flatten().map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "sock")).collect();
    match socks.len() {
        1 => Ok(socks[0].clone()),
        0 => Err("no board found in /run/mipfw (give --control PATH or set MIPFW_CONTROL)".into()),
        _ => Err(format!("{} boards in /run/mipfw: give --control PATH ({})", socks.len(),
            socks.iter().map(|p| p.display().to_string()).collect::<Vec<_>>().join(", "))),
    }
}

fn status(args: &[String]) -> i32 {
    let args = split_eq(args);
    let (mut json, mut control) = (false, None);
    let mut i = 0;
    while i < args.len() {
        match args[i].as_str() {
            "--help" | "-h" => {
                println!("usage: mipfw-board status [--control PATH] [--json]\n  the running board's tables, counters and registration state (--json: one JSON object)");
                return 0;
            }
            "--json" | "-j" => json = true,
            "--control" => {
                let Some(v) = args.get(i + 1) else { return usage_error("status: --control needs a value") };
                control = Some(v.clone());
                i += 1;
            }
            a => return usage_error(&format!("status: unexpected argument {a:?}")),
        }
        i += 1;
    }
    let r = control_path(control).and_then(|p| mipfw_board::control::request(&p, "status"));
    match r {
        Ok(v) if json => {
            println!("{v}");
            0
        }
        Ok(v) => {
            print!("{}", mipfw_board::control::render_text(&v));
            0
        }
        Err(e) => report(Err(e)),
    }
}

fn log_level(args: &[String]) -> i32 {
    let args = split_eq(args);
    let (mut level, mut control) = (None, None);
    let mut i = 0;
    while i < args.len() {
        match args[i].as_str() {
            "--help" | "-h" => {
                println!("usage: mipfw-board log-level LEVEL [--control PATH]\n  LEVEL: error, warning, info or debug (0..3); lines above it are not printed");
                return 0;
            }
            "--control" => {
                let Some(v) = args.get(i + 1) else { return usage_error("log-level: --control needs a value") };
                control = Some(v.clone());
                i += 1;
            }
            a if !a.starts_with('-') && level.is_none() => level = Some(a.to_string()),
            a => return usage_error(&format!("log-level: unexpected argument {a:?}")),
        }
        i += 1;
    }
    let Some(level) = level else { return usage_error("log-level needs a LEVEL (error, warning, info, debug)") };
    if let Err(e) = mipfw_board::control::parse_level(&level) {
        return usage_error(&e);
    }
    match control_path(control).and_then(|p| mipfw_board::control::request(&p, &format!("log-level {level}"))) {
        Ok(v) => {
            println!("log level {} (was {})", v["logLevel"].as_str().unwrap_or("?"), v["was"].as_str().unwrap_or("?"));
            0
        }
        Err(e) => report(Err(e)),
    }
}

fn report(r: Result<(), String>) -> i32 {
    match r {
        Ok(()) => 0,
        Err(e) => {
            eprintln!("mipfw-board: {e}");
            1
        }
    }
}

fn usage_error(msg: &str) -> i32 {
    eprintln!("mipfw-board: {msg}\n{USAGE}");
    2
}

/// The board profiles: DIR/*.json with --boards, else the built-in ones.
fn boards(dir: &Option<PathBuf>) -> Result<Boards, Vec<String>> {
    match dir {
        Some(d) => Boards::from_dir(d),
        None => Ok(Boards::embedded()),
    }
}

fn load(cfg: &PathBuf, dir: &Option<PathBuf>) -> Result<(NodeConfig, Vec<Vec<u8>>), i32> {
    let problems = match boards(dir).and_then(|b| config::load_config_with(cfg, &b)) {
        Ok(x) => return Ok(x),
        Err(p) => p,
    };
    if problems.len() > 1 || problems.first().is_some_and(|p| p.starts_with("config")) {
        eprintln!("{}: invalid configuration:", cfg.display());
    }
    for p in problems {
        eprintln!("{p}");
    }
    Err(1)
}

fn encode_config(args: &[String]) -> i32 {
    let mut file: Option<PathBuf> = None;
    let mut dir: Option<PathBuf> = None;
    let mut out: Option<PathBuf> = None;
    let mut i = 0;
    while i < args.len() {
        match args[i].as_str() {
            "--help" | "-h" => {
                println!("{USAGE}");
                return 0;
            }
            "--boards" if i + 1 < args.len() => {
                dir = Some(PathBuf::from(&args[i + 1]));
                i += 2;
            }
            "--config" if i + 1 < args.len() && file.is_none() => {
                file = Some(PathBuf::from(&args[i + 1]));
                i += 2;
            }
            "-o" | "--output" if i + 1 < args.len() => {
                out = Some(PathBuf::from(&args[i + 1]));
                i += 2;
            }
            a if !a.starts_with('-') && file.is_none() => {
                file = Some(PathBuf::from(a));
                i += 1;
            }
            a => return usage_error(&format!("encode-config: unexpected argument {a:?}")),
        }
    }
    let Some(file) = file else { return usage_error("encode-config needs a node configuration file") };
    match load(&file, &dir) {
        Ok((_, chunks)) => {
            if let Some(out) = out {
                let image = config_image(&chunks);
                return match std::fs::write(&out, image) {
                    Ok(()) => 0,
                    Err(e) => {
                        eprintln!("mipfw-board: cannot write {}: {e}", out.display());
                        1
                    }
                };
            }
            for c in chunks {
                println!("{}", c.iter().map(|b| format!("{b:02x}")).collect::<String>());
            }
            0
        }
        Err(code) => code,
    }
}

/// The configuration image of host/c/include/mipfw_host.h: per chunk a little-endian u32 length and
/// the bytes (the first chunk for `init`, the others for `config_add`).
fn config_image(chunks: &[Vec<u8>]) -> Vec<u8> {
    let mut image = Vec::with_capacity(chunks.iter().map(|c| 4 + c.len()).sum());
    for c in chunks {
        image.extend_from_slice(&(c.len() as u32).to_le_bytes());
        image.extend_from_slice(c);
    }
    image
}

/// What `with_board_args` starts: the Linux driver, or the self-test.
#[derive(Clone, Copy, PartialEq, Debug)]
enum Mode {
    Run,
    Selftest,
}

/// The command line of a board run (`--tun`/`--events`/`--verbose` only for `Mode::Run`).
#[derive(Default, Debug, PartialEq)]
struct BoardArgs {
    cfg: Option<PathBuf>,
    firmware: Option<PathBuf>,
    dir: Option<PathBuf>,
    tun: Option<String>,
    events: Option<String>,
    verbose: bool,
    no_batch: bool,
    control: Option<String>,
    bindings_file: Option<String>,
    help: bool,
}

/// Parse the board options; Err is the usage error's message.
fn parse_board_args(args: &[String], mode: Mode) -> Result<BoardArgs, String> {
    let args = &split_eq(args)[..];
    let mut b = BoardArgs::default();
    let mut i = 0;
    while i < args.len() {
        let a = args[i].as_str();
        let driver = mode == Mode::Run;
        match a {
            "--help" | "-h" => {
                b.help = true;
                return Ok(b);
            }
            "--verbose" if driver => {
                b.verbose = true;
                i += 1;
            }
            "--no-batch" if driver => {
                b.no_batch = true;
                i += 1;
            }
            "--config" | "--firmware" | "--boards" | "--tun" | "--events" | "--control" | "--bindings-file"
                if driver || !matches!(a, "--tun" | "--events" | "--control" | "--bindings-file") =>
            {
                let Some(v) = args.get(i + 1) else { return Err(format!("{a} needs a value")) };
                match a {
                    "--config" => b.cfg = Some(PathBuf::from(v)),
                    "--firmware" => b.firmware = Some(PathBuf::from(v)),
                    "--boards" => b.dir = Some(PathBuf::from(v)),
                    "--tun" if v.is_empty() => return Err("--tun needs a device name".into()),
                    "--tun" => b.tun = Some(v.clone()),
                    "--control" => b.control = Some(v.clone()),
                    "--bindings-file" => b.bindings_file = Some(v.clone()),
                    _ => b.events = Some(v.clone()),
                }
                i += 2;
            }
            a => return Err(format!("unexpected argument {a:?}")),
        }
    }
    Ok(b)
}

/// Parse the board options, load the configuration and the firmware, and start `mode`.
fn with_board_args(args: &[String], mode: Mode) -> i32 {
    let b = match parse_board_args(args, mode) {
        Ok(b) => b,
        Err(e) => return usage_error(&e),
    };
    if b.help {
        println!("{USAGE}");
        return 0;
    }
    let Some(cfg) = b.cfg else { return usage_error("--config node.json is required") };
    let firmware = b.firmware.unwrap_or_else(|| PathBuf::from("build/firmware.wasm"));
    let (node, chunks) = match load(&cfg, &b.dir) {
        Ok(x) => x,
        Err(code) => return code,
    };
    let wasm = match std::fs::read(&firmware) {
        Ok(w) => w,
        Err(e) => {
            eprintln!("mipfw-board: cannot read the firmware {}: {e} (build it with `npm run build`, or give --firmware)", firmware.display());
            return 1;
        }
    };
    match mode {
        Mode::Selftest => report(selftest::run(&node, &chunks, &wasm)),
        Mode::Run => {
            // The command line wins; the environment stays the fallback (linux::Options::from_env).
            let mut opts = linux::Options::from_env();
            if let Some(t) = b.tun {
                opts.tun_name = t;
            }
            if let Some(e) = b.events {
                opts.events = Some(e);
            }
            if b.verbose {
                opts.verbose = true;
            }
            if b.no_batch {
                opts.batch = false;
            }
            opts.control = b.control.map(PathBuf::from);
            opts.bindings_file = b.bindings_file.map(PathBuf::from);
            opts.config_path = Some(cfg.clone());
            opts.boards_dir = b.dir.clone();
            report(linux::run_with(&node, &chunks, &wasm, &opts))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(s: &str) -> Vec<String> {
        s.split_whitespace().map(String::from).collect()
    }

    #[test]
    fn driver_flags_parse() {
        let b = parse_board_args(&args("--config n.json --tun tun7 --events ev.jsonl --verbose"), Mode::Run).unwrap();
        assert_eq!(b.cfg, Some(PathBuf::from("n.json")));
        assert_eq!(b.tun.as_deref(), Some("tun7"));
        assert_eq!(b.events.as_deref(), Some("ev.jsonl"));
        assert!(b.verbose);
        let b = parse_board_args(&args("--config n.json"), Mode::Run).unwrap();
        assert_eq!((b.tun, b.events, b.verbose, b.no_batch), (None, None, false, false), "environment stays the fallback");
        assert!(parse_board_args(&args("--config n.json --no-batch"), Mode::Run).unwrap().no_batch);
        assert!(parse_board_args(&args("--config n.json --no-batch"), Mode::Selftest).is_err(), "the self-test has no driver");
    }

    #[test]
    fn driver_flags_errors() {
        assert_eq!(parse_board_args(&args("--config n.json --tun"), Mode::Run).unwrap_err(), "--tun needs a value");
        assert_eq!(parse_board_args(&args("--events"), Mode::Run).unwrap_err(), "--events needs a value");
        assert_eq!(
            parse_board_args(&args("--config n.json --tun x"), Mode::Selftest).unwrap_err(),
            "unexpected argument \"--tun\"",
            "the self-test has no driver"
        );
        assert_eq!(parse_board_args(&args("--verbose"), Mode::Selftest).unwrap_err(), "unexpected argument \"--verbose\"");
        assert!(parse_board_args(&args("--frobnicate"), Mode::Run).is_err());
        assert!(parse_board_args(&args("--tun x --help"), Mode::Run).unwrap().help);
    }

    #[test]
    fn config_image_is_length_prefixed_chunks() {
        let img = config_image(&[vec![1, 2, 3], vec![], vec![9; 300]]);
        assert_eq!(&img[..7], &[3, 0, 0, 0, 1, 2, 3]);
        assert_eq!(&img[7..11], &[0, 0, 0, 0]);
        assert_eq!(&img[11..15], &[44, 1, 0, 0]);
        assert_eq!(img.len(), 15 + 300);
    }

    #[test]
    fn usage_lists_driver_flags() {
        for f in ["--tun NAME", "--events FILE", "--verbose", "--no-batch"] {
            assert!(USAGE.contains(f), "{f} in --help");
        }
    }
}
