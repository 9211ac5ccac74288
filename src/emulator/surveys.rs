//! The survey endpoints: GET of the pre-chat (§2.6), offline (§2.7) and exit (§2.17) surveys,
//! and the submits of the offline and exit surveys (POST + `X-HTTP-Method-Override: PUT`,
//! answered 200 with no body; Q30, Q31, Q34). Submits are checked by `answers.rs` and kept for
//! tests: exit surveys on their chat, offline surveys on the emulator.

use super::answers::{self, AnswerKey, SurveySubmission};
use super::chat::with_chat;
use super::checks::{self, CODE_NO_SURVEY, CODE_NOT_IN_CHAT, Rejection};
use super::documents;
use super::queue::ChatState;
use super::routes::{Format, Incoming, Reply, State};
use super::scenario::{NoExitSurvey, Survey};
use serde_json::Value;
use std::net::IpAddr;

/// The 404 of a survey that is not set up (undocumented; emulator choice).
pub fn no_survey() -> Rejection {
    Rejection::Api {
        status: 404,
        message: "No survey is defined for this request".into(),
        code: CODE_NO_SURVEY,
    }
}

fn document(state: &State, format: Format, survey: &Survey) -> Reply {
    Reply::document(200, format, &documents::survey(state.shape(), survey))
}

/// GET `chat/preSurvey`, whatever skill or survey name is asked for.
pub fn pre_survey(state: &State, format: Format) -> Result<Reply, Rejection> {
    let survey = state.scenario.survey.as_ref().ok_or_else(no_survey)?;
    Ok(document(state, format, survey))
}

/// GET `chat/offlineSurvey`, whatever skill, profile or survey name is asked for.
pub fn offline_survey(state: &State, format: Format) -> Result<Reply, Rejection> {
    let survey = state
        .scenario
        .offline_survey
        .as_ref()
        .ok_or_else(no_survey)?;
    Ok(document(state, format, survey))
}

/// The `survey` object of a submit body and the document around it.
fn submitted(incoming: &Incoming) -> Result<(Value, Value), Rejection> {
    let body = checks::body(incoming)?;
    let (outer, survey) = answers::survey_object(&body)
        .ok_or_else(|| Rejection::bad_request("The body must hold a \"survey\" object"))?;
    Ok((outer.clone(), survey.clone()))
}

/// POST + override PUT `chat/offlineSurvey`: answers under `answer` or `value`, visitor fields
/// inside `survey` or beside it (Q34).
pub fn submit_offline(state: &State, incoming: &Incoming) -> Result<Reply, Rejection> {
    let survey = state
        .scenario
        .offline_survey
        .as_ref()
        .ok_or_else(no_survey)?;
    let (outer, posted) = submitted(incoming)?;
    let answers = answers::check(&posted, survey, AnswerKey::AnswerOrValue)?;
    let fields = answers::fields(&outer, &posted);
    for (name, value) in &fields {
        visitor_field(name, value)?;
    }
    state.record_offline_survey(SurveySubmission {
        survey_id: survey.id,
        answers,
        fields,
    });
    Ok(Reply::empty(200))
}

/// The checks of the chat request (§4) for the visitor fields an offline survey may carry.
fn visitor_field(name: &str, value: &str) -> Result<(), Rejection> {
    let value = value.trim();
    let digits = !value.is_empty() && value.bytes().all(|b| b.is_ascii_digit());
    match name {
        "visitorIp" if value.parse::<IpAddr>().is_err() => Err(Rejection::bad_request(format!(
            "visitorIp {value:?} is not an IP address"
        ))),
        "visitorId" | "LETagContextId" if !digits => Err(Rejection::bad_request(format!(
            "{name} must be digits, got {value:?}"
        ))),
        _ => Ok(()),
    }
}

/// The exit survey of a chat's skill: the scenario's, unless the skill turns it off.
fn exit_survey_for(state: &State, skill_has_one: bool) -> Option<&Survey> {
    state
        .scenario
        .exit_survey
        .as_ref()
        .filter(|_| skill_has_one)
}

fn skill_has_exit_survey(chat: &super::queue::Chat) -> bool {
    chat.skill().is_none_or(|skill| skill.exit_survey)
}

/// GET `…/chat/{id}/exitSurvey`. Without an exit survey (the link is there anyway, Q30): 200
/// with an empty body, or 404 with `no_exit_survey = "404"`.
pub fn exit_survey(state: &State, chat_id: &str, format: Format) -> Result<Reply, Rejection> {
    let has_one = with_chat(state, chat_id, |chat, _| Ok(skill_has_exit_survey(chat)))?;
    match (
        exit_survey_for(state, has_one),
        state.scenario.no_exit_survey,
    ) {
        (Some(survey), _) => Ok(document(state, format, survey)),
        (None, NoExitSurvey::Empty) => Ok(Reply::empty(200)),
        (None, NoExitSurvey::NotFound) => Err(no_survey()),
    }
}

/// POST + override PUT `…/chat/{id}/exitSurvey`: while chatting or after the end (until the
/// ended chat expires); kept on the chat.
pub fn submit_exit(state: &State, incoming: &Incoming, chat_id: &str) -> Result<Reply, Rejection> {
    let (outer, posted) = submitted(incoming)?;
    with_chat(state, chat_id, |chat, _| {
        let survey = exit_survey_for(state, skill_has_exit_survey(chat)).ok_or_else(no_survey)?;
        if chat.state() == ChatState::Waiting {
            return Err(Rejection::Api {
                status: 400,
                message: "Cannot submit the exit survey while not in chat".into(),
                code: CODE_NOT_IN_CHAT,
            });
        }
        let answers = answers::check(&posted, survey, AnswerKey::Answer)?;
        chat.record_exit_survey(SurveySubmission {
            survey_id: survey.id,
            answers,
            fields: answers::fields(&outer, &posted),
        });
        Ok(())
    })?;
    Ok(Reply::empty(200))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn visitor_fields_are_checked_like_the_chat_requests() {
        assert!(visitor_field("visitorIp", "10.0.0.1").is_ok());
        assert!(visitor_field("visitorIp", "10.0.0").is_err());
        assert!(visitor_field("LETagContextId", "5").is_ok());
        assert!(visitor_field("LETagContextId", "five").is_err());
        assert!(visitor_field("visitorId", "").is_err());
        assert!(visitor_field("chatRefferer", "https://example.com/").is_ok());
    }
}
