//! The access point a Wi-Fi interface joined (issue 14 point 2): nl80211 `mlme` multicast events over
//! generic netlink. CONNECT and ROAM carry the BSSID (NL80211_ATTR_MAC) of the access point joined, so
//! a roam within one SSID that keeps the carrier is still a link event with the new access point;
//! DISCONNECT ends it. A kernel without nl80211 (no cfg80211) has no such family: nothing is opened.
//!
//! Layouts (include/uapi/linux/netlink.h, genetlink.h, nl80211.h): nlmsghdr 16 bytes (len u32, type
//! u16, flags u16, seq u32, pid u32), genlmsghdr 4 bytes (cmd u8, version u8, reserved u16), then
//! attributes (len u16, type u16 with the nested/byte-order flags in the top two bits, payload padded to
//! 4 bytes), all in host byte order.

use std::os::fd::{AsRawFd, FromRawFd, OwnedFd};

const NLMSG_HDR: usize = 16;
const GENL_HDR: usize = 4;
const GENL_ID_CTRL: u16 = 0x10;
const CTRL_CMD_GETFAMILY: u8 = 3;
const CTRL_ATTR_FAMILY_ID: u16 = 1;
const CTRL_ATTR_FAMILY_NAME: u16 = 2;
const CTRL_ATTR_MCAST_GROUPS: u16 = 7;
const CTRL_ATTR_MCAST_GRP_NAME: u16 = 1;
const CTRL_ATTR_MCAST_GRP_ID: u16 = 2;
const NLM_F_REQUEST: u16 = 1;
const NLMSG_ERROR: u16 = 2;

/// nl80211 commands of the `mlme` group that change the access point.
pub const NL80211_CMD_CONNECT: u8 = 46;
pub const NL80211_CMD_ROAM: u8 = 47;
pub const NL80211_CMD_DISCONNECT: u8 = 48;
const NL80211_ATTR_IFINDEX: u16 = 3;
const NL80211_ATTR_MAC: u16 = 6;
const NL80211_ATTR_STATUS_CODE: u16 = 72;

/// What an nl80211 event says about one interface.
#[derive(Debug, PartialEq, Clone, Copy)]
pub enum Wifi {
    /// Associated (CONNECT with status 0, or ROAM) with the access point `bssid`.
    Joined { ifindex: u32, bssid: [u8; 6], roam: bool },
    /// Disconnected.
    Left { ifindex: u32 },
}

/// The attributes of `b` (type without flags, payload).
fn attrs(mut b: &[u8]) -> Vec<(u16, &[u8])> {
    let mut out = Vec::new();
    while b.len() >= 4 {
        let len = u16::from_ne_bytes([b[0], b[1]]) as usize;
        let ty = u16::from_ne_bytes([b[2], b[3]]) & 0x3fff;
        if len < 4 || len > b.len() {
            break;
        }
        out.push((ty, &b[4..len]));
        let next = (len + 3) & !3;
        b = if next >= b.len() { &[] } else { &b[next..] };
    }
    out
}

/// The netlink messages of one datagram: (type, payload after the nlmsghdr).
fn messages(mut b: &[u8]) -> Vec<(u16, &[u8])> {
    let mut out = Vec::new();
    while b.len() >= NLMSG_HDR {
        let len = u32::from_ne_bytes(b[0..4].try_into().unwrap()) as usize;
        if len < NLMSG_HDR || len > b.len() {
            break;
        }
        out.push((u16::from_ne_bytes([b[4], b[5]]), &b[NLMSG_HDR..len]));
        let next = (len + 3) & !3;
        b = if next >= b.len() { &[] } else { &b[next..] };
    }
    out
}

/// The nl80211 events in one datagram from the `mlme` group of family `family`.
pub fn parse_events(datagram: &[u8], family: u16) -> Vec<Wifi> {
    let mut out = Vec::new();
    for (ty, p) in messages(datagram) {
        if ty != family || p.len() < GENL_HDR {
            continue;
        }
        let cmd = p[0];
        let (mut ifindex, mut bssid, mut status) = (None, None, 0u16);
        for (t, v) in attrs(&p[GENL_HDR..]) {
            match t {
                NL80211_ATTR_IFINDEX if v.len() >= 4 => ifindex = Some(u32::from_ne_bytes(v[..4].try_into().unwrap())),
                NL80211_ATTR_MAC if v.len() >= 6 => bssid = Some(<[u8; 6]>::try_from(&v[..6]).unwrap()),
                NL80211_ATTR_STATUS_CODE if v.len() >= 2 => status = u16::from_ne_bytes([v[0], v[1]]),
                _ => {}
            }
        }
        let Some(ifindex) = ifindex else { continue };
        match (cmd, bssid) {
            (NL80211_CMD_CONNECT, Some(bssid)) if status == 0 => out.push(Wifi::Joined { ifindex, bssid, roam: false }),
            (NL80211_CMD_ROAM, Some(bssid)) => out.push(Wifi::Joined { ifindex, bssid, roam: true }),
            (NL80211_CMD_DISCONNECT, _) => out.push(Wifi::Left { ifindex }),
            _ => {}
        }
    }
    out
}

