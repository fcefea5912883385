//! Linux board driver (owner: W2).

use crate::config::NodeConfig;

/// Run a board on real Linux interfaces until interrupted.
pub fn run(_config: &NodeConfig, _chunks: &[Vec<u8>], _wasm: &[u8]) -> Result<(), String> {
    Err("not built yet".into())
}
