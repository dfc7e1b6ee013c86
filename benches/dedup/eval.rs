//! Ground-truth loaders for the dedup accuracy test and benchmark: the shared sample
//! files (header names mapped to the contacts config's fields), the 100k-contact file,
//! and the companies list, each with its truth entity ids.
//!
//! Not the real importer (another engineer's): just enough of one to read these files
//! with the `csv` crate directly. Skipped: `team_contacts_cp1250.csv` (Windows-1250)
//! and `team_workbook.xlsx`, which need the importer's decoders.

#![allow(dead_code)]

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use leadgen_core::dedup::Record;

/// The shared data folder (`LEADGEN_SHARED_DIR` or `../shared` beside the clone).
pub fn shared_dir() -> PathBuf {
    std::env::var_os("LEADGEN_SHARED_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../../shared")))
}

/// The contacts-config field a CSV header maps to.
pub fn header_field(header: &str) -> Option<&'static str> {
    let h = header.trim().trim_start_matches('\u{feff}').to_lowercase();
    Some(match h.as_str() {
        "first name" | "firstname" | "jméno" | "given name" => "first_name",
        "last name" | "lastname" | "příjmení" | "family name" | "surname" => "last_name",
        "full name" | "fullname" | "kontakt" | "name" => "full_name",
        "email" | "email address" | "e-mail" | "e-mail 1 - value" | "mail" => "email",
        "phone"
        | "phone number"
        | "tel."
        | "phone 1 - value"
        | "mobile phone"
        | "mobile phone number"
        | "mobil"
        | "first phone"
        | "work direct phone" => "phone",
        "url"
        | "linkedin"
        | "linkedin url"
        | "person linkedin url"
        | "linkedinprofileurl"
        | "linkedin profil"
        | "linked in" => "linkedin_url",
        "company" | "companyname" | "company name" | "organization name" | "firma"
        | "company/org" => "company",
        "position" | "title" | "job title" | "job" | "organization title" | "pozice" => "title",
        "city" | "město" | "location" => "city",
        "website" | "website url" | "website 1 - value" => "website",
        "created at" | "create date" | "connected on" | "added" => "created",
        _ => return None,
    })
}

/// Line number (1-based) of every byte offset's line, via the newline positions.
struct Lines(Vec<usize>);

impl Lines {
    fn new(bytes: &[u8]) -> Self {
        Lines(
            bytes
                .iter()
                .enumerate()
                .filter(|(_, b)| **b == b'\n')
                .map(|(i, _)| i)
                .collect(),
        )
    }
    /// The line of the record starting at `offset`; the csv crate may report a CRLF
    /// record's start on the `\n` that ends the previous line, so line breaks at the
    /// offset are skipped first.
    fn line_of(&self, bytes: &[u8], mut offset: usize) -> usize {
        while offset < bytes.len() && matches!(bytes[offset], b'\r' | b'\n') {
            offset += 1;
        }
        self.0.partition_point(|&nl| nl < offset) + 1
    }
}

/// Reads one contacts CSV into records with ids `file:line`.
pub fn read_contacts_csv(path: &Path) -> Vec<(usize, Record)> {
    let bytes = std::fs::read(path).expect("read csv");
    let name = path.file_name().unwrap().to_string_lossy().to_string();
    let lines = Lines::new(&bytes);
    // The header is the first line that maps at least two fields (LinkedIn has a preamble).
    let mut header_start = 0;
    let mut delimiter = b',';
    let mut offset = 0;
    for raw in bytes.split(|b| *b == b'\n') {
        let line = String::from_utf8_lossy(raw);
        let delim = if line.matches(';').count() > line.matches(',').count() {
            b';'
        } else {
            b','
        };
        let mapped = line
            .split(delim as char)
            .filter(|h| header_field(h.trim_matches('"')).is_some())
            .count();
        if mapped >= 2 {
            header_start = offset;
            delimiter = delim;
            break;
        }
        offset += raw.len() + 1;
    }
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .flexible(true)
        .from_reader(&bytes[header_start..]);
    let headers: Vec<Option<Arc<str>>> = reader
        .headers()
        .expect("headers")
        .iter()
        .map(|h| header_field(h).map(Arc::from))
        .collect();
    let mut out = Vec::new();
    let mut record = csv::StringRecord::new();
    loop {
        match reader.read_record(&mut record) {
            Ok(true) => {}
            Ok(false) => break,
            Err(_) => continue,
        }
        let line = lines.line_of(
            &bytes,
            header_start + record.position().map_or(0, |p| p.byte() as usize),
        );
        let mut r = Record::new(format!("{name}:{line}"));
        r.source = Some(name.clone());
        for (i, value) in record.iter().enumerate() {
            let Some(Some(field)) = headers.get(i) else {
                continue;
            };
            let value = value.split(" ::: ").next().unwrap_or("").trim();
            if value.is_empty() || r.get(field).is_some() {
                continue;
            }
            if &**field == "created" {
                if let Ok(t) = chrono::NaiveDateTime::parse_from_str(value, "%Y-%m-%d %H:%M:%S") {
                    r.created_at = Some(t.and_utc());
                }
                continue;
            }
            r.set(field.clone(), value.to_string());
        }
        out.push((line, r));
    }
    out
}

