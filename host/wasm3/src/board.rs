//! `Board`: the firmware (build/firmware.wasm) under wasm3, implementing host ABI v1 (docs/abi.md).
//!
//! wasm3 comes from the `wasm3x-sys` crate (Wasm3 0.9 C sources, raw bindings): the `wasm3` crate
//! 0.3.1 bundles Wasm3 0.4.7, which has no bulk-memory operations (`memory.copy`/`memory.fill`,
//! used by the firmware), see docs/wasm3.md. This file is the only one that touches the FFI.
//!
//! Safety rules kept throughout: every (pointer, length) the module hands to an import or that the
//! host writes to is checked against the current memory size first; the memory base is fetched anew
//! for every access (memory may move while `init` grows it); a trap is reported as an error naming
//! the call, never a panic, and a panicking hook becomes a trap instead of unwinding into C.

use std::ffi::{c_void, CStr, CString};
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::ptr;

use wasm3x_sys as ffi;

/// The ABI version this host implements (docs/abi.md).
pub const ABI_VERSION: i32 = 3;
/// wasm3 value stack for one runtime, in bytes (the core's call depth is small; 8192 64-bit slots).
pub const STACK_BYTES: u32 = 64 * 1024;
/// Size of a WebAssembly page.
pub const PAGE_BYTES: u32 = 65536;

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

/// What the import trampolines reach through the wasm3 import context (boxed: stable address).
struct HostState {
    hooks: Box<dyn Hooks>,
    /// The last level-0 log line: the core's reason when it refuses a configuration.
    last_error: String,
}

type Func = ffi::IM3Function;

/// The exports the host calls, looked up (and signature-checked) once.
struct Exports {
    init: Func,
    config_add: Func,
    rx: Func,
    /// `rx_batch` (docs/abi.md "Batch receive"); null for a firmware without it (then one slot, `rx` only).
    rx_batch: Func,
    output: Func,
    tick: Func,
    link: Func,
    /// Optional (issue 10.10; modules before it lack it): null when absent.
    station: Func,
    heap_used: Func,
    static_bytes: Func,
    memory_pages: Func,
    dump: Func,
}

/// Buffer addresses, read once after a successful `init` (docs/abi.md: fixed for the instance).
#[derive(Default)]
struct Addrs {
    rx: u32,
    rx_cap: u32,
    /// Batch receive ring: slots (1 when the firmware has no ring) and stride.
    ring_slots: u32,
    ring_stride: u32,
    out: u32,
    out_cap: u32,
    info: u32,
    counters: u32,
    counters_count: u32,
    dump: u32,
}

/// One firmware instance under wasm3.
pub struct Board {
    env: ffi::IM3Environment,
    rt: ffi::IM3Runtime,
    state: *mut HostState,
    x: Exports,
    a: Addrs,
    counter_names: Vec<String>,
    /// The first trap, "<call>: <wasm3 message>"; the board should be restarted after one.
    trap: Option<String>,
    /// The module bytes: wasm3 keeps pointers into them for the lifetime of the runtime.
    _wasm: Box<[u8]>,
}

fn m3_err(r: ffi::M3Result) -> Option<String> {
    if r.is_null() {
        None
    } else {
        Some(unsafe { CStr::from_ptr(r) }.to_string_lossy().into_owned())
    }
}

/// The memory of `rt` as a slice (valid until the next call into the module).
unsafe fn mem_of<'a>(rt: ffi::IM3Runtime) -> &'a mut [u8] {
    let mut size: u32 = 0;
    let base = ffi::m3_GetMemory(rt, &mut size, 0);
    if base.is_null() || size == 0 {
        &mut []
    } else {
        std::slice::from_raw_parts_mut(base, size as usize)
    }
}

/// `len` bytes at `ptr` if they lie inside `mem`.
fn range(mem_len: usize, ptr: u32, len: u32) -> Option<std::ops::Range<usize>> {
    let start = ptr as usize;
    let end = start.checked_add(len as usize)?;
    if end <= mem_len { Some(start..end) } else { None }
}

// ---- import trampolines -------------------------------------------------------------------------
// wasm3 raw-call convention (64-bit slots): the return slot (if any) first, then one slot per argument.

unsafe fn arg_i32(sp: *mut u64, i: usize) -> i32 {
    *(sp.add(i) as *const i32)
}

