//! Times as the service writes them (ISO 8601 with the server's own UTC offset, milliseconds
//! optional, spec §3.3) read into instants, and instants written as UTC for people. No I/O.

use std::time::{Duration, SystemTime};

/// The instant a service time names: `2017-02-27T06:24:15.424-05:00` is 11:24:15.424 UTC.
/// `None` for text that is not such a time (it is then shown only as given).
pub fn server_time(text: &str) -> Option<SystemTime> {
    let text = text.trim();
    let (local, offset_seconds) = split_offset(text)?;
    // humantime reads the wall-clock part; the offset is applied here, as it accepts only UTC.
    let wall = humantime::parse_rfc3339_weak(local).ok()?;
    let magnitude = Duration::from_secs(offset_seconds.unsigned_abs());
    if offset_seconds >= 0 {
        wall.checked_sub(magnitude)
    } else {
        wall.checked_add(magnitude)
    }
}

/// The wall-clock part and the offset in seconds east of UTC (`Z` and a missing offset are 0).
fn split_offset(text: &str) -> Option<(&str, i64)> {
    if let Some(local) = text.strip_suffix('Z').or_else(|| text.strip_suffix('z')) {
        return Some((local, 0));
    }
    let time_starts = text.find(['T', 't', ' '])?;
    let Some(sign_at) = text[time_starts..]
        .rfind(['+', '-'])
        .map(|i| i + time_starts)
    else {
        return Some((text, 0));
    };
    let sign = if text.as_bytes()[sign_at] == b'-' {
        -1
    } else {
        1
    };
    let offset = &text[sign_at + 1..];
    let (hours, minutes) = match offset.split_once(':') {
        Some((hours, minutes)) => (hours, minutes),
        None if offset.len() == 4 => offset.split_at(2),
        None => (offset, "0"),
    };
    let hours: i64 = hours.parse().ok()?;
    let minutes: i64 = minutes.parse().ok()?;
    if hours > 23 || minutes > 59 {
        return None;
    }
    Some((&text[..sign_at], sign * (hours * 3600 + minutes * 60)))
}

/// `2017-02-27 11:24:15.424 UTC`: to the millisecond, as the service's times are.
pub fn utc(time: SystemTime) -> String {
    let text = humantime::format_rfc3339_millis(time).to_string();
    format!("{} UTC", text.trim_end_matches('Z').replacen('T', " ", 1))
}

/// Seconds from `from` to `to`, rounded to a tenth; `None` when `to` came first.
pub fn seconds_between(from: SystemTime, to: SystemTime) -> Option<f64> {
    let elapsed = to.duration_since(from).ok()?;
    Some((elapsed.as_secs_f64() * 10.0).round() / 10.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(text: &str) -> String {
        utc(server_time(text).unwrap_or_else(|| panic!("{text} reads")))
    }

    #[test]
    fn service_times_are_read_with_their_offset() {
        assert_eq!(
            at("2017-02-27T06:24:15.424-05:00"),
            "2017-02-27 11:24:15.424 UTC"
        );
        assert_eq!(
            at("2015-08-30T18:06:02+03:00"),
            "2015-08-30 15:06:02.000 UTC"
        );
        assert_eq!(
            at("2015-08-30T18:06:02+0330"),
            "2015-08-30 14:36:02.000 UTC"
        );
        assert_eq!(
            at("2025-12-06T05:46:40.123456Z"),
            "2025-12-06 05:46:40.123 UTC"
        );
        assert_eq!(at("2025-12-06T05:46:40"), "2025-12-06 05:46:40.000 UTC");
        for bad in [
            "",
            "yesterday",
            "2017-02-27T06:24:15+99:00",
            "2017-13-40T00:00:00Z",
        ] {
            assert_eq!(server_time(bad), None, "{bad}");
        }
    }

    #[test]
    fn seconds_between_two_times_are_rounded_and_never_negative() {
        let queued = server_time("2017-02-27T06:24:15.424-05:00").unwrap();
        let accepted = server_time("2017-02-27T11:24:21.930Z").unwrap();
        assert_eq!(seconds_between(queued, accepted), Some(6.5));
        assert_eq!(seconds_between(accepted, queued), None);
    }
}
