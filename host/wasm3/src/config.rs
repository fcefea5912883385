//! Node configuration: the JSON users write (same fields, defaults, validation and messages as
//! host/node/config.ts), board profiles from boards/*.json, and the binary config chunks of
//! docs/abi.md "Configuration".

use std::path::Path;

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
    pub binding_cache: u32,
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
}

/// A mobility security association (docs/abi.md SA record).
#[derive(Clone, Debug, PartialEq)]
pub struct SecurityAssociation {
    pub peer: u32,
    pub spi: u32,
    pub algorithm: Algorithm,
    pub key: Vec<u8>,
    pub replay: Replay,
    pub cover_spi: bool,
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

/// Read and validate `path` against the profiles in `boards_dir`; return the configuration and its
/// binary chunks (first for `init`, the rest for `config_add`). Err lists every problem, each naming
/// its field ("<where>.<field>: expected <what>, got <value>").
pub fn load_config(path: &Path, boards_dir: &Path) -> Result<(NodeConfig, Vec<Vec<u8>>), Vec<String>> {
    let _ = (path, boards_dir);
    todo!()
}
