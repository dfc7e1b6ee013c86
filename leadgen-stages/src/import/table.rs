//! The parsed form every reader produces: a header and well-formed rows, with the
//! malformed rows already turned into [`RowError`]s.

use serde::{Deserialize, Serialize};

use super::error::RowError;
pub use super::rows::{Row, RowTooLarge, Rows};

/// Limits that keep a runaway file from exhausting memory.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReadLimits {
    /// Largest file accepted, in bytes.
    pub max_file_bytes: u64,
    /// Longest physical line accepted, in bytes. A longer line stops the import
    /// before anything is parsed (a 2 GB line is not a contact list).
    pub max_line_bytes: usize,
    /// Longest single field accepted, in bytes; a longer field makes its row an error.
    pub max_field_bytes: usize,
}

impl Default for ReadLimits {
    fn default() -> Self {
        ReadLimits {
            max_file_bytes: 4 * 1024 * 1024 * 1024,
            max_line_bytes: 16 * 1024 * 1024,
            max_field_bytes: leadgen_core::store::MAX_FIELD_BYTES,
        }
    }
}

/// What kind of file a table came from, and how it was read.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "format", rename_all = "snake_case")]
#[non_exhaustive]
pub enum SourceFormat {
    /// Delimited text.
    Csv {
        /// The detected (or given) encoding (`UTF-8`, `windows-1250`, …).
        encoding: String,
        /// Whether the file started with a byte-order mark.
        bom: bool,
        /// The delimiter.
        delimiter: char,
        /// 1-based line of the header.
        header_line: u64,
    },
    /// A workbook sheet (XLSX, XLS, ODS).
    Spreadsheet {
        /// The sheet read.
        sheet: String,
        /// 1-based worksheet row of the header.
        header_row: u64,
    },
    /// JSON Lines.
    Jsonl,
}

/// A file read into rows.
#[derive(Debug, Clone, PartialEq)]
pub struct Table {
    /// The file, as shown in messages.
    pub file: String,
    /// How it was read.
    pub format: SourceFormat,
    /// Column names (trimmed; an unnamed column is named by its position).
    pub headers: Vec<String>,
    /// Well-formed data rows, in file order.
    pub rows: Rows,
    /// Malformed rows, reported and kept out.
    pub errors: Vec<RowError>,
}

impl Table {
    /// Data records read: well-formed plus malformed (blank and all-empty records
    /// are not counted).
    pub fn records_read(&self) -> usize {
        self.rows.len() + self.errors.len()
    }

    /// The first line (or row) of the header.
    pub fn header_line(&self) -> u64 {
        match &self.format {
            SourceFormat::Csv { header_line, .. } => *header_line,
            SourceFormat::Spreadsheet { header_row, .. } => *header_row,
            SourceFormat::Jsonl => 0,
        }
    }
}

/// The name given to a column without a header: its spreadsheet letter (`G`).
pub(crate) fn column_letter(index: usize) -> String {
    let mut n = index + 1;
    let mut out = Vec::new();
    while n > 0 {
        let rem = (n - 1) % 26;
        out.push(b'A' + rem as u8);
        n = (n - 1) / 26;
    }
    out.reverse();
    String::from_utf8(out).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::column_letter;

    #[test]
    fn column_letters() {
        assert_eq!(column_letter(0), "A");
        assert_eq!(column_letter(6), "G");
        assert_eq!(column_letter(25), "Z");
        assert_eq!(column_letter(26), "AA");
        assert_eq!(column_letter(27), "AB");
    }
}
