//! The CSV reader splits simple records itself and hands the rest to `csv_core`; this
//! checks it against the reader it replaced (every record through the `csv` crate's
//! `StringRecord`), row by row and error by error, on every shared CSV file, on odd
//! shapes, and on random texts made of CSV's special characters.
#![cfg(feature = "import")]

use std::path::PathBuf;

use csv::StringRecord;
use leadgen_stages::import::csv_reader::{CsvOptions, read_csv_text};
use leadgen_stages::import::decode::decode_bytes;
use leadgen_stages::import::sniff::sniff;
use leadgen_stages::import::{ReadLimits, RowErrorKind};

fn shared() -> PathBuf {
    std::env::var_os("LEADGEN_SHARED_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../../shared")))
}

/// Rows as (line, cells); errors as (line, kind, column, reason).
#[derive(Debug, PartialEq)]
struct Read {
    headers: Vec<String>,
    rows: Vec<(u64, Vec<String>)>,
    errors: Vec<(u64, RowErrorKind, Option<String>, String)>,
}

/// Newlines before a byte offset, moving forward only.
struct Lines<'a> {
    bytes: &'a [u8],
    pos: usize,
    line: u64,
}

impl Lines<'_> {
    fn at(&mut self, offset: usize) -> u64 {
        let offset = offset.min(self.bytes.len());
        if offset > self.pos {
            self.line += self.bytes[self.pos..offset]
                .iter()
                .filter(|&&b| b == b'\n')
                .count() as u64;
            self.pos = offset;
        }
        self.line
    }
}

/// A spreadsheet column's letters (`A`, `Z`, `AA`).
fn column_letter(index: usize) -> String {
    let mut n = index + 1;
    let mut out = Vec::new();
    while n > 0 {
        out.push(char::from(b'A' + ((n - 1) % 26) as u8));
        n = (n - 1) / 26;
    }
    out.iter().rev().collect()
}

fn csv_reader(delimiter: u8, bytes: &[u8]) -> csv::Reader<&[u8]> {
    csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .flexible(true)
        .has_headers(false)
        .from_reader(bytes)
}