/// Run `f` with the host state and memory, converting a panic into a trap.
unsafe fn with_state(
    rt: ffi::IM3Runtime,
    ctx: ffi::IM3ImportContext,
    f: impl FnOnce(&mut HostState, &mut [u8]) -> Result<(), ()>,
) -> *const c_void {
    let state = (*ctx).userdata as *mut HostState;
    if state.is_null() {
        return ffi::m3Err_trapAbort as *const c_void;
    }
    let mem = mem_of(rt);
    match catch_unwind(AssertUnwindSafe(|| f(&mut *state, mem))) {
        Ok(Ok(())) => ptr::null(),
        Ok(Err(())) => ffi::m3Err_trapOutOfBoundsMemoryAccess as *const c_void,
        Err(_) => ffi::m3Err_trapAbort as *const c_void,
    }
}

unsafe extern "C" fn host_tx(rt: ffi::IM3Runtime, ctx: ffi::IM3ImportContext, sp: *mut u64, _m: *mut c_void) -> *const c_void {
    let (iface, p, len) = (arg_i32(sp, 0), arg_i32(sp, 1) as u32, arg_i32(sp, 2) as u32);
    with_state(rt, ctx, |s, mem| {
        let r = range(mem.len(), p, len).ok_or(())?;
        s.hooks.tx(iface as u32, &mem[r]);
        Ok(())
    })
}

unsafe extern "C" fn host_deliver(rt: ffi::IM3Runtime, ctx: ffi::IM3ImportContext, sp: *mut u64, _m: *mut c_void) -> *const c_void {
    let (p, len) = (arg_i32(sp, 0) as u32, arg_i32(sp, 1) as u32);
    with_state(rt, ctx, |s, mem| {
        let r = range(mem.len(), p, len).ok_or(())?;
        s.hooks.deliver(&mem[r]);
        Ok(())
    })
}

unsafe extern "C" fn host_now_ms(rt: ffi::IM3Runtime, ctx: ffi::IM3ImportContext, sp: *mut u64, _m: *mut c_void) -> *const c_void {
    with_state(rt, ctx, |s, _| {
        let now = s.hooks.now_ms();
        *(sp as *mut i64) = now;
        Ok(())
    })
}

unsafe extern "C" fn host_random(rt: ffi::IM3Runtime, ctx: ffi::IM3ImportContext, sp: *mut u64, _m: *mut c_void) -> *const c_void {
    let (p, len) = (arg_i32(sp, 0) as u32, arg_i32(sp, 1) as u32);
    with_state(rt, ctx, |s, mem| {
        let r = range(mem.len(), p, len).ok_or(())?;
        s.hooks.random(&mut mem[r]);
        Ok(())
    })
}

unsafe extern "C" fn host_log(rt: ffi::IM3Runtime, ctx: ffi::IM3ImportContext, sp: *mut u64, _m: *mut c_void) -> *const c_void {
    let (level, p, len) = (arg_i32(sp, 0), arg_i32(sp, 1) as u32, arg_i32(sp, 2) as u32);
    with_state(rt, ctx, |s, mem| {
        let r = range(mem.len(), p, len).ok_or(())?;
        let text = String::from_utf8_lossy(&mem[r]);
        if level == 0 {
            s.last_error.clear();
            s.last_error.push_str(&text);
        }
        s.hooks.log(level, &text);
        Ok(())
    })
}

unsafe extern "C" fn host_event(rt: ffi::IM3Runtime, ctx: ffi::IM3ImportContext, sp: *mut u64, _m: *mut c_void) -> *const c_void {
    let (kind, p, len) = (arg_i32(sp, 0), arg_i32(sp, 1) as u32, arg_i32(sp, 2) as u32);
    with_state(rt, ctx, |s, mem| {
        let r = range(mem.len(), p, len).ok_or(())?;
        s.hooks.event(kind, &mem[r]);
        Ok(())
    })
}

