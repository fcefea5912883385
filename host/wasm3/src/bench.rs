//! Replay frames into a board and time them (owner: W3).

/// `mipfw-board bench ...`
pub fn run(_args: &[String]) -> Result<(), String> {
    Err("not built yet".into())
}
