//! `Board`: the firmware (build/firmware.wasm) under wasm3, implementing host ABI v1 (docs/abi.md).

/// The device side of a board: what the firmware's `host` imports reach.
pub trait Hooks {
    /// Monotonic time in ms.
    fn now_ms(&mut self) -> i64;
    /// Transmit one Ethernet frame; the slice is transient: write it out before returning.
    fn tx(&mut self, iface: u32, frame: &[u8]);
    /// One IPv4 packet for the local stack (transient slice).
    fn deliver(&mut self, packet: &[u8]);
    /// Fill `buf` with unpredictable bytes.
    fn random(&mut self, buf: &mut [u8]);
    /// One log line (level 0 error .. 3 debug).
    fn log(&mut self, level: i32, text: &str);
    /// One structured event record (docs/abi.md "Events"; transient slice).
    fn event(&mut self, kind: i32, data: &[u8]);
}

/// One firmware instance under wasm3.
pub struct Board {
    _private: (),
}

impl Board {
    /// Load `wasm`, link the `host` imports to `hooks`, cap memory at `memory_pages`, write the config
    /// chunks (first via init, rest via config_add). Err with the core's logged reason on refusal.
    pub fn new(wasm: &[u8], config_chunks: &[Vec<u8>], memory_pages: u32, hooks: Box<dyn Hooks>) -> Result<Board, String> {
        let _ = (wasm, config_chunks, memory_pages, hooks);
        todo!()
    }
    /// Hand one received frame to the core: 0 used, 1 dropped, negative on a trap.
    pub fn rx(&mut self, iface: u32, frame: &[u8]) -> i32 { let _ = (iface, frame); todo!() }
    /// Send one IPv4 packet from the local stack: 0 sent/queued, 1 dropped, negative on a trap.
    pub fn output(&mut self, packet: &[u8]) -> i32 { let _ = packet; todo!() }
    /// Run due timers; the next deadline in ms, i64::MAX when none.
    pub fn tick(&mut self, now_ms: i64) -> i64 { let _ = now_ms; todo!() }
    /// Link of `iface` went up or down; `bssid` of the access point when up after association.
    pub fn link(&mut self, iface: u32, up: bool, bssid: Option<[u8; 6]>) { let _ = (iface, up, bssid); todo!() }
    /// All counters by name, in counter order.
    pub fn counters(&self) -> Vec<(String, u64)> { todo!() }
    /// Bytes carved for tables and buffers.
    pub fn heap_used(&self) -> u32 { todo!() }
    /// Current linear memory size in 64 KiB pages.
    pub fn memory_pages(&self) -> u32 { todo!() }
    /// The hooks given to `new`.
    pub fn hooks_mut(&mut self) -> &mut dyn Hooks { todo!() }
}
