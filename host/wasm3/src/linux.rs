//! Linux board driver: runs one firmware instance on real Linux interfaces (docs/e2e.md).
//!
//! - every interface of the node configuration is bound to the Linux interface of the same name
//!   through an AF_PACKET raw socket (ETH_P_ALL, bound by ifindex, no promiscuous mode; the
//!   firmware's MAC is added to the interface's unicast filter with PACKET_MR_UNICAST);
//! - a node with the `host` role (every mobile node) gets a TUN device (IFF_TUN|IFF_NO_PI, default
//!   `mip0`) carrying its home address, so ordinary Linux programs use the firmware's IP stack:
//!   packets read from the TUN go to `Board::output`, `deliver` writes to the TUN;
//! - link up/down is whether the interface takes frames (`link_ready`: up, carrier and IFF_RUNNING,
//!   the RFC 2863 operstate the kernel sets when it activates the transmit queues), re-read on every
//!   RTNETLINK link message and once a second; the firmware starts only once every interface takes
//!   frames (at most 2 s of waiting, then with a warning), so its first frames are not lost;
//! - frames that carried an 802.1Q/802.1ad tag (stripped by the kernel, reported in PACKET_AUXDATA)
//!   are dropped and counted (`drop_vlan`): the interface is untagged; a VLAN runs on a VLAN
//!   sub-interface such as eth0.100, where its frames arrive untagged;
//! - one thread, one `poll()` over every descriptor with a timeout up to the board's next deadline;
//! - batched (the default; `--no-batch` or MIPFW_BATCH=0 for one system call and one firmware call
//!   per frame): `recvmmsg()` receives up to the firmware's ring size straight into its batch receive
//!   ring (docs/abi.md "Batch receive"), one `rx_batch` call processes them, and the frames the
//!   firmware transmits meanwhile are copied at `tx` and leave together by `sendmmsg()` once the call
//!   returns; the packet sockets ignore the host's own outgoing frames (PACKET_IGNORE_OUTGOING)
//!   instead of receiving and discarding each of them.

use std::cell::{Cell, RefCell};
use std::ffi::CString;
use std::fs::File;
use std::io::Write;
use std::os::unix::io::AsRawFd;
use std::path::PathBuf;
use std::rc::Rc;
use std::sync::atomic::{AtomicBool, Ordering};

use crate::board::{Board, Hooks};
use crate::config::{NodeConfig, Role};

/// Driver options (command line of `mipfw-board`, or the environment: MIPFW_TUN, MIPFW_EVENTS,
/// MIPFW_VERBOSE).
#[derive(Clone, Debug)]
pub struct Options {
    /// Name of the TUN device of the local stack (nodes with the `host` role).
    pub tun_name: String,
    /// Write events as JSON lines to this file instead of stdout.
    pub events: Option<String>,
    /// Print the driver's debug lines.
    pub verbose: bool,
    /// Batch system calls and firmware calls (recvmmsg/rx_batch/sendmmsg); false: one of each per frame.
    pub batch: bool,
    /// The control socket (`mipfw-board status`); None: $MIPFW_CONTROL, else /run/mipfw/<name>.sock.
    pub control: Option<PathBuf>,
    /// The configuration file and board profile directory, re-read on SIGHUP (None: no reload).
    pub config_path: Option<PathBuf>,
    pub boards_dir: Option<PathBuf>,
    /// Where a home agent keeps its bindings across restarts (None: not kept).
    pub bindings_file: Option<PathBuf>,
}

impl Options {
    /// Options from the environment (MIPFW_TUN, MIPFW_EVENTS, MIPFW_VERBOSE=1), defaults otherwise.
    pub fn from_env() -> Options {
        Options {
            tun_name: std::env::var("MIPFW_TUN").unwrap_or_else(|_| "mip0".into()),
            events: std::env::var("MIPFW_EVENTS").ok().filter(|s| !s.is_empty()),
            verbose: std::env::var("MIPFW_VERBOSE").map(|v| v == "1").unwrap_or(false),
            batch: std::env::var("MIPFW_BATCH").map(|v| v != "0").unwrap_or(true),
            control: None,
            config_path: None,
            boards_dir: None,
            bindings_file: None,
        }
    }
}

/// Run a board on real Linux interfaces until SIGINT/SIGTERM (options from the environment).
pub fn run(config: &NodeConfig, chunks: &[Vec<u8>], wasm: &[u8]) -> Result<(), String> {
    run_with(config, chunks, wasm, &Options::from_env())
}

static STOP: AtomicBool = AtomicBool::new(false);
static HUP: AtomicBool = AtomicBool::new(false);

extern "C" fn on_signal(_sig: libc::c_int) {
    STOP.store(true, Ordering::SeqCst);
}

extern "C" fn on_hup(_sig: libc::c_int) {
    HUP.store(true, Ordering::SeqCst);
}

const PERMISSION: &str = "needs CAP_NET_RAW and CAP_NET_ADMIN (run as root)";
const NTP_2026_UNIX_MS: i64 = 1_767_225_600_000; // 2026-01-01T00:00:00Z, the core's time origin (docs/abi.md "Time")

fn errno() -> i32 {
    std::io::Error::last_os_error().raw_os_error().unwrap_or(0)
}

fn os_err(what: &str) -> String {
    let e = std::io::Error::last_os_error();
    match e.raw_os_error() {
        Some(libc::EPERM) | Some(libc::EACCES) => format!("{what}: {e}: mipfw-board {PERMISSION}"),
        _ => format!("{what}: {e}"),
    }
}

struct Fd(i32);
impl Drop for Fd {
    fn drop(&mut self) {
        if self.0 >= 0 {
            unsafe { libc::close(self.0) };
        }
    }
}

fn ifreq_named(name: &str) -> Result<libc::ifreq, String> {
    let mut ifr: libc::ifreq = unsafe { std::mem::zeroed() };
    let b = name.as_bytes();
    if b.is_empty() || b.len() >= libc::IFNAMSIZ {
        return Err(format!("interface name {name:?} must be 1..15 characters"));
    }
    for (i, c) in b.iter().enumerate() {
        ifr.ifr_name[i] = *c as libc::c_char;
    }
    Ok(ifr)
}

/// Interface flags (SIOCGIFFLAGS), 0 when unreadable.
fn get_flags(ctl: i32, name: &str) -> i32 {
    let Ok(mut ifr) = ifreq_named(name) else { return 0 };
    if unsafe { libc::ioctl(ctl, libc::SIOCGIFFLAGS, &mut ifr) } < 0 {
        return 0;
    }
    unsafe { ifr.ifr_ifru.ifru_flags as i32 }
}

/// Set (and clear) interface flags through SIOCGIFFLAGS/SIOCSIFFLAGS.
fn set_flags(ctl: i32, name: &str, set: i32, clear: i32) -> Result<(), String> {
    let mut ifr = ifreq_named(name)?;
    if unsafe { libc::ioctl(ctl, libc::SIOCGIFFLAGS, &mut ifr) } < 0 {
        return Err(os_err(&format!("reading the flags of {name}")));
    }
    unsafe {
        let f = ifr.ifr_ifru.ifru_flags as i32;
        ifr.ifr_ifru.ifru_flags = ((f | set) & !clear) as libc::c_short;
    }
    if unsafe { libc::ioctl(ctl, libc::SIOCSIFFLAGS, &ifr) } < 0 {
        return Err(os_err(&format!("setting the flags of {name}")));
    }
    Ok(())
}

fn sockaddr_in(addr: u32) -> libc::sockaddr {
    let sin = libc::sockaddr_in {
        sin_family: libc::AF_INET as libc::sa_family_t,
        sin_port: 0,
        sin_addr: libc::in_addr { s_addr: addr.to_be() },
        sin_zero: [0; 8],
    };
    unsafe { std::mem::transmute::<libc::sockaddr_in, libc::sockaddr>(sin) }
}

fn mask(prefix: u32) -> u32 {
    if prefix == 0 { 0 } else { u32::MAX << (32 - prefix.min(32)) }
}

fn ip_text(a: u32) -> String {
    format!("{}.{}.{}.{}", a >> 24, (a >> 16) & 255, (a >> 8) & 255, a & 255)
}

/// PACKET_IGNORE_OUTGOING (linux/if_packet.h, Linux 4.20): the socket does not see frames sent on
/// its interface (libc 0.2 does not name it).
const PACKET_IGNORE_OUTGOING: i32 = 23;

