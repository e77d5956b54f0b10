//! The criterion settings every benchmark binary of `cargo xtask bench`
//! uses, so that the variants are measured alike. Short enough for the whole
//! command to finish in minutes on two cores; `WASMTIME_DYN_BENCH_SECONDS`
//! (measurement seconds per benchmark, default 2) lengthens or shortens it.

use criterion::Criterion;
use std::time::Duration;

pub fn config() -> Criterion {
    let seconds = std::env::var("WASMTIME_DYN_BENCH_SECONDS")
        .ok()
        .and_then(|s| s.parse::<f64>().ok())
        .filter(|s| *s > 0.0)
        .unwrap_or(2.0);
    Criterion::default()
        .warm_up_time(Duration::from_secs_f64((seconds / 4.0).max(0.1)))
        .measurement_time(Duration::from_secs_f64(seconds))
        .sample_size(50)
        .without_plots()
}