/// Truth entity ids by (file, row_number) from a truth CSV.
pub fn read_truth(path: &Path) -> HashMap<(String, usize), String> {
    let mut reader = csv::Reader::from_path(path).expect("truth");
    let headers = reader.headers().unwrap().clone();
    let col = |n: &str| headers.iter().position(|h| h == n).unwrap();
    let (file, row, entity) = (col("file"), col("row_number"), col("entity_id"));
    reader
        .records()
        .filter_map(Result::ok)
        .filter_map(|r| {
            Some((
                (r[file].to_string(), r[row].parse().ok()?),
                r[entity].to_string(),
            ))
        })
        .collect()
}

/// Records of `files` that the truth knows, with their entity ids.
fn with_truth(
    files: &[&str],
    truth: &HashMap<(String, usize), String>,
) -> (Vec<Record>, Vec<String>) {
    let dir = shared_dir().join("data");
    let (mut records, mut ids) = (Vec::new(), Vec::new());
    for f in files {
        for (line, r) in read_contacts_csv(&dir.join(f)) {
            if let Some(id) = truth.get(&(f.to_string(), line)) {
                records.push(r);
                ids.push(id.clone());
            }
        }
    }
    (records, ids)
}

/// The contact sample files readable as UTF-8 CSV.
pub const SAMPLE_CONTACT_FILES: &[&str] = &[
    "linkedin_connections.csv",
    "salesnav_leads_phantombuster.csv",
    "apollo_people_export.csv",
    "hubspot_contacts_export.csv",
    "google_contacts.csv",
    "team_contacts.csv",
    "team_contacts_semicolon.csv",
    "team_contacts_bom_crlf.csv",
];

/// The sample contact rows with truth.
pub fn sample_contacts() -> (Vec<Record>, Vec<String>) {
    let truth = read_truth(&shared_dir().join("data/truth_contacts.csv"));
    with_truth(SAMPLE_CONTACT_FILES, &truth)
}

/// The 100k-contact file with truth.
pub fn large_contacts() -> (Vec<Record>, Vec<String>) {
    let truth = read_truth(&shared_dir().join("data/truth_large_contacts.csv"));
    with_truth(&["contacts_large_100k.csv"], &truth)
}

/// companies.csv with truth (the workbook's Firmy sheet needs the xlsx importer).
pub fn companies() -> (Vec<Record>, Vec<String>) {
    let dir = shared_dir().join("data");
    let truth = read_truth(&dir.join("truth_companies.csv"));
    let bytes = std::fs::read(dir.join("companies.csv")).expect("companies");
    let lines = Lines::new(&bytes);
    let mut reader = csv::ReaderBuilder::new()
        .flexible(true)
        .from_reader(&bytes[..]);
    let headers: Vec<Arc<str>> = reader
        .headers()
        .unwrap()
        .iter()
        .map(|h| {
            Arc::from(match h {
                "Company" => "name",
                "Domain" => "domain",
                "Website" => "website",
                "Country" => "country",
                "Registry ID" => "registry_id",
                "VAT ID" => "vat_id",
                "City" => "city",
                "LinkedIn" => "linkedin_url",
                other => other,
            })
        })
        .collect();
    let (mut records, mut ids) = (Vec::new(), Vec::new());
    for rec in reader.records().filter_map(Result::ok) {
        let line = lines.line_of(&bytes, rec.position().map_or(0, |p| p.byte() as usize));
        let Some(id) = truth.get(&("companies.csv".to_string(), line)) else {
            continue;
        };
        let mut r = Record::new(format!("companies.csv:{line}"));
        for (i, v) in rec.iter().enumerate() {
            if let Some(h) = headers.get(i) {
                r.set(h.clone(), v.trim().to_string());
            }
        }
        // A VAT id carries the registry id when the registry column is empty.
        if r.get("registry_id").is_none()
            && let Some(vat) = r.get("vat_id").map(str::to_string)
        {
            r.set(Arc::from("registry_id"), vat);
        }
        records.push(r);
        ids.push(id.clone());
    }
    (records, ids)
}
