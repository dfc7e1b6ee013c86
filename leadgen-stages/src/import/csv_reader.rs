//! Delimited text into a [`Table`]: quoted fields with delimiters and newlines, blank
//! lines and all-empty records skipped, ragged rows reported with their physical line.
//!
//! Records without a quote are split here, with `memchr`, and their cells point into
//! the decoded text (no copy, no UTF-8 check: the text is a `&str` and every cut is at
//! an ASCII byte). A record with a quote (or a lone carriage return, or starting with
//! a byte-order mark) is read by `csv_core`, the `csv` crate's parser, so quoting
//! follows the `csv` crate exactly; its unescaped cells are copied into the table.
//!
//! Line numbers come from each record's byte offset, counting `\n` in the text: the
//! `csv` crate's own `Position::line()` numbers a record after a blank line by the blank
//! line and under-counts CRLF files (BurntSushi/rust-csv #208, #395).

use std::path::Path;

use csv::StringRecord;
use rayon::prelude::*;

use super::decode::{Decoded, read_text_file};
use super::error::{ImportError, RowError, RowErrorKind};
use super::rows::{Cell, MAX_CELL_BYTES};
use super::sniff::sniff;
use super::table::{ReadLimits, Rows, SourceFormat, Table, column_letter};

/// Options for reading delimited text.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CsvOptions {
    /// Use this delimiter instead of sniffing one.
    pub delimiter: Option<u8>,
    /// Size limits.
    pub limits: ReadLimits,
}

