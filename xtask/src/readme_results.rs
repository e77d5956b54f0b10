//! README.md's benchmark figures, copied from `benches/RESULTS.md` so the
//! two cannot disagree.
//!
//! The README holds one generated block, between [`BEGIN`] and [`END`]: the
//! run line and the "Targets" table of `benches/RESULTS.md`, verbatim.
//! `cargo xtask bench` rewrites it after writing RESULTS.md, `cargo xtask
//! readme` rewrites it from the RESULTS.md on disk, and `cargo xtask test`
//! fails when it differs from what RESULTS.md gives. The README's prose
//! around the block names rows, never figures.

use crate::{root, Result};
use std::fs;

/// The line that opens the generated block in README.md.
pub const BEGIN: &str =
    "<!-- results: copied from benches/RESULTS.md by `cargo xtask bench` (or `cargo xtask readme`); do not edit -->";
/// The line that closes it.
pub const END: &str = "<!-- /results -->";

/// The heading of RESULTS.md's section the block copies.
const TARGETS: &str = "## Targets";

/// The block RESULTS.md's text gives: its "Written by" line and its
/// "Targets" section (heading excluded, up to the next `## ` heading),
/// trimmed of blank lines at either end.
pub fn block(results: &str) -> Result<String> {
    let written = results
        .lines()
        .find(|line| line.starts_with("Written by "))
        .ok_or("benches/RESULTS.md has no \"Written by\" line: run `cargo xtask bench`")?;
    let mut lines = results.lines().skip_while(|line| line.trim() != TARGETS);
    if lines.next().is_none() {
        return Err(format!(
            "benches/RESULTS.md has no \"{TARGETS}\" section: run `cargo xtask bench`"
        ));
    }
    let section: Vec<&str> = lines.take_while(|line| !line.starts_with("## ")).collect();
    let first = section.iter().position(|l| !l.trim().is_empty());
    let last = section.iter().rposition(|l| !l.trim().is_empty());
    let (Some(first), Some(last)) = (first, last) else {
        return Err(format!(
            "benches/RESULTS.md's \"{TARGETS}\" section is empty: run `cargo xtask bench`"
        ));
    };
    let mut text = format!("{written}\n\n");
    for line in &section[first..=last] {
        text.push_str(line);
        text.push('\n');
    }
    Ok(text)
}

/// `readme` with its block replaced by `block`; an error when README.md
/// lacks the markers or has them out of order.
pub fn replace(readme: &str, block: &str) -> Result<String> {
    let begin = readme
        .find(BEGIN)
        .ok_or_else(|| format!("README.md lacks the line {BEGIN}"))?;
    let after_begin = begin + BEGIN.len();
    let end = readme[after_begin..]
        .find(END)
        .map(|at| after_begin + at)
        .ok_or_else(|| format!("README.md lacks the line {END} after {BEGIN}"))?;
    Ok(format!(
        "{}\n{block}{}",
        &readme[..after_begin],
        &readme[end..]
    ))
}

fn read(name: &str) -> Result<String> {
    let path = root().join(name);
    fs::read_to_string(&path).map_err(|e| format!("{}: {e}", path.display()))
}

/// Rewrites README.md's block from benches/RESULTS.md.
pub fn sync() -> Result<()> {
    let readme = read("README.md")?;
    let updated = replace(&readme, &block(&read("benches/RESULTS.md")?)?)?;
    if updated != readme {
        let path = root().join("README.md");
        fs::write(&path, updated).map_err(|e| format!("{}: {e}", path.display()))?;
        eprintln!("xtask: README.md's benchmark figures copied from benches/RESULTS.md");
    }
    Ok(())
}

/// Fails when README.md's block is not what benches/RESULTS.md gives.
pub fn check() -> Result<()> {
    let readme = read("README.md")?;
    if replace(&readme, &block(&read("benches/RESULTS.md")?)?)? != readme {
        return Err(
            "README.md's benchmark figures differ from benches/RESULTS.md: run `cargo xtask readme` \
             (figures come from `cargo xtask bench` only)"
                .into(),
        );
    }
    eprintln!("xtask: README.md's benchmark figures match benches/RESULTS.md");
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    const RESULTS: &str = "# Benchmark results\n\nWritten by `cargo xtask bench` from one run.\n\n\
        ## Machine\n\n- CPU\n\n## Targets\n\n| a | b |\n|---|---|\n| x | 1.0x |\n\n## Calls\n\nmore\n";

    #[test]
    fn the_block_is_the_run_line_and_the_targets_table() {
        assert_eq!(
            block(RESULTS).unwrap(),
            "Written by `cargo xtask bench` from one run.\n\n| a | b |\n|---|---|\n| x | 1.0x |\n"
        );
    }

    #[test]
    fn replacing_twice_is_replacing_once() {
        let readme = format!("intro\n{BEGIN}\nstale 9.9x\n{END}\nafter\n");
        let once = replace(&readme, &block(RESULTS).unwrap()).unwrap();
        assert!(!once.contains("stale"));
        assert!(once.contains("| x | 1.0x |\n<!-- /results -->\nafter"));
        assert_eq!(replace(&once, &block(RESULTS).unwrap()).unwrap(), once);
    }

    #[test]
    fn missing_markers_and_sections_are_named() {
        assert!(replace("no markers", "b").unwrap_err().contains(BEGIN));
        assert!(block("Written by x\n").unwrap_err().contains("Targets"));
        assert!(block("## Targets\n| a |\n")
            .unwrap_err()
            .contains("Written by"));
    }
}
