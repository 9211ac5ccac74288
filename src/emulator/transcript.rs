//! Transcript by e-mail (spec §2.18, Q32): `…/chat/{id}/transcriptRequest` with
//! `{"email":…,"timezoneOffset":…}` and `…/transcriptWithSubjectRequest` with
//! `{"transcriptRequest":{"email","timezoneOffset","subject"}}`, both POST +
//! `X-HTTP-Method-Override: PUT`. Checked like the service would (V17), kept on the chat for
//! tests, answered 200 with no body. Either route takes either body; in XML, a
//! `<transcriptRequest>` root or a bare `<email>` root.

use super::answers;
use super::chat::with_chat;
use super::checks::{self, CODE_NOT_IN_CHAT, Rejection};
use super::queue::ChatState;
use super::routes::{Incoming, Reply, State};
use crate::api::value::{field, text, text_field};
use serde_json::Value;

/// A transcript request the emulator accepted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TranscriptRequest {
    /// The address the transcript goes to.
    pub email: String,
    /// `timezoneOffset` in milliseconds, when given (−7 200 000 is GMT−02:00).
    pub timezone_offset_ms: Option<i64>,
    /// The subject, when given.
    pub subject: Option<String>,
    /// Whether it came to `transcriptWithSubjectRequest` (else `transcriptRequest`).
    pub with_subject_route: bool,
}

/// POST + override PUT of either transcript route.
pub fn request(
    state: &State,
    incoming: &Incoming,
    chat_id: &str,
    with_subject_route: bool,
) -> Result<Reply, Rejection> {
    let request = read(&checks::body(incoming)?, with_subject_route)?;
    with_chat(state, chat_id, |chat, _| {
        if chat.state() == ChatState::Waiting {
            return Err(Rejection::Api {
                status: 400,
                message: "Cannot send a transcript while not in chat".into(),
                code: CODE_NOT_IN_CHAT,
            });
        }
        chat.record_transcript(request);
        Ok(())
    })?;
    Ok(Reply::empty(200))
}

/// Reads and checks a transcript body: the e-mail (V17), an integer `timezoneOffset`.
fn read(document: &Value, with_subject_route: bool) -> Result<TranscriptRequest, Rejection> {
    let body = match field(document, "transcriptRequest") {
        Some(inner @ Value::Object(_)) => inner,
        _ => document,
    };
    let email = text_field(body, "email")
        .map(|e| e.trim().to_string())
        .filter(|e| !e.is_empty())
        .ok_or_else(|| Rejection::bad_request("The transcript request needs an email"))?;
    if !answers::email(&email) {
        return Err(Rejection::bad_request(format!(
            "Invalid email address: {email:?}"
        )));
    }
    let timezone_offset_ms = match field(body, "timezoneOffset") {
        None | Some(Value::Null) => None,
        Some(value) => match text(value) {
            Some(t) if t.trim().is_empty() => None,
            Some(t) => Some(t.trim().parse::<i64>().map_err(|_| {
                Rejection::bad_request(format!(
                    "timezoneOffset must be an integer number of milliseconds, got {t:?}"
                ))
            })?),
            None => {
                return Err(Rejection::bad_request(
                    "timezoneOffset must be an integer number of milliseconds",
                ));
            }
        },
    };
    let subject = text_field(body, "subject").filter(|s| !s.trim().is_empty());
    Ok(TranscriptRequest {
        email,
        timezone_offset_ms,
        subject,
        with_subject_route,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn both_bodies_are_read_and_checked() {
        let plain = read(
            &json!({"email":"a@example.com","timezoneOffset":-7200000}),
            false,
        )
        .expect("plain");
        assert_eq!(plain.timezone_offset_ms, Some(-7_200_000));
        assert_eq!(plain.subject, None);
        let wrapped = json!({"transcriptRequest":{"email":" a@example.com ","timezoneOffset":"3600000","subject":"Our chat"}});
        let wrapped = read(&wrapped, true).expect("wrapped");
        assert_eq!(wrapped.email, "a@example.com");
        assert_eq!(wrapped.timezone_offset_ms, Some(3_600_000));
        assert_eq!(wrapped.subject.as_deref(), Some("Our chat"));
        assert!(read(&json!({"email":"a@example.com"}), false).is_ok());
        for bad in [
            json!({"email":"a@b"}),
            json!({"timezoneOffset":0}),
            json!({"email":"a@example.com","timezoneOffset":-7200000.5}),
            json!({"email":"a@example.com","timezoneOffset":"two hours"}),
            json!({"email":"a@example.com","timezoneOffset":[1]}),
        ] {
            assert!(read(&bad, false).is_err(), "{bad}");
        }
    }
}