/// The reader as it was: every data record through `csv::Reader::read_record`, read
/// serially. `None` where the reader returns an error for the whole file.
fn reference(text: &str, options: &CsvOptions) -> Option<Read> {
    let sniffed = sniff(text, options.delimiter)?;
    let base = sniffed.header_offset;
    let body = &text[base..];
    let bytes = body.as_bytes();
    let delimiter = sniffed.delimiter;
    let mut reader = csv_reader(delimiter, bytes);
    let mut record = StringRecord::new();
    if !reader.read_record(&mut record).ok()? {
        return None;
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
    let from = reader.position().byte() as usize;
    let width = headers.len();
    let mut lines = Lines {
        bytes: text.as_bytes(),
        pos: 0,
        line: 1,
    };
    let mut reader = csv_reader(delimiter, &bytes[from..]);
    let mut out = Read {
        headers: headers.clone(),
        rows: Vec::new(),
        errors: Vec::new(),
    };
    let mut last_start = None;
    loop {
        match reader.read_record(&mut record) {
            Ok(true) => {}
            Ok(false) => break,
            Err(e) => {
                let offset = from
                    + e.position()
                        .map_or(bytes.len() - from, |p| p.byte() as usize);
                let line = lines.at(base + offset);
                out.errors
                    .push((line, RowErrorKind::Unreadable, None, String::new()));
                continue;
            }
        }
        let mut start = from + record.position().map_or(0, |p| p.byte() as usize);
        while start < bytes.len() && matches!(bytes[start], b'\r' | b'\n') {
            start += 1;
        }
        last_start = Some(start);
        let line = lines.at(base + start);
        if record.iter().all(|f| f.trim().is_empty()) {
            continue;
        }
        if record.len() != width {
            let kind = if record.len() > width {
                RowErrorKind::TooManyFields
            } else {
                RowErrorKind::TooFewFields
            };
            let reason = format!("{} fields, header has {width}", record.len());
            out.errors.push((line, kind, None, reason));
            continue;
        }
        let limit = options.limits.max_field_bytes;
        if let Some((i, f)) = record.iter().enumerate().find(|(_, f)| f.len() > limit) {
            let reason = format!("{} bytes, more than the limit of {limit}", f.len());
            let column = Some(headers[i].clone());
            out.errors
                .push((line, RowErrorKind::FieldTooLong, column, reason));
            continue;
        }
        out.rows
            .push((line, record.iter().map(String::from).collect()));
    }
    // An unclosed quote: the last record becomes an error.
    let last_start = last_start.unwrap_or(0);
    let raw = &body[last_start.min(body.len())..];
    if raw.bytes().filter(|&b| b == b'"').count() % 2 == 1 {
        // A fresh count: the reader's own count may already stand past this record.
        let line = Lines {
            bytes: text.as_bytes(),
            pos: 0,
            line: 1,
        }
        .at(base + last_start);
        let (mut column, mut quoted, mut opened_in) = (0, false, 0);
        for b in raw.bytes() {
            if b == b'"' {
                quoted = !quoted;
                if quoted {
                    opened_in = column;
                }
            } else if b == delimiter && !quoted {
                column += 1;
            }
        }
        out.rows.retain(|r| r.0 != line);
        out.errors.retain(|e| e.0 != line);
        let name = headers.get(opened_in).cloned();
        let reason = format!(
            "quote opened in column {} ({}) is never closed; the field runs to the end of the file",
            opened_in + 1,
            name.clone().unwrap_or_default()
        );
        out.errors
            .push((line, RowErrorKind::UnterminatedQuote, name, reason));
    }
    if out.rows.is_empty() && out.errors.is_empty() {
        return None;
    }
    Some(out)
}

/// The reader as it is.
fn current(text: &str, options: &CsvOptions) -> Option<Read> {
    let decoded = decode_bytes("t.csv", text.as_bytes().to_vec()).ok()?;
    let table = read_csv_text("t.csv", &decoded, options).ok()?;
    Some(Read {
        headers: table.headers.clone(),
        rows: table
            .rows
            .iter()
            .map(|r| (r.line, r.iter().map(String::from).collect()))
            .collect(),
        errors: table
            .errors
            .iter()
            .map(|e| {
                // The `csv` crate's message for a record that is not UTF-8 is not kept.
                let reason = if e.kind == RowErrorKind::Unreadable {
                    String::new()
                } else {
                    e.reason.clone()
                };
                (e.line, e.kind, e.column.clone(), reason)
            })
            .collect(),
    })
}

/// Both readers agree on `text`; returns whether it gave a table.
fn agree(name: &str, text: &str, options: &CsvOptions) -> bool {
    // The decoder drops a leading byte-order mark; the reference reads what it keeps.
    let Ok(decoded) = decode_bytes("t.csv", text.as_bytes().to_vec()) else {
        return false;
    };
    let want = reference(&decoded.text, options);
    let got = current(text, options);
    assert_eq!(got, want, "{name}: {text:?} with {options:?}");
    got.is_some()
}

fn options(delimiter: Option<u8>, max_field_bytes: usize) -> CsvOptions {
    CsvOptions {
        delimiter,
        limits: ReadLimits {
            max_field_bytes,
            ..ReadLimits::default()
        },
    }
}

#[test]
fn agrees_on_every_shared_csv_file() {
    let dir = shared().join("data");
    let mut files = 0;
    for entry in std::fs::read_dir(&dir).into_iter().flatten().flatten() {
        let path = entry.path();
        if path.extension().and_then(|e| e.to_str()) != Some("csv") {
            continue;
        }
        let bytes = std::fs::read(&path).unwrap_or_default();
        let Ok(decoded) = decode_bytes("t.csv", bytes) else {
            continue;
        };
        let name = path.display().to_string();
        let want = reference(&decoded.text, &CsvOptions::default());
        let table = read_csv_text("t.csv", &decoded, &CsvOptions::default()).ok();
        let got = table.map(|t| Read {
            headers: t.headers.clone(),
            rows: t
                .rows
                .iter()
                .map(|r| (r.line, r.iter().map(String::from).collect()))
                .collect(),
            errors: t
                .errors
                .iter()
                .map(|e| (e.line, e.kind, e.column.clone(), e.reason.clone()))
                .collect(),
        });
        assert!(got == want, "{name}: the readers disagree");
        files += 1;
    }
    assert!(files >= 10, "the shared CSV files are found: {files}");
}

#[test]
fn agrees_on_odd_shapes() {
    let header = "Name,Email,Firma\n";
    let shapes = [
        // Quoted newlines, `""` escapes, empty quoted fields.
        "\"Jan\nNovák\",j@x.cz,\"A, \"\"B\"\" s.r.o.\"\n\"\",\"\",\"x\"\n\"\"\"\",\"\"\"\"\"\",y\n",
        // Stray quotes: inside an unquoted field, after a closing quote, spaces after one.
        "Ad\"a,a@x.cz,Y\n\"abc\"def,e@x.cz,Z\n\"abc\" ,e@x.cz,Z\nx,\"y\"\"\",z\"\n",
        // CRLF, a lone CR, CR CR LF, a quoted CRLF, a quoted field before CRLF.
        "a,b,c\r\nd,e,f\rg,h,i\r\r\nj,\"k\r\nl\",m\r\nn,o,\"p\"\r\nq,r,s\r",
        // Blank and whitespace-only lines, all-empty records, a trailing delimiter.
        "\n\n  \n,,\n , ,\t\na,b,c,\n\r\n\r\nd,e,f\n",
        // Ragged rows.
        "a\na,b\na,b,c,d\n\"a\",\"b\"\n",
        // A last line without a newline, ending in a quoted field.
        "a,b,c\nd,e,\"f\"",
        "a,b,c\nd,e,f",
        // Byte-order marks inside the text.
        "\u{feff}a,b,c\nd,\u{feff}e,f\n\u{feff}\"g\",h,i\n",
        // An unclosed quote.
        "a,b,c\nd,\"e,f\ng,h,i\n",
        // Long fields (the limit is 8 bytes below).
        "Jan,jan.novak@example.cz,Firma\n\"Jan Novák\",\"jan.novak@example.cz\",F\n",
        // A quoted field whose closing quote is followed by the end of the text.
        "a,b,\"c",
        "a,b,\"c\"\"",
        // Nothing but a byte-order mark after the header.
        "\u{feff}",
    ];
    let mut read = 0;
    for (i, shape) in shapes.iter().enumerate() {
        for text in [
            format!("{header}{shape}"),
            format!("Note: exported\n\n{header}{shape}"),
            format!("\u{feff}{header}\u{feff}{shape}"),
            format!("{header}{shape}").replace(',', ";"),
            format!("{header}{shape}").replace(',', "\t"),
            format!("{header}{shape}").replace(',', "|"),
            format!("{header}{shape}").replace('\n', "\r\n"),
        ] {
            for opts in [
                options(None, 8 * 1024),
                options(None, 8),
                options(Some(b','), 8 * 1024),
            ] {
                read += usize::from(agree(&format!("shape {i}"), &text, &opts));
            }
        }
    }
    assert!(read > 100, "most shapes give a table: {read}");
}

/// Random texts of CSV's special characters: the readers agree on every one.
#[test]
fn agrees_on_random_texts() {
    let tokens = [
        "a", "Jiří", "é", " ", ",", ",", ",", ";", "\t", "|", "\"", "\"", "\"\"", "\n", "\n",
        "\r\n", "\r", "\u{feff}", "x y", "",
    ];
    let mut state = 0x9e37_79b9_7f4a_7c15u64;
    let mut next = move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    let mut read = 0;
    for case in 0..4000 {
        let mut text = String::from("Name,Email,Firma\n");
        let len = (next() % 120) as usize;
        for _ in 0..len {
            text.push_str(tokens[(next() % tokens.len() as u64) as usize]);
        }
        let opts = match case % 5 {
            0 => options(Some(b','), 4),
            1 => options(Some(b';'), 8 * 1024),
            // A non-ASCII delimiter byte: it cuts `é` and `ř`.
            2 => options(Some(0xA9), 8 * 1024),
            _ => options(None, 8 * 1024),
        };
        read += usize::from(agree(&format!("case {case}"), &text, &opts));
    }
    assert!(read > 2000, "most random texts give a table: {read}");
}
