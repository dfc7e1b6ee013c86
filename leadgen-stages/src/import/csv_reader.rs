//! Delimited text into a [`Table`]: quoted fields with delimiters and newlines, blank
//! lines and all-empty records skipped, ragged rows reported with their physical line.
//!
//! Line numbers come from each record's byte offset, counting `\n` in the text: the
//! `csv` crate's own `Position::line()` numbers a record after a blank line by the blank
//! line and under-counts CRLF files (BurntSushi/rust-csv #208, #395).

use std::path::Path;

use csv::StringRecord;
use rayon::prelude::*;

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
    read_csv_split(file, decoded, options, Split::auto()).map(|(table, _)| table)
}

/// [`read_csv_text`] with the body split as `split` allows; also whether the body
/// was read in parallel.
fn read_csv_split(
    file: &str,
    decoded: &Decoded,
    options: &CsvOptions,
    split: Split,
) -> Result<(Table, bool), ImportError> {
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
    // The reader stands between records here: a fresh reader started at this offset
    // reads the rest exactly as this one would.
    let data_from = reader.position().byte() as usize;
    let records = Records {
        file,
        text,
        base,
        delimiter: sniffed.delimiter,
        headers: &headers,
        limits: &options.limits,
    };
    let (
        Part {
            mut rows,
            mut errors,
            last_start,
            ..
        },
        parallel,
    ) = records.read(data_from, split);
    let mut lines = LineCounter {
        bytes: text.as_bytes(),
        pos: 0,
        line: 1,
    };
    let quote = UnterminatedQuoteCheck {
        file,
        body,
        last_start: last_start.unwrap_or(0),
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
    let table = Table {
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
    };
    Ok((table, parallel))
}

/// How a body may be split for a parallel read.
#[derive(Debug, Clone, Copy)]
struct Split {
    /// The smallest chunk worth its own task.
    min_chunk: usize,
    /// Chunks at most.
    max_chunks: usize,
}

impl Split {
    /// Chunks of at least 2 MiB (smaller files read serially in a few ms), two per
    /// pool thread so a descheduled thread's share can be taken by the other.
    fn auto() -> Self {
        Split {
            min_chunk: 2 << 20,
            max_chunks: 2 * rayon::current_num_threads(),
        }
    }
}

/// What one run of the reader over part of the body found.
#[derive(Default)]
struct Part {
    rows: Vec<TableRow>,
    errors: Vec<RowError>,
    /// Start (in the body) of the last record read.
    last_start: Option<usize>,
    /// Start of the first record read.
    first_start: Option<usize>,
    /// Start of the record the run stopped at (it belongs to the next part).
    stop_start: Option<usize>,
}

/// The data records of one file's body, read serially or in chunks.
struct Records<'a> {
    file: &'a str,
    text: &'a str,
    /// Offset of the body (the header record) in `text`.
    base: usize,
    delimiter: u8,
    headers: &'a [String],
    limits: &'a ReadLimits,
}

