//! Working days: weekends and the official holiday calendar with its make-up working days (调休).
//!
//! Deadlines in the dynamic-adjustment procedure are counted in working days. The calendar is a
//! registry of the rule pack (`rules/registries/holidays.json`), so a deployment can extend it without
//! a new build.

use chrono::{Datelike, NaiveDate, Weekday};
use serde::Deserialize;
use std::collections::BTreeSet;

/// One year of the calendar, as the State Council notice for that year publishes it.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CalendarYear {
    pub year: i32,
    /// Weekdays that are public holidays.
    pub holidays: Vec<NaiveDate>,
    /// Weekend days that are working days (调休上班).
    #[serde(default)]
    pub workdays: Vec<NaiveDate>,
    /// The notice the dates come from.
    pub source: String,
}

/// The holiday-calendar registry file.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CalendarFile {
    pub format: String,
    #[serde(default)]
    pub description: Option<String>,
    pub years: Vec<CalendarYear>,
}

/// Which days are working days.
#[derive(Debug, Clone, Default)]
pub struct Calendar {
    holidays: BTreeSet<NaiveDate>,
    workdays: BTreeSet<NaiveDate>,
    years: BTreeSet<i32>,
}

impl Calendar {
    /// Builds a calendar from registry files.
    pub fn from_files(files: &[CalendarFile]) -> Self {
        let mut cal = Calendar::default();
        for f in files {
            for y in &f.years {
                cal.years.insert(y.year);
                cal.holidays.extend(y.holidays.iter().copied());
                cal.workdays.extend(y.workdays.iter().copied());
            }
        }
        cal
    }

    /// Adds one more calendar file.
    pub fn extend(&mut self, f: &CalendarFile) {
        for y in &f.years {
            self.years.insert(y.year);
            self.holidays.extend(y.holidays.iter().copied());
            self.workdays.extend(y.workdays.iter().copied());
        }
    }

    /// The years the calendar knows; outside them only weekends are days off.
    pub fn years(&self) -> impl Iterator<Item = i32> + '_ {
        self.years.iter().copied()
    }

    /// Whether `d` is a working day.
    pub fn is_working_day(&self, d: NaiveDate) -> bool {
        if self.workdays.contains(&d) {
            return true;
        }
        if self.holidays.contains(&d) {
            return false;
        }
        !matches!(d.weekday(), Weekday::Sat | Weekday::Sun)
    }

    /// Working days after `from` up to and including `to`: the deadline count used by the
    /// adjustment procedure ("within 10 working days of the trigger"). Negative when `to` is before
    /// `from`.
    pub fn working_days_between(&self, from: NaiveDate, to: NaiveDate) -> i64 {
        if to < from {
            return -self.working_days_between(to, from);
        }
        from.iter_days()
            .skip(1)
            .take_while(|d| *d <= to)
            .filter(|d| self.is_working_day(*d))
            .count() as i64
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    #[test]
    fn weekends_only_without_registry() {
        let cal = Calendar::default();
        // Mon 2017-08-07 → Mon 2017-08-14: 5 working days.
        assert_eq!(
            cal.working_days_between(d("2017-08-07"), d("2017-08-14")),
            5
        );
        assert_eq!(
            cal.working_days_between(d("2017-08-14"), d("2017-08-07")),
            -5
        );
        assert_eq!(
            cal.working_days_between(d("2017-08-07"), d("2017-08-07")),
            0
        );
    }

    #[test]
    fn holidays_and_makeup_days_count() {
        let cal = Calendar::from_files(&[CalendarFile {
            format: "holiday-calendar/1".into(),
            description: None,
            years: vec![CalendarYear {
                year: 2017,
                holidays: vec![d("2017-10-02"), d("2017-10-03")],
                workdays: vec![d("2017-09-30")],
                source: "test".into(),
            }],
        }]);
        assert!(cal.is_working_day(d("2017-09-30")), "make-up Saturday");
        assert!(!cal.is_working_day(d("2017-10-02")), "holiday Monday");
        // Fri 09-29 → Wed 10-04: Sat 30 (make-up) and Wed 4 count; 2 and 3 are holidays.
        assert_eq!(
            cal.working_days_between(d("2017-09-29"), d("2017-10-04")),
            2
        );
    }
}
