//! Deadlines in calendar days or in working days, and the public holidays of Vietnam.
//!
//! A working day is Monday to Friday, unless it is a day off (a public holiday, the
//! day off given in compensation for a holiday falling on a weekend, or a day swapped
//! to bridge two days off), plus any weekend day announced as a make-up working day.
//! These are the days of civil servants, whose weekly rest is Saturday and Sunday.
//!
//! The default Vietnamese holidays (Bộ luật Lao động 2012, Art. 115, from 2013; Bộ luật
//! Lao động 2019, Art. 112, from 2021; before 2013 Tết lasted 4 days):
//! - solar: 1/1; 30/4; 1/5; 2/9, and from 2021 one more day beside 2/9;
//! - lunar: Tết (the last day of the old year and the first days of the new one: the
//!   Prime Minister fixes which, every year) and Giỗ Tổ Hùng Vương (10th day of the
//!   3rd lunar month);
//! - a holiday falling on Saturday or Sunday gives the next working day off.
//!
//! Sources of the tables below:
//! - [`LUNAR`]: the Gregorian dates of the first day of the lunar year and of the 10th
//!   day of the 3rd lunar month, 2011–2035, from the Vietnamese lunar calendar (computed
//!   at UTC+7, which is why Tết 2030 is on 2 February in Vietnam and on 3 February in
//!   China). Every year up to 2026 agrees with the dates in the Government's holiday
//!   announcements.
//! - [`TET_BREAKS`]: the Tết break of civil servants as announced each year by the Prime
//!   Minister / the Ministry of Labour (2011–2024) and the Ministry of Home Affairs
//!   (2025–2026): 2011, 2012, 2013, 2014, 2015, 2016, 2017, 2019, 2020, 2022, 2025 and
//!   2026 were checked against the published announcements; 2018, 2021, 2023 and 2024
//!   are the announced breaks as widely reported. From 2027 no break is announced yet:
//!   the statutory five days (the last day of the old year and the first four days of
//!   the new one, the pattern of 2022 and 2026) plus compensation are assumed. Correct
//!   them in `[calendar]` (`holidays`, `workdays`) when the announcement comes.
//! - [`SWAPS`]: days off swapped with a Saturday worked instead, as announced (checked
//!   against the announcements for 2011–2015, 2019, 2024–2026). Years not listed had
//!   none, or have to be configured.
//!
//! Outside 2011–2035 only weekends (and the configured days) are known.

use std::collections::BTreeSet;

use chrono::{Datelike, Days, NaiveDate, Weekday};

/// First and last year of the default holiday tables.
pub const FIRST_YEAR: i32 = 2011;
pub const LAST_YEAR: i32 = 2035;

type Md = (u32, u32);
type Ymd = (i32, u32, u32);

/// (year, first day of the lunar year, 10th day of the 3rd lunar month), as (month, day).
pub const LUNAR: [(i32, Md, Md); 25] = [
    (2011, (2, 3), (4, 12)),
    (2012, (1, 23), (3, 31)),
    (2013, (2, 10), (4, 19)),
    (2014, (1, 31), (4, 9)),
    (2015, (2, 19), (4, 28)),
    (2016, (2, 8), (4, 16)),
    (2017, (1, 28), (4, 6)),
    (2018, (2, 16), (4, 25)),
    (2019, (2, 5), (4, 14)),
    (2020, (1, 25), (4, 2)),
    (2021, (2, 12), (4, 21)),
    (2022, (2, 1), (4, 10)),
    (2023, (1, 22), (4, 29)),
    (2024, (2, 10), (4, 18)),
    (2025, (1, 29), (4, 7)),
    (2026, (2, 17), (4, 26)),
    (2027, (2, 6), (4, 16)),
    (2028, (1, 26), (4, 4)),
    (2029, (2, 13), (4, 23)),
    (2030, (2, 2), (4, 12)),
    (2031, (1, 23), (4, 1)),
    (2032, (2, 11), (4, 19)),
    (2033, (1, 31), (4, 9)),
    (2034, (2, 19), (4, 28)),
    (2035, (2, 8), (4, 17)),
];

