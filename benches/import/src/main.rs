//! Times leadgen's importer on the shared sample files and prints one JSON object:
//! parse + map of the 100k-row CSV, the same file imported end to end into a fresh
//! SQLite file, and the XLSX sample parsed. `run.sh` runs the Python anchors beside it.
//!
//! Usage: `bench-import DATA_DIR [REPEATS]`

use std::path::PathBuf;

use std::time::{Duration, Instant};

use leadgen_core::{TenantId, TenantStore};
use leadgen_stages::import::mapping::infer_mapping;
use leadgen_stages::import::{
    ImportOptions, build_drafts, import_file, parse_file, preview_file, read_table,
};

/// mimalloc instead of the system allocator: importing and deduplicating make many
/// small allocations, which glibc's malloc serves markedly slower.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn best(times: &[Duration]) -> f64 {
    times
        .iter()
        .map(Duration::as_secs_f64)
        .fold(f64::INFINITY, f64::min)
}

/// CPU seconds of this process so far (all threads), from `/proc/self/stat`; 0 where
/// that file is missing.
fn cpu_s() -> f64 {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    let fields: Vec<&str> = stat
        .rsplit_once(')')
        .map(|(_, rest)| rest.split_whitespace().collect())
        .unwrap_or_default();
    let ticks = |i: usize| {
        fields
            .get(i)
            .and_then(|f| f.parse::<f64>().ok())
            .unwrap_or(0.0)
    };
    // utime and stime, in clock ticks of 1/100 s.
    (ticks(11) + ticks(12)) / 100.0
}

/// A tenant of a fresh SQLite file in a temporary folder (deleted with the folder).
async fn fresh_tenant() -> (tempfile::TempDir, TenantStore) {
    let dir = tempfile::tempdir().expect("temp dir");
    let url = format!("sqlite://{}", dir.path().join("bench.db").display());
    let store = leadgen_store::open(&url).await.expect("open SQLite");
    let tenant = TenantStore::new(store, TenantId::new("bench").expect("tenant"));
    (dir, tenant)
}