/// Open an AF_PACKET socket on interface `name` (ifindex `index`), with `mac` in its unicast filter;
/// `ignore_outgoing`: ask the kernel not to loop the interface's outgoing frames back to it.
fn open_packet(name: &str, index: u32, mac: &[u8; 6], ignore_outgoing: bool) -> Result<Fd, String> {
    let proto = (libc::ETH_P_ALL as u16).to_be();
    let fd = unsafe { libc::socket(libc::AF_PACKET, libc::SOCK_RAW | libc::SOCK_NONBLOCK | libc::SOCK_CLOEXEC, proto as i32) };
    if fd < 0 {
        return Err(os_err(&format!("opening a packet socket for {name}")));
    }
    let fd = Fd(fd);
    let mut sll: libc::sockaddr_ll = unsafe { std::mem::zeroed() };
    sll.sll_family = libc::AF_PACKET as u16;
    sll.sll_protocol = proto;
    sll.sll_ifindex = index as i32;
    let r = unsafe { libc::bind(fd.0, &sll as *const _ as *const libc::sockaddr, std::mem::size_of::<libc::sockaddr_ll>() as u32) };
    if r < 0 {
        return Err(os_err(&format!("binding a packet socket to {name}")));
    }
    // The firmware's own MAC differs from the interface's: add it to the unicast filter so a real NIC
    // passes frames addressed to it without promiscuous mode (veth and bridges pass them anyway).
    let mut mr: libc::packet_mreq = unsafe { std::mem::zeroed() };
    mr.mr_ifindex = index as i32;
    mr.mr_type = libc::PACKET_MR_UNICAST as u16;
    mr.mr_alen = 6;
    mr.mr_address[..6].copy_from_slice(mac);
    unsafe {
        libc::setsockopt(fd.0, libc::SOL_PACKET, libc::PACKET_ADD_MEMBERSHIP, &mr as *const _ as *const libc::c_void, std::mem::size_of::<libc::packet_mreq>() as u32);
        // Auxiliary data tells frames whose checksum the sending Linux stack left to offload, and the
        // VLAN tag the kernel stripped from a tagged frame.
        let one: i32 = 1;
        libc::setsockopt(fd.0, libc::SOL_PACKET, libc::PACKET_AUXDATA, &one as *const _ as *const libc::c_void, 4);
        let buf: i32 = 1 << 20;
        libc::setsockopt(fd.0, libc::SOL_SOCKET, libc::SO_RCVBUF, &buf as *const _ as *const libc::c_void, 4);
        // An older kernel refuses the option: the receive path still discards PACKET_OUTGOING frames.
        if ignore_outgoing {
            libc::setsockopt(fd.0, libc::SOL_PACKET, PACKET_IGNORE_OUTGOING, &one as *const _ as *const libc::c_void, 4);
        }
    }
    Ok(fd)
}

/// Join the Ethernet group `mac` on the packet socket `fd` of interface `index` (PACKET_MR_MULTICAST):
/// a NIC that filters multicast then passes the group's frames to the firmware (issue 12: IPv6's
/// all-nodes, all-routers and solicited-node groups, RFC 2464 §7).
fn join_group(fd: i32, index: u32, mac: [u8; 6]) {
    let mut mr: libc::packet_mreq = unsafe { std::mem::zeroed() };
    mr.mr_ifindex = index as i32;
    mr.mr_type = libc::PACKET_MR_MULTICAST as u16;
    mr.mr_alen = 6;
    mr.mr_address[..6].copy_from_slice(&mac);
    unsafe {
        libc::setsockopt(fd, libc::SOL_PACKET, libc::PACKET_ADD_MEMBERSHIP, &mr as *const _ as *const libc::c_void, std::mem::size_of::<libc::packet_mreq>() as u32);
    }
}

/// The IPv6 groups of a node's interface as Ethernet addresses: all-nodes, all-routers (routers), and
/// the solicited-node group of every address it may hold there — the EUI-64 ones (link-local and
/// autoconfigured) end in the MAC's last three bytes; configured ones in their own.
pub fn ipv6_groups(mac: &[u8; 6], router: bool, configured: &[[u8; 16]]) -> Vec<[u8; 6]> {
    let mut g = vec![[0x33, 0x33, 0, 0, 0, 1], [0x33, 0x33, 0xff, mac[3], mac[4], mac[5]]];
    if router {
        g.push([0x33, 0x33, 0, 0, 0, 2]);
    }
    for a in configured {
        let m = [0x33, 0x33, 0xff, a[13], a[14], a[15]];
        if !g.contains(&m) {
            g.push(m);
        }
    }
    g
}

/// Write `value` to /proc/sys/net/ipv6/conf/<dev>/<key> (a TUN the firmware feeds must not run IPv6
/// autoconfiguration or DAD of its own).
fn ipv6_sysctl(dev: &str, key: &str, value: &str) -> Result<(), String> {
    std::fs::write(format!("/proc/sys/net/ipv6/conf/{dev}/{key}"), value).map_err(|e| format!("{dev} {key}: {e}"))
}

/// Run `ip` with `args` (IPv6 addresses and routes on the TUN); its complaint is returned.
fn ip_cmd(args: &[&str]) -> Result<(), String> {
    match std::process::Command::new("ip").args(args).output() {
        Ok(o) if o.status.success() => Ok(()),
        Ok(o) => Err(format!("ip {}: {}", args.join(" "), String::from_utf8_lossy(&o.stderr).trim())),
        Err(e) => Err(format!("ip {}: {e}", args.join(" "))),
    }
}

/// Create TUN device `name` (IFF_TUN|IFF_NO_PI), give it `addr/prefix`, bring it up.
fn open_tun(ctl: i32, name: &str, addr: u32, prefix: u32, mtu: u32, ipv6: bool) -> Result<Fd, String> {
    let path = CString::new("/dev/net/tun").unwrap();
    let fd = unsafe { libc::open(path.as_ptr(), libc::O_RDWR | libc::O_NONBLOCK | libc::O_CLOEXEC) };
    if fd < 0 {
        return Err(os_err("opening /dev/net/tun"));
    }
    let fd = Fd(fd);
    let mut ifr = ifreq_named(name)?;
    ifr.ifr_ifru.ifru_flags = (libc::IFF_TUN | libc::IFF_NO_PI) as libc::c_short;
    if unsafe { libc::ioctl(fd.0, libc::TUNSETIFF, &ifr) } < 0 {
        return Err(os_err(&format!("creating TUN device {name}")));
    }
    if ipv6 {
        // The node's IPv6 addresses are the firmware's (added from its addr6 events): the kernel forms
        // none of its own on the TUN, runs no DAD there and takes no router advertisements.
        for (k, v) in [("addr_gen_mode", "1"), ("accept_ra", "0"), ("autoconf", "0"), ("accept_dad", "0")] {
            if let Err(e) = ipv6_sysctl(name, k, v) {
                crate::elog!("warning: {e}");
            }
        }
    }
    if addr != 0 {
        let mut ifr = ifreq_named(name)?;
        ifr.ifr_ifru.ifru_addr = sockaddr_in(addr);
        if unsafe { libc::ioctl(ctl, libc::SIOCSIFADDR, &ifr) } < 0 {
            return Err(os_err(&format!("setting address {} on {name}", ip_text(addr))));
        }
        let mut ifr = ifreq_named(name)?;
        ifr.ifr_ifru.ifru_netmask = sockaddr_in(mask(prefix));
        if unsafe { libc::ioctl(ctl, libc::SIOCSIFNETMASK, &ifr) } < 0 {
            return Err(os_err(&format!("setting netmask /{prefix} on {name}")));
        }
    }
    let mut ifr = ifreq_named(name)?;
    ifr.ifr_ifru.ifru_mtu = mtu as i32;
    unsafe { libc::ioctl(ctl, libc::SIOCSIFMTU, &ifr) };
    set_flags(ctl, name, libc::IFF_UP | libc::IFF_RUNNING, 0)?;
    Ok(fd)
}

/// Route `dest/prefix` through the TUN device (the board's routes, so the local stack reaches what the
/// board reaches). An existing route is left alone.
fn add_tun_route(ctl: i32, dev: &str, dest: u32, prefix: u32) -> Result<(), String> {
    let mut rt: libc::rtentry = unsafe { std::mem::zeroed() };
    rt.rt_dst = sockaddr_in(dest & mask(prefix));
    rt.rt_genmask = sockaddr_in(mask(prefix));
    rt.rt_gateway = sockaddr_in(0);
    rt.rt_flags = libc::RTF_UP;
    if prefix == 32 {
        rt.rt_flags |= libc::RTF_HOST;
    }
    let dev_c = CString::new(dev).unwrap();
    rt.rt_dev = dev_c.as_ptr() as *mut libc::c_char;
    if unsafe { libc::ioctl(ctl, libc::SIOCADDRT, &rt) } < 0 && errno() != libc::EEXIST {
        return Err(os_err(&format!("adding route {}/{prefix} dev {dev}", ip_text(dest))));
    }
    Ok(())
}

/// The interface takes frames: IFF_UP, the carrier, and IFF_RUNNING (the kernel reports it when the
/// RFC 2863 operstate is up, or unknown for drivers that do not track it). The carrier alone is not
/// enough: when it comes on, the kernel activates the transmit queues only in its link watch (a few
/// ms, up to a second when it batches link events), and until then drops frames without an error; a
/// Wi-Fi interface associated but not yet authenticated is dormant, not running. `fresh` is set when
/// the driver itself brought the interface up and the carrier was already on: the open activated
/// the queues, so it takes frames before the link watch reports it running; it is cleared once it
/// is running or loses its carrier.
fn link_ready(ctl: i32, name: &str, fresh: &mut bool) -> bool {
    let f = get_flags(ctl, name);
    let admin = f & libc::IFF_UP != 0;
    let c = admin && carrier(name);
    let running = c && f & libc::IFF_RUNNING != 0;
    if running || !c {
        *fresh = false;
    }
    running || (*fresh && c)
}

fn carrier(name: &str) -> bool {
    // Reading carrier of an administratively down interface fails (EINVAL): that is down too.
    std::fs::read_to_string(format!("/sys/class/net/{name}/carrier")).map(|s| s.trim() == "1").unwrap_or(false)
}

/// Read and clear a packet socket's pending error (SO_ERROR). The kernel leaves ENETDOWN there when
/// the interface goes down (or was down at bind); left pending it makes poll() report POLLERR without
/// end and the next send() after the interface is back fail, losing the firmware's first frame on
/// the new link. Returns the error, 0 when none.
fn take_socket_error(fd: i32) -> i32 {
    let mut e: i32 = 0;
    let mut len = std::mem::size_of::<i32>() as libc::socklen_t;
    let r = unsafe { libc::getsockopt(fd, libc::SOL_SOCKET, libc::SO_ERROR, &mut e as *mut i32 as *mut libc::c_void, &mut len) };
    if r < 0 { 0 } else { e }
}

