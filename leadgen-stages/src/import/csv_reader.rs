//! Delimited text into a [`Table`]: quoted fields with delimiters and newlines, blank
//! lines and all-empty records skipped, ragged rows reported with their physical line.
//!
//! Line numbers come from each record's byte offset, counting `\n` in the text: the
//! `csv` crate's own `Position::line()` numbers a record after a blank line by the blank
//! line and under-counts CRLF files (BurntSushi/rust-csv #208, #395).

use std::path::Path;

use csv::StringRecord;

use super::decode::{Decoded, read_text_file};
use super::error::{ImportError, RowError, RowErrorKind};
use super::sniff::sniff;
use super::table::{ReadLimits, SourceFormat, Table, TableRow, column_letter};

/// Options for reading delimited text.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CsvOptions {
    /// Use this delimiter instead of sniffing one.
    pub delimiter: Option<u8>,
    /// Size limits.
    pub limits: ReadLimits,
}

/// Reads a delimited text file.
pub fn read_csv_file(path: &Path, options: &CsvOptions) -> Result<Table, ImportError> {
    let decoded = read_text_file(path, &options.limits)?;
    read_csv_text(&path.display().to_string(), &decoded, options)
}

/// Counts newlines between byte offsets, moving forward only.
struct LineCounter<'a> {
    bytes: &'a [u8],
    pos: usize,
    line: u64,
}

impl LineCounter<'_> {
    fn line_at(&mut self, offset: usize) -> u64 {
        let offset = offset.min(self.bytes.len());
        if offset > self.pos {
            self.line += memchr::memchr_iter(b'\n', &self.bytes[self.pos..offset]).count() as u64;
            self.pos = offset;
        }
        self.line
    }
}

/// Parses decoded text into a table.
///
/// ```
/// use leadgen_stages::import::{csv_reader::{read_csv_text, CsvOptions}, decode::decode_bytes};
/// let text = "Name,Email\n\nJan,jan@x.cz\nEva,eva@x.cz,extra\n";
/// let decoded = decode_bytes("t.csv", text.as_bytes().to_vec()).unwrap();
/// let table = read_csv_text("t.csv", &decoded, &CsvOptions::default()).unwrap();
/// assert_eq!(table.rows.len(), 1);
/// assert_eq!(table.rows[0].line, 3);
/// assert_eq!((table.errors[0].line, table.errors[0].reason.as_str()), (4, "3 fields, header has 2"));
/// ```
pub fn read_csv_text(
    file: &str,
    decoded: &Decoded,
    options: &CsvOptions,
) -> Result<Table, ImportError> {
    let text = decoded.text.as_str();
    let sniffed = sniff(text, options.delimiter).ok_or_else(|| ImportError::NoHeader {
        file: file.into(),
        reason: "the file has no non-blank line".into(),
    })?;
    let base = sniffed.header_offset;
    let body = &text[base..];
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(sniffed.delimiter)
        .flexible(true)
        .has_headers(false)
        .from_reader(body.as_bytes());
    let mut lines = LineCounter {
        bytes: text.as_bytes(),
        pos: 0,
        line: 1,
    };
    let mut record = StringRecord::new();
    let header_ok = reader
        .read_record(&mut record)
        .map_err(|e| ImportError::NoHeader {
            file: file.into(),
            reason: e.to_string(),
        })?;
    if !header_ok {
        return Err(ImportError::NoHeader {
            file: file.into(),
            reason: "the file has no header record".into(),
        });
    }
    let headers: Vec<String> = record
        .iter()
        .enumerate()
        .map(|(i, h)| {
            let h = h.trim_matches(|c: char| c.is_whitespace() || c == '\u{feff}');
            if h.is_empty() {
                column_letter(i)
            } else {
                h.to_string()
            }
        })
        .collect();
    let width = headers.len();
    let mut rows = Vec::new();
    let mut errors = Vec::new();
    let mut last_start = 0usize;
    loop {
        match reader.read_record(&mut record) {
            Ok(true) => {}
            Ok(false) => break,
            Err(e) => {
                // Only invalid UTF-8 can fail here, and the text is already UTF-8.
                let offset = e.position().map_or(body.len(), |p| p.byte() as usize);
                errors.push(RowError {
                    file: file.into(),
                    line: lines.line_at(base + offset),
                    column: None,
                    kind: RowErrorKind::Unreadable,
                    reason: e.to_string(),
                });
                continue;
            }
        }
        // The reported offset can point at the terminator of the previous record
        // (CRLF) or at blank lines before this one: the record starts after them.
        let mut start = record.position().map_or(0, |p| p.byte() as usize);
        let body_bytes = body.as_bytes();
        while start < body_bytes.len() && matches!(body_bytes[start], b'\r' | b'\n') {
            start += 1;
        }
        last_start = start;
        let line = lines.line_at(base + start);
        if record.iter().all(|f| f.trim().is_empty()) {
            continue;
        }
        if record.len() != width {
            let kind = if record.len() > width {
                RowErrorKind::TooManyFields
            } else {
                RowErrorKind::TooFewFields
            };
            errors.push(RowError {
                file: file.into(),
                line,
                column: None,
                kind,
                reason: format!("{} fields, header has {width}", record.len()),
            });
            continue;
        }
        if let Some((i, f)) = record
            .iter()
            .enumerate()
            .find(|(_, f)| f.len() > options.limits.max_field_bytes)
        {
            errors.push(RowError {
                file: file.into(),
                line,
                column: Some(headers[i].clone()),
                kind: RowErrorKind::FieldTooLong,
                reason: format!(
                    "{} bytes, more than the limit of {}",
                    f.len(),
                    options.limits.max_field_bytes
                ),
            });
            continue;
        }
        rows.push(TableRow {
            line,
            cells: record.clone(),
        });
    }
    let quote = UnterminatedQuoteCheck {
        file,
        body,
        last_start,
        delimiter: sniffed.delimiter,
        headers: &headers,
    };
    quote.apply(&mut rows, &mut errors, |o| lines.line_at(base + o));
    let header_line = sniffed.header_line;
    if rows.is_empty() && errors.is_empty() {
        return Err(ImportError::HeaderOnly {
            file: file.into(),
            header_line,
        });
    }
    Ok(Table {
        file: file.into(),
        format: SourceFormat::Csv {
            encoding: decoded.encoding.to_string(),
            bom: decoded.bom,
            delimiter: char::from(sniffed.delimiter),
            header_line,
        },
        headers,
        rows,
        errors,
    })
}

