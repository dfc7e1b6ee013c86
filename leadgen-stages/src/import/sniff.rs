//! Delimiter and header detection for delimited text: `,` `;` tab `|`, an Excel
//! `sep=;` hint line, and preamble lines above the header (LinkedIn's `Notes:`).

/// The delimiters tried, in order of preference on ties.
pub const DELIMITERS: [u8; 4] = [b',', b';', b'\t', b'|'];

/// How many logical lines are looked at.
const SAMPLE_RECORDS: usize = 40;

/// What sniffing found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Sniffed {
    /// The delimiter.
    pub delimiter: u8,
    /// Byte offset of the header record in the text.
    pub header_offset: usize,
    /// 1-based physical line of the header.
    pub header_line: u64,
    /// Fields in the header record.
    pub header_fields: usize,
}

/// One logical record of the sample: where it starts and its raw text.
struct SampleRecord<'a> {
    offset: usize,
    line: u64,
    text: &'a str,
}

/// Splits the start of `text` into logical records, keeping quoted newlines inside
/// their record (a `"` toggles the quoted state; `""` toggles twice).
fn sample_records(text: &str, skip: usize) -> Vec<SampleRecord<'_>> {
    let bytes = text.as_bytes();
    let mut out = Vec::new();
    let mut start = skip;
    let mut line = 1 + memchr::memchr_iter(b'\n', &bytes[..skip]).count() as u64;
    let mut record_line = line;
    let mut quoted = false;
    let mut i = skip;
    while i < bytes.len() && out.len() < SAMPLE_RECORDS {
        match bytes[i] {
            b'"' => quoted = !quoted,
            b'\n' => {
                line += 1;
                if !quoted {
                    let end = if i > start && bytes[i - 1] == b'\r' {
                        i - 1
                    } else {
                        i
                    };
                    out.push(SampleRecord {
                        offset: start,
                        line: record_line,
                        text: &text[start..end],
                    });
                    start = i + 1;
                    record_line = line;
                }
            }
            _ => {}
        }
        i += 1;
    }
    if start < bytes.len() && out.len() < SAMPLE_RECORDS {
        out.push(SampleRecord {
            offset: start,
            line: record_line,
            text: text[start..].trim_end_matches(['\r', '\n']),
        });
    }
    out
}

/// Fields in one record for a delimiter, outside quotes.
fn count_fields(record: &str, delimiter: u8) -> usize {
    let mut quoted = false;
    let mut n = 1;
    for &b in record.as_bytes() {
        if b == b'"' {
            quoted = !quoted;
        } else if b == delimiter && !quoted {
            n += 1;
        }
    }
    n
}

fn non_empty_fields(record: &str, delimiter: u8) -> usize {
    let mut n = 0;
    let mut quoted = false;
    let mut has = false;
    for &b in record.as_bytes() {
        if b == b'"' {
            quoted = !quoted;
        } else if b == delimiter && !quoted {
            n += usize::from(has);
            has = false;
            continue;
        }
        if !b.is_ascii_whitespace() && b != b'"' {
            has = true;
        }
    }
    n + usize::from(has)
}

/// Finds the delimiter and the header.
///
/// The delimiter is the candidate whose most common field count (over the sampled
/// records, at least 2) covers the most records; the header is the first record with
/// that many fields that has at least two non-empty cells. Lines before it (notes,
/// titles, blank lines) are preamble.
///
/// ```
/// use leadgen_stages::import::sniff::sniff;
/// let text = "Notes:\n\"Some, text\"\n\nFirst Name,Last Name,URL\nJan,Novák,x\n";
/// let s = sniff(text, None).unwrap();
/// assert_eq!((s.delimiter, s.header_line), (b',', 4));
/// ```
pub fn sniff(text: &str, forced_delimiter: Option<u8>) -> Option<Sniffed> {
    let mut skip = 0;
    let mut hinted = forced_delimiter;
    // Excel's `sep=;` hint line.
    let first_line = text.lines().next().unwrap_or("");
    if let Some(rest) = first_line.trim().strip_prefix("sep=")
        && rest.len() == 1
    {
        hinted = hinted.or(Some(rest.as_bytes()[0]));
        skip = text.find('\n').map_or(text.len(), |i| i + 1);
    }
    let records = sample_records(text, skip);
    let records: Vec<&SampleRecord<'_>> = records
        .iter()
        .filter(|r| !r.text.trim().is_empty())
        .collect();
    if records.is_empty() {
        return None;
    }
    let candidates: Vec<u8> = match hinted {
        Some(d) => vec![d],
        None => DELIMITERS.to_vec(),
    };
    // (covered records, field count, delimiter)
    let mut best: Option<(usize, usize, u8)> = None;
    for &d in &candidates {
        let counts: Vec<usize> = records.iter().map(|r| count_fields(r.text, d)).collect();
        let mut freq: std::collections::BTreeMap<usize, usize> = Default::default();
        for &c in &counts {
            if c >= 2 {
                *freq.entry(c).or_default() += 1;
            }
        }
        let Some((&fields, &covered)) = freq
            .iter()
            .max_by_key(|(fields, covered)| (**covered, **fields))
        else {
            continue;
        };
        let better = match best {
            None => true,
            Some((bc, bf, _)) => covered > bc || (covered == bc && fields > bf),
        };
        if better {
            best = Some((covered, fields, d));
        }
    }
    let (delimiter, fields) = match best {
        Some((_, fields, d)) => (d, fields),
        // A single column: no delimiter occurs anywhere in the sample.
        None => (hinted.unwrap_or(b','), 1),
    };
    let header = records
        .iter()
        .find(|r| {
            count_fields(r.text, delimiter) == fields
                && (fields == 1 || non_empty_fields(r.text, delimiter) >= 2)
        })
        .or_else(|| records.first())?;
    Some(Sniffed {
        delimiter,
        header_offset: header.offset,
        header_line: header.line,
        header_fields: fields,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn picks_delimiters() {
        assert_eq!(sniff("a;b;c\n1;2;3\n", None).unwrap().delimiter, b';');
        assert_eq!(sniff("a\tb\tc\n1\t2\t3\n", None).unwrap().delimiter, b'\t');
        assert_eq!(sniff("a|b|c\n1|2|3\n", None).unwrap().delimiter, b'|');
        // Commas inside a semicolon file's values do not fool it.
        let s = sniff("Name;Note\nJan;\"a, b, c\"\nEva;x, y\n", None).unwrap();
        assert_eq!(s.delimiter, b';');
    }

    #[test]
    fn excel_sep_hint_and_crlf() {
        let s = sniff("sep=;\r\nName;Email\r\nJan;j@x.cz\r\n", None).unwrap();
        assert_eq!((s.delimiter, s.header_line, s.header_offset), (b';', 2, 7));
    }

    #[test]
    fn preamble_and_title_lines() {
        let text = "Contacts export\n\nName,Email,Company\nJan,j@x.cz,X\n";
        let s = sniff(text, None).unwrap();
        assert_eq!(s.header_line, 3);
        assert_eq!(&text[s.header_offset..s.header_offset + 4], "Name");
    }

    #[test]
    fn quoted_newlines_stay_in_their_record() {
        let text = "a,b\n\"x\ny\",2\n3,4\n";
        let recs = sample_records(text, 0);
        assert_eq!(recs.len(), 3);
        assert_eq!(recs[2].line, 4);
    }
}
