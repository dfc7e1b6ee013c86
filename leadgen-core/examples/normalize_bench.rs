//! Throughput of the normalizers on the shared sample data (a benchmark, not a
//! test). Run through `benches/normalize/run.sh`, which also runs the Python
//! anchors (cleanco, nameparser, phonenumbers) on the same inputs.
//!
//! Usage: `normalize_bench <shared data dir> <inputs out dir>`: writes the inputs it
//! used as TSV files (one per normalizer) for the anchors, then prints one line per
//! normalizer: `name inputs calls ns_per_call`.

use std::collections::HashMap;
use std::fs;
use std::hint::black_box;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use leadgen_core::normalize::{
    canonical_linkedin_url, country_code, normalize_company_name, normalize_job_title,
    normalize_phone, parse_location, parse_person_name, registrable_domain,
};

/// Reads one CSV file as rows of header → value; tolerant of bad rows.
fn rows(path: &Path, delimiter: u8) -> Vec<HashMap<String, String>> {
    let Ok(text) = fs::read(path) else {
        eprintln!("cannot read {}", path.display());
        std::process::exit(2);
    };
    let mut reader = csv::ReaderBuilder::new()
        .flexible(true)
        .delimiter(delimiter)
        .from_reader(text.as_slice());
    let headers = reader.headers().cloned().unwrap_or_default();
    reader
        .records()
        .filter_map(|r| r.ok())
        .map(|r| {
            headers
                .iter()
                .map(str::trim)
                .map(String::from)
                .zip(r.iter().map(String::from))
                .collect()
        })
        .collect()
}

/// Calls `f` on every input, repeatedly, for about a second; nanoseconds per call.
fn time<T>(inputs: &[T], mut f: impl FnMut(&T)) -> (usize, f64) {
    let budget = Duration::from_millis(1000);
    // Warm-up: loads the tables.
    inputs.iter().for_each(&mut f);
    let start = Instant::now();
    let mut calls = 0;
    while start.elapsed() < budget {
        for input in inputs {
            f(input);
        }
        calls += inputs.len();
    }
    (calls, start.elapsed().as_nanos() as f64 / calls as f64)
}

fn write(dir: &Path, name: &str, lines: impl Iterator<Item = String>) {
    let body: Vec<String> = lines.map(|l| l.replace(['\n', '\r'], " ")).collect();
    if let Err(e) = fs::write(dir.join(name), body.join("\n") + "\n") {
        eprintln!("cannot write {name}: {e}");
        std::process::exit(2);
    }
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let (Some(data), Some(out)) = (
        args.get(1).map(PathBuf::from),
        args.get(2).map(PathBuf::from),
    ) else {
        eprintln!("usage: normalize_bench <shared data dir> <inputs out dir>");
        std::process::exit(2);
    };
    let _ = fs::create_dir_all(&out);

    let companies = rows(&data.join("companies.csv"), b',');
    let company_names: Vec<String> = companies.iter().map(|r| r["Company"].clone()).collect();
    let websites: Vec<String> = companies.iter().map(|r| r["Website"].clone()).collect();
    let countries: Vec<String> = companies.iter().map(|r| r["Country"].clone()).collect();
    let cities: Vec<String> = companies.iter().map(|r| r["City"].clone()).collect();

    let team = rows(&data.join("team_contacts_semicolon.csv"), b';');
    let salesnav = rows(&data.join("salesnav_leads_phantombuster.csv"), b',');
    let mut names: Vec<String> = team.iter().map(|r| r["Kontakt"].clone()).collect();
    names.extend(salesnav.iter().map(|r| r["fullName"].clone()));
    names.retain(|n| !n.trim().is_empty());

    let apollo = rows(&data.join("apollo_people_export.csv"), b',');
    let titles: Vec<String> = apollo.iter().map(|r| r["Title"].clone()).collect();
    let linkedin: Vec<String> = apollo
        .iter()
        .map(|r| r["Person Linkedin Url"].clone())
        .collect();

    let hubspot = rows(&data.join("hubspot_contacts_export.csv"), b',');
    let phones: Vec<(String, String)> = hubspot
        .iter()
        .filter(|r| !r["Phone Number"].trim().is_empty())
        .map(|r| {
            let region = country_code(&r["Country/Region"])
                .unwrap_or("US")
                .to_string();
            (r["Phone Number"].clone(), region)
        })
        .collect();

    let field = |s: &String| s.replace('\t', " ");
    write(&out, "company_names.tsv", company_names.iter().map(field));
    write(&out, "person_names.tsv", names.iter().map(field));
    write(
        &out,
        "phones.tsv",
        phones.iter().map(|(p, r)| format!("{}\t{r}", field(p))),
    );

    let report = |name: &str, n: usize, (calls, ns): (usize, f64)| {
        println!("{name}\t{n}\t{calls}\t{ns:.0}");
    };
    report(
        "company_name",
        company_names.len(),
        time(&company_names, |s| {
            black_box(normalize_company_name(s));
        }),
    );
    report(
        "person_name",
        names.len(),
        time(&names, |s| {
            black_box(parse_person_name(s));
        }),
    );
    report(
        "phone",
        phones.len(),
        time(&phones, |(p, r)| {
            black_box(normalize_phone(p, Some(r)));
        }),
    );
    report(
        "job_title",
        titles.len(),
        time(&titles, |s| {
            black_box(normalize_job_title(s));
        }),
    );
    report(
        "linkedin_url",
        linkedin.len(),
        time(&linkedin, |s| {
            black_box(canonical_linkedin_url(s));
        }),
    );
    report(
        "registrable_domain",
        websites.len(),
        time(&websites, |s| {
            black_box(registrable_domain(s));
        }),
    );
    report(
        "country_code",
        countries.len(),
        time(&countries, |s| {
            black_box(country_code(s));
        }),
    );
    report(
        "location",
        cities.len(),
        time(&cities, |s| {
            black_box(parse_location(s));
        }),
    );
}