/// The contact drafts of a file, as the store's share of the bench upserts them.
async fn parsed_contacts(
    path: &std::path::Path,
    opts: &ImportOptions,
) -> Vec<leadgen_core::Contact> {
    let parsed = parse_file(path, opts).await.expect("parse the 100k CSV");
    parsed
        .drafts()
        .into_iter()
        .filter_map(|d| d.contact)
        .collect()
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

    // `BENCH_ONLY=parse`, `xlsx` or `import`: only that loop (for profilers; `parse`
    // prints its best time to stderr, `import` each import's); `preview`: parse and
    // match into an empty store, each time on stderr; `reimport`: each second import of the file
    // into a store that has it, timed on stderr;
    // `read`: only `read_table`, printing its best time; `upsert`: only the contacts
    // upserts, each one's times on stderr (`BENCH_KEEP=path` keeps a copy of each
    // database written).
    match std::env::var("BENCH_ONLY").as_deref() {
        Ok("read") => {
            let (mut best, mut best_drop) = (f64::MAX, f64::MAX);
            for _ in 0..repeats {
                let t = Instant::now();
                let table = read_table(&csv, &opts).expect("read the 100k CSV");
                best = best.min(t.elapsed().as_secs_f64());
                let t = Instant::now();
                drop(table);
                best_drop = best_drop.min(t.elapsed().as_secs_f64());
            }
            println!(
                "read_table best of {repeats}: {:.1} ms (dropping the table: {:.2} ms)",
                best * 1000.0,
                best_drop * 1000.0
            );
            return;
        }
        Ok("parse") => {
            let (mut times, mut with_drafts) = (Vec::new(), Vec::new());
            for _ in 0..repeats {
                let t = Instant::now();
                let parsed = parse_file(&csv, &opts).await.expect("parse the 100k CSV");
                times.push(t.elapsed());
                let drafts = parsed.drafts();
                with_drafts.push(t.elapsed());
                drop((parsed, drafts));
            }
            eprintln!(
                "parse+map best of {repeats}: {:.1} ms; with the drafts built: {:.1} ms",
                best(&times) * 1000.0,
                best(&with_drafts) * 1000.0
            );
            return;
        }
        Ok("xlsx") => {
            for _ in 0..repeats {
                parse_file(&xlsx, &opts).await.expect("parse the XLSX");
            }
            return;
        }
        Ok("upsert") => {
            let contacts = parsed_contacts(&csv, &opts).await;
            for _ in 0..repeats {
                let (_dir, tenant) = fresh_tenant().await;
                let (t, cpu) = (Instant::now(), cpu_s());
                tenant.upsert_contacts(&contacts).await.expect("upsert");
                eprintln!(
                    "upsert {:.3} s wall, {:.2} s CPU",
                    t.elapsed().as_secs_f64(),
                    cpu_s() - cpu
                );
                tenant.store().close().await;
                if let Ok(keep) = std::env::var("BENCH_KEEP") {
                    drop(tenant);
                    std::fs::copy(_dir.path().join("bench.db"), keep).expect("keep");
                }
            }
            return;
        }
        Ok("reimport") => {
            // The second import of the same file: every row matches a stored contact.
            for _ in 0..repeats {
                let (_dir, tenant) = fresh_tenant().await;
                import_file(&tenant, &csv, &opts).await.expect("import");
                let t = Instant::now();
                let report = import_file(&tenant, &csv, &opts).await.expect("re-import");
                eprintln!(
                    "re-import {:.3} s: {} updated, {} duplicates, {} new",
                    t.elapsed().as_secs_f64(),
                    report.updated,
                    report.duplicates,
                    report.imported
                );
                tenant.store().close().await;
            }
            return;
        }
        Ok(mode @ ("import" | "preview")) => {
            for _ in 0..repeats {
                let (_dir, tenant) = fresh_tenant().await;
                let t = Instant::now();
                if mode == "import" {
                    import_file(&tenant, &csv, &opts).await.expect("import");
                } else {
                    preview_file(&tenant, &csv, &opts).await.expect("preview");
                }
                eprintln!("{mode} {:.3} s", t.elapsed().as_secs_f64());
                tenant.store().close().await;
            }
            return;
        }
        _ => {}
    }

    let mut parse_times = Vec::new();
    let mut rows = 0;
    for _ in 0..repeats {
        let t = Instant::now();
        let parsed = parse_file(&csv, &opts).await.expect("parse the 100k CSV");
        parse_times.push(t.elapsed());
        rows = parsed.draft_count();
    }

    // The same, and then every row's drafts built: the records an import writes.
    let mut parse_drafts_times = Vec::new();
    for _ in 0..repeats {
        let t = Instant::now();
        let parsed = parse_file(&csv, &opts).await.expect("parse the 100k CSV");
        let drafts = parsed.drafts();
        parse_drafts_times.push(t.elapsed());
        assert_eq!(drafts.len(), rows);
    }

    // Where the parse+map time goes (informative; not compared with an anchor).
    let (mut read_times, mut map_times, mut draft_times) = (Vec::new(), Vec::new(), Vec::new());
    for _ in 0..repeats {
        let t = Instant::now();
        let table = read_table(&csv, &opts).expect("read the 100k CSV");
        read_times.push(t.elapsed());
        let t = Instant::now();
        let mapping = infer_mapping(&table, None, None).expect("map");
        map_times.push(t.elapsed());
        let t = Instant::now();
        let drafts = build_drafts(&table, &mapping, "import:file");
        draft_times.push(t.elapsed());
        drop(drafts);
    }

    // The store's share of the end-to-end time: the drafts' records upserted into a
    // fresh SQLite file (no matching).
    let contacts = parsed_contacts(&csv, &opts).await;
    let mut store_times = Vec::new();
    for _ in 0..repeats.min(3) {
        let (_dir, tenant) = fresh_tenant().await;
        let t = Instant::now();
        tenant.upsert_contacts(&contacts).await.expect("upsert");
        store_times.push(t.elapsed());
        // Each run starts on a quiet store: the last one's checkpoint is done.
        tenant.store().close().await;
    }

    // Parse + map + exact-key matching against a fresh SQLite file, nothing written:
    // with the parse time above it splits the end-to-end time into parse, match and
    // write (informative).
    let mut preview_times = Vec::new();
    for _ in 0..repeats.min(3) {
        let (_dir, tenant) = fresh_tenant().await;
        let t = Instant::now();
        preview_file(&tenant, &csv, &opts).await.expect("preview");
        preview_times.push(t.elapsed());
        tenant.store().close().await;
    }

    let mut e2e_times = Vec::new();
    let mut e2e_closed_times = Vec::new();
    let mut imported = 0;
    for _ in 0..repeats.min(3) {
        let (_dir, tenant) = fresh_tenant().await;
        let t = Instant::now();
        let report = import_file(&tenant, &csv, &opts).await.expect("import");
        e2e_times.push(t.elapsed());
        // Closing waits for the checkpoint the import left to the background: the
        // time until the data is in the database file and the store is closed, as a
        // command-line run that exits after the import would wait.
        tenant.store().close().await;
        e2e_closed_times.push(t.elapsed());
        imported = report.imported + report.updated + report.duplicates;
    }

    let mut xlsx_times = Vec::new();
    let mut xlsx_drafts_times = Vec::new();
    let mut xlsx_rows = 0;
    for _ in 0..repeats * 4 {
        let t = Instant::now();
        let parsed = parse_file(&xlsx, &opts).await.expect("parse the XLSX");
        xlsx_times.push(t.elapsed());
        xlsx_rows = parsed.draft_count();
        let t = Instant::now();
        let parsed = parse_file(&xlsx, &opts).await.expect("parse the XLSX");
        let drafts = parsed.drafts();
        xlsx_drafts_times.push(t.elapsed());
        assert_eq!(drafts.len(), xlsx_rows);
    }

    let out = serde_json::json!({
        "csv_parse_map_s": best(&parse_times),
        "csv_rows": rows,
        "csv_parse_map_drafts_s": best(&parse_drafts_times),
        "csv_end_to_end_s": best(&e2e_times),
        "csv_end_to_end_rows": imported,
        "csv_end_to_end_rows_per_s": imported as f64 / best(&e2e_times),
        "csv_end_to_end_closed_s": best(&e2e_closed_times),
        "xlsx_parse_s": best(&xlsx_times),
        "xlsx_rows": xlsx_rows,
        "xlsx_parse_drafts_s": best(&xlsx_drafts_times),
        "phases": {
            "csv_read_table_s": best(&read_times),
            "csv_infer_mapping_s": best(&map_times),
            "csv_build_drafts_s": best(&draft_times),
            "sqlite_upsert_contacts_s": best(&store_times),
            "sqlite_upsert_contacts": contacts.len(),
            "csv_preview_into_sqlite_s": best(&preview_times),
        },
    });
    println!("{out}");
}
