//! Bytes to text: UTF-8 with or without a BOM, UTF-16 with a BOM, and legacy
//! single-byte encodings (Windows-1250, Windows-1252, Latin-1) guessed by `chardetng`.

use std::io::Read;
use std::path::Path;

use encoding_rs::{Encoding, UTF_8};

use super::error::ImportError;
use super::table::ReadLimits;

/// Decoded text and what it was decoded from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Decoded {
    /// The text, without the byte-order mark.
    pub text: String,
    /// The encoding's name (`UTF-8`, `UTF-16LE`, `windows-1250`, …).
    pub encoding: &'static str,
    /// Whether the bytes started with a byte-order mark.
    pub bom: bool,
}

/// Reads a file whole, refusing files over [`ReadLimits::max_file_bytes`] and
/// stopping at the first physical line over [`ReadLimits::max_line_bytes`] without
/// reading the rest.
pub fn read_file_capped(path: &Path, limits: &ReadLimits) -> Result<Vec<u8>, ImportError> {
    let file_name = path.display().to_string();
    let io = |source| ImportError::Io {
        file: file_name.clone(),
        source,
    };
    let mut file = std::fs::File::open(path).map_err(io)?;
    let meta = file.metadata().map_err(io)?;
    if meta.is_dir() {
        return Err(io(std::io::Error::other("is a directory")));
    }
    if meta.len() > limits.max_file_bytes {
        return Err(ImportError::FileTooLarge {
            file: file_name,
            size: meta.len(),
            limit: limits.max_file_bytes,
        });
    }
    // Read straight into the result, a piece at a time, checking the lines read so far.
    let mut out = Vec::with_capacity(meta.len() as usize);
    let mut lines = LongLineCheck {
        limit: limits.max_line_bytes,
        line_start: 0,
    };
    loop {
        let n = Read::take(&mut file, READ_PIECE)
            .read_to_end(&mut out)
            .map_err(io)?;
        if let Some(line) = lines.first_too_long(&out) {
            return Err(ImportError::LineTooLong {
                file: file_name,
                line,
                limit: limits.max_line_bytes,
            });
        }
        if n == 0 {
            break;
        }
    }
    if out.is_empty() {
        return Err(ImportError::EmptyFile { file: file_name });
    }
    Ok(out)
}

/// Bytes read between two line checks (a runaway line stops the read soon after it
/// passes the limit).
const READ_PIECE: u64 = 1 << 20;

/// Finds a physical line longer than `limit` in text read so far, without visiting
/// every newline: from a line start, the last newline within `limit + 1` bytes (one
/// backward search) ends every line before it, all short enough.
struct LongLineCheck {
    limit: usize,
    /// Where the first line not yet known to be short enough starts.
    line_start: usize,
}

impl LongLineCheck {
    /// The 1-based number of the first line over the limit in `read` (the text read so
    /// far, growing between calls), if there is one yet.
    fn first_too_long(&mut self, read: &[u8]) -> Option<u64> {
        while read.len() - self.line_start > self.limit {
            let window = &read[self.line_start..=self.line_start + self.limit];
            match memchr::memrchr(b'\n', window) {
                Some(i) => self.line_start += i + 1,
                None => {
                    let before = &read[..self.line_start];
                    return Some(1 + memchr::memchr_iter(b'\n', before).count() as u64);
                }
            }
        }
        None
    }
}

/// Decodes bytes to text, detecting the encoding.
///
/// ```
/// use leadgen_stages::import::decode::decode_bytes;
/// // "Příjmení" in Windows-1250, as Czech Excel saves it.
/// let bytes = b"P\xf8\xedjmen\xed;Jm\xe9no\r\nNov\xe1k;Jan\r\n".to_vec();
/// let d = decode_bytes("a.csv", bytes).unwrap();
/// assert_eq!(d.encoding, "windows-1250");
/// assert!(d.text.starts_with("Příjmení;Jméno"));
/// ```
pub fn decode_bytes(file: &str, bytes: Vec<u8>) -> Result<Decoded, ImportError> {
    if bytes.is_empty() {
        return Err(ImportError::EmptyFile { file: file.into() });
    }
    if let Some((encoding, bom_len)) = Encoding::for_bom(&bytes) {
        let (text, had_errors) = encoding.decode_without_bom_handling(&bytes[bom_len..]);
        if had_errors && encoding == UTF_8 {
            return Err(ImportError::NotText {
                file: file.into(),
                reason: "starts with a UTF-8 byte-order mark but holds invalid UTF-8".into(),
            });
        }
        let text = text.into_owned();
        check_text(file, &text)?;
        return Ok(Decoded {
            text,
            encoding: encoding.name(),
            bom: true,
        });
    }
    // Most files are UTF-8: validate without copying.
    let bytes = match String::from_utf8(bytes) {
        Ok(text) => {
            check_text(file, &text)?;
            return Ok(Decoded {
                text,
                encoding: UTF_8.name(),
                bom: false,
            });
        }
        Err(e) => e.into_bytes(),
    };
    if looks_binary(&bytes) {
        return Err(ImportError::NotText {
            file: file.into(),
            reason: "holds NUL or control bytes".into(),
        });
    }
    let mut detector = chardetng::EncodingDetector::new(chardetng::Iso2022JpDetection::Deny);
    detector.feed(&bytes, true);
    let encoding = detector.guess(None, chardetng::Utf8Detection::Allow);
    let (text, _, _) = encoding.decode(&bytes);
    let text = text.into_owned();
    check_text(file, &text)?;
    Ok(Decoded {
        text,
        encoding: encoding.name(),
        bom: false,
    })
}

