//! What both front ends need for the visitor's calls after the start: the visitor's name and
//! transcript address as the layers give them ([`VisitorSpec`]), the transcript's
//! time-zone offset, written `±HH:MM` or `auto` (this machine's zone), and survey answers given
//! one `(question id, answer)` at a time grouped by question.

use crate::api::{SurveyAnswer, validate};
use crate::config::Profile;
use crate::history::SessionRecord;

/// The visitor's own values of a start: the name set right after the chat is created and the
/// address a transcript goes to by default. Layered like the rest (flags over a history record
/// over a profile).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct VisitorSpec {
    pub name: Option<String>,
    pub transcript_email: Option<String>,
}

impl VisitorSpec {
    /// This layer over `lower`: a value given here wins.
    #[must_use]
    pub fn over(self, lower: &Self) -> Self {
        Self {
            name: self.name.or_else(|| lower.name.clone()),
            transcript_email: self
                .transcript_email
                .or_else(|| lower.transcript_email.clone()),
        }
    }

    pub fn of_profile(profile: &Profile) -> Self {
        Self {
            name: profile.visitor_name.clone(),
            transcript_email: profile.transcript_email.clone(),
        }
    }

    /// The name the record's chat was given, for a chat started again from it.
    pub fn of_record(record: &SessionRecord) -> Self {
        Self {
            name: record.visitor_name().map(str::to_string),
            transcript_email: None,
        }
    }

    /// The name to set, checked and trimmed; `None` when none is given.
    pub fn checked_name(&self) -> Result<Option<String>, String> {
        let Some(name) = self.name.as_deref() else {
            return Ok(None);
        };
        match validate::visitor_name(name) {
            Some(problem) => Err(problem),
            None => Ok(Some(name.trim().to_string())),
        }
    }
}

/// Answers given one `(question id, answer)` at a time, a check-box question once per answer,
/// grouped by question in the order first given. An answer given twice to one question counts
/// once: sent twice, a check-box would carry the same choice twice.
pub fn answers(given: &[(String, String)]) -> Vec<SurveyAnswer> {
    let mut answers: Vec<SurveyAnswer> = Vec::new();
    for (id, answer) in given {
        let id = id.trim();
        match answers.iter_mut().find(|a| a.question_id == id) {
            Some(existing) if existing.values.contains(answer) => {}
            Some(existing) => existing.values.push(answer.clone()),
            None => answers.push(SurveyAnswer {
                question_id: id.to_string(),
                values: vec![answer.clone()],
            }),
        }
    }
    answers
}

/// `--timezone-offset` as milliseconds (§2.18): `±H[:MM]` or `±HH[:MM]`, `Z`, or `auto` in any
/// case for this machine's offset now (see [`validate::timezone_offset`]).
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
    fn answers_group_by_question_in_the_order_first_given() {
        let given = [("7", "a"), (" 8", "x"), ("7", "b"), ("7", "a"), ("8 ", "x")]
            .map(|(q, a)| (q.into(), a.into()));
        let grouped = answers(&given);
        assert_eq!(
            grouped,
            [
                SurveyAnswer {
                    question_id: "7".into(),
                    values: vec!["a".into(), "b".into()],
                },
                SurveyAnswer {
                    question_id: "8".into(),
                    values: vec!["x".into()],
                }
            ]
        );
    }

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
        // The forms --help and the README list, as people write them.
        assert_eq!(timezone_offset("+5"), Ok(18_000_000));
        assert_eq!(timezone_offset("+5:30"), Ok(19_800_000));
        assert_eq!(timezone_offset("-2"), Ok(-7_200_000));
        assert!(timezone_offset("AUTO").is_ok() && timezone_offset(" Auto ").is_ok());
        assert!(timezone_offset("+0530").is_err() && timezone_offset("5").is_err());
        assert!(
            timezone_offset("GMT+2").unwrap_err().contains(
                "±H or ±HH, with :MM when not whole hours (+5, +05:30, -02:00), Z, or auto"
            )
        );
        let auto = timezone_offset("auto").expect("auto");
        assert_eq!(auto % 60_000, 0, "a whole number of minutes: {auto}");
        assert!((-12 * 3_600_000..=14 * 3_600_000).contains(&auto));
    }
}
