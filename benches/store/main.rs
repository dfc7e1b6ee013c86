//! Store benchmark: bulk upsert of N contacts and N point reads on SQLite (file,
//! WAL) and PostgreSQL, through the public `Store` API.
//!
//! Run it through `benches/store/run.sh`, which builds in release, runs this and
//! the Python anchor (`anchor.py`) on the same rows, and prints one table.
//!
//! Arguments: `--rows N` (default 100000), `--out DIR` (where the rows for the
//! anchor and the results go; default a temp dir), `--pg-url URL` (default
//! `LEADGEN_TEST_DATABASE_URL` or `postgres://postgres@127.0.0.1:5432/test`),
//! `--sqlite-only` (skip PostgreSQL and the anchor's results file; for profiling).

use std::io::Write;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

use chrono::{TimeZone, Utc};
use leadgen_core::store::email_key;
use leadgen_core::{
    CompanyId, Contact, ContactId, Department, EmailStatus, Provenance, Seniority, Store, TenantId,
    TenantStore,
};
use leadgen_store::{PostgresOptions, PostgresStore, SqliteStore};

struct Args {
    rows: usize,
    out: PathBuf,
    pg_url: String,
    /// Skip PostgreSQL (for profiling the SQLite path alone).
    sqlite_only: bool,
}

fn parse_args() -> Result<Args, String> {
    let mut args = Args {
        rows: 100_000,
        out: std::env::temp_dir().join(format!("leadgen-bench-store-{}", std::process::id())),
        pg_url: std::env::var("LEADGEN_TEST_DATABASE_URL")
            .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/test".into()),
        sqlite_only: false,
    };
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        let mut value = || it.next().ok_or(format!("{flag} needs a value"));
        match flag.as_str() {
            "--rows" => args.rows = value()?.parse().map_err(|e| format!("--rows: {e}"))?,
            "--out" => args.out = PathBuf::from(value()?),
            "--pg-url" => args.pg_url = value()?,
            "--sqlite-only" => args.sqlite_only = true,
            // `cargo bench` passes `--bench`.
            "--bench" => {}
            other => return Err(format!("unknown argument {other}")),
        }
    }
    Ok(args)
}

/// A small deterministic generator, so every run loads the same kind of data.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[(self.next() % items.len() as u64) as usize]
    }
}

const FIRST: &[&str] = &[
    "Jana", "Olaf", "Emil", "Marie", "Tomáš", "Ingrid", "Aino", "Lucie",
];
const LAST: &[&str] = &[
    "Nováková",
    "Berg",
    "Virtanen",
    "Dubois",
    "Svoboda",
    "Hansen",
    "Tan",
];
const TITLES: &[&str] = &[
    "VP Sales",
    "Head of Marketing",
    "CTO",
    "Account Executive",
    "CFO",
];
const COUNTRIES: &[&str] = &["CZ", "NO", "FI", "FR", "SG", "DE"];
const COMPANIES: &[&str] = &[
    "Acme s.r.o.",
    "Fjord Fisk AS",
    "Öljy Oy",
    "Société Générale",
];

fn contacts(n: usize) -> Vec<Contact> {
    let mut rng = Rng(0x5eed_1ead_0000_0001);
    let companies: Vec<CompanyId> = (0..n / 20 + 1).map(|_| CompanyId::new()).collect();
    let observed = Utc.with_ymd_and_hms(2026, 11, 1, 12, 0, 0).unwrap();
    (0..n)
        .map(|i| {
            let mut c = Contact::new();
            let first = rng.pick(FIRST);
            let last = rng.pick(LAST);
            c.first_name = Some(first.into());
            c.last_name = Some(last.into());
            c.full_name = Some(format!("{first} {last}"));
            c.email = Some(format!(
                "{}.{}{i}@example.com",
                first.to_lowercase(),
                i % 997
            ));
            c.email_status = [EmailStatus::Unverified, EmailStatus::Valid][i % 2];
            c.title = Some(rng.pick(TITLES).into());
            c.seniority = Some(Seniority::Vp);
            c.department = Some(Department::Sales);
            c.linkedin_url = Some(format!("https://www.linkedin.com/in/person-{i}"));
            c.phone = Some(format!("+420{:09}", rng.next() % 1_000_000_000));
            c.country = Some(rng.pick(COUNTRIES).into());
            c.company_name = Some(rng.pick(COMPANIES).into());
            c.company_id = Some(companies[i % companies.len()]);
            c.source = Some("import:apollo".into());
            c.attributes.insert("Lead source", "Webinar".into());
            c.attributes.insert("Owner", "alice".into());
            c.set_provenance("email", Provenance::new("import:apollo", observed, 0.9));
            c.quality_score = Some(0.75);
            c
        })
        .collect()
}