impl Records<'_> {
    /// Reads every data record from `from` (a body offset between records).
    ///
    /// A large body is split near equal parts at newlines outside quotes (by quote
    /// parity) and the parts are read in parallel. Each part's reader runs on past its
    /// end to the first record starting at or after it; the split holds when that
    /// record is the next part's first record (both readers then stand between records
    /// at the same byte, so they read the same records from there). If any split does
    /// not hold (stray quotes), the body is read again serially: the result is always
    /// the serial one.
    fn read(&self, from: usize, split: Split) -> (Part, bool) {
        let body_len = self.text.len() - self.base;
        let from = from.min(body_len);
        let serial = || self.read_part(from, None, self.line_before(from));
        let len = body_len - from;
        let chunks = split.max_chunks.min(len / split.min_chunk.max(1));
        if chunks < 2 {
            return (serial(), false);
        }
        let body = &self.text.as_bytes()[self.base..];
        let mut bounds = vec![from];
        for k in 1..chunks {
            let nominal = (from + len / chunks * k).max(*bounds.last().unwrap_or(&from));
            match Self::split_after(body, *bounds.last().unwrap_or(&from), nominal) {
                Some(b) if b < body_len => bounds.push(b),
                _ => break,
            }
        }
        bounds.dedup();
        if bounds.len() < 2 {
            return (serial(), false);
        }
        let ranges: Vec<(usize, Option<usize>)> = bounds
            .iter()
            .enumerate()
            .map(|(i, &b)| (b, bounds.get(i + 1).copied()))
            .collect();
        // Each part numbers lines from 0 at its start and counts its own newlines;
        // the parts' line numbers are shifted into place after.
        let parts: Vec<(Part, u64)> = ranges
            .par_iter()
            .map(|&(start, until)| {
                let end = self.base + until.unwrap_or(body_len);
                let newlines =
                    memchr::memchr_iter(b'\n', &self.text.as_bytes()[self.base + start..end])
                        .count() as u64;
                (self.read_part(start, until, 0), newlines)
            })
            .collect();
        let holds = parts
            .windows(2)
            .all(|w| w[0].0.stop_start.is_some() && w[0].0.stop_start == w[1].0.first_start);
        if !holds {
            return (serial(), false);
        }
        let mut out = Part {
            rows: Vec::with_capacity(parts.iter().map(|(p, _)| p.rows.len()).sum()),
            ..Part::default()
        };
        let mut line_base = self.line_before(from);
        for (mut p, newlines) in parts {
            for r in &mut p.rows {
                r.line += line_base;
            }
            for e in &mut p.errors {
                e.line += line_base;
            }
            line_base += newlines;
            out.rows.append(&mut p.rows);
            out.errors.append(&mut p.errors);
            if p.last_start.is_some() {
                out.last_start = p.last_start;
            }
        }
        (out, true)
    }

    /// The 1-based line of body offset `at`.
    fn line_before(&self, at: usize) -> u64 {
        1 + memchr::memchr_iter(b'\n', &self.text.as_bytes()[..self.base + at]).count() as u64
    }

    /// The offset just after the first newline at or after `nominal` that lies
    /// outside quotes, counting quotes from `prev` (a record boundary).
    fn split_after(body: &[u8], prev: usize, nominal: usize) -> Option<usize> {
        let quotes = memchr::memchr_iter(b'"', body.get(prev..nominal)?).count();
        let mut quoted = quotes % 2 == 1;
        let mut i = nominal;
        while let Some(j) = memchr::memchr2(b'"', b'\n', &body[i..]) {
            let at = i + j;
            if body[at] == b'"' {
                quoted = !quoted;
            } else if !quoted {
                return Some(at + 1);
            }
            i = at + 1;
        }
        None
    }

    /// Reads the records from body offset `from` (between records) to the end, or,
    /// with `until`, up to the first record starting at or after it.
    /// Lines are numbered from `first_line` at `from`.
    fn read_part(&self, from: usize, until: Option<usize>, first_line: u64) -> Part {
        let (file, headers, limits) = (self.file, self.headers, self.limits);
        let width = headers.len();
        let body = &self.text[self.base..];
        let body_bytes = body.as_bytes();
        let mut reader = csv::ReaderBuilder::new()
            .delimiter(self.delimiter)
            .flexible(true)
            .has_headers(false)
            .from_reader(&body_bytes[from..]);
        let start_abs = self.base + from;
        let mut lines = LineCounter {
            bytes: self.text.as_bytes(),
            pos: start_abs,
            line: first_line,
        };
        let mut part = Part::default();
        let mut record = StringRecord::new();
        loop {
            match reader.read_record(&mut record) {
                Ok(true) => {}
                Ok(false) => break,
                Err(e) => {
                    // Only invalid UTF-8 can fail here, and the text is already UTF-8.
                    let offset = from
                        + e.position()
                            .map_or(body.len() - from, |p| p.byte() as usize);
                    part.errors.push(RowError {
                        file: file.into(),
                        line: lines.line_at(self.base + offset),
                        column: None,
                        kind: RowErrorKind::Unreadable,
                        reason: e.to_string(),
                    });
                    continue;
                }
            }
            // The reported offset can point at the terminator of the previous record
            // (CRLF) or at blank lines before this one: the record starts after them.
            let mut start = from + record.position().map_or(0, |p| p.byte() as usize);
            while start < body_bytes.len() && matches!(body_bytes[start], b'\r' | b'\n') {
                start += 1;
            }
            if until.is_some_and(|u| start >= u) {
                part.stop_start = Some(start);
                break;
            }
            part.first_start.get_or_insert(start);
            part.last_start = Some(start);
            let line = lines.line_at(self.base + start);
            if record.iter().all(|f| f.trim().is_empty()) {
                continue;
            }
            if record.len() != width {
                let kind = if record.len() > width {
                    RowErrorKind::TooManyFields
                } else {
                    RowErrorKind::TooFewFields
                };
                part.errors.push(RowError {
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
                .find(|(_, f)| f.len() > limits.max_field_bytes)
            {
                part.errors.push(RowError {
                    file: file.into(),
                    line,
                    column: Some(headers[i].clone()),
                    kind: RowErrorKind::FieldTooLong,
                    reason: format!(
                        "{} bytes, more than the limit of {}",
                        f.len(),
                        limits.max_field_bytes
                    ),
                });
                continue;
            }
            part.rows.push(TableRow {
                line,
                cells: record.clone(),
            });
        }
        part
    }
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

    /// Reads `text` serially and split in several ways; every split gives the serial
    /// result. Returns whether some split was read in parallel.
    fn same_split_or_not(name: &str, bytes: Vec<u8>, splits: &[(usize, usize)]) -> bool {
        let Ok(d) = decode_bytes(name, bytes) else {
            return false;
        };
        let opts = CsvOptions::default();
        let whole = Split {
            min_chunk: usize::MAX,
            max_chunks: 1,
        };
        let serial = read_csv_split(name, &d, &opts, whole);
        let mut any_parallel = false;
        for &(min_chunk, max_chunks) in splits {
            let split = Split {
                min_chunk,
                max_chunks,
            };
            let chunked = read_csv_split(name, &d, &opts, split);
            match (&serial, &chunked) {
                (Ok((a, false)), Ok((b, parallel))) => {
                    assert_eq!(a, b, "{name} {split:?}");
                    any_parallel |= parallel;
                }
                (Err(a), Err(b)) => assert_eq!(a.to_string(), b.to_string()),
                _ => panic!("{name} {split:?}: serial and chunked reads disagree"),
            }
        }
        any_parallel
    }

    /// Every shared sample file reads the same in chunks, the large one in parallel.
    #[test]
    fn chunked_read_matches_serial_on_shared_files() {
        let shared = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/data");
        let mut files = 0;
        for entry in std::fs::read_dir(&shared).into_iter().flatten().flatten() {
            let path = entry.path();
            if path.extension().and_then(|e| e.to_str()) != Some("csv") {
                continue;
            }
            let name = path.display().to_string();
            let bytes = std::fs::read(&path).unwrap_or_default();
            files += 1;
            if bytes.len() > 4 << 20 {
                assert!(
                    same_split_or_not(&name, bytes, &[(1 << 20, 5)]),
                    "{name} is read in parallel"
                );
            } else {
                same_split_or_not(&name, bytes, &[(97, 13), (1000, 4), (8192, 2)]);
            }
        }
        assert!(files >= 10, "the shared CSV files are found: {files}");
    }

    /// Quoted newlines, blank lines, CRLF, ragged rows, stray and unterminated quotes
    /// at chunk boundaries: the chunked read is the serial one (or falls back to it).
    #[test]
    fn chunked_read_matches_serial_on_odd_shapes() {
        let mut text = String::from("Note: exported\n\nName,Email,Firma\n");
        for i in 0..400 {
            let line = match i % 11 {
                0 => format!("\"Jan\n{i}\",j{i}@x.cz,\"A, \"\"B\"\"\"\n"),
                1 => "\n\n".to_string(),
                2 => format!("Eva{i},e@x.cz\n"),
                3 => format!("Petr{i},p@x.cz,X,extra\n"),
                4 => format!("Ad\"a{i},a@x.cz,Y\n"),
                5 => format!("Ota{i},o@x.cz,Z\r\n"),
                6 => ",,\n".to_string(),
                7 => format!("\"\u{feff}Iva{i}\",i@x.cz,\"multi\r\nline\"\n"),
                _ => format!("Jiří{i},j{i}@x.cz,Firma {i}\n"),
            };
            text.push_str(&line);
        }
        let splits = [(13, 64), (50, 9), (200, 3), (1000, 2)];
        same_split_or_not("odd.csv", text.clone().into_bytes(), &splits);
        let crlf = text.replace('\n', "\r\n");
        same_split_or_not("crlf.csv", crlf.into_bytes(), &splits);
        let unterminated = format!("{text}Last,\"l@x.cz,Q\nMore,m@x.cz,R\n");
        same_split_or_not("open.csv", unterminated.into_bytes(), &splits);
        let semicolons = text.replace(',', ";");
        same_split_or_not("semi.csv", semicolons.into_bytes(), &splits);
        // Without the stray quote the splits hold and the parts are really used.
        let well_formed = text.replace("Ad\"a", "Ada");
        assert!(same_split_or_not(
            "ok.csv",
            well_formed.into_bytes(),
            &splits
        ));
    }
}