/// The imports of a module: (module, name, kind 0 function / 1 table / 2 memory / 3 global).
fn imports(wasm: &[u8]) -> Result<Vec<(String, String, u8)>, String> {
    let bad = || "firmware: not a valid WebAssembly module (malformed section)".to_string();
    fn leb(b: &[u8], i: &mut usize) -> Option<u32> {
        let mut v: u64 = 0;
        for shift in (0..35).step_by(7) {
            let x = *b.get(*i)?;
            *i += 1;
            v |= u64::from(x & 0x7f) << shift;
            if x & 0x80 == 0 {
                return u32::try_from(v).ok();
            }
        }
        None
    }
    fn name(b: &[u8], i: &mut usize) -> Option<String> {
        let n = leb(b, i)? as usize;
        let s = b.get(*i..i.checked_add(n)?)?;
        *i += n;
        Some(String::from_utf8_lossy(s).into_owned())
    }
    fn limits(b: &[u8], i: &mut usize) -> Option<()> {
        let flags = *b.get(*i)?;
        *i += 1;
        leb(b, i)?;
        if flags & 1 != 0 {
            leb(b, i)?;
        }
        Some(())
    }
    if wasm.len() < 8 || &wasm[..4] != b"\0asm" {
        return Err("firmware: not a WebAssembly module".into());
    }
    let mut out = Vec::new();
    let mut i = 8;
    while i < wasm.len() {
        let id = wasm[i];
        i += 1;
        let size = leb(wasm, &mut i).ok_or_else(bad)? as usize;
        let end = i.checked_add(size).filter(|&e| e <= wasm.len()).ok_or_else(bad)?;
        if id == 2 {
            let sec = &wasm[..end];
            let count = leb(sec, &mut i).ok_or_else(bad)?;
            for _ in 0..count {
                let m = name(sec, &mut i).ok_or_else(bad)?;
                let f = name(sec, &mut i).ok_or_else(bad)?;
                let kind = *sec.get(i).ok_or_else(bad)?;
                i += 1;
                let ok = match kind {
                    0 => leb(sec, &mut i).map(|_| ()),
                    1 => sec.get(i).map(|_| i += 1).and_then(|_| limits(sec, &mut i)),
                    2 => limits(sec, &mut i),
                    3 => sec.get(i..i + 2).map(|_| i += 2),
                    _ => None,
                };
                ok.ok_or_else(bad)?;
                out.push((m, f, kind));
            }
        }
        i = end;
    }
    Ok(out)
}

type RawFn = unsafe extern "C" fn(ffi::IM3Runtime, ffi::IM3ImportContext, *mut u64, *mut c_void) -> *const c_void;

/// The `host` imports of docs/abi.md with their wasm3 signatures.
const IMPORTS: [(&str, &str, RawFn); 6] = [
    ("tx", "v(iii)", host_tx),
    ("deliver", "v(ii)", host_deliver),
    ("now_ms", "I()", host_now_ms),
    ("random", "v(ii)", host_random),
    ("log", "v(iii)", host_log),
    ("event", "v(iii)", host_event),
];

const I32: u32 = ffi::M3ValueType::c_m3Type_i32 as u32;
const I64: u32 = ffi::M3ValueType::c_m3Type_i64 as u32;

impl Board {
    /// Load `wasm`, link the `host` imports to `hooks`, cap memory at `memory_pages`, write the config
    /// chunks (first via init, rest via config_add). Err with the core's logged reason on refusal.
    pub fn new(wasm: &[u8], config_chunks: &[Vec<u8>], memory_pages: u32, hooks: Box<dyn Hooks>) -> Result<Board, String> {
        let mut b = Board::load(wasm, hooks)?;
        b.start(config_chunks, memory_pages)?;
        Ok(b)
    }