/// From a CTRL_CMD_GETFAMILY reply: the family id and the id of multicast group `group`.
pub fn parse_family(datagram: &[u8], group: &str) -> Option<(u16, u32)> {
    for (ty, p) in messages(datagram) {
        if ty != GENL_ID_CTRL || p.len() < GENL_HDR {
            continue;
        }
        let a = attrs(&p[GENL_HDR..]);
        let id = a.iter().find(|(t, v)| *t == CTRL_ATTR_FAMILY_ID && v.len() >= 2).map(|(_, v)| u16::from_ne_bytes([v[0], v[1]]))?;
        let groups = a.iter().find(|(t, _)| *t == CTRL_ATTR_MCAST_GROUPS).map(|(_, v)| *v)?;
        for (_, g) in attrs(groups) {
            let ga = attrs(g);
            let name = ga.iter().find(|(t, _)| *t == CTRL_ATTR_MCAST_GRP_NAME).map(|(_, v)| v.split(|&c| c == 0).next().unwrap_or(&[]));
            let gid = ga.iter().find(|(t, v)| *t == CTRL_ATTR_MCAST_GRP_ID && v.len() >= 4).map(|(_, v)| u32::from_ne_bytes(v[..4].try_into().unwrap()));
            if let (Some(n), Some(gid)) = (name, gid) {
                if n == group.as_bytes() {
                    return Some((id, gid));
                }
            }
        }
    }
    None
}

/// The CTRL_CMD_GETFAMILY request for `name`.
pub fn getfamily_request(name: &str, seq: u32) -> Vec<u8> {
    let mut attr = Vec::new();
    let payload = [name.as_bytes(), &[0]].concat();
    attr.extend_from_slice(&((4 + payload.len()) as u16).to_ne_bytes());
    attr.extend_from_slice(&CTRL_ATTR_FAMILY_NAME.to_ne_bytes());
    attr.extend_from_slice(&payload);
    while attr.len() % 4 != 0 {
        attr.push(0);
    }
    let len = NLMSG_HDR + GENL_HDR + attr.len();
    let mut m = Vec::with_capacity(len);
    m.extend_from_slice(&(len as u32).to_ne_bytes());
    m.extend_from_slice(&GENL_ID_CTRL.to_ne_bytes());
    m.extend_from_slice(&NLM_F_REQUEST.to_ne_bytes());
    m.extend_from_slice(&seq.to_ne_bytes());
    m.extend_from_slice(&0u32.to_ne_bytes());
    m.extend_from_slice(&[CTRL_CMD_GETFAMILY, 1, 0, 0]);
    m.extend_from_slice(&attr);
    m
}

/// The next datagram on netlink socket `fd` (non-blocking): `Err(())` when there is none, `Ok(None)` when it
/// came from a process rather than the kernel (its port id is not 0), `Ok(Some(n))` otherwise.
/// Why: only the kernel reports which access point the interface joined; a process allowed to send
/// netlink unicast (CAP_NET_ADMIN) could otherwise forge a roam and make the board re-register.
pub fn recv_kernel(fd: i32, buf: &mut [u8]) -> Result<Option<usize>, ()> {
    let mut from: libc::sockaddr_nl = unsafe { std::mem::zeroed() };
    let mut len = std::mem::size_of::<libc::sockaddr_nl>() as libc::socklen_t;
    // SAFETY: buf and from are valid for the lengths given.
    let n = unsafe {
        libc::recvfrom(fd, buf.as_mut_ptr() as *mut libc::c_void, buf.len(), libc::MSG_DONTWAIT, &mut from as *mut _ as *mut libc::sockaddr, &mut len)
    };
    if n <= 0 {
        return Err(());
    }
    Ok(if from.nl_pid == 0 { Some(n as usize) } else { None })
}

