//! Times as the model writes them: RFC 3339 in UTC (`2024-05-01T12:00:00.123456Z`),
//! the fraction 0, 3, 6 or 9 digits as needed. That is exactly chrono's own serde
//! form, written without `fmt`: chrono's formatter was a tenth of the work of
//! storing an imported contact.

use chrono::{DateTime, Datelike, Timelike, Utc};
use serde::Serialize;

/// A time that serializes as RFC 3339, as chrono does, but faster.
///
/// ```
/// use chrono::DateTime;
/// use leadgen_core::model::time::Rfc3339;
/// let at = DateTime::from_timestamp(1_700_000_000, 123_000_000).unwrap();
/// assert_eq!(serde_json::to_string(&Rfc3339(at)).unwrap(), r#""2023-11-14T22:13:20.123Z""#);
/// assert_eq!(serde_json::to_string(&Rfc3339(at)).unwrap(), serde_json::to_string(&at).unwrap());
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rfc3339(pub DateTime<Utc>);

impl Serialize for Rfc3339 {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut buf = [0u8; 32];
        match write_rfc3339(self.0, &mut buf) {
            Some(text) => s.serialize_str(text),
            // Years past 9999 or before 0, leap seconds: chrono's own form.
            None => self.0.serialize(s),
        }
    }
}

/// `serialize_with` for a `DateTime<Utc>` field.
pub fn serialize<S: serde::Serializer>(at: &DateTime<Utc>, s: S) -> Result<S::Ok, S::Error> {
    Rfc3339(*at).serialize(s)
}

/// `serialize_with` for an `Option<DateTime<Utc>>` field.
pub fn serialize_option<S: serde::Serializer>(
    at: &Option<DateTime<Utc>>,
    s: S,
) -> Result<S::Ok, S::Error> {
    match at {
        Some(at) => s.serialize_some(&Rfc3339(*at)),
        None => s.serialize_none(),
    }
}

fn digits(out: &mut [u8], mut value: u32) {
    for slot in out.iter_mut().rev() {
        *slot = b'0' + (value % 10) as u8;
        value /= 10;
    }
}

/// Writes `at` into `buf` as RFC 3339; `None` for the times this form does not
/// cover (years outside 0–9999, leap seconds), which chrono then writes.
pub fn write_rfc3339(at: DateTime<Utc>, buf: &mut [u8; 32]) -> Option<&str> {
    let year = u32::try_from(at.year()).ok().filter(|y| *y <= 9999)?;
    let nanos = at.nanosecond();
    if nanos >= 1_000_000_000 {
        return None;
    }
    digits(&mut buf[0..4], year);
    buf[4] = b'-';
    digits(&mut buf[5..7], at.month());
    buf[7] = b'-';
    digits(&mut buf[8..10], at.day());
    buf[10] = b'T';
    digits(&mut buf[11..13], at.hour());
    buf[13] = b':';
    digits(&mut buf[14..16], at.minute());
    buf[16] = b':';
    digits(&mut buf[17..19], at.second());
    let mut end = 19;
    let (value, width) = if nanos == 0 {
        (0, 0)
    } else if nanos.is_multiple_of(1_000_000) {
        (nanos / 1_000_000, 3)
    } else if nanos.is_multiple_of(1_000) {
        (nanos / 1_000, 6)
    } else {
        (nanos, 9)
    };
    if width > 0 {
        buf[end] = b'.';
        digits(&mut buf[end + 1..end + 1 + width], value);
        end += 1 + width;
    }
    buf[end] = b'Z';
    std::str::from_utf8(&buf[..end + 1]).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every fraction width, the epoch, far years and leap seconds match chrono.
    #[test]
    fn written_as_chrono_writes_them() {
        let mut times: Vec<DateTime<Utc>> = [
            (0, 0),
            (1_700_000_000, 0),
            (1_700_000_000, 1),
            (1_700_000_000, 120_000_000),
            (1_700_000_000, 123_456_000),
            (1_700_000_000, 123_456_789),
            (1_700_000_059, 1_500_000_000),
            (-62_167_219_200, 0),
            (253_402_300_799, 999_999_999),
            (253_402_300_800, 0),
            (-62_167_219_201, 0),
        ]
        .iter()
        .filter_map(|(s, n)| DateTime::from_timestamp(*s, *n))
        .collect();
        times.push(Utc::now());
        for at in times {
            let ours = serde_json::to_string(&Rfc3339(at)).unwrap();
            assert_eq!(ours, serde_json::to_string(&at).unwrap(), "{at:?}");
            let back: DateTime<Utc> = serde_json::from_str(&ours).unwrap();
            assert_eq!(back, at);
        }
    }
}
