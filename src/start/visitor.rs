//! What both front ends need for the visitor's calls after the start: the transcript's
//! time-zone offset, written `±HH:MM` or `auto` (this machine's zone).

use crate::api::validate;

/// `--timezone-offset` as milliseconds (§2.18): `±HH:MM`, `Z`, or `auto` for this machine's
/// offset now.
pub fn timezone_offset(written: &str) -> Result<i64, String> {
    if written.trim().eq_ignore_ascii_case("auto") {
        return Ok(local_offset_seconds() * 1000);
    }
    validate::timezone_offset(written)
}

/// This machine's offset from UTC now, in seconds (0 where it cannot be known).
#[cfg(unix)]
fn local_offset_seconds() -> i64 {
    let now: libc::time_t = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| libc::time_t::try_from(d.as_secs()).unwrap_or(0));
    // SAFETY: `localtime_r` is the re-entrant form: it writes only into `tm`, which lives here,
    // and reads `now`; a zeroed `tm` is a valid value of a plain C struct.
    let mut tm: libc::tm = unsafe { std::mem::zeroed() };
    let filled = unsafe { libc::localtime_r(&raw const now, &raw mut tm) };
    if filled.is_null() {
        return 0;
    }
    // `c_long`: 64 bits on the 64-bit Unixes this is built for, 32 on others.
    #[allow(clippy::useless_conversion)]
    i64::from(tm.tm_gmtoff)
}

#[cfg(not(unix))]
fn local_offset_seconds() -> i64 {
    0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn offsets_are_milliseconds_and_auto_is_a_whole_minute_in_range() {
        assert_eq!(timezone_offset("-02:00"), Ok(-7_200_000));
        assert_eq!(timezone_offset("+05:30"), Ok(19_800_000));
        assert_eq!(timezone_offset("+00:00"), Ok(0));
        assert_eq!(timezone_offset("Z"), Ok(0));
        assert!(timezone_offset("2").is_err());
        assert!(timezone_offset("+25:00").is_err());
        assert!(timezone_offset("+02:60").is_err());
        assert!(timezone_offset("-13:00").is_err());
        assert!(timezone_offset("+1:5").is_err());
        let auto = timezone_offset("auto").expect("auto");
        assert_eq!(auto % 60_000, 0, "a whole number of minutes: {auto}");
        assert!((-12 * 3_600_000..=14 * 3_600_000).contains(&auto));
    }
}
