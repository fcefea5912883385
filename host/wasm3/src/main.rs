//! mipfw-board: run the mipfw firmware under wasm3 on a Linux box (docs/wasm3.md).

use std::path::PathBuf;
use std::process::exit;

use mipfw_board::config::{self, Boards, NodeConfig};
use mipfw_board::{bench, linux, selftest, simpeer};

use clap::{Args, Parser, Subcommand};

/// The long help's closing lines (every command).
const AFTER: &str = "--boards DIR reads DIR/*.json board profiles instead of the ones built in (boards/ at build time).
Every option takes --opt value and --opt=value. Exit status: 0 ok, 1 error (unreadable or invalid
configuration, board failure), 2 bad arguments. Per command: mipfw-board help COMMAND.";

/// The first lines of --help: how each command is called.
const USAGE: &str = "mipfw-board --config node.json [--firmware build/firmware.wasm] [--boards DIR] [--tun NAME]
              [--events FILE] [--verbose] [--no-batch] [--control PATH] [--bindings-file FILE]
       mipfw-board status [--control PATH] [--json]
       mipfw-board log-level LEVEL [--control PATH]
       mipfw-board check-config [--config] node.json [--boards DIR] [--json]
       mipfw-board encode-config [--config] node.json [--boards DIR] [-o IMG]
       mipfw-board selftest --config node.json [--firmware F] [--boards DIR]
       mipfw-board sim-peer ... | bench ...";

/// mipfw-board: the mipfw firmware under wasm3 on a Linux box (docs/wasm3.md, docs/deploy.md).
///
/// Without a command: run a board, every configured interface bound to the Linux interface of the
/// same name, until SIGINT/SIGTERM; SIGHUP re-reads the configuration and adds its new security
/// associations.
#[derive(Parser, Debug)]
#[command(name = "mipfw-board", version, override_usage = USAGE, after_help = AFTER, args_conflicts_with_subcommands = true)]
struct Cli {
    #[command(subcommand)]
    cmd: Option<Cmd>,
    #[command(flatten)]
    run: RunArgs,
}

/// Running a board.
#[derive(Args, Debug, Default, PartialEq)]
struct RunArgs {
    /// The node configuration (JSON)
    #[arg(long, value_name = "node.json")]
    config: Option<PathBuf>,
    /// The firmware module
    #[arg(long, value_name = "F", default_value = "build/firmware.wasm")]
    firmware: PathBuf,
    /// Board profiles DIR/*.json instead of the built-in ones
    #[arg(long, value_name = "DIR")]
    boards: Option<PathBuf>,
    /// TUN device of the local stack (default $MIPFW_TUN, else mip0)
    #[arg(long, value_name = "NAME", value_parser = non_empty)]
    tun: Option<String>,
    /// Events as JSON lines to FILE (default $MIPFW_EVENTS, else stdout)
    #[arg(long, value_name = "FILE")]
    events: Option<String>,
    /// The driver's debug lines, log level debug (default: on when MIPFW_VERBOSE=1)
    #[arg(long)]
    verbose: bool,
    /// One recvmsg/rx/send per frame instead of recvmmsg/rx_batch/sendmmsg (default: batched unless MIPFW_BATCH=0)
    #[arg(long)]
    no_batch: bool,
    /// Control socket of `status` and `log-level` (default $MIPFW_CONTROL, else /run/mipfw/<name>.sock; mode 0600)
    #[arg(long, value_name = "PATH")]
    control: Option<String>,
    /// A home agent keeps its bindings in FILE (written at each change, temp file + rename) and restores them at start
    #[arg(long, value_name = "FILE")]
    bindings_file: Option<String>,
}

fn non_empty(s: &str) -> Result<String, String> {
    if s.is_empty() { Err("expected a device name, got \"\"".into()) } else { Ok(s.to_string()) }
}

/// A configuration file given as the argument or with --config.
#[derive(Args, Debug)]
struct ConfigFile {
    /// The node configuration (JSON)
    #[arg(value_name = "node.json")]
    file: Option<PathBuf>,
    /// The node configuration (JSON), as an option
    #[arg(long = "config", value_name = "node.json", conflicts_with = "file")]
    config: Option<PathBuf>,
    /// Board profiles DIR/*.json instead of the built-in ones
    #[arg(long, value_name = "DIR")]
    boards: Option<PathBuf>,
}

