//! The emulated network drives a board over a pipe protocol with virtual time (owner: W3).

/// `mipfw-board sim-peer ...`
pub fn run(_args: &[String]) -> Result<(), String> {
    Err("not built yet".into())
}