/// How long the driver waits at start-up for the interfaces to be operationally up.
const START_WAIT_MS: i64 = 2000;

/// Wait until every interface of `names` takes frames (`link_ready`), at most `max_ms` (woken by
/// RTNETLINK link messages on `netlink`, checked every 10 ms otherwise). Returns the state of each.
fn wait_link_ready(ctl: i32, names: &[&str], fresh: &mut [bool], netlink: Option<&Fd>, max_ms: i64) -> Vec<bool> {
    let end = monotonic_ms() + max_ms;
    let mut buf = [0u8; 8192];
    loop {
        let up: Vec<bool> = names.iter().zip(fresh.iter_mut()).map(|(n, f)| link_ready(ctl, n, f)).collect();
        let left = end - monotonic_ms();
        if up.iter().all(|u| *u) || left <= 0 {
            return up;
        }
        match netlink {
            Some(nl) => {
                let mut p = libc::pollfd { fd: nl.0, events: libc::POLLIN, revents: 0 };
                unsafe { libc::poll(&mut p, 1, left.min(10) as i32) };
                while unsafe { libc::recv(nl.0, buf.as_mut_ptr() as *mut libc::c_void, buf.len(), libc::MSG_DONTWAIT) } > 0 {}
            }
            None => std::thread::sleep(std::time::Duration::from_millis(left.min(10) as u64)),
        }
    }
}

fn open_netlink() -> Option<Fd> {
    let fd = unsafe { libc::socket(libc::AF_NETLINK, libc::SOCK_RAW | libc::SOCK_NONBLOCK | libc::SOCK_CLOEXEC, libc::NETLINK_ROUTE) };
    if fd < 0 {
        return None;
    }
    let fd = Fd(fd);
    let mut sa: libc::sockaddr_nl = unsafe { std::mem::zeroed() };
    sa.nl_family = libc::AF_NETLINK as u16;
    sa.nl_groups = libc::RTMGRP_LINK as u32;
    let r = unsafe { libc::bind(fd.0, &sa as *const _ as *const libc::sockaddr, std::mem::size_of::<libc::sockaddr_nl>() as u32) };
    if r < 0 { None } else { Some(fd) }
}

fn monotonic_ms() -> i64 {
    let mut ts: libc::timespec = unsafe { std::mem::zeroed() };
    unsafe { libc::clock_gettime(libc::CLOCK_MONOTONIC, &mut ts) };
    ts.tv_sec as i64 * 1000 + ts.tv_nsec as i64 / 1_000_000
}

fn realtime_ms() -> i64 {
    let mut ts: libc::timespec = unsafe { std::mem::zeroed() };
    unsafe { libc::clock_gettime(libc::CLOCK_REALTIME, &mut ts) };
    ts.tv_sec as i64 * 1000 + ts.tv_nsec as i64 / 1_000_000
}

/// The board's clock: ms since 2026-01-01 UTC at start-up (so the core's NTP time, docs/abi.md
/// "Time", is the real time when clockOffsetSec is 0 and the system clock is set), then advancing
/// with the monotonic clock so it never jumps.
struct Clock {
    base: i64,
    mono0: i64,
}
impl Clock {
    fn new() -> Clock {
        Clock { base: (realtime_ms() - NTP_2026_UNIX_MS).max(0), mono0: monotonic_ms() }
    }
    fn now(&self) -> i64 {
        self.base + (monotonic_ms() - self.mono0)
    }
}

/// The hooks the firmware calls: transmit on packet sockets, deliver to the TUN, log, events.
struct LinuxHooks {
    name: String,
    clock: Clock,
    packet_fds: Vec<i32>,
    /// Linux names of the interfaces (for messages).
    if_names: Vec<String>,
    tun_fd: i32,
    events: Rc<RefCell<Box<dyn Write>>>,
    verbose: bool,
    stats: Rc<HostStats>,
    /// Batched mode: frames to send after the current firmware call (None: sent at once).
    txq: Option<Rc<RefCell<TxQueue>>>,
    /// The node's registration profile is "rfc3344" (event request-flag names).
    rfc3344: bool,
    /// The TUN's name when it carries IPv6: the firmware's usable global addresses are put on it.
    tun6: Option<String>,
    /// Lines above this level (0 error .. 3 debug) are not printed (`mipfw-board log-level`).
    level: Rc<Cell<i32>>,
    /// The last registration events by name (reg_request, reg_reply, move, home, dhcp): `status`.
    registration: Rc<RefCell<serde_json::Map<String, serde_json::Value>>>,
    /// A binding changed since the bindings file was written.
    bindings_dirty: Rc<Cell<bool>>,
}

/// Report a frame the kernel refused to send: counted in `tx_errors`, the first one logged.
fn tx_error(name: &str, stats: &HostStats, ifname: &str, verbose: bool, e: std::io::Error) {
    let n = stats.tx_errors.get();
    stats.tx_errors.set(n + 1);
    if n == 0 {
        crate::elog!("[{name}] warning: tx on {ifname}: {e} (further send errors are counted in tx_errors)");
    } else if verbose {
        crate::elog!("[{name}] debug: tx on {ifname}: {e}");
    }
}

/// Frames the firmware transmitted during one call, copied at `tx` (docs/abi.md: the host copies before
/// returning) and sent together with `sendmmsg()` per run of frames on the same interface.
pub struct TxQueue {
    name: String,
    packet_fds: Vec<i32>,
    if_names: Vec<String>,
    verbose: bool,
    stats: Rc<HostStats>,
    bytes: Vec<u8>,
    /// (iface, start in `bytes`, length)
    frames: Vec<(u32, usize, usize)>,
    iov: Vec<libc::iovec>,
    msgs: Vec<libc::mmsghdr>,
}

/// Frames queued before the queue is sent from inside the call (a call that transmits more, e.g. a
/// home agent copying a broadcast to many bindings, sends in runs of this many).
const TX_QUEUE_FRAMES: usize = 64;

impl TxQueue {
    fn new(name: String, packet_fds: Vec<i32>, if_names: Vec<String>, verbose: bool, stats: Rc<HostStats>) -> TxQueue {
        TxQueue {
            name, packet_fds, if_names, verbose, stats,
            bytes: Vec::with_capacity(TX_QUEUE_FRAMES * 2048),
            frames: Vec::with_capacity(TX_QUEUE_FRAMES),
            iov: Vec::with_capacity(TX_QUEUE_FRAMES),
            msgs: Vec::with_capacity(TX_QUEUE_FRAMES),
        }
    }

    fn push(&mut self, iface: u32, frame: &[u8]) {
        if iface as usize >= self.packet_fds.len() {
            return;
        }
        let start = self.bytes.len();
        self.bytes.extend_from_slice(frame);
        self.frames.push((iface, start, frame.len()));
        if self.frames.len() >= TX_QUEUE_FRAMES {
            self.flush();
        }
    }

    /// Send every queued frame, in order on each interface; a frame the kernel refuses is counted
    /// (`tx_errors`) and the rest are still sent.
    pub fn flush(&mut self) {
        let mut i = 0;
        while i < self.frames.len() {
            let iface = self.frames[i].0;
            let mut j = i;
            while j < self.frames.len() && self.frames[j].0 == iface {
                j += 1;
            }
            self.send_run(iface, i, j);
            i = j;
        }
        self.frames.clear();
        self.bytes.clear();
    }

    fn send_run(&mut self, iface: u32, from: usize, to: usize) {
        let fd = self.packet_fds[iface as usize];
        self.iov.clear();
        self.msgs.clear();
        let base = self.bytes.as_mut_ptr();
        for &(_, start, len) in &self.frames[from..to] {
            self.iov.push(libc::iovec { iov_base: unsafe { base.add(start) } as *mut libc::c_void, iov_len: len });
        }
        for k in 0..self.iov.len() {
            let mut m: libc::mmsghdr = unsafe { std::mem::zeroed() };
            m.msg_hdr.msg_iov = &mut self.iov[k];
            m.msg_hdr.msg_iovlen = 1;
            self.msgs.push(m);
        }
        let mut off = 0;
        while off < self.msgs.len() {
            let left = (self.msgs.len() - off) as u32;
            let r = unsafe { libc::sendmmsg(fd, self.msgs.as_mut_ptr().add(off), left, libc::MSG_DONTWAIT) };
            if r < 0 {
                let e = std::io::Error::last_os_error();
                if e.raw_os_error() == Some(libc::EINTR) {
                    continue;
                }
                // The first remaining frame was refused (e.g. ENOBUFS, ENETDOWN): count it, go on.
                let ifname = self.if_names.get(iface as usize).map(String::as_str).unwrap_or("?");
                tx_error(&self.name, &self.stats, ifname, self.verbose, e);
                off += 1;
            } else {
                off += r.max(1) as usize;
            }
        }
    }
}

/// What the driver itself counts, next to the firmware's counters: printed in the final `stopped`
/// line and written as the last event line (`"name":"stats"`).
#[derive(Default)]
pub struct HostStats {
    /// Frames received with an 802.1Q/802.1ad tag for a VLAN (id ≠ 0) on an untagged interface:
    /// dropped before the firmware.
    pub drop_vlan: Cell<u64>,
    /// Frames the kernel refused to send (the first one is logged as a warning).
    pub tx_errors: Cell<u64>,
}

