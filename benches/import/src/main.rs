//! Times leadgen's importer on the shared sample files and prints one JSON object:
//! parse + map of the 100k-row CSV, the same file imported end to end into a fresh
//! SQLite file, and the XLSX sample parsed. `run.sh` runs the Python anchors beside it.
//!
//! Usage: `bench-import DATA_DIR [REPEATS]`

use std::path::PathBuf;
use std::time::{Duration, Instant};

use leadgen_core::{TenantId, TenantStore};
use leadgen_stages::import::{ImportOptions, import_file, parse_file};

fn best(times: &[Duration]) -> f64 {
    times
        .iter()
        .map(Duration::as_secs_f64)
        .fold(f64::INFINITY, f64::min)
}

#[tokio::main]
async fn main() {
    let mut args = std::env::args().skip(1);
    let Some(data) = args.next().map(PathBuf::from) else {
        eprintln!("usage: bench-import DATA_DIR [REPEATS]");
        std::process::exit(2);
    };
    let repeats: usize = args.next().and_then(|r| r.parse().ok()).unwrap_or(5);
    let csv = data.join("contacts_large_100k.csv");
    let xlsx = data.join("team_workbook.xlsx");
    let opts = ImportOptions::default();

    let mut parse_times = Vec::new();
    let mut rows = 0;
    for _ in 0..repeats {
        let t = Instant::now();
        let parsed = parse_file(&csv, &opts).await.expect("parse the 100k CSV");
        parse_times.push(t.elapsed());
        rows = parsed.drafts.len();
    }

    let mut e2e_times = Vec::new();
    let mut imported = 0;
    for _ in 0..repeats.min(3) {
        let dir = tempfile::tempdir().expect("temp dir");
        let url = format!("sqlite://{}", dir.path().join("bench.db").display());
        let store = leadgen_store::open(&url).await.expect("open SQLite");
        let tenant = TenantStore::new(store, TenantId::new("bench").expect("tenant"));
        let t = Instant::now();
        let report = import_file(&tenant, &csv, &opts).await.expect("import");
        e2e_times.push(t.elapsed());
        imported = report.imported + report.updated + report.duplicates;
    }

    let mut xlsx_times = Vec::new();
    let mut xlsx_rows = 0;
    for _ in 0..repeats * 4 {
        let t = Instant::now();
        let parsed = parse_file(&xlsx, &opts).await.expect("parse the XLSX");
        xlsx_times.push(t.elapsed());
        xlsx_rows = parsed.drafts.len();
    }

    let out = serde_json::json!({
        "csv_parse_map_s": best(&parse_times),
        "csv_rows": rows,
        "csv_end_to_end_s": best(&e2e_times),
        "csv_end_to_end_rows": imported,
        "csv_end_to_end_rows_per_s": imported as f64 / best(&e2e_times),
        "xlsx_parse_s": best(&xlsx_times),
        "xlsx_rows": xlsx_rows,
    });
    println!("{out}");
}