/// (year, first day, last day) of the announced Tết break, weekends included: every
/// weekday in it is a day off (statutory, compensation or swapped).
pub const TET_BREAKS: &[(i32, Md, Md)] = &[
    (2011, (1, 31), (2, 7)),
    (2012, (1, 21), (1, 29)),
    (2013, (2, 9), (2, 17)),
    (2014, (1, 28), (2, 5)),
    (2015, (2, 15), (2, 23)),
    (2016, (2, 6), (2, 14)),
    (2017, (1, 26), (2, 1)),
    (2018, (2, 14), (2, 20)),
    (2019, (2, 2), (2, 10)),
    (2020, (1, 23), (1, 29)),
    (2021, (2, 10), (2, 16)),
    (2022, (1, 29), (2, 6)),
    (2023, (1, 20), (1, 26)),
    (2024, (2, 8), (2, 14)),
    (2025, (1, 25), (2, 2)),
    (2026, (2, 14), (2, 22)),
];

/// (weekday given off, weekend day worked instead), as (year, month, day).
pub const SWAPS: &[(Ymd, Ymd)] = &[
    ((2011, 1, 31), (2011, 1, 29)),
    ((2011, 2, 1), (2011, 1, 30)),
    ((2011, 4, 11), (2011, 4, 9)),
    ((2012, 1, 27), (2012, 2, 4)),
    ((2012, 12, 31), (2013, 1, 5)),
    ((2013, 2, 15), (2013, 2, 23)),
    ((2013, 4, 29), (2013, 5, 4)),
    ((2014, 1, 28), (2014, 1, 25)),
    ((2014, 1, 29), (2014, 2, 8)),
    ((2015, 1, 2), (2014, 12, 27)),
    ((2015, 2, 16), (2015, 2, 14)),
    ((2015, 4, 29), (2015, 4, 25)),
    ((2018, 12, 31), (2019, 1, 5)),
    ((2019, 4, 29), (2019, 5, 4)),
    ((2024, 4, 29), (2024, 5, 4)),
    ((2025, 1, 27), (2025, 2, 8)),
    ((2025, 5, 2), (2025, 4, 26)),
    ((2026, 8, 31), (2026, 8, 22)),
];

fn ymd(y: i32, m: u32, d: u32) -> Option<NaiveDate> {
    NaiveDate::from_ymd_opt(y, m, d)
}

pub fn is_weekend(d: NaiveDate) -> bool {
    matches!(d.weekday(), Weekday::Sat | Weekday::Sun)
}

fn days_between(first: NaiveDate, last: NaiveDate) -> impl Iterator<Item = NaiveDate> {
    first.iter_days().take_while(move |d| *d <= last)
}

/// The days off and make-up working days of one year by the default rules and tables
/// (empty outside [`FIRST_YEAR`]..=[`LAST_YEAR`]).
pub fn vietnamese_days_off(year: i32) -> BTreeSet<NaiveDate> {
    let mut off = BTreeSet::new();
    let Some(&(_, tet, hung)) = LUNAR.iter().find(|(y, _, _)| *y == year) else {
        return off;
    };
    let mut statutory: Vec<NaiveDate> = [(1, 1), (4, 30), (5, 1), (9, 2), hung]
        .iter()
        .filter_map(|&(m, d)| ymd(year, m, d))
        .collect();
    if year >= 2021 {
        // The day beside 2/9 that bridges to a weekend, as the Government chose in
        // every year since 2021: 3/9 when 2/9 is a Monday, Thursday or Sunday, else 1/9.
        let national = ymd(year, 9, 2);
        let extra = match national.map(|d| d.weekday()) {
            Some(Weekday::Mon | Weekday::Thu | Weekday::Sun) => ymd(year, 9, 3),
            _ => ymd(year, 9, 1),
        };
        statutory.extend(extra);
    }
    match TET_BREAKS.iter().find(|(y, _, _)| *y == year) {
        Some(&(_, (m1, d1), (m2, d2))) => {
            if let (Some(first), Some(last)) = (ymd(year, m1, d1), ymd(year, m2, d2)) {
                off.extend(days_between(first, last).filter(|d| !is_weekend(*d)));
            }
        }
        None => {
            if let Some(new_year) = ymd(year, tet.0, tet.1) {
                let first = new_year - Days::new(1);
                statutory.extend(first.iter_days().take(5));
            }
        }
    }
    statutory.sort();
    off.extend(statutory.iter().copied().filter(|d| !is_weekend(*d)));
    // Compensation: each holiday on a weekend gives the next weekday not already off.
    for day in statutory.iter().filter(|d| is_weekend(**d)) {
        if let Some(next) = day
            .iter_days()
            .skip(1)
            .find(|d| !is_weekend(*d) && !off.contains(d))
        {
            off.insert(next);
        }
    }
    off
}

