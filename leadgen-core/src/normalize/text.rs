//! Text helpers shared by the normalizers: folding for matching keys, whitespace
//! clean-up, and the reader for the compiled-in data tables.

/// Folds text for matching: transliterates to ASCII (diacritics dropped, `ß` → `ss`,
/// `ø` → `o`, other scripts romanized) and lower-cases.
///
/// ```
/// use leadgen_core::normalize::text::fold;
/// assert_eq!(fold("Dvořák Müller-Straße"), "dvorak muller-strasse");
/// ```
pub fn fold(s: &str) -> String {
    if s.is_ascii() {
        s.to_ascii_lowercase()
    } else {
        let mut out = deunicode::deunicode(s);
        out.make_ascii_lowercase();
        out
    }
}

/// Trims and collapses runs of whitespace (including NBSP and zero-width spaces)
/// into single spaces.
///
/// ```
/// use leadgen_core::normalize::text::collapse_whitespace;
/// assert_eq!(collapse_whitespace("  Acme \u{a0}\u{200b} Ltd "), "Acme Ltd");
/// ```
pub fn collapse_whitespace(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for word in s.split(is_space).filter(|w| !w.is_empty()) {
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(word);
    }
    out
}

/// Whitespace as found in pasted data: Unicode white space plus the zero-width
/// characters and BOM that spreadsheets leave behind.
pub fn is_space(c: char) -> bool {
    c.is_whitespace()
        || matches!(
            c,
            '\u{200b}' | '\u{200c}' | '\u{200d}' | '\u{2060}' | '\u{feff}'
        )
}

/// Folds `s` and splits it into alphanumeric tokens. Apostrophes and dots inside a
/// word are dropped (`O'Neil` → `oneil`, `A.B.C.` → `abc`); every other
/// non-alphanumeric character separates tokens.
///
/// ```
/// use leadgen_core::normalize::text::fold_tokens;
/// assert_eq!(fold_tokens("Pospíšil & partneři, O'Neil A.B."), ["pospisil", "partneri", "oneil", "ab"]);
/// ```
pub fn fold_tokens(s: &str) -> Vec<String> {
    let folded = fold(s);
    let mut tokens = Vec::new();
    let mut current = String::new();
    for c in folded.chars() {
        if c.is_ascii_alphanumeric() {
            current.push(c);
        } else if matches!(c, '\'' | '.' | '`' | '\u{2019}') {
            // Joiners: keep the word together.
        } else if !current.is_empty() {
            tokens.push(std::mem::take(&mut current));
        }
    }
    if !current.is_empty() {
        tokens.push(current);
    }
    tokens
}

/// The rows of a compiled-in tab-separated table: blank lines and lines starting
/// with `#` skipped, fields trimmed.
pub(crate) fn tsv_rows(src: &'static str) -> impl Iterator<Item = Vec<&'static str>> {
    src.lines()
        .filter(|l| !l.trim().is_empty() && !l.starts_with('#'))
        .map(|l| l.split('\t').map(str::trim).collect())
}

/// Splits a `|`-separated list field of a table, skipping empty items.
pub(crate) fn list(field: &'static str) -> impl Iterator<Item = &'static str> {
    field.split('|').map(str::trim).filter(|s| !s.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folds_scripts_and_marks() {
        let cases = [
            ("Bjørn", "bjorn"),
            ("Ærø", "aero"),
            ("Straße", "strasse"),
            ("ŁÓDŹ", "lodz"),
            ("Jyväskylä", "jyvaskyla"),
            ("Москва", "moskva"),
            ("", ""),
        ];
        for (input, want) in cases {
            assert_eq!(fold(input), want, "{input}");
        }
    }

    #[test]
    fn tokens_split_on_punctuation() {
        assert_eq!(
            fold_tokens("Jean-Luc / Étienne"),
            ["jean", "luc", "etienne"]
        );
        assert!(fold_tokens(" ,;- ").is_empty());
    }
}
