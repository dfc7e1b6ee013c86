//! Reading the shared sample data in tests.

use std::collections::HashMap;
use std::path::PathBuf;

/// The shared sample-data folder: `$LEADGEN_SHARED_DIR/data`, else `shared/data`
/// beside the clone.
pub(crate) fn shared_data(file: &str) -> PathBuf {
    let base = std::env::var("LEADGEN_SHARED_DIR")
        .unwrap_or_else(|_| concat!(env!("CARGO_MANIFEST_DIR"), "/../../shared").to_string());
    PathBuf::from(base).join("data").join(file)
}

/// All records of a shared CSV file as header → value maps.
pub(crate) fn read_csv(file: &str) -> Vec<HashMap<String, String>> {
    let path = shared_data(file);
    let mut reader = csv::ReaderBuilder::new()
        .flexible(true)
        .from_path(&path)
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let headers = reader.headers().unwrap().clone();
    reader
        .records()
        .map(|r| {
            let r = r.unwrap();
            headers
                .iter()
                .zip(r.iter())
                .map(|(h, v)| (h.to_string(), v.to_string()))
                .collect()
        })
        .collect()
}

/// The records of a shared CSV file with their 1-based physical line numbers (as
/// the truth files count them), skipping records that do not parse.
pub(crate) fn read_csv_lines(file: &str, delimiter: u8) -> Vec<(usize, HashMap<String, String>)> {
    let path = shared_data(file);
    let bytes = std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let mut reader = csv::ReaderBuilder::new()
        .flexible(true)
        .delimiter(delimiter)
        .from_reader(bytes.as_slice());
    let headers = reader.headers().unwrap().clone();
    let mut out = Vec::new();
    let mut record = csv::StringRecord::new();
    while let Ok(true) = reader.read_record(&mut record) {
        let Some(pos) = record.position() else {
            continue;
        };
        // The position may point at the line break ending the previous record (CRLF,
        // blank lines): skip to the record's first byte.
        let mut offset = pos.byte() as usize;
        while matches!(bytes.get(offset), Some(b'\r' | b'\n')) {
            offset += 1;
        }
        let line = bytes[..offset].iter().filter(|&&b| b == b'\n').count() + 1;
        let map = headers
            .iter()
            .zip(record.iter())
            .map(|(h, v)| (h.trim().to_string(), v.to_string()))
            .collect();
        out.push((line, map));
    }
    out
}
