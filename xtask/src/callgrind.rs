//! Running a counter binary under callgrind, for `cargo xtask bench` and
//! the instruction-count guard of `cargo xtask test`.

use crate::Result;
use std::path::Path;
use std::process::{Command, Stdio};

/// Runs `exe mode calls` under `valgrind --tool=callgrind`, writing the
/// profile to `file`; `env` sets the variables the binary reads.
pub fn run(
    exe: &Path,
    mode: &str,
    calls: u64,
    file: &Path,
    env: &dyn Fn(&mut Command),
) -> Result<()> {
    let mut cmd = Command::new("valgrind");
    cmd.arg("--tool=callgrind")
        .arg(format!("--callgrind-out-file={}", file.display()))
        .arg(exe)
        .arg(mode)
        .arg(calls.to_string())
        .stdout(Stdio::null())
        .stderr(Stdio::piped());
    env(&mut cmd);
    let output = cmd.output().map_err(|e| {
        format!("starting valgrind: {e} (install it with: apt-get install -y valgrind)")
    })?;
    if !output.status.success() {
        return Err(format!(
            "{cmd:?} failed with {}: {}",
            output.status,
            String::from_utf8_lossy(&output.stderr)
        ));
    }
    Ok(())
}