/// Which days are worked.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Calendar {
    /// Weekdays that are not worked.
    days_off: BTreeSet<NaiveDate>,
    /// Days that are worked whatever else says (make-up Saturdays, corrections).
    workdays: BTreeSet<NaiveDate>,
}

impl Calendar {
    /// Monday to Friday, no holidays.
    pub fn weekends_only() -> Self {
        Calendar::default()
    }

    /// The default Vietnamese public holidays of civil servants, 2011–2035.
    pub fn vietnamese() -> Self {
        let mut cal = Calendar::default();
        for year in FIRST_YEAR..=LAST_YEAR {
            cal.days_off.extend(vietnamese_days_off(year));
        }
        for &((y1, m1, d1), (y2, m2, d2)) in SWAPS {
            cal.days_off.extend(ymd(y1, m1, d1));
            cal.workdays.extend(ymd(y2, m2, d2));
        }
        cal
    }

    /// Adds configured days off and configured working days (which win over everything).
    pub fn with(mut self, days_off: &[NaiveDate], workdays: &[NaiveDate]) -> Self {
        self.days_off.extend(days_off.iter().copied());
        self.workdays.extend(workdays.iter().copied());
        self
    }

    pub fn is_working_day(&self, d: NaiveDate) -> bool {
        self.workdays.contains(&d) || (!is_weekend(d) && !self.days_off.contains(&d))
    }

    /// `n` calendar days after `d`.
    pub fn add_days(d: NaiveDate, n: u32) -> Option<NaiveDate> {
        d.checked_add_days(Days::new(u64::from(n)))
    }

    /// The `n`-th working day after `d` (`d` itself is not counted; `n = 0` gives `d`).
    pub fn add_working_days(&self, d: NaiveDate, n: u32) -> Option<NaiveDate> {
        let mut day = d;
        let mut left = n;
        // A year holds at least 200 working days: bound the walk so that a calendar
        // without any working day cannot loop for ever.
        let mut budget = u64::from(n) * 4 + 400;
        while left > 0 {
            day = day.succ_opt()?;
            budget = budget.checked_sub(1)?;
            if self.is_working_day(day) {
                left -= 1;
            }
        }
        Some(day)
    }

    /// `d` if it is a working day, else the next working day.
    pub fn on_or_after(&self, d: NaiveDate) -> Option<NaiveDate> {
        d.iter_days().take(400).find(|x| self.is_working_day(*x))
    }