/// A generic netlink socket subscribed to nl80211's `mlme` group, and the family id; None when the
/// kernel has no nl80211 (or the socket cannot be opened): the board then sees only the carrier.
pub fn open() -> Option<(OwnedFd, u16)> {
    unsafe {
        let fd = libc::socket(libc::AF_NETLINK, libc::SOCK_RAW | libc::SOCK_CLOEXEC, libc::NETLINK_GENERIC);
        if fd < 0 {
            return None;
        }
        let fd = OwnedFd::from_raw_fd(fd);
        let mut sa: libc::sockaddr_nl = std::mem::zeroed();
        sa.nl_family = libc::AF_NETLINK as u16;
        if libc::bind(fd.as_raw_fd(), &sa as *const _ as *const libc::sockaddr, std::mem::size_of::<libc::sockaddr_nl>() as u32) < 0 {
            return None;
        }
        let req = getfamily_request("nl80211", 1);
        if libc::send(fd.as_raw_fd(), req.as_ptr() as *const libc::c_void, req.len(), 0) < 0 {
            return None;
        }
        let tv = libc::timeval { tv_sec: 1, tv_usec: 0 };
        libc::setsockopt(fd.as_raw_fd(), libc::SOL_SOCKET, libc::SO_RCVTIMEO, &tv as *const _ as *const libc::c_void, std::mem::size_of::<libc::timeval>() as u32);
        let mut buf = vec![0u8; 8192];
        let n = libc::recv(fd.as_raw_fd(), buf.as_mut_ptr() as *mut libc::c_void, buf.len(), 0);
        if n <= 0 {
            return None;
        }
        let buf = &buf[..n as usize];
        // An NLMSG_ERROR reply (ENOENT: no such family) means no nl80211.
        if messages(buf).iter().any(|(t, _)| *t == NLMSG_ERROR) {
            return None;
        }
        let (family, group) = parse_family(buf, "mlme")?;
        let g = group as libc::c_int;
        if libc::setsockopt(fd.as_raw_fd(), libc::SOL_NETLINK, libc::NETLINK_ADD_MEMBERSHIP, &g as *const _ as *const libc::c_void, 4) < 0 {
            return None;
        }
        libc::fcntl(fd.as_raw_fd(), libc::F_SETFL, libc::O_NONBLOCK);
        Some((fd, family))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_kernel_is_heard() {
        // Two generic netlink sockets: one sends to the other's port id (a process, needs CAP_NET_ADMIN;
        // skipped without), then the receiver asks the kernel for nl80211's family and hears its answer.
        unsafe {
            let open = || {
                let fd = libc::socket(libc::AF_NETLINK, libc::SOCK_RAW | libc::SOCK_CLOEXEC, libc::NETLINK_GENERIC);
                assert!(fd >= 0);
                let mut sa: libc::sockaddr_nl = std::mem::zeroed();
                sa.nl_family = libc::AF_NETLINK as u16;
                assert_eq!(libc::bind(fd, &sa as *const _ as *const libc::sockaddr, std::mem::size_of::<libc::sockaddr_nl>() as u32), 0);
                OwnedFd::from_raw_fd(fd)
            };
            let (rx, tx) = (open(), open());
            let mut me: libc::sockaddr_nl = std::mem::zeroed();
            let mut len = std::mem::size_of::<libc::sockaddr_nl>() as libc::socklen_t;
            libc::getsockname(rx.as_raw_fd(), &mut me as *mut _ as *mut libc::sockaddr, &mut len);
            let forged = getfamily_request("nl80211", 7);
            let sent = libc::sendto(tx.as_raw_fd(), forged.as_ptr() as *const libc::c_void, forged.len(), 0, &me as *const _ as *const libc::sockaddr, len);
            let mut buf = vec![0u8; 8192];
            std::thread::sleep(std::time::Duration::from_millis(20));
            assert!(sent > 0 || libc::geteuid() != 0, "root may send netlink unicast to another process");
            if sent > 0 {
                assert_eq!(recv_kernel(rx.as_raw_fd(), &mut buf), Ok(None), "a process's message is not the kernel's");
            }
            let req = getfamily_request("nl80211", 8);
            assert!(libc::send(rx.as_raw_fd(), req.as_ptr() as *const libc::c_void, req.len(), 0) > 0);
            std::thread::sleep(std::time::Duration::from_millis(20));
            assert!(matches!(recv_kernel(rx.as_raw_fd(), &mut buf), Ok(Some(n)) if n >= 16), "the kernel's answer (a family or ENOENT) is heard");
            assert_eq!(recv_kernel(rx.as_raw_fd(), &mut buf), Err(()), "nothing more");
        }
    }

    fn attr(t: u16, v: &[u8]) -> Vec<u8> {
        let mut a = Vec::new();
        a.extend_from_slice(&((4 + v.len()) as u16).to_ne_bytes());
        a.extend_from_slice(&t.to_ne_bytes());
        a.extend_from_slice(v);
        while a.len() % 4 != 0 {
            a.push(0);
        }
        a
    }

    fn msg(ty: u16, cmd: u8, attrs: &[Vec<u8>]) -> Vec<u8> {
        let body: Vec<u8> = attrs.concat();
        let len = 16 + 4 + body.len();
        let mut m = Vec::new();
        m.extend_from_slice(&(len as u32).to_ne_bytes());
        m.extend_from_slice(&ty.to_ne_bytes());
        m.extend_from_slice(&0u16.to_ne_bytes());
        m.extend_from_slice(&0u32.to_ne_bytes());
        m.extend_from_slice(&0u32.to_ne_bytes());
        m.extend_from_slice(&[cmd, 1, 0, 0]);
        m.extend_from_slice(&body);
        m
    }

    const AP1: [u8; 6] = [0x02, 0, 0, 0, 0xa1, 0x01];
    const AP2: [u8; 6] = [0x02, 0, 0, 0, 0xa2, 0x01];

    /// The messages as the kernel's nl80211_send_connect_result / nl80211_send_roamed /
    /// nl80211_send_disconnected lay them out (net/wireless/nl80211.c: WIPHY, IFINDEX, MAC, then
    /// STATUS_CODE for a connect, REQ_IE / RESP_IE, DISCONNECTED_BY_AP and REASON_CODE for a disconnect).
    /// Built from that layout, not captured: the kernel here has no cfg80211 (docs/deploy.md).
    #[test]
    fn connect_roam_and_disconnect_give_the_access_point() {
        let fam = 0x1c;
        let ie = [0u8, 4, b'm', b'i', b'p', b'0'];
        let connect = msg(fam, NL80211_CMD_CONNECT, &[attr(1, &0u32.to_ne_bytes()), attr(3, &7u32.to_ne_bytes()), attr(6, &AP1), attr(72, &0u16.to_ne_bytes()), attr(0x2a, &ie), attr(0x2b, &ie)]);
        let roam = msg(fam, NL80211_CMD_ROAM, &[attr(1, &0u32.to_ne_bytes()), attr(3, &7u32.to_ne_bytes()), attr(6, &AP2), attr(0x2a, &ie), attr(0x2b, &ie)]);
        let failed = msg(fam, NL80211_CMD_CONNECT, &[attr(3, &7u32.to_ne_bytes()), attr(6, &AP1), attr(72, &17u16.to_ne_bytes())]);
        let disc = msg(fam, NL80211_CMD_DISCONNECT, &[attr(1, &0u32.to_ne_bytes()), attr(3, &7u32.to_ne_bytes()), attr(0x47, &[]), attr(54, &3u16.to_ne_bytes())]);
        let other = msg(fam + 1, NL80211_CMD_ROAM, &[attr(3, &7u32.to_ne_bytes()), attr(6, &AP2)]);
        let dgram = [connect, roam, failed, disc, other].concat();
        assert_eq!(parse_events(&dgram, fam), vec![
            Wifi::Joined { ifindex: 7, bssid: AP1, roam: false },
            Wifi::Joined { ifindex: 7, bssid: AP2, roam: true },
            Wifi::Left { ifindex: 7 },
        ]);
        // Truncated input gives what is whole, never a panic.
        for cut in 0..dgram.len() {
            let _ = parse_events(&dgram[..cut], fam);
        }
    }

    #[test]
    fn the_family_reply_gives_the_id_and_the_mlme_group() {
        let grp = |name: &str, id: u32| attr(0x8000 | 1, &[attr(1, &[name.as_bytes(), &[0]].concat()), attr(2, &id.to_ne_bytes())].concat());
        let reply = msg(GENL_ID_CTRL, 1, &[
            attr(2, b"nl80211\0"),
            attr(1, &0x1cu16.to_ne_bytes()),
            attr(0x8000 | 7, &[grp("config", 4), grp("scan", 5), grp("regulatory", 6), grp("mlme", 7)].concat()),
        ]);
        assert_eq!(parse_family(&reply, "mlme"), Some((0x1c, 7)));
        assert_eq!(parse_family(&reply, "vendor"), None);
        let req = getfamily_request("nl80211", 1);
        assert_eq!(req.len(), 16 + 4 + 12);
        assert_eq!(&req[16..20], &[CTRL_CMD_GETFAMILY, 1, 0, 0]);
        assert_eq!(&req[24..32], b"nl80211\0");
    }

    #[test]
    fn a_kernel_without_nl80211_opens_nothing() {
        // This machine's kernel has no cfg80211 (CONFIG_WIRELESS is not set): the family is unknown.
        let wireless = std::path::Path::new("/sys/class/ieee80211").exists();
        if !wireless {
            assert!(open().is_none());
        }
    }
}
