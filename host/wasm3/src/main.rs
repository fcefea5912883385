//! mipfw-board: run the mipfw firmware under wasm3 on a Linux box (docs/wasm3.md).

use std::path::PathBuf;
use std::process::exit;

use mipfw_board::{bench, config, linux, simpeer};

const USAGE: &str = "usage:
  mipfw-board --config node.json [--firmware build/firmware.wasm] [--boards boards/]
  mipfw-board encode-config node.json [--boards boards/]
  mipfw-board sim-peer ...
  mipfw-board bench ...
  mipfw-board --help";

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let code = match args.first().map(String::as_str) {
        Some("sim-peer") => report(simpeer::run(&args[1..])),
        Some("bench") => report(bench::run(&args[1..])),
        _ => run_board(&args),
    };
    exit(code);
}

fn report(r: Result<(), String>) -> i32 {
    match r {
        Ok(()) => 0,
        Err(e) => { eprintln!("mipfw-board: {e}"); 1 }
    }
}

fn run_board(args: &[String]) -> i32 {
    let mut cfg: Option<PathBuf> = None;
    let mut firmware = PathBuf::from("build/firmware.wasm");
    let mut boards = PathBuf::from("boards");
    let mut i = 0;
    while i < args.len() {
        match args[i].as_str() {
            "--help" | "-h" => { println!("{USAGE}"); return 0; }
            "--config" | "--firmware" | "--boards" if i + 1 < args.len() => {
                let v = PathBuf::from(&args[i + 1]);
                match args[i].as_str() { "--config" => cfg = Some(v), "--firmware" => firmware = v, _ => boards = v }
                i += 2;
            }
            a => { eprintln!("mipfw-board: unexpected argument {a:?}\n{USAGE}"); return 2; }
        }
    }
    let Some(cfg) = cfg else { eprintln!("mipfw-board: --config is required\n{USAGE}"); return 2 };
    let (node, chunks) = match config::load_config(&cfg, &boards) {
        Ok(x) => x,
        Err(problems) => { for p in problems { eprintln!("{p}"); } return 1; }
    };
    let wasm = match std::fs::read(&firmware) {
        Ok(w) => w,
        Err(e) => { eprintln!("mipfw-board: cannot read firmware {}: {e}", firmware.display()); return 1; }
    };
    report(linux::run(&node, &chunks, &wasm))
}
