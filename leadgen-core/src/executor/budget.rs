//! The credit budget of one run execution: the run's own budget and what is left
//! of the tenant's daily budget.
//!
//! A paid pair reserves its estimate before it starts; when it finishes the
//! reservation is replaced by what it actually cost. A pair whose estimate does
//! not fit is not started, and from then on no paid pair is: "when the budget is
//! spent, paid stages stop being scheduled". Actual costs above estimates can
//! overshoot a budget by at most the pairs already in flight.

use crate::model::Credits;

#[derive(Debug)]
pub(crate) struct Budget {
    /// What the run may still spend (its budget minus earlier executions' spending).
    run_left: Option<Credits>,
    /// What the tenant may still spend today.
    daily_left: Option<Credits>,
    spent: Credits,
    reserved: Credits,
    exhausted: bool,
}

impl Budget {
    pub fn new(
        run_budget: Option<Credits>,
        daily_left: Option<Credits>,
        spent_before: Credits,
    ) -> Self {
        Budget {
            run_left: run_budget.map(|b| b.saturating_sub(spent_before)),
            daily_left,
            spent: Credits::ZERO,
            reserved: Credits::ZERO,
            exhausted: false,
        }
    }

    /// Reserves `estimate` if it fits; once one does not, nothing paid fits again.
    pub fn try_reserve(&mut self, estimate: Credits) -> bool {
        if self.exhausted {
            return false;
        }
        let after = self.spent + self.reserved + estimate;
        let fits = |left: Option<Credits>| left.is_none_or(|l| after <= l && !l.is_zero());
        if fits(self.run_left) && fits(self.daily_left) {
            self.reserved += estimate;
            true
        } else {
            self.exhausted = true;
            false
        }
    }

    /// Replaces a reservation by the actual cost.
    pub fn settle(&mut self, reserved: Credits, actual: Credits) {
        self.reserved = self.reserved.saturating_sub(reserved);
        self.spent += actual;
    }

    /// Credits spent in this execution.
    pub fn spent_now(&self) -> Credits {
        self.spent
    }

    /// Whether a paid pair was held back.
    pub fn exhausted(&self) -> bool {
        self.exhausted
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reservations_stop_at_the_budget() {
        let c = Credits::from_millis;
        let mut b = Budget::new(Some(c(1000)), None, c(200));
        assert!(b.try_reserve(c(500)));
        assert!(b.try_reserve(c(300)));
        assert!(!b.try_reserve(c(1)), "800 of the 800 left are reserved");
        assert!(
            !b.try_reserve(Credits::ZERO),
            "once exhausted, nothing paid starts"
        );
        b.settle(c(500), c(400));
        assert_eq!(b.spent_now(), c(400));
        assert!(b.exhausted());
    }

    #[test]
    fn zero_budget_and_daily_limit() {
        let mut b = Budget::new(Some(Credits::ZERO), None, Credits::ZERO);
        assert!(!b.try_reserve(Credits::ZERO));
        let mut b = Budget::new(None, Some(Credits::from_millis(10)), Credits::ZERO);
        assert!(b.try_reserve(Credits::from_millis(10)));
        assert!(!b.try_reserve(Credits::from_millis(1)));
    }
}