/// Reads and decodes a text file.
pub fn read_text_file(path: &Path, limits: &ReadLimits) -> Result<Decoded, ImportError> {
    let bytes = read_file_capped(path, limits)?;
    decode_bytes(&path.display().to_string(), bytes)
}

/// Control bytes other than tab, CR, LF and form feed are rare in text and common in
/// binary files.
fn looks_binary(bytes: &[u8]) -> bool {
    let sample = &bytes[..bytes.len().min(64 * 1024)];
    if memchr::memchr(0, sample).is_some() {
        return true;
    }
    let controls = sample
        .iter()
        .filter(|&&b| b < 0x20 && !matches!(b, b'\t' | b'\n' | b'\r' | 0x0c))
        .count();
    controls * 100 > sample.len()
}

fn check_text(file: &str, text: &str) -> Result<(), ImportError> {
    let sample_end = text
        .char_indices()
        .nth(64 * 1024)
        .map_or(text.len(), |(i, _)| i);
    let sample = &text[..sample_end];
    let mut total = 0usize;
    let mut bad = 0usize;
    for c in sample.chars() {
        total += 1;
        if c == '\0' || c == '\u{FFFD}' || (c.is_control() && !matches!(c, '\t' | '\n' | '\r')) {
            bad += 1;
        }
    }
    if bad * 100 > total.max(1) {
        return Err(ImportError::NotText {
            file: file.into(),
            reason: format!("{bad} of the first {total} characters are control or invalid"),
        });
    }
    if text.trim().is_empty() {
        return Err(ImportError::EmptyFile { file: file.into() });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn utf8_bom_and_utf16() {
        let d = decode_bytes("x", b"\xef\xbb\xbfName,Email\n".to_vec()).unwrap();
        assert!(d.bom);
        assert_eq!(d.encoding, "UTF-8");
        assert_eq!(d.text, "Name,Email\n");

        let mut utf16 = vec![0xff, 0xfe];
        for u in "Jméno;E-mail\r\nJan;j@x.cz\r\n".encode_utf16() {
            utf16.extend_from_slice(&u.to_le_bytes());
        }
        let d = decode_bytes("x", utf16).unwrap();
        assert_eq!(d.encoding, "UTF-16LE");
        assert!(d.text.starts_with("Jméno;E-mail"));

        let mut utf16be = vec![0xfe, 0xff];
        for u in "Name\nÅse\n".encode_utf16() {
            utf16be.extend_from_slice(&u.to_be_bytes());
        }
        assert_eq!(decode_bytes("x", utf16be).unwrap().text, "Name\nÅse\n");
    }

    #[test]
    fn latin1_and_cp1252() {
        // "Müller;Straße;café" in Latin-1 / Windows-1252.
        let d = decode_bytes(
            "x",
            b"Name;Firma\nM\xfcller;Stra\xdfe Caf\xe9 GmbH\nJ\xfcrgen;B\xe4cker\n".to_vec(),
        )
        .unwrap();
        assert_eq!(d.encoding, "windows-1252");
        assert!(d.text.contains("Müller;Straße Café GmbH"));
    }

    #[test]
    fn binary_and_empty_are_refused() {
        assert!(matches!(
            decode_bytes("x", vec![]),
            Err(ImportError::EmptyFile { .. })
        ));
        let garbage: Vec<u8> = (0..4096u32)
            .map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8)
            .collect();
        assert!(matches!(
            decode_bytes("x", garbage),
            Err(ImportError::NotText { .. })
        ));
        assert!(matches!(
            decode_bytes("x", b"   \n\n".to_vec()),
            Err(ImportError::EmptyFile { .. })
        ));
    }

    #[test]
    fn long_line_check_finds_the_first_line_over_the_limit() {
        let text = b"ab\nabcd\n\nabc\nabcde";
        let first = |limit, read: &[u8]| {
            LongLineCheck {
                limit,
                line_start: 0,
            }
            .first_too_long(read)
        };
        assert_eq!(first(4, text), Some(5));
        assert_eq!(first(5, text), None);
        assert_eq!(first(3, text), Some(2));
        assert_eq!(first(0, b"\n\n"), None);
        assert_eq!(first(0, b"\n\nx"), Some(3));
        // Fed as it is read: known-short lines are not looked at again.
        let mut check = LongLineCheck {
            limit: 4,
            line_start: 0,
        };
        for end in 0..text.len() {
            assert_eq!(check.first_too_long(&text[..end]), None, "{end}");
        }
        assert_eq!(check.first_too_long(text), Some(5));
    }

    #[test]
    fn long_line_stops_reading() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("long.csv");
        let mut body = b"a,b\n1,2\n".to_vec();
        body.extend(std::iter::repeat_n(b'x', 10_000));
        body.extend_from_slice(b"\n3,4\n");
        std::fs::write(&path, body).unwrap();
        let limits = ReadLimits {
            max_line_bytes: 4096,
            ..ReadLimits::default()
        };
        match read_file_capped(&path, &limits) {
            Err(ImportError::LineTooLong { line, limit, .. }) => {
                assert_eq!((line, limit), (3, 4096));
            }
            other => panic!("{other:?}"),
        }
        assert!(read_file_capped(&path, &ReadLimits::default()).is_ok());
    }
}
