//! Credits: the unit every paid call is priced in.

use std::fmt;
use std::iter::Sum;
use std::ops::{Add, AddAssign, Sub};

use serde::{Deserialize, Serialize};

/// An amount of credits, kept in thousandths so sums are exact.
///
/// ```
/// use leadgen_core::Credits;
/// let call = Credits::from_credits(0.25);
/// assert_eq!((call + call).to_string(), "0.500");
/// assert_eq!(Credits::ZERO.millis(), 0);
/// ```
#[derive(
    Debug, Clone, Copy, Default, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize,
)]
#[serde(transparent)]
pub struct Credits(u64);

impl Credits {
    /// No credits.
    pub const ZERO: Credits = Credits(0);

    /// An amount in thousandths of a credit.
    pub const fn from_millis(millis: u64) -> Self {
        Credits(millis)
    }

    /// An amount in credits, rounded to the nearest thousandth; negative and
    /// non-finite values become zero.
    pub fn from_credits(credits: f64) -> Self {
        if credits.is_finite() && credits > 0.0 {
            Credits((credits * 1000.0).round() as u64)
        } else {
            Credits(0)
        }
    }

    /// The amount in thousandths of a credit.
    pub const fn millis(self) -> u64 {
        self.0
    }

    /// The amount in credits.
    pub fn as_credits(self) -> f64 {
        self.0 as f64 / 1000.0
    }

    /// Whether this is zero.
    pub const fn is_zero(self) -> bool {
        self.0 == 0
    }

    /// `self - other`, or zero.
    pub const fn saturating_sub(self, other: Credits) -> Credits {
        Credits(self.0.saturating_sub(other.0))
    }
}

impl Add for Credits {
    type Output = Credits;
    fn add(self, rhs: Credits) -> Credits {
        Credits(self.0.saturating_add(rhs.0))
    }
}

impl AddAssign for Credits {
    fn add_assign(&mut self, rhs: Credits) {
        self.0 = self.0.saturating_add(rhs.0);
    }
}

impl Sub for Credits {
    type Output = Credits;
    fn sub(self, rhs: Credits) -> Credits {
        self.saturating_sub(rhs)
    }
}

impl Sum for Credits {
    fn sum<I: Iterator<Item = Credits>>(iter: I) -> Credits {
        iter.fold(Credits::ZERO, |a, b| a + b)
    }
}

impl fmt::Display for Credits {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{:03}", self.0 / 1000, self.0 % 1000)
    }
}