    /// Parse, load, link and compile the module; check the ABI version. No `init` yet.
    fn load(wasm: &[u8], hooks: Box<dyn Hooks>) -> Result<Board, String> {
        let wasm: Box<[u8]> = wasm.into();
        if wasm.len() > u32::MAX as usize {
            return Err("firmware: module too large".into());
        }
        unsafe {
            let env = ffi::m3_NewEnvironment();
            if env.is_null() {
                return Err("wasm3: out of memory creating the environment".into());
            }
            let rt = ffi::m3_NewRuntime(env, STACK_BYTES, ptr::null_mut());
            if rt.is_null() {
                ffi::m3_FreeEnvironment(env);
                return Err("wasm3: out of memory creating the runtime".into());
            }
            let state = Box::into_raw(Box::new(HostState { hooks, last_error: String::new() }));
            // From here on Drop frees env, rt and state; exports are filled in below.
            let null = ptr::null_mut();
            let mut b = Board {
                env,
                rt,
                state,
                x: Exports { init: null, config_add: null, rx: null, rx_batch: null, output: null, tick: null, link: null, station: null,
                    heap_used: null, static_bytes: null, memory_pages: null, dump: null },
                a: Addrs::default(),
                counter_names: Vec::new(),
                trap: None,
                _wasm: wasm,
            };
            // Only the `host` functions of docs/abi.md may be imported: refuse anything else by name
            // before wasm3 would fail on it at the first call.
            for (m, f, kind) in imports(&b._wasm)? {
                if m != "host" || kind != 0 || !IMPORTS.iter().any(|(n, _, _)| *n == f) {
                    let what = ["function", "table", "memory", "global"].get(kind as usize).unwrap_or(&"import");
                    return Err(format!("firmware imports {what} {m}.{f}; a board provides only the functions host.{{tx, deliver, now_ms, random, log, event}}"));
                }
            }
            let mut module: ffi::IM3Module = ptr::null_mut();
            if let Some(e) = m3_err(ffi::m3_ParseModule(env, &mut module, b._wasm.as_ptr(), b._wasm.len() as u32)) {
                return Err(format!("firmware: not a valid WebAssembly module for wasm3: {e}"));
            }
            if let Some(e) = m3_err(ffi::m3_LoadModule(rt, module)) {
                ffi::m3_FreeModule(module);
                return Err(format!("firmware: wasm3 could not load the module: {e}"));
            }
            let host = CString::new("host").unwrap();
            for (name, sig, f) in IMPORTS {
                let cname = CString::new(name).unwrap();
                let csig = CString::new(sig).unwrap();
                let r = ffi::m3_LinkRawFunctionEx(module, host.as_ptr(), cname.as_ptr(), csig.as_ptr(), Some(f), state as *const c_void);
                // A module that does not import one of these simply does not use it.
                if !r.is_null() && r != ffi::m3Err_functionLookupFailed {
                    return Err(format!("firmware: import host.{name}: {} (expected {sig})", m3_err(r).unwrap()));
                }
            }
            // Compiling every function now fails on any import we did not link (only `host` is allowed)
            // and on any opcode this wasm3 lacks, before the board starts.
            if let Some(e) = m3_err(ffi::m3_CompileModule(module)) {
                return Err(format!("firmware: wasm3 could not compile the module: {e}"));
            }
            if let Some(e) = m3_err(ffi::m3_RunStart(module)) {
                return Err(format!("firmware: start function: {e}"));
            }
            let version = b.call_i32("abi_version", &[])?;
            if version != ABI_VERSION {
                return Err(format!("firmware ABI {version}, host ABI {ABI_VERSION}"));
            }
            b.x = Exports {
                init: b.find("init", &[I32, I32], Some(I32))?,
                config_add: b.find("config_add", &[I32, I32], Some(I32))?,
                rx: b.find("rx", &[I32, I32], Some(I32))?,
                rx_batch: if b.has("rx_batch") { b.find("rx_batch", &[I32], Some(I32))? } else { null },
                output: b.find("output", &[I32], Some(I32))?,
                tick: b.find("tick", &[I64], Some(I64))?,
                link: b.find("link", &[I32, I32, I32, I32], None)?,
                station: if b.has("station") { b.find("station", &[I32, I32, I32, I32], None)? } else { null },
                heap_used: b.find("heap_used", &[], Some(I32))?,
                static_bytes: b.find("static_bytes", &[], Some(I32))?,
                memory_pages: b.find("memory_pages", &[], Some(I32))?,
                dump: b.find("dump", &[I32, I32], Some(I32))?,
            };
            Ok(b)
        }
    }

    /// Whether the module exports function `name`.
    fn has(&self, name: &str) -> bool {
        let cname = CString::new(name).unwrap();
        let mut f: Func = ptr::null_mut();
        unsafe { ffi::m3_FindFunction(&mut f, self.rt, cname.as_ptr()).is_null() }
    }

    /// Look up export `name` and check its signature.
    fn find(&self, name: &str, args: &[u32], ret: Option<u32>) -> Result<Func, String> {
        let cname = CString::new(name).unwrap();
        let mut f: Func = ptr::null_mut();
        unsafe {
            if let Some(e) = m3_err(ffi::m3_FindFunction(&mut f, self.rt, cname.as_ptr())) {
                return Err(format!("firmware: export {name}: {e}"));
            }
            let argc = ffi::m3_GetArgCount(f) as usize;
            let retc = ffi::m3_GetRetCount(f) as usize;
            let ok = argc == args.len()
                && args.iter().enumerate().all(|(i, &t)| ffi::m3_GetArgType(f, i as u32) as u32 == t)
                && match ret {
                    None => retc == 0,
                    Some(t) => retc == 1 && ffi::m3_GetRetType(f, 0) as u32 == t,
                };
            if !ok {
                return Err(format!("firmware: export {name} has the wrong signature for ABI {ABI_VERSION}"));
            }
        }
        Ok(f)
    }