    /// The last day of a period of `n` days (or working days) starting the day after
    /// `start`. A period in calendar days that ends on a day off ends on the next
    /// working day (Bộ luật Dân sự 2015, Art. 148(4)).
    pub fn deadline(&self, start: NaiveDate, n: u32, working_days: bool) -> Option<NaiveDate> {
        if working_days {
            self.add_working_days(start, n)
        } else {
            self.on_or_after(Self::add_days(start, n)?)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").expect("test date")
    }

    fn off(cal: &Calendar, days: &[&str]) {
        for s in days {
            assert!(!cal.is_working_day(d(s)), "{s} should be a day off");
        }
    }

    fn on(cal: &Calendar, days: &[&str]) {
        for s in days {
            assert!(cal.is_working_day(d(s)), "{s} should be a working day");
        }
    }

    #[test]
    fn the_lunar_table_is_plausible() {
        for (i, &(year, tet, hung)) in LUNAR.iter().enumerate() {
            assert_eq!(year, FIRST_YEAR + i as i32);
            let tet = ymd(year, tet.0, tet.1).expect("date");
            let hung = ymd(year, hung.0, hung.1).expect("date");
            // Tết falls between 21 January and 20 February.
            assert!(tet >= d(&format!("{year}-01-21")) && tet <= d(&format!("{year}-02-20")));
            // Two or three lunar months (a leap month) and nine days later.
            let gap = (hung - tet).num_days();
            assert!((66..=98).contains(&gap), "{year}: {gap} days");
        }
        for &(year, first, last) in TET_BREAKS {
            let (_, tet, _) = LUNAR.iter().find(|(y, _, _)| *y == year).expect("year");
            let tet = ymd(year, tet.0, tet.1).expect("date");
            let first = ymd(year, first.0, first.1).expect("date");
            let last = ymd(year, last.0, last.1).expect("date");
            assert!(first < tet && tet < last, "{year}");
            assert!((7..=9).contains(&((last - first).num_days() + 1)), "{year}");
        }
        for &((y1, m1, d1), (y2, m2, d2)) in SWAPS {
            let given = ymd(y1, m1, d1).expect("date");
            let worked = ymd(y2, m2, d2).expect("date");
            assert!(
                !is_weekend(given) && is_weekend(worked),
                "{given} / {worked}"
            );
        }
    }

    #[test]
    fn tet_2017_is_thursday_26_january_to_wednesday_1_february() {
        let cal = Calendar::vietnamese();
        on(&cal, &["2017-01-25", "2017-02-02"]);
        off(
            &cal,
            &[
                "2017-01-26",
                "2017-01-27",
                "2017-01-28",
                "2017-01-29",
                "2017-01-30",
                "2017-01-31",
                "2017-02-01",
            ],
        );
        assert_eq!(
            cal.add_working_days(d("2017-01-25"), 1),
            Some(d("2017-02-02"))
        );
        // Weekends only: the Monday after.
        assert_eq!(
            Calendar::weekends_only().add_working_days(d("2017-01-25"), 3),
            Some(d("2017-01-30"))
        );
    }

    #[test]
    fn tet_breaks_with_make_up_saturdays() {
        let cal = Calendar::vietnamese();
        // 2011: Monday 31/1 and Tuesday 1/2 swapped with the weekend before.
        on(
            &cal,
            &["2011-01-28", "2011-01-29", "2011-01-30", "2011-02-08"],
        );
        off(&cal, &["2011-01-31", "2011-02-04", "2011-02-07"]);
        // 2025: nine days, Saturday 8/2 worked.
        off(&cal, &["2025-01-27", "2025-01-31"]);
        on(&cal, &["2025-01-24", "2025-02-03", "2025-02-08"]);
        // 2026: nine days, 14–22 February.
        off(&cal, &["2026-02-16", "2026-02-20"]);
        on(&cal, &["2026-02-13", "2026-02-23"]);
    }

    #[test]
    fn unannounced_tet_follows_the_statutory_five_days_and_compensation() {
        let cal = Calendar::vietnamese();
        // 2027: Tết is Saturday 6/2; Friday 5/2 to Tuesday 9/2, then Wednesday and
        // Thursday for the weekend.
        off(
            &cal,
            &[
                "2027-02-05",
                "2027-02-08",
                "2027-02-09",
                "2027-02-10",
                "2027-02-11",
            ],
        );
        on(&cal, &["2027-02-04", "2027-02-12"]);
        // 2030: Tết on 2 February in Vietnam (3 February in China).
        off(
            &cal,
            &[
                "2030-02-01",
                "2030-02-04",
                "2030-02-05",
                "2030-02-06",
                "2030-02-07",
            ],
        );
        on(&cal, &["2030-01-31", "2030-02-08"]);
    }

    #[test]
    fn april_30_and_may_1_around_weekends() {
        let cal = Calendar::vietnamese();
        // 2016: Saturday and Sunday: Monday 2/5 and Tuesday 3/5 off.
        off(&cal, &["2016-05-02", "2016-05-03"]);
        on(&cal, &["2016-04-29", "2016-05-04"]);
        // 2021: 1/5 on Saturday: Monday 3/5 off.
        off(&cal, &["2021-04-30", "2021-05-03"]);
        on(&cal, &["2021-05-04"]);
        // 2023: Giỗ Tổ on Saturday 29/4, 30/4 on Sunday, 1/5 on Monday: 29/4 to 3/5.
        off(&cal, &["2023-05-01", "2023-05-02", "2023-05-03"]);
        on(&cal, &["2023-04-28", "2023-05-04"]);
        // 2019 and 2024: Monday 29/4 swapped with Saturday 4/5.
        off(
            &cal,
            &["2019-04-29", "2019-04-30", "2019-05-01", "2024-04-29"],
        );
        on(&cal, &["2019-05-04", "2024-05-04", "2024-05-02"]);
        // 2025: Friday 2/5 swapped with Saturday 26/4.
        off(&cal, &["2025-04-30", "2025-05-01", "2025-05-02"]);
        on(&cal, &["2025-04-26", "2025-05-05"]);
    }

    #[test]
    fn national_day_and_the_day_beside_it() {
        let cal = Calendar::vietnamese();
        // 2025: Monday 1/9 and Tuesday 2/9.
        off(&cal, &["2025-09-01", "2025-09-02"]);
        on(&cal, &["2025-08-29", "2025-09-03"]);
        assert_eq!(
            cal.add_working_days(d("2025-08-29"), 1),
            Some(d("2025-09-03"))
        );
        // 2024: Monday 2/9 and Tuesday 3/9.
        off(&cal, &["2024-09-02", "2024-09-03"]);
        on(&cal, &["2024-09-04"]);
        // 2023: Friday 1/9, Saturday 2/9 and Monday 4/9 in compensation.
        off(&cal, &["2023-09-01", "2023-09-04"]);
        on(&cal, &["2023-09-05"]);
        // 2021: Thursday 2/9 and Friday 3/9.
        off(&cal, &["2021-09-02", "2021-09-03"]);
        // 2020: one day only.
        off(&cal, &["2020-09-02"]);
        on(&cal, &["2020-09-01", "2020-09-03"]);
        // 2026: 1/9 and 2/9, Monday 31/8 swapped with Saturday 22/8.
        off(&cal, &["2026-08-31", "2026-09-01", "2026-09-02"]);
        on(&cal, &["2026-08-22", "2026-09-03"]);
    }

    #[test]
    fn new_year_and_hung_kings_day() {
        let cal = Calendar::vietnamese();
        // 1/1/2022 on Saturday: Monday 3/1 off.
        off(&cal, &["2022-01-03"]);
        // 2013: Monday 31/12/2012 swapped with Saturday 5/1/2013.
        off(&cal, &["2012-12-31", "2013-01-01"]);
        on(&cal, &["2013-01-05", "2013-01-02"]);
        // Giỗ Tổ 2019 on Sunday 14/4: Monday 15/4 off; 2025 on Monday 7/4.
        off(&cal, &["2019-04-15", "2025-04-07"]);
        on(&cal, &["2019-04-16", "2025-04-08"]);
    }

    #[test]
    fn deadlines_in_days_roll_to_the_next_working_day() {
        let cal = Calendar::vietnamese();
        // Ten days after 20/1/2017 is Monday 30/1, in the Tết break.
        assert_eq!(
            cal.deadline(d("2017-01-20"), 10, false),
            Some(d("2017-02-02"))
        );
        // Fifteen working days after 20/1/2017.
        assert_eq!(
            cal.deadline(d("2017-01-20"), 15, true),
            Some(d("2017-02-17"))
        );
        // A plain day stays as it is.
        assert_eq!(
            cal.deadline(d("2016-03-01"), 30, false),
            Some(d("2016-03-31"))
        );
        assert_eq!(
            cal.add_working_days(d("2016-03-04"), 0),
            Some(d("2016-03-04"))
        );
        assert_eq!(
            Calendar::add_days(d("2016-02-28"), 2),
            Some(d("2016-03-01"))
        );
    }

    #[test]
    fn configured_days_off_and_workdays() {
        let cal = Calendar::weekends_only().with(&[d("2031-06-02")], &[d("2031-06-07")]);
        on(&cal, &["2031-06-07", "2031-06-03"]);
        off(&cal, &["2031-06-02", "2031-06-08"]);
        // A configured workday wins over a default holiday.
        let cal = Calendar::vietnamese().with(&[], &[d("2027-02-11")]);
        on(&cal, &["2027-02-11"]);
        assert_eq!(
            Calendar::vietnamese().on_or_after(d("2027-02-05")),
            Some(d("2027-02-12"))
        );
    }

    #[test]
    fn outside_the_tables_only_weekends_count() {
        assert!(vietnamese_days_off(2010).is_empty());
        assert!(vietnamese_days_off(2036).is_empty());
        let cal = Calendar::vietnamese();
        on(&cal, &["2036-09-02"]);
    }
}
