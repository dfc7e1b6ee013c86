//! The pure-Rust side of `benches/bindings`: normalize company names and validate
//! emails through the facade, the same calls the Python and Node bindings delegate to.
//!
//! Usage: `bindings_pure_rust <dir>` with `<dir>/names.txt` and `<dir>/emails.txt` (one
//! input per line). Prints one TSV line per measurement: `rust  op  mode  n  seconds`
//! (the best of 3 runs).

use std::time::{Duration, Instant};

fn best_of<T>(mut work: impl FnMut() -> T) -> Duration {
    (0..3)
        .map(|_| {
            let start = Instant::now();
            std::hint::black_box(work());
            start.elapsed()
        })
        .min()
        .unwrap_or_default()
}

fn lines(path: &std::path::Path) -> Vec<String> {
    std::fs::read_to_string(path)
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()))
        .lines()
        .map(str::to_string)
        .collect()
}

fn main() {
    let dir = std::path::PathBuf::from(
        std::env::args()
            .nth(1)
            .expect("usage: bindings_pure_rust <dir>"),
    );
    let names = lines(&dir.join("names.txt"));
    let emails = lines(&dir.join("emails.txt"));
    let report = |op: &str, mode: &str, n: usize, d: Duration| {
        println!("rust\t{op}\t{mode}\t{n}\t{:.6}", d.as_secs_f64());
    };
    let d = best_of(|| {
        names
            .iter()
            .map(|n| leadgen::core::normalize::normalize_company_name_in(n, None))
            .collect::<Vec<_>>()
    });
    report("normalize_company_name", "batched", names.len(), d);
    report("normalize_company_name", "one_by_one", names.len(), d);
    let d = best_of(|| leadgen::pipeline::validate_emails(&emails));
    report("validate_email", "batched", emails.len(), d);
    report("validate_email", "one_by_one", emails.len(), d);
}