    /// Call `f` with `args` (pointers to i32/i64 values); read one result of type R if R is not ().
    unsafe fn call_raw<R: Copy + Default>(&mut self, name: &str, f: Func, args: &[*const c_void], has_ret: bool) -> Result<R, String> {
        let mut argv: [*const c_void; 4] = [ptr::null(); 4];
        argv[..args.len()].copy_from_slice(args);
        if let Some(e) = m3_err(ffi::m3_Call(f, args.len() as u32, argv.as_mut_ptr())) {
            let msg = format!("{name}: {e}");
            let s = &mut *self.state;
            s.hooks.log(0, &format!("wasm3 trap in {msg}"));
            if self.trap.is_none() {
                self.trap = Some(msg.clone());
            }
            return Err(msg);
        }
        let mut out = R::default();
        if has_ret {
            let mut rets: [*const c_void; 1] = [&mut out as *mut R as *const c_void];
            if let Some(e) = m3_err(ffi::m3_GetResults(f, 1, rets.as_mut_ptr())) {
                return Err(format!("{name}: {e}"));
            }
        }
        Ok(out)
    }

    /// Call an i32-returning export of no more than 4 i32 arguments by name (used for the rarely
    /// called address getters; the hot calls use the cached functions).
    fn call_i32(&mut self, name: &str, args: &[i32]) -> Result<i32, String> {
        let f = self.find(name, &vec![I32; args.len()], Some(I32))?;
        let ptrs: Vec<*const c_void> = args.iter().map(|a| a as *const i32 as *const c_void).collect();
        unsafe { self.call_raw::<i32>(name, f, &ptrs, true) }
    }

    /// Current linear memory size in bytes.
    pub fn memory_bytes(&self) -> u32 {
        unsafe { ffi::m3_GetMemorySize(self.rt) }
    }

    /// Write `data` into linear memory at `at` (bounds-checked).
    fn write(&mut self, at: u32, data: &[u8]) -> Result<(), String> {
        let mem = unsafe { mem_of(self.rt) };
        let r = range(mem.len(), at, data.len() as u32).ok_or_else(|| format!("{} bytes at {at:#x} lie outside memory ({} bytes)", data.len(), mem.len()))?;
        mem[r].copy_from_slice(data);
        Ok(())
    }

    /// Read `len` bytes at `at` (bounds-checked copy).
    fn read(&self, at: u32, len: u32) -> Option<Vec<u8>> {
        let mem = unsafe { mem_of(self.rt) };
        range(mem.len(), at, len).map(|r| mem[r].to_vec())
    }

    fn refused(&self, rc: i32) -> String {
        let s = unsafe { &*self.state };
        let why = if s.last_error.is_empty() { "no reason given" } else { s.last_error.as_str() };
        format!("firmware refused the configuration (code {rc}): {why}")
    }

