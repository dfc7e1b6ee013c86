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
