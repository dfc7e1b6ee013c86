//! The three writers. Each takes a header and rows of text cells.

use std::io::Write;
use std::path::Path;

use rust_xlsxwriter::{Format, Workbook, XlsxError};

use super::ExportFormat;
use super::error::ExportError;

/// Widest column, in Excel character units.
const MAX_WIDTH: f64 = 60.0;
/// Excel's limit on a cell's text.
const MAX_CELL_CHARS: usize = 32_767;

pub(crate) fn write(
    path: &Path,
    format: ExportFormat,
    sheet: &str,
    columns: &[String],
    rows: impl Iterator<Item = Vec<String>>,
    row_count: usize,
) -> Result<(), ExportError> {
    match format {
        ExportFormat::Csv => write_csv(path, columns, rows),
        ExportFormat::Jsonl => write_jsonl(path, columns, rows),
        ExportFormat::Xlsx => write_xlsx(path, sheet, columns, rows.collect(), row_count),
    }
}

fn io_err(path: &Path) -> impl Fn(std::io::Error) -> ExportError + '_ {
    move |source| ExportError::Io {
        path: path.display().to_string(),
        source,
    }
}

fn write_csv(
    path: &Path,
    columns: &[String],
    rows: impl Iterator<Item = Vec<String>>,
) -> Result<(), ExportError> {
    let file = std::fs::File::create(path).map_err(io_err(path))?;
    let mut w = csv::WriterBuilder::new().from_writer(std::io::BufWriter::new(file));
    let csv_err = |e: csv::Error| ExportError::Io {
        path: path.display().to_string(),
        source: std::io::Error::other(e.to_string()),
    };
    w.write_record(columns).map_err(csv_err)?;
    for row in rows {
        w.write_record(&row).map_err(csv_err)?;
    }
    w.flush().map_err(io_err(path))
}

fn write_jsonl(
    path: &Path,
    columns: &[String],
    rows: impl Iterator<Item = Vec<String>>,
) -> Result<(), ExportError> {
    let file = std::fs::File::create(path).map_err(io_err(path))?;
    let mut w = std::io::BufWriter::new(file);
    for row in rows {
        let mut object = serde_json::Map::new();
        for (col, value) in columns.iter().zip(row) {
            if value.is_empty() {
                continue;
            }
            // `attributes.x` and `registry_ids.x` nest, as the JSON of the records does.
            match col.split_once('.') {
                Some((group @ ("attributes" | "registry_ids"), key)) => {
                    let entry = object
                        .entry(group.to_string())
                        .or_insert_with(|| serde_json::Value::Object(Default::default()));
                    if let serde_json::Value::Object(m) = entry {
                        m.insert(key.to_string(), serde_json::Value::String(value));
                    }
                }
                _ => {
                    object.insert(col.clone(), serde_json::Value::String(value));
                }
            }
        }
        serde_json::to_writer(&mut w, &object).map_err(|e| io_err(path)(e.into()))?;
        w.write_all(b"\n").map_err(io_err(path))?;
    }
    w.flush().map_err(io_err(path))
}

fn write_xlsx(
    path: &Path,
    sheet: &str,
    columns: &[String],
    rows: Vec<Vec<String>>,
    row_count: usize,
) -> Result<(), ExportError> {
    let xerr = |e: XlsxError| ExportError::Xlsx {
        path: path.display().to_string(),
        reason: e.to_string(),
    };
    // Widths from the header and the first rows: long enough to read, capped.
    let mut widths: Vec<usize> = columns.iter().map(|c| c.chars().count() + 2).collect();
    for row in rows.iter().take(1000) {
        for (i, v) in row.iter().enumerate() {
            widths[i] = widths[i].max(v.chars().count().min(MAX_WIDTH as usize) + 1);
        }
    }
    let mut workbook = Workbook::new();
    let ws = workbook.add_worksheet();
    ws.set_name(sheet).map_err(xerr)?;
    let bold = Format::new().set_bold();
    for (i, w) in widths.iter().enumerate() {
        ws.set_column_width(i as u16, (*w as f64).min(MAX_WIDTH))
            .map_err(xerr)?;
    }
    for (i, c) in columns.iter().enumerate() {
        ws.write_string_with_format(0, i as u16, c, &bold)
            .map_err(xerr)?;
    }
    for (r, row) in rows.iter().enumerate() {
        for (i, v) in row.iter().enumerate() {
            if v.is_empty() {
                continue;
            }
            let text: String = if v.chars().count() > MAX_CELL_CHARS {
                v.chars().take(MAX_CELL_CHARS).collect()
            } else {
                v.clone()
            };
            ws.write_string(r as u32 + 1, i as u16, text)
                .map_err(xerr)?;
        }
    }
    ws.set_freeze_panes(1, 0).map_err(xerr)?;
    if !columns.is_empty() {
        ws.autofilter(0, 0, row_count as u32, columns.len() as u16 - 1)
            .map_err(xerr)?;
    }
    workbook.save(path).map_err(xerr)
}
