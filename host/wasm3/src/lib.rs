//! mipfw board runtime: the firmware core (one WebAssembly module, host ABI v1, docs/abi.md) under the
//! wasm3 interpreter, with the Linux driver, the emulated-network peer and the bench.

pub mod bench;
pub mod board;
pub mod config;
pub mod control;
pub mod events;
pub mod journal;
pub mod linux;
pub mod selftest;
pub mod simpeer;
pub mod wifi;
