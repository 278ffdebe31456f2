//! Time as the kubelet writes it (RFC 3339 with nanoseconds) and as kubectl parses it (Go
//! durations for `--since`, RFC 3339 for `--since-time`).

use crate::kubeconfig::go_quote;

const NANOS_PER_SEC: i64 = 1_000_000_000;

/// Parses an RFC 3339 timestamp (`2026-01-02T03:04:05.123456789Z`, any number of fraction
/// digits, `Z` or `±HH:MM`) into nanoseconds since the Unix epoch. Fast: it runs once per log
/// line. `None` if it is not one.
pub fn parse_rfc3339(s: &[u8]) -> Option<i64> {
    fn num(b: &[u8]) -> Option<i64> {
        let mut v = 0i64;
        for &c in b {
            if !c.is_ascii_digit() {
                return None;
            }
            v = v * 10 + i64::from(c - b'0');
        }
        Some(v)
    }
    if s.len() < 20 || s[4] != b'-' || s[7] != b'-' || !matches!(s[10], b'T' | b't' | b' ') {
        return None;
    }
    if s[13] != b':' || s[16] != b':' {
        return None;
    }
    let year = num(&s[0..4])?;
    let month = num(&s[5..7])?;
    let day = num(&s[8..10])?;
    let hour = num(&s[11..13])?;
    let min = num(&s[14..16])?;
    let sec = num(&s[17..19])?;
    if !(1..=12).contains(&month) || !(1..=31).contains(&day) || hour > 23 || min > 59 || sec > 60 {
        return None;
    }
    let mut rest = &s[19..];
    let mut nanos = 0i64;
    if rest.first() == Some(&b'.') {
        let digits = rest[1..].iter().take_while(|c| c.is_ascii_digit()).count();
        if digits == 0 {
            return None;
        }
        let frac = &rest[1..=digits];
        let kept = &frac[..digits.min(9)];
        nanos = num(kept)? * 10i64.pow(9 - u32::try_from(kept.len()).ok()?);
        rest = &rest[1 + digits..];
    }
    let offset_secs = match rest {
        [b'Z' | b'z'] => 0,
        [sign @ (b'+' | b'-'), h1, h2, b':', m1, m2] => {
            let v = num(&[*h1, *h2])? * 3600 + num(&[*m1, *m2])? * 60;
            if *sign == b'+' { v } else { -v }
        }
        _ => return None,
    };
    let days = days_from_civil(year, month, day);
    let secs = days * 86_400 + hour * 3600 + min * 60 + sec - offset_secs;
    secs.checked_mul(NANOS_PER_SEC)?.checked_add(nanos)
}

/// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm).
fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = if y >= 0 { y } else { y - 399 } / 400;
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// Whole seconds at or before `nanos`.
pub fn floor_seconds(nanos: i64) -> i64 {
    nanos.div_euclid(NANOS_PER_SEC)
}

/// Parses a Go duration (`300ms`, `1.5h`, `2h45m`, `-5s`) into nanoseconds, with Go's error
/// messages (`time: invalid duration "x"`), as kubectl's `--since` does.
pub fn parse_go_duration(s: &str) -> Result<i128, String> {
    let quoted = go_quote(s);
    let invalid = || format!("time: invalid duration {quoted}");
    let mut rest = s;
    let mut neg = false;
    if let Some(r) = rest.strip_prefix('-') {
        neg = true;
        rest = r;
    } else if let Some(r) = rest.strip_prefix('+') {
        rest = r;
    }
    if rest == "0" {
        return Ok(0);
    }
    if rest.is_empty() {
        return Err(invalid());
    }
    let mut total: f64 = 0.0;
    while !rest.is_empty() {
        let num_len = rest
            .find(|c: char| !(c.is_ascii_digit() || c == '.'))
            .unwrap_or(rest.len());
        let number = &rest[..num_len];
        if number.is_empty() || number == "." || number.matches('.').count() > 1 {
            return Err(invalid());
        }
        let value: f64 = number.parse().map_err(|_| invalid())?;
        rest = &rest[num_len..];
        let unit_len = rest
            .find(|c: char| c.is_ascii_digit() || c == '.')
            .unwrap_or(rest.len());
        let unit = &rest[..unit_len];
        rest = &rest[unit_len..];
        let scale: f64 = match unit {
            "" => return Err(format!("time: missing unit in duration {quoted}")),
            "ns" => 1.0,
            "us" | "µs" | "μs" => 1e3,
            "ms" => 1e6,
            "s" => 1e9,
            "m" => 60e9,
            "h" => 3600e9,
            other => {
                return Err(format!(
                    "time: unknown unit {} in duration {quoted}",
                    go_quote(other)
                ));
            }
        };
        total += value * scale;
    }
    if total > 9.223_372_036_854_776e18 {
        return Err(invalid());
    }
    // Whole nanoseconds, as Go keeps them.
    #[allow(clippy::cast_possible_truncation)]
    let n = total.round() as i128;
    Ok(if neg { -n } else { n })
}