    /// init + config_add, then check the memory budget and read the buffer addresses.
    fn start(&mut self, chunks: &[Vec<u8>], memory_pages: u32) -> Result<(), String> {
        let initial = self.memory_bytes() / PAGE_BYTES;
        if initial > memory_pages {
            return Err(format!("firmware declares {initial} pages of memory, the board allows {memory_pages}"));
        }
        let cap = self.call_i32("config_capacity", &[])? as u32;
        let buf = self.call_i32("config_buffer", &[])? as u32;
        let Some((first, more)) = chunks.split_first() else {
            return Err("no configuration to load".into());
        };
        unsafe { (*self.state).last_error.clear() };
        for (i, chunk) in std::iter::once(first).chain(more.iter()).enumerate() {
            if chunk.len() > cap as usize {
                return Err(format!("configuration chunk {i} is {} bytes, the firmware takes at most {cap}", chunk.len()));
            }
            self.write(buf, chunk)?;
            let (p, l) = (buf as i32, chunk.len() as i32);
            let f = if i == 0 { self.x.init } else { self.x.config_add };
            let name = if i == 0 { "init" } else { "config_add" };
            let rc = unsafe {
                self.call_raw::<i32>(name, f, &[&p as *const i32 as *const c_void, &l as *const i32 as *const c_void], true)?
            };
            if rc != 0 {
                return Err(self.refused(rc));
            }
        }
        // docs/abi.md: memory grows only during init and never past board.memoryPages.
        let pages = self.memory_bytes().div_ceil(PAGE_BYTES);
        let reported = self.memory_pages();
        if pages > memory_pages || reported > memory_pages {
            return Err(format!("firmware uses {} pages, the board allows {memory_pages}", pages.max(reported)));
        }
        self.a = Addrs {
            rx: self.call_i32("rx_buffer", &[])? as u32,
            rx_cap: self.call_i32("rx_capacity", &[])? as u32,
            ring_slots: 1,
            ring_stride: 0,
            out: self.call_i32("out_buffer", &[])? as u32,
            out_cap: self.call_i32("out_capacity", &[])? as u32,
            info: self.call_i32("info_buffer", &[])? as u32,
            counters: self.call_i32("counters_ptr", &[])? as u32,
            counters_count: self.call_i32("counters_count", &[])? as u32,
            dump: self.call_i32("dump_buffer", &[])? as u32,
        };
        let mem = self.memory_bytes() as usize;
        let chk = |what: &str, p: u32, n: u32| range(mem, p, n).map(|_| ()).ok_or_else(|| format!("firmware: {what} ({n} bytes at {p:#x}) lies outside memory"));
        chk("rx buffer", self.a.rx, self.a.rx_cap)?;
        if !self.x.rx_batch.is_null() {
            let slots = self.call_i32("rx_ring_slots", &[])?;
            let stride = self.call_i32("rx_ring_stride", &[])?;
            if slots < 1 || stride < 0 || (slots > 1 && (stride as u32) < self.a.rx_cap + 4) {
                return Err(format!("firmware: batch receive ring of {slots} slots of {stride} bytes is not usable"));
            }
            self.a.ring_slots = slots as u32;
            self.a.ring_stride = stride as u32;
            // Every slot's descriptor (4 bytes in front of the frame) and frame lie inside memory.
            let last = self.a.rx + (slots as u32 - 1) * stride as u32;
            chk("batch receive ring", self.a.rx - 4, last - self.a.rx + 4 + self.a.rx_cap)?;
        }
        chk("out buffer", self.a.out, self.a.out_cap)?;
        chk("info buffer", self.a.info, 64)?;
        chk("dump buffer", self.a.dump, 256)?;
        chk("counters", self.a.counters, self.a.counters_count.saturating_mul(8))?;
        // One name at a time into the dump buffer, ASCII (docs/abi.md counter_name).
        let f = self.find("counter_name", &[I32], Some(I32))?;
        self.counter_names.clear();
        for i in 0..self.a.counters_count.max(0) as i32 {
            let n = unsafe { self.call_raw::<i32>("counter_name", f, &[&i as *const i32 as _], true) }?;
            let raw = self.read(self.a.dump, n.max(0) as u32).ok_or("firmware: a counter name lies outside memory")?;
            self.counter_names.push(String::from_utf8_lossy(&raw).into_owned());
        }
        Ok(())
    }

    /// One more configuration chunk after start (`config_add`: routes, security associations): Err with
    /// the core's reason when it refuses (the records before the refused one stay applied).
    pub fn config_add(&mut self, chunk: &[u8]) -> Result<(), String> {
        let cap = self.call_i32("config_capacity", &[])? as usize;
        if chunk.len() > cap {
            return Err(format!("configuration chunk is {} bytes, the firmware takes at most {cap}", chunk.len()));
        }
        let buf = self.call_i32("config_buffer", &[])? as u32;
        self.write(buf, chunk)?;
        unsafe { (*self.state).last_error.clear() };
        let (p, l) = (buf as i32, chunk.len() as i32);
        let f = self.x.config_add;
        let rc = unsafe { self.call_raw::<i32>("config_add", f, &[&p as *const i32 as *const c_void, &l as *const i32 as *const c_void], true)? };
        if rc != 0 {
            return Err(self.refused(rc));
        }
        Ok(())
    }

    /// Hand one received frame to the core: 0 used, 1 dropped, negative on a trap.
    pub fn rx(&mut self, iface: u32, frame: &[u8]) -> i32 {
        let cap = self.a.rx_cap;
        let len = if frame.len() > cap as usize {
            cap + 1 // counted as too long by the core
        } else {
            if self.write(self.a.rx, frame).is_err() {
                return -1;
            }
            frame.len() as u32
        };
        let (i, l) = (iface as i32, len as i32);
        let f = self.x.rx;
        unsafe { self.call_raw::<i32>("rx", f, &[&i as *const i32 as _, &l as *const i32 as _], true) }.unwrap_or(-1)
    }

