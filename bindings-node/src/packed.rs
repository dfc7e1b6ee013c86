//! The packed transport of the batched calls (`normalizeCompanyNames`,
//! `validateEmails`): the results of a batch as ONE JSON array of cells, a fixed
//! number per input, written off the JavaScript thread. `leadgen.js` parses it and
//! assembles the same plain objects the single calls return, so one string crosses
//! into JavaScript instead of a napi property set per field per input.
//!
//! The inputs cross the other way as one text too: the strings joined by NUL
//! characters, with their count (`leadgen.js` falls back to the object-building
//! calls for inputs that are not all strings free of NUL).
//!
//! A cell that repeats a value JavaScript already has is `0`: the input itself, an
//! earlier field of the same result, or tokens that are the key split at spaces. The
//! layouts are described at the writers below and read in `leadgen.js`.

use leadgen::core::normalize::CompanyName;
use leadgen::stages::email::EmailVerification;

/// Cells per company name: `display | 0` (0: the input), `legalForm | null`, `key`,
/// `tokens | 0` (0: `key.split(' ')`, or `[]` for an empty key).
pub const COMPANY_NAME_CELLS: usize = 4;

/// Cells per address: `address | 0` (0: the input), `status`, `reasons`,
/// `detail | null`, `normalized | null | 0` (0: the address), `ascii | null | 0`
/// (0: normalized), `canonical | null | 0` (0: ascii), flags (1 disposable, 2 role
/// account, 4 free provider), `depth`.
pub const EMAIL_CELLS: usize = 9;

/// The inputs of a batch: `joined` split at NUL characters, which must give `count`
/// strings (`count` 0: no inputs).
pub fn split_inputs(joined: &str, count: u32) -> napi::Result<Vec<String>> {
    if count == 0 && joined.is_empty() {
        return Ok(Vec::new());
    }
    let inputs: Vec<String> = joined.split('\0').map(str::to_string).collect();
    if inputs.len() != count as usize {
        return Err(napi::Error::new(
            napi::Status::InvalidArg,
            format!("{} NUL-separated inputs, expected {count}", inputs.len()),
        ));
    }
    Ok(inputs)
}

/// A JSON array being written cell by cell.
struct Cells {
    out: String,
    first: bool,
}

impl Cells {
    fn with_capacity(bytes: usize) -> Self {
        let mut out = String::with_capacity(bytes);
        out.push('[');
        Cells { out, first: true }
    }

    fn sep(&mut self) {
        if !self.first {
            self.out.push(',');
        }
        self.first = false;
    }

    fn raw(&mut self, token: &str) {
        self.sep();
        self.out.push_str(token);
    }

    fn string(&mut self, s: &str) {
        self.sep();
        push_json_string(&mut self.out, s);
    }

    fn strings(&mut self, items: impl IntoIterator<Item = impl AsRef<str>>) {
        self.sep();
        self.out.push('[');
        for (i, s) in items.into_iter().enumerate() {
            if i > 0 {
                self.out.push(',');
            }
            push_json_string(&mut self.out, s.as_ref());
        }
        self.out.push(']');
    }

    /// `null`, `0` when `value` equals `same`, else the string.
    fn optional(&mut self, value: Option<&str>, same: Option<&str>) {
        match value {
            None => self.raw("null"),
            Some(v) if Some(v) == same => self.raw("0"),
            Some(v) => self.string(v),
        }
    }

    fn finish(mut self) -> String {
        self.out.push(']');
        self.out
    }
}

/// `s` as a JSON string literal (the escapes of RFC 8259; other characters as is).
fn push_json_string(out: &mut String, s: &str) {
    out.push('"');
    let mut start = 0;
    for (i, b) in s.bytes().enumerate() {
        let escape = match b {
            b'"' => "\\\"",
            b'\\' => "\\\\",
            b'\n' => "\\n",
            b'\r' => "\\r",
            b'\t' => "\\t",
            0x00..=0x1f => "",
            _ => continue,
        };
        out.push_str(&s[start..i]);
        if escape.is_empty() {
            out.push_str(&format!("\\u{b:04x}"));
        } else {
            out.push_str(escape);
        }
        start = i + 1;
    }
    out.push_str(&s[start..]);
    out.push('"');
}

/// Whether JavaScript rebuilds `tokens` from `key` (`key.split(' ')`, `[]` when empty).
fn tokens_follow_key(key: &str, tokens: &[String]) -> bool {
    if key.is_empty() {
        return tokens.is_empty();
    }
    let mut parts = key.split(' ');
    tokens.iter().all(|t| parts.next() == Some(t.as_str())) && parts.next().is_none()
}

/// The packed company names of `inputs` (same order), [`COMPANY_NAME_CELLS`] each.
pub fn company_names(inputs: &[String], names: &[CompanyName]) -> String {
    let mut cells = Cells::with_capacity(names.len() * COMPANY_NAME_CELLS * 12 + 2);
    for (input, n) in inputs.iter().zip(names) {
        cells.optional(Some(&n.display), Some(input));
        cells.optional(n.legal_form.as_deref(), None);
        cells.string(&n.key);
        if tokens_follow_key(&n.key, &n.tokens) {
            cells.raw("0");
        } else {
            cells.strings(&n.tokens);
        }
    }
    cells.finish()
}

/// The packed verdicts on `inputs` (same order), [`EMAIL_CELLS`] each.
pub fn email_verifications(inputs: &[String], verdicts: &[EmailVerification]) -> String {
    let mut cells = Cells::with_capacity(verdicts.len() * EMAIL_CELLS * 6 + 2);
    for (input, v) in inputs.iter().zip(verdicts) {
        cells.optional(Some(&v.address), Some(input));
        cells.string(v.status.as_str());
        cells.strings(v.reasons.iter().map(|r| r.code()));
        cells.optional(v.detail.as_deref(), None);
        cells.optional(v.normalized.as_deref(), Some(&v.address));
        cells.optional(v.ascii.as_deref(), v.normalized.as_deref());
        cells.optional(v.canonical.as_deref(), v.ascii.as_deref());
        let flags = u8::from(v.flags.disposable)
            | (u8::from(v.flags.role_account) << 1)
            | (u8::from(v.flags.free_provider) << 2);
        cells.raw(&flags.to_string());
        cells.string(v.depth.as_str());
    }
    cells.finish()
}
