//! JSON Lines into a [`Table`]: one object per line; nested `attributes` objects
//! become `attributes.<key>` columns (the shape leadgen's own export writes).

use std::collections::HashMap;
use std::path::Path;

use super::decode::read_text_file;
use super::error::{ImportError, RowError, RowErrorKind};
use super::table::{ReadLimits, Rows, SourceFormat, Table};

/// Whether a file name looks like JSON Lines.
pub fn is_jsonl_path(path: &Path) -> bool {
    path.extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| matches!(e.to_ascii_lowercase().as_str(), "jsonl" | "ndjson"))
}

fn scalar(v: &serde_json::Value) -> String {
    match v {
        serde_json::Value::Null => String::new(),
        serde_json::Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// Reads a JSON Lines file.
pub fn read_jsonl(path: &Path, limits: &ReadLimits) -> Result<Table, ImportError> {
    let file = path.display().to_string();
    let decoded = read_text_file(path, limits)?;
    let mut headers: Vec<String> = Vec::new();
    let mut index: HashMap<String, usize> = HashMap::new();
    let mut raw_rows: Vec<(u64, Vec<(usize, String)>)> = Vec::new();
    let mut errors = Vec::new();
    let mut column = |key: String, headers: &mut Vec<String>| -> usize {
        *index.entry(key.clone()).or_insert_with(|| {
            headers.push(key);
            headers.len() - 1
        })
    };
    for (i, line) in decoded.text.lines().enumerate() {
        let line_no = i as u64 + 1;
        if line.trim().is_empty() {
            continue;
        }
        let object = match serde_json::from_str::<serde_json::Value>(line) {
            Ok(serde_json::Value::Object(o)) => o,
            Ok(_) => {
                errors.push(RowError {
                    file: file.clone(),
                    line: line_no,
                    column: None,
                    kind: RowErrorKind::InvalidJson,
                    reason: "not a JSON object".into(),
                });
                continue;
            }
            Err(e) => {
                errors.push(RowError {
                    file: file.clone(),
                    line: line_no,
                    column: None,
                    kind: RowErrorKind::InvalidJson,
                    reason: e.to_string(),
                });
                continue;
            }
        };
        let mut cells = Vec::new();
        for (k, v) in object {
            match (k.as_str(), v) {
                ("attributes", serde_json::Value::Object(attrs)) => {
                    for (ak, av) in attrs {
                        let c = column(format!("attributes.{ak}"), &mut headers);
                        cells.push((c, scalar(&av)));
                    }
                }
                (_, v) => {
                    let c = column(k, &mut headers);
                    cells.push((c, scalar(&v)));
                }
            }
        }
        raw_rows.push((line_no, cells));
    }
    if headers.is_empty() && errors.is_empty() {
        return Err(ImportError::NoHeader {
            file,
            reason: "no JSON object in the file".into(),
        });
    }
    let width = headers.len();
    let mut rows = Rows::new();
    let mut full = Vec::with_capacity(width);
    let mut too_large = false;
    for (line, cells) in raw_rows {
        full.clear();
        full.resize(width, String::new());
        for (c, v) in cells {
            full[c] = v;
        }
        if let Err(e) = rows.push_row(line, &full) {
            too_large = true;
            errors.push(RowError {
                file: file.clone(),
                line,
                column: None,
                kind: RowErrorKind::FieldTooLong,
                reason: e.to_string(),
            });
        }
    }
    if too_large {
        errors.sort_by_key(|e| e.line);
    }
    Ok(Table {
        file,
        format: SourceFormat::Jsonl,
        headers,
        rows,
        errors,
    })
}
