//! Runs a dangerous test body in a child process (the test binary itself,
//! re-run on one test), so that a regression which aborts the process fails
//! the test instead of killing the whole test run.

use std::process::{Command, Output};

/// The environment variable that tells a child which test body to run.
const CHILD_VAR: &str = "WASMTIME_DYN_TEST_CHILD";

/// What the child did.
pub struct ChildOutcome {
    /// The child's exit status, stdout and stderr.
    pub output: Output,
}

impl ChildOutcome {
    /// Everything the child printed.
    pub fn text(&self) -> String {
        format!(
            "{}{}",
            String::from_utf8_lossy(&self.output.stdout),
            String::from_utf8_lossy(&self.output.stderr)
        )
    }

    /// Panics, with the child's output, unless the child ran the test and
    /// it passed.
    pub fn assert_passed(&self) {
        let text = self.text();
        assert!(
            self.output.status.success() && text.contains("1 passed"),
            "the child process did not pass (status {:?}):\n{text}",
            self.output.status
        );
    }
}

/// Runs `body` in a child process: in the parent, re-runs the current test
/// binary on the test `test_name` alone (its name as `--exact` expects it,
/// e.g. `table_new_with_i32_elements`) with an environment variable that
/// makes the same test call `body`, then asserts the child passed. In the
/// child, calls `body` directly. Returns the child's outcome to the parent,
/// `None` to the child.
pub fn isolate(test_name: &str, body: impl FnOnce()) -> Option<ChildOutcome> {
    if std::env::var(CHILD_VAR).as_deref() == Ok(test_name) {
        body();
        return None;
    }
    let outcome = spawn(test_name);
    outcome.assert_passed();
    Some(outcome)
}

/// As [`isolate`], for a body that used to hang: the child is killed, and
/// the test fails, when it has not finished within `limit`.
pub fn isolate_within(
    test_name: &str,
    limit: std::time::Duration,
    body: impl FnOnce(),
) -> Option<ChildOutcome> {
    if std::env::var(CHILD_VAR).as_deref() == Ok(test_name) {
        body();
        return None;
    }
    let exe = std::env::current_exe().expect("the test binary's path");
    let mut child = Command::new(exe)
        .args(["--exact", test_name, "--nocapture", "--test-threads=1"])
        .env(CHILD_VAR, test_name)
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("spawning the test binary as a child process");
    let started = std::time::Instant::now();
    while child.try_wait().expect("waiting for the child").is_none() {
        if started.elapsed() > limit {
            let _ = child.kill();
            let output = child.wait_with_output().expect("the killed child's output");
            let outcome = ChildOutcome { output };
            panic!(
                "the child process did not finish within {limit:?} (killed):\n{}",
                outcome.text()
            );
        }
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    let outcome = ChildOutcome {
        output: child.wait_with_output().expect("the child's output"),
    };
    outcome.assert_passed();
    Some(outcome)
}

/// Re-runs the current test binary on `test_name` with the child variable
/// set, without judging the result.
pub fn spawn(test_name: &str) -> ChildOutcome {
    let exe = std::env::current_exe().expect("the test binary's path");
    let output = Command::new(exe)
        .args(["--exact", test_name, "--nocapture", "--test-threads=1"])
        .env(CHILD_VAR, test_name)
        .output()
        .expect("spawning the test binary as a child process");
    ChildOutcome { output }
}
