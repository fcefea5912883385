//! mipfw-board: run the mipfw firmware under wasm3 on a Linux box (docs/wasm3.md).

use std::path::PathBuf;
use std::process::exit;

use mipfw_board::config::{self, Boards, NodeConfig};
use mipfw_board::{bench, linux, selftest, simpeer};

const USAGE: &str = "usage:
  mipfw-board --config node.json [--firmware build/firmware.wasm] [--boards DIR]
      run a board: every configured interface bound to the Linux interface of the same name
  mipfw-board encode-config node.json [--boards DIR]
      print the binary configuration chunks as hex lines (first for init, the rest for config_add)
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
        Some("selftest") => with_board_args(&args[1..], selftest::run),
        _ => with_board_args(&args, linux::run),
    };
    exit(code);
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
            for c in chunks {
                println!("{}", c.iter().map(|b| format!("{b:02x}")).collect::<String>());
            }
            0
        }
        Err(code) => code,
    }
}

/// Parse --config/--firmware/--boards, load both, and hand them to `run`.
fn with_board_args(args: &[String], run: fn(&NodeConfig, &[Vec<u8>], &[u8]) -> Result<(), String>) -> i32 {
    let mut cfg: Option<PathBuf> = None;
    let mut firmware = PathBuf::from("build/firmware.wasm");
    let mut dir: Option<PathBuf> = None;
    let mut i = 0;
    while i < args.len() {
        match args[i].as_str() {
            "--help" | "-h" => {
                println!("{USAGE}");
                return 0;
            }
            "--config" | "--firmware" | "--boards" if i + 1 < args.len() => {
                let v = PathBuf::from(&args[i + 1]);
                match args[i].as_str() {
                    "--config" => cfg = Some(v),
                    "--firmware" => firmware = v,
                    _ => dir = Some(v),
                }
                i += 2;
            }
            a @ ("--config" | "--firmware" | "--boards") => return usage_error(&format!("{a} needs a value")),
            a => return usage_error(&format!("unexpected argument {a:?}")),
        }
    }
    let Some(cfg) = cfg else { return usage_error("--config node.json is required") };
    let (node, chunks) = match load(&cfg, &dir) {
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
    report(run(&node, &chunks, &wasm))
}