/// A quote that never closes swallows everything to the end of the file into the last
/// record. The `csv` crate accepts that silently; an odd number of quotes in the last
/// record's raw text gives it away. The record becomes an `unterminated_quote` error
/// (replacing a field-count error for the same record, if any).
struct UnterminatedQuoteCheck<'a> {
    file: &'a str,
    body: &'a str,
    last_start: usize,
    delimiter: u8,
    headers: &'a [String],
}

impl UnterminatedQuoteCheck<'_> {
    fn apply(
        &self,
        rows: &mut Vec<TableRow>,
        errors: &mut Vec<RowError>,
        mut line_at: impl FnMut(usize) -> u64,
    ) {
        let (file, body, last_start, delimiter, headers) = (
            self.file,
            self.body,
            self.last_start,
            self.delimiter,
            self.headers,
        );
        let raw = &body[last_start.min(body.len())..];
        let quotes = memchr::memchr_iter(b'"', raw.as_bytes()).count();
        if quotes.is_multiple_of(2) {
            return;
        }
        let line = line_at(last_start);
        // The opening quote's column: fields before it in the raw text.
        let mut column = 0usize;
        let mut quoted = false;
        let mut opened_in = 0usize;
        for &b in raw.as_bytes() {
            if b == b'"' {
                quoted = !quoted;
                if quoted {
                    opened_in = column;
                }
            } else if b == delimiter && !quoted {
                column += 1;
            }
        }
        rows.retain(|r| r.line != line);
        errors.retain(|e| e.line != line);
        let column_name = headers.get(opened_in).cloned();
        errors.push(RowError {
        file: file.into(),
        line,
        column: column_name.clone(),
        kind: RowErrorKind::UnterminatedQuote,
        reason: format!(
            "quote opened in column {} ({}) is never closed; the field runs to the end of the file",
            opened_in + 1,
            column_name.unwrap_or_default()
        ),
    });
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::import::decode::decode_bytes;

    fn table(text: &str) -> Table {
        let d = decode_bytes("t.csv", text.as_bytes().to_vec()).unwrap();
        read_csv_text("t.csv", &d, &CsvOptions::default()).unwrap()
    }

    #[test]
    fn blank_lines_crlf_and_quoted_newlines_keep_physical_lines() {
        let t = table("a,b\r\n\r\n1,2\r\n\"x\r\ny\",3\r\n\r\n,\r\n4,5\r\n");
        let lines: Vec<u64> = t.rows.iter().map(|r| r.line).collect();
        assert_eq!(lines, vec![3, 4, 8]);
        assert_eq!(&t.rows[1].cells[0], "x\r\ny");
        assert!(t.errors.is_empty());
    }

    #[test]
    fn unterminated_quote_is_reported_with_its_column() {
        let t = table("Name,E-mail,Firma\nJan,j@x.cz,X\nEva,\"eva@x.cz,Y\nPetr,p@x.cz,Z\n");
        assert_eq!(t.rows.len(), 1);
        assert_eq!(t.errors.len(), 1);
        let e = &t.errors[0];
        assert_eq!((e.line, e.kind), (3, RowErrorKind::UnterminatedQuote));
        assert_eq!(e.column.as_deref(), Some("E-mail"));
    }

    #[test]
    fn header_only_is_an_error() {
        let d = decode_bytes("h.csv", b"Name,Email\n".to_vec()).unwrap();
        assert!(matches!(
            read_csv_text("h.csv", &d, &CsvOptions::default()),
            Err(ImportError::HeaderOnly { header_line: 1, .. })
        ));
    }

    #[test]
    fn oversized_field_is_a_row_error() {
        let big = "x".repeat(100);
        let d = decode_bytes("f.csv", format!("a,b\n1,{big}\n2,3\n").into_bytes()).unwrap();
        let opts = CsvOptions {
            limits: ReadLimits {
                max_field_bytes: 50,
                ..ReadLimits::default()
            },
            ..CsvOptions::default()
        };
        let t = read_csv_text("f.csv", &d, &opts).unwrap();
        assert_eq!(t.rows.len(), 1);
        assert_eq!(t.errors[0].kind, RowErrorKind::FieldTooLong);
        assert_eq!(t.errors[0].column.as_deref(), Some("b"));
    }
}
