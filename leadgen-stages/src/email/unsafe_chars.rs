//! Characters that must never appear in an address: they hide, reorder or break text.

/// Why a character is unsafe in an address.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum UnsafeClass {
    /// A C0/C1 control character or DEL (incl. NUL).
    Control,
    /// A bidirectional formatting control (LRM, RLO, isolates, …).
    Bidi,
    /// A zero-width or otherwise invisible format character.
    Invisible,
    /// A space or separator other than ASCII space.
    Whitespace,
    /// Private-use or noncharacter code points, and U+FFFD (the mark of bad UTF-8).
    Unassigned,
}

impl UnsafeClass {
    /// A short name for messages.
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            UnsafeClass::Control => "control character",
            UnsafeClass::Bidi => "bidirectional control",
            UnsafeClass::Invisible => "invisible character",
            UnsafeClass::Whitespace => "whitespace",
            UnsafeClass::Unassigned => "private-use, noncharacter or replacement character",
        }
    }
}

/// Classifies `c` when it is unsafe; `None` for a character that may appear.
///
/// ASCII space is left to the grammar (it is simply not `atext`).
pub(crate) fn classify(c: char) -> Option<UnsafeClass> {
    let cp = c as u32;
    if cp < 0x80 {
        return if cp < 0x20 || cp == 0x7F {
            Some(UnsafeClass::Control)
        } else {
            None
        };
    }
    match cp {
        0x80..=0x9F => Some(UnsafeClass::Control),
        0x061C | 0x200E | 0x200F | 0x202A..=0x202E | 0x2066..=0x2069 => Some(UnsafeClass::Bidi),
        0x00AD
        | 0x034F
        | 0x0600..=0x0605
        | 0x06DD
        | 0x070F
        | 0x115F
        | 0x1160
        | 0x17B4
        | 0x17B5
        | 0x180B..=0x180F
        | 0x200B..=0x200D
        | 0x2060..=0x2065
        | 0x206A..=0x206F
        | 0x3164
        | 0xFE00..=0xFE0F
        | 0xFEFF
        | 0xFFA0
        | 0xFFF9..=0xFFFB
        | 0x110BD
        | 0x1BCA0..=0x1BCA3
        | 0x1D173..=0x1D17A
        | 0xE0000..=0xE0FFF => Some(UnsafeClass::Invisible),
        0x00A0 | 0x1680 | 0x2000..=0x200A | 0x2028 | 0x2029 | 0x202F | 0x205F | 0x3000 => {
            Some(UnsafeClass::Whitespace)
        }
        0xD800..=0xDFFF | 0xE000..=0xF8FF | 0xFDD0..=0xFDEF | 0xFFFD | 0xF0000..=0x10FFFF => {
            Some(UnsafeClass::Unassigned)
        }
        _ if cp & 0xFFFE == 0xFFFE => Some(UnsafeClass::Unassigned),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classes() {
        assert_eq!(classify('\0'), Some(UnsafeClass::Control));
        assert_eq!(classify('\u{85}'), Some(UnsafeClass::Control));
        assert_eq!(classify('\u{202E}'), Some(UnsafeClass::Bidi));
        assert_eq!(classify('\u{200B}'), Some(UnsafeClass::Invisible));
        assert_eq!(classify('\u{3000}'), Some(UnsafeClass::Whitespace));
        assert_eq!(classify('\u{FFFD}'), Some(UnsafeClass::Unassigned));
        assert_eq!(classify('\u{1FFFF}'), Some(UnsafeClass::Unassigned));
        assert_eq!(classify('a'), None);
        assert_eq!(classify('é'), None);
        assert_eq!(classify('日'), None);
        assert_eq!(classify(' '), None);
    }
}