impl HostStats {
    fn pairs(&self) -> [(&'static str, u64); 2] {
        [("drop_vlan", self.drop_vlan.get()), ("tx_errors", self.tx_errors.get())]
    }
}

impl Hooks for LinuxHooks {
    fn now_ms(&mut self) -> i64 {
        self.clock.now()
    }
    fn tx(&mut self, iface: u32, frame: &[u8]) {
        if let Some(q) = &self.txq {
            q.borrow_mut().push(iface, frame);
            return;
        }
        let Some(&fd) = self.packet_fds.get(iface as usize) else { return };
        let r = unsafe { libc::send(fd, frame.as_ptr() as *const libc::c_void, frame.len(), libc::MSG_DONTWAIT) };
        if r < 0 {
            let ifname = self.if_names.get(iface as usize).map(String::as_str).unwrap_or("?");
            tx_error(&self.name, &self.stats, ifname, self.verbose, std::io::Error::last_os_error());
        }
    }
    fn deliver(&mut self, packet: &[u8]) {
        if self.tun_fd < 0 {
            return;
        }
        let r = unsafe { libc::write(self.tun_fd, packet.as_ptr() as *const libc::c_void, packet.len()) };
        if r < 0 && self.verbose {
            crate::elog!("[{}] debug: write to TUN: {}", self.name, std::io::Error::last_os_error());
        }
    }
    fn random(&mut self, buf: &mut [u8]) {
        let mut done = 0;
        while done < buf.len() {
            let r = unsafe { libc::getrandom(buf[done..].as_mut_ptr() as *mut libc::c_void, buf.len() - done, 0) };
            if r <= 0 {
                if errno() == libc::EINTR { continue; }
                // getrandom never fails on Linux ≥ 3.17 once seeded; keep the buffer as it is otherwise.
                break;
            }
            done += r as usize;
        }
    }
    fn log(&mut self, level: i32, text: &str) {
        if level > self.level.get() {
            return;
        }
        let l = match level { 0 => "error", 1 => "warning", 2 => "info", _ => "debug" };
        crate::elog!("[{}] {l}: {text}", self.name);
    }
    fn event(&mut self, kind: i32, data: &[u8]) {
        // addr6 (17): a preferred or deprecated global address of the node goes on the TUN as a /128 (the
        // local stack may use it; no DAD: the firmware did it); removed or duplicate: off it.
        if let (17, Some(dev), true) = (kind, &self.tun6, data.len() >= 20) {
            let a: [u8; 16] = data[4..20].try_into().unwrap();
            let link_local = a[0] == 0xfe && a[1] & 0xc0 == 0x80;
            if !link_local {
                let text = format!("{}/128", std::net::Ipv6Addr::from(a));
                let r = match data[1] {
                    2 | 3 => ip_cmd(&["-6", "addr", "replace", &text, "dev", dev, "nodad"]),
                    0 | 4 => ip_cmd(&["-6", "addr", "del", &text, "dev", dev]),
                    _ => Ok(()),
                };
                if let Err(e) = r {
                    if self.verbose { crate::elog!("[{}] debug: {e}", self.name); }
                }
            }
        }
        let line = event_json(self.clock.now(), kind, data, self.rfc3344);
        if kind == 8 {
            self.bindings_dirty.set(true);
        }
        if matches!(kind, 5 | 6 | 7 | 12 | 13) {
            if let Ok(serde_json::Value::Object(mut o)) = serde_json::from_str::<serde_json::Value>(&line) {
                o.remove("hex");
                o.remove("kind");
                if let Some(n) = o.get("name").and_then(|v| v.as_str()).map(String::from) {
                    o.remove("name");
                    self.registration.borrow_mut().insert(n, serde_json::Value::Object(o));
                }
            }
        }
        let mut w = self.events.borrow_mut();
        let _ = writeln!(w, "{line}");
        let _ = w.flush();
    }
}

/// One event as a JSON line: `{"tMs":..,"kind":N,"name":"..",<fields of schema/events.json>,"hex":".."}`;
/// `rfc3344`: the node's registration profile (names of the request flags). A kind the table does not
/// know, or a short record, is `"name":"unknown"` with its hex only.
pub fn event_json(t: i64, kind: i32, d: &[u8], rfc3344: bool) -> String {
    let hex: String = d.iter().map(|b| format!("{b:02x}")).collect();
    let (name, fields) = crate::events::decode(kind, d, rfc3344).unwrap_or_else(|| ("unknown".to_string(), Vec::new()));
    let mut s = format!("{{\"tMs\":{t},\"kind\":{kind},\"name\":\"{name}\"");
    for (k, v) in fields {
        s.push_str(&format!(",\"{k}\":{v}"));
    }
    s.push_str(&format!(",\"hex\":\"{hex}\"}}"));
    s
}

/// The last line of the events when the board stops: every firmware counter and the driver's own
/// (`HostStats`), `{"tMs":..,"kind":0,"name":"stats","counters":{..},"host":{"drop_vlan":..,..}}`.
/// Kind 0 is no firmware event (those start at 1).
pub fn stats_json(t: i64, counters: &[(String, u64)], host: &HostStats) -> String {
    let obj = |kv: Vec<(String, u64)>| kv.iter().map(|(k, v)| format!("\"{k}\":{v}")).collect::<Vec<_>>().join(",");
    let host = host.pairs().iter().map(|(k, v)| (k.to_string(), *v)).collect();
    format!("{{\"tMs\":{t},\"kind\":0,\"name\":\"stats\",\"counters\":{{{}}},\"host\":{{{}}}}}", obj(counters.to_vec()), obj(host))
}

/// Internet checksum (RFC 1071) over the concatenation of `parts`: the one's complement of the
/// one's complement sum of 16-bit big-endian words; each part of odd length is padded with a zero byte.
pub fn internet_checksum(parts: &[&[u8]]) -> u16 {
    let mut sum: u32 = 0;
    for b in parts {
        for c in b.chunks(2) {
            sum += u32::from(c[0]) << 8 | u32::from(*c.get(1).unwrap_or(&0));
        }
    }
    while sum >> 16 != 0 {
        sum = (sum & 0xffff) + (sum >> 16);
    }
    !(sum as u16)
}

/// Complete the TCP/UDP checksum of an IPv4 frame the sending Linux stack left to checksum offload
/// (TP_STATUS_CSUMNOTREADY: the field holds only the pseudo-header sum). Frames from other local
/// namespaces over veth arrive like that; a real NIC never hands them.
fn complete_checksum(frame: &mut [u8]) {
    if frame.len() >= 54 && frame[12] == 0x86 && frame[13] == 0xdd {
        complete_checksum6(frame);
        return;
    }
    if frame.len() < 34 || frame[12] != 0x08 || frame[13] != 0x00 {
        return;
    }
    let ip = &frame[14..];
    let ihl = ((ip[0] & 15) as usize) * 4;
    let total = u16::from_be_bytes([ip[2], ip[3]]) as usize;
    if ip[0] >> 4 != 4 || ihl < 20 || total < ihl || 14 + total > frame.len() {
        return;
    }
    if u16::from_be_bytes([ip[6], ip[7]]) & 0x3fff != 0 {
        return; // fragments are never offloaded
    }
    let proto = ip[9];
    let off = match proto { 6 => 16, 17 => 6, _ => return };
    let l4 = 14 + ihl;
    let len = total - ihl;
    if len < off + 2 {
        return;
    }
    frame[l4 + off] = 0;
    frame[l4 + off + 1] = 0;
    let mut c = internet_checksum(&[
        &frame[26..34], // source and destination addresses
        &[0, proto],
        &(len as u16).to_be_bytes(),
        &frame[l4..l4 + len],
    ]);
    if c == 0 && proto == 17 {
        c = 0xffff;
    }
    frame[l4 + off..l4 + off + 2].copy_from_slice(&c.to_be_bytes());
}

/// complete_checksum for IPv6 (issue 12): TCP, UDP and ICMPv6 right after the 40-byte header (the
/// Linux stack offloads those; RFC 2460 §8.1 pseudo-header with the 16-byte addresses).
fn complete_checksum6(frame: &mut [u8]) {
    let ip = &frame[14..];
    let plen = u16::from_be_bytes([ip[4], ip[5]]) as usize;
    if ip[0] >> 4 != 6 || 54 + plen > frame.len() {
        return;
    }
    let nh = ip[6];
    let off = match nh { 6 => 16, 17 => 6, 58 => 2, _ => return };
    if plen < off + 2 {
        return;
    }
    let l4 = 54;
    frame[l4 + off] = 0;
    frame[l4 + off + 1] = 0;
    let mut c = internet_checksum(&[
        &frame[22..54], // source and destination addresses
        &(plen as u32).to_be_bytes(),
        &[0, 0, 0, nh],
        &frame[l4..l4 + plen],
    ]);
    if c == 0 && nh == 17 {
        c = 0xffff;
    }
    frame[l4 + off..l4 + off + 2].copy_from_slice(&c.to_be_bytes());
}

/// A frame that carried a VLAN tag is not for an untagged interface: true when the PACKET_AUXDATA of
/// a received frame (`tp_status`, `tp_vlan_tci`, `tp_vlan_tpid`) reports a tag the kernel stripped
/// whose VLAN id is not 0, or an 802.1ad (service) tag. A priority-tagged frame (802.1Q tag, VLAN id
/// 0: only a priority) is untagged for VLAN classification (IEEE 802.1Q), as Linux's own stack treats
/// it, and is kept. Kernels before 3.0 set TP_STATUS_VLAN_VALID only for a non-zero TCI and report no
/// TPID; the id test covers them.
pub fn vlan_tagged(tp_status: u32, tci: u16, tpid: u16) -> bool {
    let tagged = tp_status & libc::TP_STATUS_VLAN_VALID != 0 || tci != 0;
    if !tagged {
        return false;
    }
    let service = tp_status & libc::TP_STATUS_VLAN_TPID_VALID != 0 && tpid != 0x8100;
    tci & 0x0fff != 0 || service
}

/// What `recv_frame` got.
#[derive(Debug, PartialEq)]
enum Rx {
    /// Nothing left to read.
    Empty,
    /// A frame the host itself sent (PACKET_OUTGOING): not received.
    Outgoing,
    /// A frame that carried a VLAN tag (see `vlan_tagged`): dropped.
    Vlan,
    /// A received frame of this length (may exceed the buffer: truncated).
    Frame(usize),
}

/// From a received message's PACKET_AUXDATA: (the checksum was left to offload, the frame was VLAN-tagged).
fn aux_of(msg: &libc::msghdr) -> (bool, bool) {
    let mut csum_not_ready = false;
    let mut vlan = false;
    unsafe {
        let mut c = libc::CMSG_FIRSTHDR(msg);
        while !c.is_null() {
            if (*c).cmsg_level == libc::SOL_PACKET && (*c).cmsg_type == libc::PACKET_AUXDATA {
                let aux = std::ptr::read_unaligned(libc::CMSG_DATA(c) as *const libc::tpacket_auxdata);
                csum_not_ready = aux.tp_status & libc::TP_STATUS_CSUMNOTREADY != 0;
                vlan = vlan_tagged(aux.tp_status, aux.tp_vlan_tci, aux.tp_vlan_tpid);
            }
            c = libc::CMSG_NXTHDR(msg, c);
        }
    }
    (csum_not_ready, vlan)
}

/// The per-slot message headers of `recvmmsg()` into the firmware's batch receive ring.
struct RxMsgs {
    sll: Vec<libc::sockaddr_ll>,
    iov: Vec<libc::iovec>,
    cbuf: Vec<[u64; 16]>,
    msgs: Vec<libc::mmsghdr>,
}

impl RxMsgs {
    fn new(slots: usize) -> RxMsgs {
        RxMsgs {
            sll: vec![unsafe { std::mem::zeroed() }; slots],
            iov: vec![libc::iovec { iov_base: std::ptr::null_mut(), iov_len: 0 }; slots],
            cbuf: vec![[0u64; 16]; slots],
            msgs: vec![unsafe { std::mem::zeroed() }; slots],
        }
    }
}

/// Receive up to `want` frames from packet socket `fd` straight into ring slots `first..`, one
/// `recvmmsg()`, and write each slot's descriptor (interface `iface`; 0xffff for a frame the driver
/// drops itself: its own outgoing frame, a VLAN-tagged one). Returns the slots filled.
fn recv_batch(fd: i32, board: &mut Board, r: &mut RxMsgs, first: usize, want: usize, iface: u16, stats: &HostStats) -> usize {
    let cap = board.rx_capacity() as usize;
    for k in 0..want {
        let frame = board.ring_frame_mut((first + k) as u32);
        r.iov[k] = libc::iovec { iov_base: frame.as_mut_ptr() as *mut libc::c_void, iov_len: frame.len() };
        let m = &mut r.msgs[k];
        m.msg_len = 0;
        m.msg_hdr.msg_name = &mut r.sll[k] as *mut _ as *mut libc::c_void;
        m.msg_hdr.msg_namelen = std::mem::size_of::<libc::sockaddr_ll>() as u32;
        m.msg_hdr.msg_iov = &mut r.iov[k];
        m.msg_hdr.msg_iovlen = 1;
        m.msg_hdr.msg_control = r.cbuf[k].as_mut_ptr() as *mut libc::c_void;
        m.msg_hdr.msg_controllen = std::mem::size_of::<[u64; 16]>();
        m.msg_hdr.msg_flags = 0;
    }
    let n = unsafe { libc::recvmmsg(fd, r.msgs.as_mut_ptr(), want as u32, libc::MSG_DONTWAIT | libc::MSG_TRUNC, std::ptr::null_mut()) };
    if n <= 0 {
        return 0;
    }
    let n = n as usize;
    for k in 0..n {
        let slot = (first + k) as u32;
        let len = r.msgs[k].msg_len as usize;
        if r.sll[k].sll_pkttype == libc::PACKET_OUTGOING as u8 {
            board.ring_set(slot, 0xffff, 0);
            continue;
        }
        let (csum_not_ready, vlan) = aux_of(&r.msgs[k].msg_hdr);
        if vlan {
            stats.drop_vlan.set(stats.drop_vlan.get() + 1);
            board.ring_set(slot, 0xffff, 0);
            continue;
        }
        if len > cap {
            board.ring_set(slot, iface, (cap + 1) as u16); // counted too long by the core
            continue;
        }
        if csum_not_ready {
            complete_checksum(&mut board.ring_frame_mut(slot)[..len]);
        }
        board.ring_set(slot, iface, len as u16);
    }
    n
}

/// Receive one frame from packet socket `fd` into `buf`.
fn recv_frame(fd: i32, buf: &mut [u8]) -> Rx {
    let mut sll: libc::sockaddr_ll = unsafe { std::mem::zeroed() };
    let mut iov = libc::iovec { iov_base: buf.as_mut_ptr() as *mut libc::c_void, iov_len: buf.len() };
    let mut cbuf = [0u64; 16];
    let mut msg: libc::msghdr = unsafe { std::mem::zeroed() };
    msg.msg_name = &mut sll as *mut _ as *mut libc::c_void;
    msg.msg_namelen = std::mem::size_of::<libc::sockaddr_ll>() as u32;
    msg.msg_iov = &mut iov;
    msg.msg_iovlen = 1;
    msg.msg_control = cbuf.as_mut_ptr() as *mut libc::c_void;
    msg.msg_controllen = std::mem::size_of_val(&cbuf);
    let n = unsafe { libc::recvmsg(fd, &mut msg, libc::MSG_DONTWAIT | libc::MSG_TRUNC) };
    if n < 0 {
        return Rx::Empty;
    }
    if sll.sll_pkttype == libc::PACKET_OUTGOING as u8 {
        return Rx::Outgoing;
    }
    let (csum_not_ready, vlan) = aux_of(&msg);
    if vlan {
        return Rx::Vlan;
    }
    let n = n as usize;
    if csum_not_ready && n <= buf.len() {
        complete_checksum(&mut buf[..n]);
    }
    Rx::Frame(n)
}

/// SIGHUP: re-read the configuration; add its new security associations (SA, IPSEC records) and replace
/// the changed ones (key rotation) with `config_add`. A configuration that does not validate or removes
/// an association is refused with the reason, and the running one is kept; so is one the core refuses
/// (the changed associations applied before the refusal are put back). Bindings are never touched.
fn reload(board: &mut Board, opts: &Options, name: &str, chunks_now: &mut Vec<Vec<u8>>) {
    let Some(path) = &opts.config_path else {
        crate::elog!("[{name}] warning: SIGHUP: no configuration file to re-read");
        return;
    };
    let boards = match &opts.boards_dir {
        Some(d) => crate::config::Boards::from_dir(d),
        None => Ok(crate::config::Boards::embedded()),
    };
    let new = match boards.and_then(|b| crate::config::load_config_with(path, &b)) {
        Ok((_, c)) => c,
        Err(p) => {
            crate::elog!("[{name}] error: SIGHUP: {} refused, the running configuration is kept: {}", path.display(), p.join("; "));
            return;
        }
    };
    let plan = match crate::control::reload_plan(chunks_now, &new) {
        Ok(x) => x,
        Err(e) => {
            crate::elog!("[{name}] error: SIGHUP: {} refused, the running configuration is kept: {e}", path.display());
            return;
        }
    };
    for w in &plan.warnings {
        crate::elog!("[{name}] warning: SIGHUP: {w}");
    }
    for c in crate::control::pack(&new[0], &plan.apply, crate::config::CONFIG_CAPACITY) {
        if let Err(e) = board.config_add(&c) {
            // Why: records before the refused one stay applied (docs/abi.md config_add); the changed
            // associations go back to their running keys, so the board runs the configuration it had
            // (new peers added before the refusal stay: harmless, and the next reload finds them equal).
            for u in crate::control::pack(&new[0], &plan.undo, crate::config::CONFIG_CAPACITY) {
                let _ = board.config_add(&u);
            }
            crate::elog!("[{name}] error: SIGHUP: {} refused by the firmware, the running configuration is kept: {e}", path.display());
            return;
        }
    }
    *chunks_now = new;
    crate::elog!("[{name}] info: SIGHUP: {} reloaded: {} new security association(s), {} replaced", path.display(), plan.added, plan.changed);
}

/// Run the board on real interfaces with `opts` until SIGINT/SIGTERM.
pub fn run_with(config: &NodeConfig, chunks: &[Vec<u8>], wasm: &[u8], opts: &Options) -> Result<(), String> {
    let name = config.name.clone();
    let info = |t: &str| crate::elog!("[{name}] info: {t}");
    let ctl = unsafe { libc::socket(libc::AF_INET, libc::SOCK_DGRAM | libc::SOCK_CLOEXEC, 0) };
    if ctl < 0 {
        return Err(os_err("opening a control socket"));
    }
    let ctl = Fd(ctl);

    // Link messages from before the interfaces are brought up, so the start-up wait sees them all.
    let netlink = open_netlink();

    // Interfaces first: a missing one is the most common mistake.
    let mut packet = Vec::new();
    // IPv6 (issue 12): node.ipv6 on; routers join all-routers; the configured addresses per interface.
    let ipv6 = config.tree.get("node").and_then(|n| n.get("ipv6")).and_then(|v| v.as_str()).map_or(false, |v| v != "off");
    let router = config.roles.iter().any(|r| matches!(r, Role::Router | Role::HomeAgent | Role::ForeignAgent | Role::CareOfAgent));
    let ipv6_list: Vec<(String, [u8; 16])> = config.tree.get("ipv6").and_then(|v| v.as_array()).into_iter().flatten().filter_map(|e| {
        let name = e.get("iface")?.as_str()?.to_string();
        let bytes: Vec<u8> = e.get("address")?.get(0)?.as_array()?.iter().filter_map(|b| b.as_u64().map(|x| x as u8)).collect();
        <[u8; 16]>::try_from(bytes.as_slice()).ok().map(|a| (name, a))
    }).collect();
    let mut had_noarp = Vec::new();
    let mut had_v6: Vec<Option<String>> = Vec::new();
    let mut fresh = Vec::new();
    let mut ifindex = Vec::new();
    for ifc in &config.interfaces {
        let cname = CString::new(ifc.name.as_str()).map_err(|_| format!("bad interface name {:?}", ifc.name))?;
        let index = unsafe { libc::if_nametoindex(cname.as_ptr()) };
        if index == 0 {
            return Err(format!("interface {} of the configuration does not exist", ifc.name));
        }
        ifindex.push(index);
        // The firmware owns the interface: up, and NOARP so the Linux stack does not answer ARP for
        // addresses (the TUN's home address) that the firmware answers for. Up before the packet
        // socket is bound: a socket bound to a down interface keeps a pending ENETDOWN that its first
        // send would return (the firmware's first advertisement or solicitation lost).
        let flags = get_flags(ctl.0, &ifc.name);
        had_noarp.push(flags & libc::IFF_NOARP != 0);
        // IPv6 on: the interface's IPv6 is the firmware's. The kernel's own (its link-local address, DAD,
        // router solicitations from the interface's MAC) would speak for a node that is not there; it
        // is disabled while the board runs and given back at the end, like ARP.
        if ipv6 {
            let old = std::fs::read_to_string(format!("/proc/sys/net/ipv6/conf/{}/disable_ipv6", ifc.name)).ok().map(|v| v.trim().to_string());
            if let Err(e) = ipv6_sysctl(&ifc.name, "disable_ipv6", "1") {
                if opts.verbose { crate::elog!("[{name}] debug: {e}"); }
            }
            had_v6.push(old);
        } else {
            had_v6.push(None);
        }
        set_flags(ctl.0, &ifc.name, libc::IFF_UP | libc::IFF_NOARP, 0)?;
        fresh.push(flags & libc::IFF_UP == 0 && carrier(&ifc.name));
        let fd = open_packet(&ifc.name, index, &ifc.mac, opts.batch)?;
        if ipv6 {
            let configured: Vec<[u8; 16]> = ipv6_list.iter().filter(|(n, _)| n == &ifc.name).map(|(_, a)| *a).collect();
            for g in ipv6_groups(&ifc.mac, router, &configured) {
                join_group(fd.0, index, g);
            }
        }
        packet.push(fd);
    }

    let mut tun: Option<Fd> = None;
    if config.roles.contains(&Role::Host) || config.roles.contains(&Role::MobileNode) {
        let (addr, prefix) = if config.roles.contains(&Role::MobileNode) {
            (config.mobility.home_address, config.mobility.home_prefix_len)
        } else {
            config.interfaces.iter().find(|i| i.ip != 0).map(|i| (i.ip, i.prefix_len as u32)).unwrap_or((0, 0))
        };
        if addr != 0 || ipv6 {
            let mtu = config.interfaces.first().map(|i| i.mtu).unwrap_or(1500);
            let fd = open_tun(ctl.0, &opts.tun_name, addr, prefix, mtu, ipv6)?;
            if addr != 0 {
                for r in &config.routes {
                    if let Err(e) = add_tun_route(ctl.0, &opts.tun_name, r.dest, r.prefix_len as u32) {
                        crate::elog!("[{name}] warning: {e}");
                    }
                }
                info(&format!("local stack on {} with {}/{prefix}", opts.tun_name, ip_text(addr)));
            }
            if ipv6 {
                // The local stack's IPv6 leaves by the TUN; its addresses come with the firmware's
                // addr6 events (LinuxHooks::event).
                if let Err(e) = ip_cmd(&["-6", "route", "replace", "default", "dev", &opts.tun_name]) {
                    crate::elog!("[{name}] warning: {e}");
                }
                info(&format!("local stack's IPv6 on {} (addresses as the firmware configures them)", opts.tun_name));
            }
            tun = Some(fd);
        }
    }

    // The firmware sends at once (advertisements, solicitations, ARP): start it when its interfaces
    // take frames, bounded; one still down (no carrier) is reported down to the firmware.
    let names: Vec<&str> = config.interfaces.iter().map(|i| i.name.as_str()).collect();
    let t_wait = monotonic_ms();
    let mut up = wait_link_ready(ctl.0, &names, &mut fresh, netlink.as_ref(), START_WAIT_MS);
    for (n, u) in names.iter().zip(&up) {
        if !u {
            crate::elog!("[{name}] warning: {n} is not up and running after {START_WAIT_MS} ms (no carrier?); starting with it down");
        }
    }
    if opts.verbose {
        crate::elog!("[{name}] debug: interfaces up after {} ms", monotonic_ms() - t_wait);
    }
    for f in &packet {
        take_socket_error(f.0);
    }

    let stats = Rc::new(HostStats::default());
    let events: Box<dyn Write> = match &opts.events {
        Some(path) => Box::new(File::create(path).map_err(|e| format!("cannot write events to {path}: {e}"))?),
        None => Box::new(std::io::stdout()),
    };
    let events = Rc::new(RefCell::new(events));
    let txq = opts.batch.then(|| {
        Rc::new(RefCell::new(TxQueue::new(name.clone(), packet.iter().map(|f| f.0).collect(), names.iter().map(|n| n.to_string()).collect(), opts.verbose, stats.clone())))
    });
    let flush = |q: &Option<Rc<RefCell<TxQueue>>>| {
        if let Some(q) = q {
            q.borrow_mut().flush();
        }
    };
    let level = Rc::new(Cell::new(if opts.verbose { 3 } else { 2 }));
    let registration = Rc::new(RefCell::new(serde_json::Map::new()));
    let bindings_dirty = Rc::new(Cell::new(false));
    // The control socket: an explicit path that cannot be bound is an error; the default one a warning.
    let control = {
        let path = opts.control.clone().unwrap_or_else(|| crate::control::default_path(&name));
        match crate::control::Control::bind(&path) {
            Ok(c) => {
                info(&format!("control socket {}", path.display()));
                Some(c)
            }
            Err(e) if opts.control.is_some() => return Err(e),
            Err(e) => {
                crate::elog!("[{name}] warning: {e}; no live inspection (give --control PATH)");
                None
            }
        }
    };
    let mut chunks_now: Vec<Vec<u8>> = chunks.to_vec();
    let started = monotonic_ms();
    let hooks = LinuxHooks {
        txq: txq.clone(),
        name: name.clone(),
        clock: Clock::new(),
        packet_fds: packet.iter().map(|f| f.0).collect(),
        if_names: names.iter().map(|n| n.to_string()).collect(),
        tun_fd: tun.as_ref().map(|f| f.0).unwrap_or(-1),
        events: events.clone(),
        verbose: opts.verbose,
        stats: stats.clone(),
        rfc3344: config.tree.get("mobility").and_then(|m| m.get("registrationProfile")).and_then(|v| v.as_str()) == Some("rfc3344"),
        tun6: (ipv6 && tun.is_some()).then(|| opts.tun_name.clone()),
        level: level.clone(),
        registration: registration.clone(),
        bindings_dirty: bindings_dirty.clone(),
    };
    let clock = Clock { base: hooks.clock.base, mono0: hooks.clock.mono0 };
    let mut board = Board::new(wasm, chunks, config.board.memory_pages, Box::new(hooks))?;
    flush(&txq);
    // A home agent's bindings from before the restart: those the wall clock has not expired.
    // Mobile IPv6 home registrations refused because the home prefix is not on-link yet (status 133: our
    // own addresses there are still tentative, DAD), retried once a second (below) for up to RETRY6.
    let mut pending6: Vec<Vec<u8>> = Vec::new();
    let restore_at = std::time::Instant::now();
    const RETRY6: u32 = 30;
    if let Some(path) = opts.bindings_file.as_ref().filter(|p| p.exists()) {
        let r = std::fs::read_to_string(path).map_err(|e| e.to_string()).and_then(|t| crate::control::restore_records(&t, realtime_ms()));
        match r {
            Ok((recs, expired)) => {
                let mut restored = 0;
                for rec in &recs {
                    match board.config_add(&crate::control::pack(&chunks[0], std::slice::from_ref(rec), crate::config::CONFIG_CAPACITY)[0]) {
                        Ok(()) => restored += 1,
                        Err(e) if rec[0] == 13 && e.ends_with("got 133") => pending6.push(rec.clone()),
                        Err(e) => crate::elog!("[{name}] warning: bindings file {}: binding of {} not restored: {e}", path.display(),
                            crate::control::addr(rec, if rec[0] == 13 { 20 } else { 16 })),
                    }
                }
                let waiting = if pending6.is_empty() { String::new() } else { format!(", {} waiting for the home link's addresses (DAD)", pending6.len()) };
                info(&format!("bindings file {}: {restored} binding(s) restored, {expired} expired{waiting}", path.display()));
            }
            Err(e) => crate::elog!("[{name}] warning: bindings file {}: {e}; starting without bindings", path.display()),
        }
        flush(&txq);
    }
    let batch = opts.batch && board.has_rx_batch();
    let slots = board.ring_slots() as usize;
    let mut rxm = RxMsgs::new(if batch { slots } else { 0 });
    info(&format!(
        "started: {} interface(s) {}, {} pages, {} bytes of tables",
        config.interfaces.len(),
        config.interfaces.iter().map(|i| i.name.as_str()).collect::<Vec<_>>().join(","),
        board.memory_pages(),
        board.heap_used()
    ));

    // An interface may have gone down during init: look again.
    for (i, u) in up.iter_mut().enumerate() {
        *u = *u && link_ready(ctl.0, names[i], &mut fresh[i]);
        if !*u {
            board.link(i as u32, false, None);
        }
    }
    flush(&txq);
    if opts.verbose {
        crate::elog!("[{name}] debug: {}", if batch { format!("batched: recvmmsg/rx_batch/sendmmsg, {slots} ring slots") } else { "one recvmsg/rx/send per frame".to_string() });
    }

    unsafe {
        libc::signal(libc::SIGINT, on_signal as *const () as libc::sighandler_t);
        libc::signal(libc::SIGTERM, on_signal as *const () as libc::sighandler_t);
        libc::signal(libc::SIGHUP, on_hup as *const () as libc::sighandler_t);
    }
    let ifnames: Vec<String> = names.iter().map(|n| n.to_string()).collect();
    // Wi-Fi: the access point joined (nl80211 CONNECT/ROAM/DISCONNECT), given with the link (issue 14.2).
    let wifi = crate::wifi::open();
    let mut bssid: Vec<Option<[u8; 6]>> = vec![None; names.len()];
    if opts.verbose {
        crate::elog!("[{name}] debug: {}", if wifi.is_some() { "nl80211 events: the access point joined is a link event" } else { "no nl80211 in this kernel: links from the carrier only" });
    }
    let roles: Vec<String> = config.tree.get("roles").and_then(|v| v.as_array()).into_iter().flatten().filter_map(|v| v.as_str().map(String::from)).collect();

    let mut buf = vec![0u8; 65536];
    let mut deadline = board.tick(clock.now());
    // The bindings file: when the AH counters were last looked at, and the ones it holds (lease_due).
    let mut lease_check = std::time::Instant::now();
    let mut leased: std::collections::HashMap<String, u64> = std::collections::HashMap::new();
    let mut last_carrier = monotonic_ms();
    while !STOP.load(Ordering::SeqCst) {
        let mut fds: Vec<libc::pollfd> = packet.iter().map(|f| libc::pollfd { fd: f.0, events: libc::POLLIN, revents: 0 }).collect();
        let tun_slot = tun.as_ref().map(|f| {
            fds.push(libc::pollfd { fd: f.0, events: libc::POLLIN, revents: 0 });
            fds.len() - 1
        });
        let nl_slot = netlink.as_ref().map(|f| {
            fds.push(libc::pollfd { fd: f.0, events: libc::POLLIN, revents: 0 });
            fds.len() - 1
        });
        let wifi_slot = wifi.as_ref().map(|(f, _)| {
            fds.push(libc::pollfd { fd: f.as_raw_fd(), events: libc::POLLIN, revents: 0 });
            fds.len() - 1
        });
        let ctl_slot = control.as_ref().map(|c| {
            fds.push(libc::pollfd { fd: c.listener.as_raw_fd(), events: libc::POLLIN, revents: 0 });
            fds.len() - 1
        });
        let now = clock.now();
        let wait = if deadline == i64::MAX { 1000 } else { (deadline - now).clamp(0, 1000) };
        let r = unsafe { libc::poll(fds.as_mut_ptr(), fds.len() as libc::nfds_t, wait as i32) };
        if r < 0 {
            if errno() != libc::EINTR {
                return Err(os_err("poll"));
            }
            // A signal: nothing is ready; go on to SIGHUP and the timers at once.
            for f in fds.iter_mut() {
                f.revents = 0;
            }
        }
        let mut filled = 0usize;
        for i in 0..packet.len() {
            if fds[i].revents & libc::POLLERR != 0 {
                let e = take_socket_error(packet[i].0);
                if opts.verbose && e != 0 {
                    crate::elog!("[{name}] debug: {}: {}", names[i], std::io::Error::from_raw_os_error(e));
                }
            }
            if fds[i].revents & libc::POLLIN == 0 { continue; }
            if batch {
                // Bounded so one busy interface cannot starve the timers: 64 frames a round, as unbatched.
                let mut budget = 64usize;
                while budget > 0 {
                    if filled == slots {
                        board.rx_batch(filled as u32);
                        flush(&txq);
                        filled = 0;
                    }
                    let want = (slots - filled).min(budget);
                    let got = recv_batch(packet[i].0, &mut board, &mut rxm, filled, want, i as u16, &stats);
                    filled += got;
                    budget -= got;
                    if got < want {
                        break;
                    }
                }
                continue;
            }
            // Bounded batch so one busy interface cannot starve the timers.
            for _ in 0..64 {
                match recv_frame(packet[i].0, &mut buf) {
                    Rx::Empty => break,
                    Rx::Outgoing => {}
                    Rx::Vlan => stats.drop_vlan.set(stats.drop_vlan.get() + 1),
                    Rx::Frame(n) => { board.rx(i as u32, &buf[..n.min(buf.len())]); }
                }
            }
            flush(&txq);
        }
        if filled > 0 {
            board.rx_batch(filled as u32);
            flush(&txq);
        }
        if let (Some(slot), Some(t)) = (tun_slot, tun.as_ref()) {
            if fds[slot].revents & libc::POLLIN != 0 {
                for _ in 0..64 {
                    let n = unsafe { libc::read(t.0, buf.as_mut_ptr() as *mut libc::c_void, buf.len()) };
                    if n <= 0 { break; }
                    board.output(&buf[..n as usize]);
                }
                flush(&txq);
            }
        }
        let mut recheck = monotonic_ms() - last_carrier >= 1000;
        if let (Some(slot), Some(nl)) = (nl_slot, netlink.as_ref()) {
            if fds[slot].revents & libc::POLLIN != 0 {
                while unsafe { libc::recv(nl.0, buf.as_mut_ptr() as *mut libc::c_void, buf.len(), libc::MSG_DONTWAIT) } > 0 {}
                recheck = true;
            }
        }
        if let (Some(slot), Some((f, family))) = (wifi_slot, wifi.as_ref()) {
            if fds[slot].revents & libc::POLLIN != 0 {
                while let Ok(got) = crate::wifi::recv_kernel(f.as_raw_fd(), &mut buf) {
                    let Some(n) = got else { continue };
                    for ev in crate::wifi::parse_events(&buf[..n], *family) {
                        match ev {
                            crate::wifi::Wifi::Joined { ifindex: x, bssid: b, roam } => {
                                let Some(i) = ifindex.iter().position(|&k| k == x) else { continue };
                                let text = b.iter().map(|o| format!("{o:02x}")).collect::<Vec<_>>().join(":");
                                info(&format!("{}: {} access point {text}", names[i], if roam { "roamed to" } else { "joined" }));
                                let changed = bssid[i] != Some(b);
                                bssid[i] = Some(b);
                                // Up already (a roam that kept the carrier): a link event with the new access point.
                                if up[i] && changed {
                                    board.link(i as u32, true, Some(b));
                                    flush(&txq);
                                }
                            }
                            crate::wifi::Wifi::Left { ifindex: x } => {
                                if let Some(i) = ifindex.iter().position(|&k| k == x) {
                                    bssid[i] = None;
                                    recheck = true;
                                }
                            }
                        }
                    }
                }
            }
        }
        if recheck {
            last_carrier = monotonic_ms();
            for (i, ifc) in config.interfaces.iter().enumerate() {
                let c = link_ready(ctl.0, &ifc.name, &mut fresh[i]);
                if c != up[i] {
                    up[i] = c;
                    if c {
                        take_socket_error(packet[i].0); // the ENETDOWN of the down interface
                    }
                    if opts.verbose {
                        crate::elog!("[{name}] debug: {} {}", ifc.name, if c { "up" } else { "down" });
                    }
                    board.link(i as u32, c, if c { bssid[i] } else { None });
                    flush(&txq);
                }
            }
        }
        if HUP.swap(false, Ordering::SeqCst) {
            reload(&mut board, opts, &name, &mut chunks_now);
            flush(&txq);
        }
        if let (Some(slot), Some(c)) = (ctl_slot, control.as_ref()) {
            if fds[slot].revents & libc::POLLIN != 0 {
                c.serve(|req| {
                    let mut words = req.split_whitespace();
                    match (words.next(), words.next()) {
                        (Some("status"), None) => {
                            let mut head = serde_json::Map::new();
                            head.insert("name".into(), serde_json::json!(name));
                            head.insert("roles".into(), serde_json::json!(roles));
                            head.insert("version".into(), serde_json::json!(env!("CARGO_PKG_VERSION")));
                            head.insert("uptimeSec".into(), serde_json::json!((monotonic_ms() - started) / 1000));
                            head.insert("logLevel".into(), serde_json::json!(crate::control::LEVELS[level.get() as usize]));
                            let mut host = serde_json::Map::new();
                            for (k, v) in stats.pairs() {
                                host.insert(k.into(), serde_json::json!(v));
                            }
                            head.insert("host".into(), serde_json::Value::Object(host));
                            let reg = registration.borrow().clone();
                            crate::control::status(&mut board, clock.now(), &ifnames, head, &reg)
                        }
                        (Some("log-level"), Some(l)) => match crate::control::parse_level(l) {
                            Ok(n) => {
                                let was = level.replace(n);
                                crate::elog!("[{name}] info: log level {} (was {})", crate::control::LEVELS[n as usize], crate::control::LEVELS[was as usize]);
                                serde_json::json!({"logLevel": crate::control::LEVELS[n as usize], "was": crate::control::LEVELS[was as usize]})
                            }
                            Err(e) => serde_json::json!({"error": e}),
                        },
                        _ => serde_json::json!({"error": format!("unknown request {req:?}: expected \"status\" or \"log-level LEVEL\"")}),
                    }
                });
                flush(&txq);
            }
        }
        deadline = board.tick(clock.now());
        flush(&txq);
        // Why: the Mobile IPv6 bindings' AH counters move with every packet, not only with binding changes:
        // once a second, a counter that went half a lease past the file's writes it again (control.rs
        // AH_SEQ_LEASE), so a restart never resumes below a number already sent.
        if opts.bindings_file.is_some() && lease_check.elapsed() >= std::time::Duration::from_secs(1) {
            lease_check = std::time::Instant::now();
            if !pending6.is_empty() {
                let secs = restore_at.elapsed().as_secs() as u32;
                let bound: Vec<Vec<u8>> = board.dump_raw(9);
                let mut still = Vec::new();
                for rec in pending6.drain(..) {
                    let home = crate::control::addr(&rec, 20);
                    // Registered again meanwhile (newer than the file), or ran out while waiting: nothing to restore.
                    if bound.iter().any(|r| r.len() >= 16 && crate::control::addr(r, 0) == home) {
                        continue;
                    }
                    let Some(r) = crate::control::binding6_later(&rec, secs) else { continue };
                    match board.config_add(&crate::control::pack(&chunks[0], std::slice::from_ref(&r), crate::config::CONFIG_CAPACITY)[0]) {
                        Ok(()) => info(&format!("bindings file: binding of {home} restored after {secs} s")),
                        Err(e) if e.ends_with("got 133") && secs < RETRY6 => still.push(rec),
                        Err(e) => crate::elog!("[{name}] warning: bindings file: binding of {home} not restored: {e}"),
                    }
                }
                pending6 = still;
            }
            let now = clock.now();
            let rows6: Vec<serde_json::Value> = board.dump_raw(9).iter().filter_map(|r| crate::control::decode(9, r, now, &ifnames)).collect();
            if crate::control::lease_due(&rows6, &leased) {
                bindings_dirty.set(true);
            }
        }
        if bindings_dirty.replace(false) {
            if let Some(path) = &opts.bindings_file {
                let now = clock.now();
                let rows: Vec<serde_json::Value> = board.dump_raw(3).iter().filter_map(|r| crate::control::decode(3, r, now, &ifnames)).collect();
                let rows6: Vec<serde_json::Value> = board.dump_raw(9).iter().filter_map(|r| crate::control::decode(9, r, now, &ifnames)).collect();
                match crate::control::persist(path, &rows, &rows6, realtime_ms()) {
                    Ok(()) => {
                        leased = rows6.iter().filter_map(|r| Some((r["home"].as_str()?.to_string(), r["ahOutSeq"].as_u64().unwrap_or(0)))).collect();
                    }
                    Err(e) => crate::elog!("[{name}] warning: {e}"),
                }
            }
        }
    }
    // Give ARP (and IPv6) back to the Linux stack where it had it.
    for (ifc, had) in config.interfaces.iter().zip(&had_noarp) {
        if !had {
            let _ = set_flags(ctl.0, &ifc.name, 0, libc::IFF_NOARP);
        }
    }
    for (ifc, old) in config.interfaces.iter().zip(&had_v6) {
        if let Some(v) = old {
            let _ = ipv6_sysctl(&ifc.name, "disable_ipv6", v);
        }
    }
    let counters = board.counters();
    let text: Vec<String> = counters.iter().filter(|(_, v)| *v != 0).map(|(k, v)| format!("{k}={v}")).collect();
    let host: Vec<String> = stats.pairs().iter().filter(|(_, v)| *v != 0).map(|(k, v)| format!("{k}={v}")).collect();
    let host = if host.is_empty() { String::new() } else { format!("; host: {}", host.join(" ")) };
    info(&format!("stopped; counters: {}{host}", text.join(" ")));
    let mut w = events.borrow_mut();
    let _ = writeln!(w, "{}", stats_json(clock.now(), &counters, &stats));
    let _ = w.flush();
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn completes_udp_checksum() {
        // Ethernet + IPv4 10.9.0.10 -> 10.1.0.20 + UDP 1234 -> 5000, payload "hi", checksum field garbage.
        let mut f = vec![0u8; 14];
        f[12] = 8;
        f.extend_from_slice(&[0x45, 0, 0, 30, 0, 1, 0x40, 0, 64, 17, 0, 0, 10, 9, 0, 10, 10, 1, 0, 20]);
        f.extend_from_slice(&[0x04, 0xd2, 0x13, 0x88, 0, 10, 0x12, 0x34, b'h', b'i']);
        complete_checksum(&mut f);
        // Verify: the one's complement sum over pseudo header + segment is 0xffff.
        let mut sum: u32 = 0;
        for c in f[26..34].chunks(2) { sum += u16::from_be_bytes([c[0], c[1]]) as u32; }
        sum += 17 + 10;
        for c in f[34..44].chunks(2) { sum += u16::from_be_bytes([c[0], c[1]]) as u32; }
        while sum >> 16 != 0 { sum = (sum & 0xffff) + (sum >> 16); }
        assert_eq!(sum, 0xffff);
    }

    #[test]
    fn vlan_tags_on_an_untagged_interface() {
        let valid = libc::TP_STATUS_VLAN_VALID;
        let tpid = libc::TP_STATUS_VLAN_TPID_VALID;
        assert!(!vlan_tagged(0, 0, 0), "untagged");
        assert!(!vlan_tagged(libc::TP_STATUS_CSUMNOTREADY, 0, 0), "untagged, checksum offload");
        assert!(vlan_tagged(valid | tpid, 100, 0x8100), "802.1Q VLAN 100");
        assert!(vlan_tagged(valid | tpid, 0x2064, 0x8100), "802.1Q VLAN 100, priority 1");
        assert!(vlan_tagged(valid | tpid, 100, 0x88a8), "802.1ad VLAN 100");
        assert!(vlan_tagged(valid | tpid, 0, 0x88a8), "802.1ad service tag, id 0");
        assert!(vlan_tagged(0, 100, 0), "old kernels: a TCI without the status bit");
        assert!(vlan_tagged(valid, 100, 0), "no TPID reported");
        assert!(!vlan_tagged(valid | tpid, 0x6000, 0x8100), "priority-tagged (VLAN id 0) is untagged");
        assert!(!vlan_tagged(valid | tpid, 0, 0x8100), "VLAN id 0, priority 0");
        assert!(!vlan_tagged(valid, 0xe000, 0), "priority-tagged, no TPID reported");
    }

    #[test]
    fn stats_line_is_json() {
        let h = HostStats::default();
        h.drop_vlan.set(3);
        let s = stats_json(7, &[("rx_frames".into(), 5), ("tx_frames".into(), 0)], &h);
        assert_eq!(s, "{\"tMs\":7,\"kind\":0,\"name\":\"stats\",\"counters\":{\"rx_frames\":5,\"tx_frames\":0},\"host\":{\"drop_vlan\":3,\"tx_errors\":0}}");
    }

    #[test]
    fn event_lines_are_json() {
        let mut d = vec![0u8; 52];
        d[4..20].copy_from_slice(&[0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 10, 1, 0, 20]);
        let s = event_json(5, 6, &d, false);
        assert!(s.starts_with("{\"tMs\":5,\"kind\":6,\"name\":\"reg_reply\",\"home\":\"10.1.0.20\""), "{s}");
    }
}

#[cfg(test)]
mod ipv6_tests {
    use super::ipv6_groups;

    #[test]
    fn ipv6_groups_are_all_nodes_solicited_node_and_all_routers_for_routers() {
        let mac = [0x02, 0, 0, 0x12, 0x34, 0x56];
        let a: [u8; 16] = [0x20, 0x01, 0x0d, 0xb8, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0xab, 0xcd, 0xef];
        let g = ipv6_groups(&mac, false, &[a]);
        assert_eq!(g, vec![[0x33, 0x33, 0, 0, 0, 1], [0x33, 0x33, 0xff, 0x12, 0x34, 0x56], [0x33, 0x33, 0xff, 0xab, 0xcd, 0xef]]);
        let r = ipv6_groups(&mac, true, &[]);
        assert!(r.contains(&[0x33, 0x33, 0, 0, 0, 2]));
        // A configured address with the MAC's low 24 bits adds no second copy of the group.
        let same: [u8; 16] = [0xfe, 0x80, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xfe, 0x12, 0x34, 0x56];
        assert_eq!(ipv6_groups(&mac, false, &[same]).len(), 2);
    }
}