    /// Slots of the batch receive ring (docs/abi.md "Batch receive"); 1 when the firmware has no
    /// `rx_batch` (then `rx_batch` must not be called).
    pub fn ring_slots(&self) -> u32 {
        if self.x.rx_batch.is_null() { 1 } else { self.a.ring_slots }
    }

    /// Whether the firmware exports `rx_batch`.
    pub fn has_rx_batch(&self) -> bool {
        !self.x.rx_batch.is_null()
    }

    /// Largest frame the core accepts.
    pub fn rx_capacity(&self) -> u32 {
        self.a.rx_cap
    }

    /// Ring slot `i`'s frame area (`rx_capacity()` bytes) in linear memory, to receive a frame into;
    /// valid until the next call into the module. Empty for `i` past the ring.
    pub fn ring_frame_mut(&mut self, i: u32) -> &mut [u8] {
        if i >= self.ring_slots() {
            return &mut [];
        }
        let at = self.a.rx + i * self.a.ring_stride;
        let mem = unsafe { mem_of(self.rt) };
        match range(mem.len(), at, self.a.rx_cap) {
            Some(r) => &mut mem[r],
            None => &mut [],
        }
    }

    /// Write slot `i`'s descriptor: the frame of `len` bytes received on `iface` (0xffff: empty slot).
    /// `len` above `rx_capacity()` is counted too long by the core.
    pub fn ring_set(&mut self, i: u32, iface: u16, len: u16) {
        if i >= self.ring_slots() {
            return;
        }
        let at = self.a.rx + i * self.a.ring_stride - 4;
        let mut d = [0u8; 4];
        d[..2].copy_from_slice(&iface.to_le_bytes());
        d[2..].copy_from_slice(&len.to_le_bytes());
        let _ = self.write(at, &d);
    }

    /// Copy `frame` into slot `i` and set its descriptor (a frame longer than the capacity is not
    /// copied and is counted too long).
    pub fn ring_put(&mut self, i: u32, iface: u16, frame: &[u8]) {
        let cap = self.a.rx_cap as usize;
        let len = if frame.len() > cap {
            cap + 1
        } else {
            let dst = self.ring_frame_mut(i);
            if dst.len() < frame.len() {
                return;
            }
            dst[..frame.len()].copy_from_slice(frame);
            frame.len()
        };
        self.ring_set(i, iface, len.min(u16::MAX as usize) as u16);
    }

    /// Process ring slots 0..n-1 (`rx_batch`): the frames used, -1 for a bad n, negative on a trap.
    pub fn rx_batch(&mut self, n: u32) -> i32 {
        if self.x.rx_batch.is_null() {
            return -1;
        }
        let n = n as i32;
        let f = self.x.rx_batch;
        unsafe { self.call_raw::<i32>("rx_batch", f, &[&n as *const i32 as _], true) }.unwrap_or(-2)
    }

    /// Send one IPv4 packet from the local stack: 0 sent/queued, 1 dropped, negative on a trap.
    pub fn output(&mut self, packet: &[u8]) -> i32 {
        let cap = self.a.out_cap;
        let len = if packet.len() > cap as usize {
            cap + 1
        } else {
            if self.write(self.a.out, packet).is_err() {
                return -1;
            }
            packet.len() as u32
        };
        let l = len as i32;
        let f = self.x.output;
        unsafe { self.call_raw::<i32>("output", f, &[&l as *const i32 as _], true) }.unwrap_or(-1)
    }

    /// Run due timers; the next deadline in ms, i64::MAX when none, negative (-1) on a trap.
    pub fn tick(&mut self, now_ms: i64) -> i64 {
        let f = self.x.tick;
        unsafe { self.call_raw::<i64>("tick", f, &[&now_ms as *const i64 as _], true) }.unwrap_or(-1)
    }

    /// Link of `iface` went up or down; `bssid` of the access point when up after association.
    /// A trap is recorded (see `trapped`).
    pub fn link(&mut self, iface: u32, up: bool, bssid: Option<[u8; 6]>) {
        let mut len = 0i32;
        if let (true, Some(b)) = (up, bssid) {
            if self.write(self.a.info, &b).is_ok() {
                len = 6;
            }
        }
        let (i, s, p) = (iface as i32, up as i32, self.a.info as i32);
        let f = self.x.link;
        let _ = unsafe {
            self.call_raw::<i32>("link", f, &[&i as *const i32 as _, &s as *const i32 as _, &p as *const i32 as _, &len as *const i32 as _], false)
        };
    }