/// A Go duration in nanoseconds rounded to whole seconds, halves away from zero (Go's
/// `Duration.Round(time.Second)`), as kubectl turns `--since` into `sinceSeconds`.
pub fn round_to_seconds(nanos: i128) -> i64 {
    let s = NANOS_PER_SEC as i128;
    let q = nanos / s;
    let r = nanos % s;
    let rounded = if r.abs() * 2 >= s { q + r.signum() } else { q };
    i64::try_from(rounded).unwrap_or(if nanos < 0 { i64::MIN } else { i64::MAX })
}

/// Parses kubectl's `--since-time`: RFC 3339, Go's error text when it is not.
pub fn parse_since_time(s: &str) -> Result<jiff::Timestamp, String> {
    let layout = "2006-01-02T15:04:05Z07:00";
    if let Some(n) = parse_rfc3339(s.as_bytes())
        && let Ok(ts) = jiff::Timestamp::from_nanosecond(i128::from(n))
    {
        return Ok(ts);
    }
    // Go reports the first layout element that fails; the year is the common case.
    let year_ok = s.len() >= 4 && s.as_bytes()[..4].iter().all(u8::is_ascii_digit);
    Err(if year_ok {
        format!(
            "parsing time {} as \"{layout}\": cannot parse {} as \"-\"",
            go_quote(s),
            go_quote(&s[4..])
        )
    } else {
        format!(
            "parsing time {} as \"{layout}\": cannot parse {} as \"2006\"",
            go_quote(s),
            go_quote(s)
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc3339_matches_jiff() {
        for s in [
            "2026-11-29T17:24:59.475026211Z",
            "2026-11-29T17:24:59Z",
            "2026-11-29T17:24:59.5Z",
            "1970-01-01T00:00:00Z",
            "1969-12-31T23:59:59.999999999Z",
            "2024-02-29T12:00:00.000000001+02:00",
            "2000-03-01T00:00:00-05:30",
        ] {
            let ours = parse_rfc3339(s.as_bytes()).unwrap();
            let jiff: jiff::Timestamp = s.parse().unwrap();
            assert_eq!(i128::from(ours), jiff.as_nanosecond(), "{s}");
        }
        for bad in [
            "",
            "hello world",
            "2026-11-29",
            "2026-13-01T00:00:00Z",
            "2026-11-29T17:24:59.Z",
            "2026-11-29T17:24:59",
        ] {
            assert_eq!(parse_rfc3339(bad.as_bytes()), None, "{bad}");
        }
        // More than nine fraction digits: the extra ones are dropped (Go truncates too).
        assert_eq!(
            parse_rfc3339(b"1970-01-01T00:00:01.1234567891Z"),
            Some(1_123_456_789)
        );
    }

    #[test]
    fn go_durations() {
        assert_eq!(parse_go_duration("5s"), Ok(5_000_000_000));
        assert_eq!(parse_go_duration("1h30m"), Ok(5_400_000_000_000));
        assert_eq!(parse_go_duration("1.5h"), Ok(5_400_000_000_000));
        assert_eq!(parse_go_duration("300ms"), Ok(300_000_000));
        assert_eq!(parse_go_duration("-2m"), Ok(-120_000_000_000));
        assert_eq!(parse_go_duration("0"), Ok(0));
        assert_eq!(
            parse_go_duration("xyz"),
            Err("time: invalid duration \"xyz\"".into())
        );
        assert_eq!(
            parse_go_duration("5"),
            Err("time: missing unit in duration \"5\"".into())
        );
        assert_eq!(
            parse_go_duration("5d"),
            Err("time: unknown unit \"d\" in duration \"5d\"".into())
        );
        assert_eq!(round_to_seconds(1_500_000_000), 2);
        assert_eq!(round_to_seconds(1_499_999_999), 1);
        assert_eq!(round_to_seconds(-1_500_000_000), -2);
        assert_eq!(round_to_seconds(300_000_000), 0);
    }

    #[test]
    fn since_time_errors_read_like_go() {
        assert_eq!(
            parse_since_time("bad").unwrap_err(),
            "parsing time \"bad\" as \"2006-01-02T15:04:05Z07:00\": cannot parse \"bad\" as \"2006\""
        );
        assert!(parse_since_time("2026-01-01T00:00:00Z").is_ok());
        assert_eq!(floor_seconds(-1), -1);
        assert_eq!(floor_seconds(1_999_999_999), 1);
    }
}