/// Reads a delimited text file. The table keeps the decoded text (its cells point
/// into it).
pub fn read_csv_file(path: &Path, options: &CsvOptions) -> Result<Table, ImportError> {
    let decoded = read_text_file(path, &options.limits)?;
    read_csv_split(&path.display().to_string(), decoded, options, Split::auto())
        .map(|(table, _)| table)
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

/// Parses decoded text into a table (which keeps a copy of the text: its cells point
/// into it; [`read_csv_file`] moves the file's text in instead).
///
/// ```
/// use leadgen_stages::import::{csv_reader::{read_csv_text, CsvOptions}, decode::decode_bytes};
/// let text = "Name,Email\n\nJan,jan@x.cz\nEva,eva@x.cz,extra\n";
/// let decoded = decode_bytes("t.csv", text.as_bytes().to_vec()).unwrap();
/// let table = read_csv_text("t.csv", &decoded, &CsvOptions::default()).unwrap();
/// assert_eq!(table.rows.len(), 1);
/// let jan = table.rows.get(0).unwrap();
/// assert_eq!((jan.line, jan.get(1)), (3, Some("jan@x.cz")));
/// assert_eq!((table.errors[0].line, table.errors[0].reason.as_str()), (4, "3 fields, header has 2"));
/// ```
pub fn read_csv_text(
    file: &str,
    decoded: &Decoded,
    options: &CsvOptions,
) -> Result<Table, ImportError> {
    read_csv_split(file, decoded.clone(), options, Split::auto()).map(|(table, _)| table)
}

/// [`read_csv_text`] with the body split as `split` allows; also whether the body
/// was read in parallel.
fn read_csv_split(
    file: &str,
    decoded: Decoded,
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
        data_from,
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
    // The rows' text cells point into the decoded text: the table keeps it.
    let Decoded {
        text,
        encoding,
        bom,
        ..
    } = decoded;
    rows.attach_text(text);
    let table = Table {
        file: file.into(),
        format: SourceFormat::Csv {
            encoding: encoding.to_string(),
            bom,
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
    /// Rows whose text cells are offsets into the whole text.
    rows: Rows,
    errors: Vec<RowError>,
    /// Start (in the body) of the last record read.
    last_start: Option<usize>,
    /// Start of the first record read.
    first_start: Option<usize>,
    /// Start of the record the run stopped at (it belongs to the next part).
    stop_start: Option<usize>,
    /// The line count (from the run's start) at `first_start` and at `stop_start`.
    first_line: u64,
    stop_line: u64,
}

/// The data records of one file's body, read serially or in chunks.
struct Records<'a> {
    file: &'a str,
    text: &'a str,
    /// Offset of the body (the header record) in `text`.
    base: usize,
    /// Body offset of the first data record's input: the `csv` crate's reader,
    /// started there, dropped a byte-order mark found exactly there (and nowhere else).
    data_from: usize,
    delimiter: u8,
    headers: &'a [String],
    limits: &'a ReadLimits,
}

/// The UTF-8 byte-order mark.
const BOM: &[u8] = b"\xef\xbb\xbf";

/// The buffers `csv_core` reads a record into, kept across records.
#[derive(Default)]
struct CoreRecord {
    /// The record's unescaped fields, one after the other.
    out: Vec<u8>,
    /// The end of each field in `out`.
    ends: Vec<usize>,
    /// Fields read.
    fields: usize,
}

impl CoreRecord {
    /// Reads the record at the start of `input` (not a terminator); returns the bytes
    /// consumed, and whether there was a record (a byte-order mark alone is none).
    /// The reader is reset first, so a byte-order mark at the start is dropped only
    /// when `strip_bom` says so.
    fn read(
        &mut self,
        core: &mut csv_core::Reader,
        input: &[u8],
        strip_bom: bool,
    ) -> (usize, bool) {
        use csv_core::ReadRecordResult;
        core.reset();
        // A reset reader drops a BOM at the start of its first input: a first input of
        // one byte keeps it.
        let mut feed = if !strip_bom && input.starts_with(BOM) {
            1
        } else {
            input.len()
        };
        if self.out.len() < 256 {
            self.out.resize(256, 0);
        }
        if self.ends.len() < 16 {
            self.ends.resize(16, 0);
        }
        let (mut nin, mut nout, mut nend) = (0, 0, 0);
        loop {
            let (res, i, o, e) = core.read_record(
                input.get(nin..feed).unwrap_or_default(),
                self.out.get_mut(nout..).unwrap_or_default(),
                self.ends.get_mut(nend..).unwrap_or_default(),
            );
            nin += i;
            nout += o;
            nend += e;
            match res {
                // An empty input next tells the reader the text ends here.
                ReadRecordResult::InputEmpty => feed = input.len(),
                ReadRecordResult::OutputFull => {
                    let len = self.out.len();
                    self.out.resize(len * 2, 0);
                }
                ReadRecordResult::OutputEndsFull => {
                    let len = self.ends.len();
                    self.ends.resize(len * 2, 0);
                }
                ReadRecordResult::Record => break,
                ReadRecordResult::End => {
                    self.fields = 0;
                    return (nin, false);
                }
            }
        }
        self.fields = nend;
        (nin, true)
    }

    /// The fields as text; an error when they are not UTF-8 (the delimiter is a
    /// non-ASCII byte that cut a character).
    fn fields(&self) -> Result<impl ExactSizeIterator<Item = &str> + Clone + '_, String> {
        let ends = self.ends.get(..self.fields).unwrap_or_default();
        let len = ends.last().copied().unwrap_or(0);
        let all = std::str::from_utf8(self.out.get(..len).unwrap_or_default())
            .map_err(|e| format!("invalid UTF-8 in the record: {e}"))?;
        if let Some(i) = ends.iter().position(|&e| !all.is_char_boundary(e)) {
            return Err(format!("field {} ends inside a character", i + 1));
        }
        Ok((0..ends.len()).map(move |i| {
            let start = if i == 0 { 0 } else { ends[i - 1] };
            all.get(start..ends[i]).unwrap_or_default()
        }))
    }
}

/// What becomes of one record.
enum Verdict {
    /// A row.
    Keep,
    /// Blank or all-empty: not a record at all.
    Skip,
    /// A row error: its kind, column and reason.
    Reject(RowErrorKind, Option<usize>, String),
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
        let nominals: Vec<usize> = (1..chunks).map(|k| from + len / chunks * k).collect();
        // The quotes before each nominal point, counted in parallel. Every split point
        // lies outside quotes (even parity), so a point's quote parity counted from
        // `from` is its parity from the split point before it.
        let quotes: Vec<usize> = (0..nominals.len())
            .into_par_iter()
            .map(|k| {
                let start = if k == 0 { from } else { nominals[k - 1] };
                let between = body.get(start..nominals[k]).unwrap_or_default();
                memchr::memchr_iter(b'"', between).count()
            })
            .collect();
        let mut bounds = vec![from];
        let mut odd = false;
        for (k, &nominal) in nominals.iter().enumerate() {
            odd ^= quotes[k] % 2 == 1;
            let prev = *bounds.last().unwrap_or(&from);
            // A split point already past this nominal point: split after it instead.
            let (at, quoted) = if prev >= nominal {
                (prev, false)
            } else {
                (nominal, odd)
            };
            match Self::split_after(body, at, quoted) {
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
        // Each part numbers lines from 0 at its start; the parts' line numbers are
        // shifted into place after.
        let parts: Vec<Part> = ranges
            .par_iter()
            .map(|&(start, until)| self.read_part(start, until, 0))
            .collect();
        let holds = parts
            .windows(2)
            .all(|w| w[0].stop_start.is_some() && w[0].stop_start == w[1].first_start);
        if !holds {
            return (serial(), false);
        }
        let rows: usize = parts.iter().map(|p| p.rows.len()).sum();
        let cells: usize = parts.iter().map(|p| p.rows.cell_count()).sum();
        let mut out = Part::default();
        let mut line_base = self.line_before(from);
        let mut stop_line = None;
        for p in parts {
            // Where the previous part stopped, this one's first record starts: the
            // newlines between the two parts' starts are the previous count there less
            // this one's.
            if let Some(stop) = stop_line {
                line_base += stop - p.first_line;
            }
            stop_line = Some(p.stop_line);
            out.rows.append(p.rows, line_base);
            // The first part's rows take the others: room for all, grown once.
            out.rows.reserve(
                rows.saturating_sub(out.rows.len()),
                cells.saturating_sub(out.rows.cell_count()),
            );
            out.errors.extend(p.errors.into_iter().map(|mut e| {
                e.line += line_base;
                e
            }));
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
    /// outside quotes, `quoted` telling whether `nominal` is inside quotes.
    fn split_after(body: &[u8], nominal: usize, mut quoted: bool) -> Option<usize> {
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
        let file = self.file;
        let body = &self.text[self.base..];
        let bytes = body.as_bytes();
        let n = bytes.len();
        let from = from.min(n);
        let delimiter = self.delimiter;
        // Records are split here unless the delimiter could take part in quoting,
        // end a record or split a character.
        let simple_ok = delimiter.is_ascii() && !matches!(delimiter, b'"' | b'\n' | b'\r');
        // Carriage returns are looked for in each record only when the part has some
        // (or the record runs past the part's end).
        let scanned_to = until.unwrap_or(n).clamp(from, n);
        let has_cr = memchr::memchr(b'\r', &bytes[from..scanned_to]).is_some();
        let mut part = Part::default();
        // Room for the part's rows, guessed from the lines of its first 64 KiB (with
        // some margin): no copy while growing. The guess stays within a few times the
        // part's size (blank lines are not rows; past the guess, the rows just grow).
        let len = scanned_to - from;
        let sample = &bytes[from..scanned_to.min(from + (64 << 10))];
        let sample_lines = memchr::memchr_iter(b'\n', sample).count() + 1;
        let rows_guess = (len / sample.len().max(1) * sample_lines * 9 / 8).min(len / 16) + 16;
        let cells_guess = rows_guess.saturating_mul(self.headers.len()).min(len / 4) + 16;
        part.rows.reserve(rows_guess, cells_guess);
        let mut core = csv_core::ReaderBuilder::new().delimiter(delimiter).build();
        let mut odd = CoreRecord::default();
        let mut cells: Vec<Field> = Vec::new();
        let mut unescaped = String::new();
        let mut any_escaped = false;
        let mut pos = from;
        let mut line = first_line;
        loop {
            // Where the previous record's input ended: the `csv` crate reported a
            // record it could not read at this offset.
            let ended_line = line;
            while pos < n && matches!(bytes[pos], b'\r' | b'\n') {
                line += u64::from(bytes[pos] == b'\n');
                pos += 1;
            }
            if pos >= n {
                break;
            }
            let start = pos;
            if until.is_some_and(|u| start >= u) {
                part.stop_start = Some(start);
                part.stop_line = line;
                break;
            }
            let record_line = line;
            let simple = if simple_ok && bytes[start] != BOM[0] {
                split_record(bytes, start, delimiter, has_cr, &mut cells).filter(|&(next, _)| {
                    // Past the part's scan: look for carriage returns here.
                    has_cr
                        || next <= scanned_to
                        || split_record(bytes, start, delimiter, true, &mut cells).is_some()
                })
            } else {
                None
            };
            let verdict = if let Some((next, newlines)) = simple {
                if part.first_start.is_none() {
                    part.first_start = Some(start);
                    part.first_line = record_line;
                }
                pos = next;
                line += newlines;
                unescaped.clear();
                any_escaped = false;
                for f in &mut cells {
                    if let Field::Escaped(a, b) = *f {
                        any_escaped = true;
                        let from = unescaped.len();
                        unescape_into(body.get(a..b).unwrap_or_default(), &mut unescaped);
                        *f = Field::Unescaped(from, unescaped.len());
                    }
                }
                self.judge_split(&cells, body, &unescaped)
            } else {
                let (used, any) = odd.read(&mut core, &bytes[start..], start == self.data_from);
                let next = (start + used.max(1)).min(n);
                line += memchr::memchr_iter(b'\n', &bytes[start..next]).count() as u64;
                pos = next;
                if !any {
                    continue;
                }
                if part.first_start.is_none() {
                    part.first_start = Some(start);
                    part.first_line = record_line;
                }
                match odd.fields() {
                    Ok(fields) => self.judge(fields),
                    Err(reason) => {
                        part.errors.push(RowError {
                            file: file.into(),
                            line: ended_line,
                            column: None,
                            kind: RowErrorKind::Unreadable,
                            reason,
                        });
                        continue;
                    }
                }
            };
            part.last_start = Some(start);
            let (kind, column, reason) = match verdict {
                Verdict::Skip => continue,
                Verdict::Reject(kind, column, reason) => (kind, column, reason),
                Verdict::Keep => {
                    let base = self.base;
                    let kept = if let (Some((next, _)), false) = (simple, any_escaped) {
                        let ranges = cells.iter().map(|f| match *f {
                            Field::Plain(a, b) | Field::Escaped(a, b) | Field::Unescaped(a, b) => {
                                (base + a, base + b)
                            }
                        });
                        part.rows
                            .push_ranges(record_line, base + start, base + next, ranges)
                    } else if simple.is_some() {
                        let cells = cells.iter().map(|f| match *f {
                            Field::Unescaped(a, b) => {
                                Cell::Copy(unescaped.get(a..b).unwrap_or_default())
                            }
                            Field::Plain(a, b) | Field::Escaped(a, b) => {
                                Cell::At(base + a, base + b)
                            }
                        });
                        part.rows.push_cells(record_line, base + start, cells)
                    } else {
                        let fields = odd.fields().into_iter().flatten();
                        part.rows
                            .push_cells(record_line, base + start, fields.map(Cell::Copy))
                    };
                    match kept {
                        Ok(()) => continue,
                        Err(e) => (RowErrorKind::FieldTooLong, None, e.to_string()),
                    }
                }
            };
            part.errors.push(RowError {
                file: file.into(),
                line: record_line,
                column: column.map(|i| self.headers[i].clone()),
                kind,
                reason,
            });
        }
        part
    }

    /// [`Records::judge`] for a record split by [`split_record`], from the fields'
    /// ranges where it can.
    fn judge_split(&self, cells: &[Field], body: &str, unescaped: &str) -> Verdict {
        // A first field starting with a visible ASCII character (not a quote) is not
        // blank; neither is the record.
        let visible = matches!(cells.first(), Some(&Field::Plain(a, b)) if b > a
            && body.as_bytes()[a].is_ascii_graphic() && body.as_bytes()[a] != b'"');
        let limit = self.limits.max_field_bytes.min(MAX_CELL_BYTES);
        if visible && cells.len() == self.headers.len() && cells.iter().all(|f| f.len() <= limit) {
            return Verdict::Keep;
        }
        self.judge(cells.iter().map(|f| f.text(body, unescaped)))
    }

    /// Whether a record is a row, nothing, or an error: blank records are skipped,
    /// then the field count must match the header, then no field may be too long.
    fn judge<'c>(&self, cells: impl ExactSizeIterator<Item = &'c str> + Clone) -> Verdict {
        let width = self.headers.len();
        if cells.clone().all(|f| f.trim().is_empty()) {
            return Verdict::Skip;
        }
        let count = cells.len();
        if count != width {
            let kind = if count > width {
                RowErrorKind::TooManyFields
            } else {
                RowErrorKind::TooFewFields
            };
            return Verdict::Reject(kind, None, format!("{count} fields, header has {width}"));
        }
        let limit = self.limits.max_field_bytes.min(MAX_CELL_BYTES);
        match cells.enumerate().find(|(_, f)| f.len() > limit) {
            Some((i, f)) => Verdict::Reject(
                RowErrorKind::FieldTooLong,
                Some(i),
                format!("{} bytes, more than the limit of {limit}", f.len()),
            ),
            None => Verdict::Keep,
        }
    }
}

/// One field of a record split by [`split_record`]: byte ranges of the body.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Field {
    /// The field's text as it stands (an unquoted field, or a quoted one's inside).
    Plain(usize, usize),
    /// A quoted field's inside, with `""` standing for `"`.
    Escaped(usize, usize),
    /// An escaped field once unescaped: a range of the record's unescaped text.
    Unescaped(usize, usize),
}

impl Field {
    /// The field's length in bytes (once unescaped, for an unescaped one).
    fn len(&self) -> usize {
        match *self {
            Field::Plain(a, b) | Field::Escaped(a, b) | Field::Unescaped(a, b) => b - a,
        }
    }

    fn text<'a>(&self, body: &'a str, unescaped: &'a str) -> &'a str {
        match *self {
            Field::Plain(a, b) | Field::Escaped(a, b) => body.get(a..b),
            Field::Unescaped(a, b) => unescaped.get(a..b),
        }
        .unwrap_or_default()
    }
}

/// Appends `raw` (a quoted field's inside) with each `""` made `"`.
fn unescape_into(raw: &str, out: &mut String) {
    let mut pieces = raw.split("\"\"");
    if let Some(first) = pieces.next() {
        out.push_str(first);
    }
    for piece in pieces {
        out.push('"');
        out.push_str(piece);
    }
}

/// Splits the record starting at `start` (not a line break) when its shape is simple:
/// each field unquoted without any quote, or quoted from its first byte to a closing
/// quote followed by the delimiter or the end of the record, and no carriage return
/// outside quotes but one just before a newline (looked for only with `check_cr`).
/// Then `fields` holds the fields, and the result is where the next record's input
/// starts and the newlines up to there. Any other shape (stray or unclosed quotes, a
/// lone carriage return) gives `None`: `csv_core` reads it.
fn split_record(
    bytes: &[u8],
    start: usize,
    delimiter: u8,
    check_cr: bool,
    fields: &mut Vec<Field>,
) -> Option<(usize, u64)> {
    fields.clear();
    let n = bytes.len();
    let mut cell = start;
    // Quoted fields may hold newlines: then the record's are counted at its end.
    let mut quoted = false;
    let newlines = |next: usize, quoted: bool| {
        if quoted {
            memchr::memchr_iter(b'\n', &bytes[start..next]).count() as u64
        } else {
            u64::from(next > start && bytes[next - 1] == b'\n')
        }
    };
    loop {
        if bytes.get(cell) == Some(&b'"') {
            let mut i = cell + 1;
            let mut escaped = false;
            let close = loop {
                let q = i + memchr::memchr(b'"', &bytes[i..])?;
                if bytes.get(q + 1) == Some(&b'"') {
                    escaped = true;
                    i = q + 2;
                } else {
                    break q;
                }
            };
            quoted = true;
            fields.push(if escaped {
                Field::Escaped(cell + 1, close)
            } else {
                Field::Plain(cell + 1, close)
            });
            let after = close + 1;
            let next = match bytes.get(after) {
                None => n,
                Some(&b) if b == delimiter => {
                    cell = after + 1;
                    continue;
                }
                Some(b'\n') => after + 1,
                Some(b'\r') if bytes.get(after + 1) == Some(&b'\n') => after + 2,
                Some(_) => return None,
            };
            return Some((next, newlines(next, quoted)));
        }
        let rest = &bytes[cell..];
        let (end, next) = match memchr::memchr3(delimiter, b'\n', b'"', rest) {
            Some(j) => match rest[j] {
                b'"' => return None,
                b'\n' => (cell + j, Some(cell + j + 1)),
                _ => (cell + j, None),
            },
            None => (n, Some(n)),
        };
        // The last field drops the carriage return of a CRLF (or of the text's end).
        let end = if next.is_some() && end > cell && bytes[end - 1] == b'\r' {
            end - 1
        } else {
            end
        };
        if check_cr && memchr::memchr(b'\r', &bytes[cell..end]).is_some() {
            return None;
        }
        fields.push(Field::Plain(cell, end));
        match next {
            Some(next) => return Some((next, newlines(next, quoted))),
            None => cell = end + 1,
        }
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
        rows: &mut Rows,
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
        // The last record is the last row, if it became one (rows are in line order).
        rows.pop_line(line);
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
        assert_eq!(t.rows.get(1).and_then(|r| r.get(0)), Some("x\r\ny"));
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
        let serial = read_csv_split(name, d.clone(), &opts, whole);
        let mut any_parallel = false;
        for &(min_chunk, max_chunks) in splits {
            let split = Split {
                min_chunk,
                max_chunks,
            };
            let chunked = read_csv_split(name, d.clone(), &opts, split);
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
