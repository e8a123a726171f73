//! Calendar dates: parsing `YYYY-MM-DD`, today's date, and day counts,
//! without a date-time library.

/// A calendar date.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Date {
    pub year: u16,
    pub month: u8,
    pub day: u8,
}

impl Date {
    /// Parses `YYYY-MM-DD`.
    pub fn parse(s: &str) -> Option<Date> {
        let s = s.trim();
        // Exactly `DDDD-DD-DD`: number parsing alone would also take `+3`
        // or `003` as a month.
        let shape = s.len() == 10
            && s.bytes().enumerate().all(|(i, b)| match i {
                4 | 7 => b == b'-',
                _ => b.is_ascii_digit(),
            });
        if !shape {
            return None;
        }
        let mut parts = s.splitn(3, '-');
        let year: u16 = parts.next()?.parse().ok()?;
        let month: u8 = parts.next()?.parse().ok()?;
        let day: u8 = parts.next()?.parse().ok()?;
        let leap =
            (year.is_multiple_of(4) && !year.is_multiple_of(100)) || year.is_multiple_of(400);
        let days = match month {
            1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
            4 | 6 | 9 | 11 => 30,
            2 if leap => 29,
            2 => 28,
            _ => return None,
        };
        (1..=days)
            .contains(&day)
            .then_some(Date { year, month, day })
    }

    /// Parses a date as people write it: `2026-03-05`, `2026-3-5`,
    /// `2026/3/5`, `2026.3.5`, `2026年3月5日`, optionally followed by a time.
    pub fn parse_written(s: &str) -> Option<Date> {
        let s = s.trim();
        let s = s.split([' ', 'T']).next().unwrap_or(s);
        let parts: Vec<&str> = s
            .split(['-', '/', '.', '年', '月', '日'])
            .filter(|p| !p.is_empty())
            .collect();
        if parts.len() != 3 || parts[0].len() != 4 {
            return None;
        }
        let n: Vec<u32> = parts
            .iter()
            .map(|p| p.parse().ok())
            .collect::<Option<Vec<u32>>>()?;
        Date::parse(&format!("{:04}-{:02}-{:02}", n[0], n[1], n[2]))
    }

    /// Today, in UTC, from the system clock.
    pub fn today() -> Date {
        let secs = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_secs() as i64);
        Date::from_days(secs.div_euclid(86_400))
    }

    /// The date a number of days after 1970-01-01 (Howard Hinnant's
    /// civil-from-days algorithm).
    pub fn from_days(days: i64) -> Date {
        let z = days + 719_468;
        let era = z.div_euclid(146_097);
        let doe = z.rem_euclid(146_097);
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
        let mp = (5 * doy + 2) / 153;
        let day = (doy - (153 * mp + 2) / 5 + 1) as u8;
        let month = if mp < 10 { mp + 3 } else { mp - 9 } as u8;
        let year = (yoe + era * 400 + i64::from(month <= 2)) as u16;
        Date { year, month, day }
    }

    /// Days since 1970-01-01.
    pub fn days(self) -> i64 {
        let (y, m, d) = (
            i64::from(self.year),
            i64::from(self.month),
            i64::from(self.day),
        );
        let y = if m <= 2 { y - 1 } else { y };
        let era = y.div_euclid(400);
        let yoe = y.rem_euclid(400);
        let mp = (m + 9) % 12;
        let doy = (153 * mp + 2) / 5 + d - 1;
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
        era * 146_097 + doe - 719_468
    }

    /// The date at the start of a TOML date or date-time as written
    /// (`2026-02-08`, `2026-02-08T10:00:00Z`).
    pub fn of_value(s: &str) -> Option<Date> {
        Date::parse(s.get(..10)?)
    }
}

impl std::fmt::Display for Date {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{:04}-{:02}-{:02}", self.year, self.month, self.day)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_parse_only_when_real() {
        assert_eq!(
            Date::parse("2026-02-08"),
            Some(Date {
                year: 2026,
                month: 2,
                day: 8
            })
        );
        assert_eq!(Date::parse("2026-02-30"), None);
        assert_eq!(
            Date::parse("2024-02-29").map(|d| d.to_string()),
            Some("2024-02-29".into())
        );
        assert_eq!(Date::parse("2026-2-8"), None);
        assert_eq!(Date::parse("yesterday"), None);
        assert_eq!(Date::parse("2026-+2-08"), None);
        assert_eq!(Date::parse("+999-02-08"), None);
        assert_eq!(Date::parse("2026-002-8"), None);
    }

    #[test]
    fn days_round_trip() {
        for s in ["1970-01-01", "2000-02-29", "2026-11-23", "1999-12-31"] {
            let d = Date::parse(s).unwrap();
            assert_eq!(Date::from_days(d.days()), d);
        }
        assert_eq!(Date::parse("1970-01-02").unwrap().days(), 1);
        assert_eq!(
            Date::parse("2026-03-01").unwrap().days() - Date::parse("2026-02-01").unwrap().days(),
            28
        );
        assert_eq!(
            Date::of_value("2026-02-08T10:00:00Z"),
            Date::parse("2026-02-08")
        );
    }
}