    /// A station `mac` left (`up` false) or joined the access point behind `iface` (ABI `station`,
    /// issue 10.10); nothing for a module without the export.
    pub fn station(&mut self, iface: u32, up: bool, mac: [u8; 6]) {
        let f = self.x.station;
        if f.is_null() || self.write(self.a.info, &mac).is_err() {
            return;
        }
        let (i, s, p, len) = (iface as i32, up as i32, self.a.info as i32, 6i32);
        let _ = unsafe {
            self.call_raw::<i32>("station", f, &[&i as *const i32 as _, &s as *const i32 as _, &p as *const i32 as _, &len as *const i32 as _], false)
        };
    }

    /// All counters by name, in counter order.
    pub fn counters(&self) -> Vec<(String, u64)> {
        let n = self.a.counters_count;
        let Some(raw) = self.read(self.a.counters, n.saturating_mul(8)) else { return Vec::new() };
        raw.chunks_exact(8)
            .enumerate()
            .map(|(i, c)| {
                let name = self.counter_names.get(i).cloned().unwrap_or_else(|| format!("counter_{i}"));
                (name, u64::from_le_bytes(c.try_into().unwrap()))
            })
            .collect()
    }

    /// One counter by name (0 if the firmware has no such counter).
    pub fn counter(&self, name: &str) -> u64 {
        let Some(i) = self.counter_names.iter().position(|n| n == name) else { return 0 };
        self.read(self.a.counters + 8 * i as u32, 8).map(|c| u64::from_le_bytes(c.try_into().unwrap())).unwrap_or(0)
    }

    /// Call a no-argument i32 export through `&self` (none of these reach a hook).
    fn get(&self, name: &str, f: Func) -> u32 {
        let mut out: i32 = 0;
        unsafe {
            if ffi::m3_Call(f, 0, ptr::null_mut()).is_null() {
                let mut rets: [*const c_void; 1] = [&mut out as *mut i32 as *const c_void];
                let _ = ffi::m3_GetResults(f, 1, rets.as_mut_ptr());
            } else {
                let _ = name; // a trap here leaves 0
            }
        }
        out as u32
    }

    /// Bytes carved for tables and buffers.
    pub fn heap_used(&self) -> u32 {
        self.get("heap_used", self.x.heap_used)
    }

    /// Bytes of static data below the tables.
    pub fn static_bytes(&self) -> u32 {
        self.get("static_bytes", self.x.static_bytes)
    }

    /// Current linear memory size in 64 KiB pages.
    pub fn memory_pages(&self) -> u32 {
        self.get("memory_pages", self.x.memory_pages)
    }

    /// Raw records of one table (0 interfaces, 1 routes, 2 ARP cache), copies (docs/abi.md "Dump").
    pub fn dump_raw(&mut self, table: u32) -> Vec<Vec<u8>> {
        let mut out = Vec::new();
        let f = self.x.dump;
        for index in 0..u32::MAX {
            let (t, i) = (table as i32, index as i32);
            let len = unsafe { self.call_raw::<i32>("dump", f, &[&t as *const i32 as _, &i as *const i32 as _], true) }.unwrap_or(-1);
            if len < 0 {
                break;
            }
            match self.read(self.a.dump, len as u32) {
                Some(r) => out.push(r),
                None => break,
            }
        }
        out
    }

    /// The hooks given to `new`.
    pub fn hooks_mut(&mut self) -> &mut dyn Hooks {
        unsafe { &mut *(*self.state).hooks }
    }

    /// The first trap ("<call>: <reason>") if the module trapped; restart the board after one.
    pub fn trapped(&self) -> Option<&str> {
        self.trap.as_deref()
    }

    /// The core's last level-0 log line (its reason for the last refusal).
    pub fn last_error(&self) -> &str {
        unsafe { &(*self.state).last_error }
    }
}

impl Drop for Board {
    fn drop(&mut self) {
        unsafe {
            ffi::m3_FreeRuntime(self.rt);
            ffi::m3_FreeEnvironment(self.env);
            drop(Box::from_raw(self.state));
        }
    }
}