impl ConfigFile {
    fn path(&self) -> Option<PathBuf> {
        self.file.clone().or_else(|| self.config.clone())
    }
}

#[derive(Subcommand, Debug)]
enum Cmd {
    /// The running board's tables (interfaces, routes, neighbours, bindings, visitors, tunnels, ...), counters and registration state
    Status {
        /// The board's control socket (default $MIPFW_CONTROL, else the only socket in /run/mipfw)
        #[arg(long, value_name = "PATH")]
        control: Option<String>,
        /// One JSON object (stable keys, numbers as numbers), like `ip -j`
        #[arg(long, short = 'j')]
        json: bool,
    },
    /// Which lines the running board prints from now on: error, warning, info or debug (0..3)
    LogLevel {
        /// error, warning, info or debug (or 0..3)
        #[arg(value_name = "LEVEL", value_parser = level)]
        level: String,
        /// The board's control socket (default $MIPFW_CONTROL, else the only socket in /run/mipfw)
        #[arg(long, value_name = "PATH")]
        control: Option<String>,
    },
    /// Validate a node configuration: every problem naming its field, and warnings (exit 1 when invalid)
    CheckConfig {
        #[command(flatten)]
        cfg: ConfigFile,
        /// One JSON object: formatVersion, file, ok, and problems or name/board/roles/interfaces/routes/warnings
        #[arg(long, short = 'j')]
        json: bool,
    },
    /// Print the binary configuration chunks as hex lines (first for init, the rest for config_add)
    EncodeConfig {
        #[command(flatten)]
        cfg: ConfigFile,
        /// Write a configuration image instead (per chunk a little-endian u32 length and the bytes: what the C host, host/c, reads)
        #[arg(short = 'o', long = "output", value_name = "IMG")]
        out: Option<PathBuf>,
    },
    /// Start the board, answer one ARP request and one ping, print what the firmware sent
    Selftest {
        /// The node configuration (JSON)
        #[arg(long, value_name = "node.json")]
        config: PathBuf,
        /// The firmware module
        #[arg(long, value_name = "F", default_value = "build/firmware.wasm")]
        firmware: PathBuf,
        /// Board profiles DIR/*.json instead of the built-in ones
        #[arg(long, value_name = "DIR")]
        boards: Option<PathBuf>,
    },
    /// A board driven by the emulated network (docs/wasm3.md)
    #[command(disable_help_flag = true)]
    SimPeer {
        #[arg(trailing_var_arg = true, allow_hyphen_values = true)]
        args: Vec<String>,
    },
    /// Replay frames and time them (docs/wasm3.md)
    #[command(disable_help_flag = true)]
    Bench {
        #[arg(trailing_var_arg = true, allow_hyphen_values = true)]
        args: Vec<String>,
    },
}

fn level(s: &str) -> Result<String, String> {
    mipfw_board::control::parse_level(s).map(|_| s.to_string())
}

fn main() {
    let cli = match Cli::try_parse() {
        Ok(c) => c,
        Err(e) => {
            // --help and --version go to stdout with status 0; usage errors to stderr with 2.
            let _ = e.print();
            exit(if e.use_stderr() { 2 } else { 0 });
        }
    };
    let code = match cli.cmd {
        None => run_board(cli.run),
        Some(Cmd::Status { control, json }) => status(control, json),
        Some(Cmd::LogLevel { level, control }) => log_level(&level, control),
        Some(Cmd::CheckConfig { cfg, json }) => check_config(&cfg, json),
        Some(Cmd::EncodeConfig { cfg, out }) => encode_config(&cfg, out),
        Some(Cmd::Selftest { config, firmware, boards }) => selftest(&config, &firmware, &boards),
        Some(Cmd::SimPeer { args }) => report(simpeer::run(&args)),
        Some(Cmd::Bench { args }) => report(bench::run(&args)),
    };
    exit(code);
}