/// The rows as the anchor inserts them: the same columns the store writes.
fn write_anchor_rows(path: &PathBuf, tenant: &str, contacts: &[Contact]) -> std::io::Result<()> {
    let mut out = std::io::BufWriter::new(std::fs::File::create(path)?);
    for c in contacts {
        let search = [
            &c.full_name,
            &c.first_name,
            &c.last_name,
            &c.email,
            &c.company_name,
        ]
        .into_iter()
        .flatten()
        .map(|s| format!("{}\n", s.to_lowercase()))
        .collect::<String>();
        let row = serde_json::json!([
            c.id.to_string(),
            tenant,
            c.company_id.map(|id| id.to_string()),
            c.email.as_deref().map(email_key),
            c.linkedin_url,
            c.country,
            c.display_name(),
            c.email_status.as_str(),
            search,
            c.updated_at.timestamp_micros(),
            c.updated_at.to_rfc3339(),
            serde_json::to_string(c).expect("a contact serializes"),
        ]);
        serde_json::to_writer(&mut out, &row)?;
        out.write_all(b"\n")?;
    }
    out.flush()
}

struct Timing {
    upsert: Duration,
    reads: Duration,
}

async fn run(store: Arc<dyn Store>, contacts: &[Contact], order: &[ContactId]) -> Timing {
    let t = TenantStore::new(store, TenantId::new("bench").expect("valid tenant"));
    let started = Instant::now();
    let report = t.upsert_contacts(contacts).await.expect("bulk upsert");
    let upsert = started.elapsed();
    assert_eq!(report.inserted as usize, contacts.len());
    let started = Instant::now();
    for id in order {
        let got = t.get_contact(*id).await.expect("point read");
        assert!(got.is_some());
    }
    let reads = started.elapsed();
    Timing { upsert, reads }
}

fn rate(rows: usize, d: Duration) -> f64 {
    rows as f64 / d.as_secs_f64()
}

#[tokio::main]
async fn main() {
    let args = match parse_args() {
        Ok(a) => a,
        Err(e) => {
            eprintln!("store bench: {e}");
            std::process::exit(2);
        }
    };
    std::fs::create_dir_all(&args.out).expect("create the output dir");
    let n = args.rows;
    let contacts = contacts(n);
    let mut order: Vec<ContactId> = contacts.iter().map(|c| c.id).collect();
    let mut rng = Rng(42);
    for i in (1..order.len()).rev() {
        order.swap(i, (rng.next() % (i as u64 + 1)) as usize);
    }
    write_anchor_rows(&args.out.join("rows.jsonl"), "bench", &contacts).expect("write rows");

    let db = args.out.join("rust-sqlite.db");
    for suffix in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{suffix}", db.display()));
    }
    let sqlite = Arc::new(SqliteStore::open(&db).await.expect("open SQLite"));
    let sqlite_t = run(sqlite.clone(), &contacts, &order).await;
    sqlite.close().await;
    if args.sqlite_only {
        println!(
            "leadgen  sqlite   upsert {:>10.0} rows/s   reads {:>10.0} rows/s",
            rate(n, sqlite_t.upsert),
            rate(n, sqlite_t.reads)
        );
        return;
    }

    let schema = format!("leadgen_bench_rust_{}", std::process::id());
    let pg = PostgresStore::connect_with(PostgresOptions {
        url: args.pg_url.clone(),
        max_connections: 4,
        schema: Some(schema.clone()),
    })
    .await
    .unwrap_or_else(|e| panic!("PostgreSQL: {e}"));
    let pg_t = run(Arc::new(pg.clone()), &contacts, &order).await;
    let drop = format!("DROP SCHEMA \"{schema}\" CASCADE");
    sqlx::raw_sql(sqlx::AssertSqlSafe(drop))
        .execute(pg.pool())
        .await
        .expect("drop the bench schema");
    pg.close().await;

    let results = serde_json::json!({
        "rows": n,
        "sqlite": {"upsert_s": sqlite_t.upsert.as_secs_f64(), "reads_s": sqlite_t.reads.as_secs_f64()},
        "postgres": {"upsert_s": pg_t.upsert.as_secs_f64(), "reads_s": pg_t.reads.as_secs_f64()},
    });
    std::fs::write(args.out.join("rust-results.json"), results.to_string()).expect("write results");
    println!(
        "leadgen  sqlite   upsert {:>10.0} rows/s   reads {:>10.0} rows/s",
        rate(n, sqlite_t.upsert),
        rate(n, sqlite_t.reads)
    );
    println!(
        "leadgen  postgres upsert {:>10.0} rows/s   reads {:>10.0} rows/s",
        rate(n, pg_t.upsert),
        rate(n, pg_t.reads)
    );
}