fn usage_error(msg: &str) -> i32 {
    mipfw_board::elog!("mipfw-board: {msg}\nusage: {USAGE}\n(mipfw-board --help for more)");
    2
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

fn status(control: Option<String>, json: bool) -> i32 {
    match control_path(control).and_then(|p| mipfw_board::control::request(&p, "status")) {
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

fn log_level(level: &str, control: Option<String>) -> i32 {
    match control_path(control).and_then(|p| mipfw_board::control::request(&p, &format!("log-level {level}"))) {
        Ok(v) => {
            println!("log level {} (was {})", v["logLevel"].as_str().unwrap_or("?"), v["was"].as_str().unwrap_or("?"));
            0
        }
        Err(e) => report(Err(e)),
    }
}

/// check-config: the problems (exit 1) or "valid", and the warnings either way.
fn check_config(cfg: &ConfigFile, json: bool) -> i32 {
    let Some(file) = cfg.path() else { return usage_error("check-config needs a node configuration file") };
    let r = boards(&cfg.boards).and_then(|b| config::load_config_with(&file, &b));
    let (problems, warnings) = match &r {
        Ok((node, _)) => (Vec::new(), config::warnings(node)),
        Err(p) => (p.clone(), Vec::new()),
    };
    if json {
        // The format of `mipfw check-config --json` (host/node/cli.ts), without the memory figures
        // (they need the firmware run: `mipfw-board selftest`).
        let mut o = serde_json::json!({"formatVersion": 1, "file": file.display().to_string(), "ok": problems.is_empty()});
        match &r {
            Ok((node, _)) => {
                let roles: Vec<&str> = node.tree.get("roles").and_then(|v| v.as_array()).into_iter().flatten().filter_map(|v| v.as_str()).collect();
                o["name"] = serde_json::json!(node.name);
                o["board"] = serde_json::json!(node.board.name);
                o["roles"] = serde_json::json!(roles);
                o["interfaces"] = serde_json::json!(node.interfaces.len());
                o["routes"] = serde_json::json!(node.routes.len());
                o["warnings"] = serde_json::json!(warnings);
            }
            Err(_) => o["problems"] = serde_json::json!(problems),
        }
        println!("{o}");
    } else {
        for p in &problems {
            mipfw_board::elog!("{p}");
        }
        for w in &warnings {
            mipfw_board::elog!("warning: {w}");
        }
        if problems.is_empty() {
            println!("{}: valid{}", file.display(), if warnings.is_empty() { String::new() } else { format!(", {} warning(s)", warnings.len()) });
        }
    }
    if problems.is_empty() { 0 } else { 1 }
}

fn report(r: Result<(), String>) -> i32 {
    match r {
        Ok(()) => 0,
        Err(e) => {
            mipfw_board::elog!("mipfw-board: {e}");
            1
        }
    }
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
        mipfw_board::elog!("{}: invalid configuration:", cfg.display());
    }
    for p in problems {
        mipfw_board::elog!("{p}");
    }
    Err(1)
}

fn encode_config(cfg: &ConfigFile, out: Option<PathBuf>) -> i32 {
    let Some(file) = cfg.path() else { return usage_error("encode-config needs a node configuration file") };
    match load(&file, &cfg.boards) {
        Ok((_, chunks)) => {
            if let Some(out) = out {
                let image = config_image(&chunks);
                return match std::fs::write(&out, image) {
                    Ok(()) => 0,
                    Err(e) => {
                        mipfw_board::elog!("mipfw-board: cannot write {}: {e}", out.display());
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

fn read_firmware(firmware: &PathBuf) -> Result<Vec<u8>, i32> {
    std::fs::read(firmware).map_err(|e| {
        mipfw_board::elog!("mipfw-board: cannot read the firmware {}: {e} (build it with `npm run build`, or give --firmware)", firmware.display());
        1
    })
}

fn selftest(cfg: &PathBuf, firmware: &PathBuf, dir: &Option<PathBuf>) -> i32 {
    let (node, chunks) = match load(cfg, dir) {
        Ok(x) => x,
        Err(code) => return code,
    };
    match read_firmware(firmware) {
        Ok(wasm) => report(selftest::run(&node, &chunks, &wasm)),
        Err(code) => code,
    }
}

/// Load the configuration and the firmware and run the Linux driver.
fn run_board(b: RunArgs) -> i32 {
    let Some(cfg) = b.config else { return usage_error("--config node.json is required") };
    let (node, chunks) = match load(&cfg, &b.boards) {
        Ok(x) => x,
        Err(code) => return code,
    };
    for w in config::warnings(&node) {
        mipfw_board::elog!("[{}] warning: {w}", node.name);
    }
    let wasm = match read_firmware(&b.firmware) {
        Ok(w) => w,
        Err(code) => return code,
    };
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
    opts.boards_dir = b.boards.clone();
    report(linux::run_with(&node, &chunks, &wasm, &opts))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(s: &str) -> Result<Cli, clap::Error> {
        Cli::try_parse_from(std::iter::once("mipfw-board").chain(s.split_whitespace()))
    }

    #[test]
    fn driver_flags_parse_in_both_forms() {
        let c = parse("--config n.json --tun tun7 --events=ev.jsonl --verbose --control=/tmp/x.sock").unwrap();
        assert!(c.cmd.is_none());
        assert_eq!(c.run.config, Some(PathBuf::from("n.json")));
        assert_eq!(c.run.tun.as_deref(), Some("tun7"));
        assert_eq!(c.run.events.as_deref(), Some("ev.jsonl"));
        assert_eq!(c.run.control.as_deref(), Some("/tmp/x.sock"));
        assert!(c.run.verbose);
        let c = parse("--config=n.json").unwrap();
        assert_eq!((c.run.tun, c.run.events, c.run.verbose, c.run.no_batch), (None, None, false, false), "environment stays the fallback");
        assert!(parse("--config n.json --no-batch").unwrap().run.no_batch);
    }

    #[test]
    fn bad_arguments_are_usage_errors_naming_them() {
        let e = parse("--config n.json --tun").unwrap_err();
        assert!(e.use_stderr() && e.to_string().contains("--tun"), "{e}");
        let e = parse("--tun= --config n.json").unwrap_err();
        assert!(e.to_string().contains("expected a device name"), "{e}");
        let e = parse("selftest --config n.json --tun x").unwrap_err();
        assert!(e.to_string().contains("unexpected argument '--tun'"), "the self-test has no driver: {e}");
        let e = parse("--frobnicate").unwrap_err();
        assert!(e.to_string().contains("unexpected argument '--frobnicate'"), "{e}");
        let e = parse("log-level loud").unwrap_err();
        assert!(e.to_string().contains("expected one of error, warning, info, debug (or 0..3), got \"loud\""), "{e}");
        let e = parse("--version").unwrap_err();
        assert!(!e.use_stderr() && e.to_string().contains(env!("CARGO_PKG_VERSION")));
    }

    #[test]
    fn commands_take_their_options() {
        match parse("check-config --json n.json").unwrap().cmd {
            Some(Cmd::CheckConfig { cfg, json }) => assert!(json && cfg.path() == Some(PathBuf::from("n.json"))),
            c => panic!("{c:?}"),
        }
        match parse("encode-config --config=n.json -o img").unwrap().cmd {
            Some(Cmd::EncodeConfig { cfg, out }) => assert_eq!((cfg.path(), out), (Some(PathBuf::from("n.json")), Some(PathBuf::from("img")))),
            c => panic!("{c:?}"),
        }
        match parse("sim-peer --config x --frames 3").unwrap().cmd {
            Some(Cmd::SimPeer { args }) => assert_eq!(args, ["--config", "x", "--frames", "3"]),
            c => panic!("{c:?}"),
        }
        match parse("status -j --control=/run/mipfw/ha.sock").unwrap().cmd {
            Some(Cmd::Status { control, json }) => assert!(json && control.as_deref() == Some("/run/mipfw/ha.sock")),
            c => panic!("{c:?}"),
        }
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
    fn usage_lists_every_command() {
        for f in ["--tun NAME", "--events FILE", "--verbose", "--no-batch", "status", "log-level", "check-config", "encode-config", "-o IMG"] {
            assert!(USAGE.contains(f), "{f} in --help");
        }
    }
}
