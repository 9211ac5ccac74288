//! Survey answers (spec §3.6, V14, Q31, Q34): read from the JSON or XML mapping of a `survey`
//! answer object and checked against the scenario's survey the way the service checks them —
//! for the pre-chat survey inside the chat request, the exit survey and the offline survey.
//! No HTTP, no state.

use super::checks::Rejection;
use super::scenario::{CHOICE_TYPES, Question, Survey};
use crate::api::value::{field, int_field, list_field, text, text_field};
use serde_json::Value;
use std::collections::BTreeMap;

/// A survey a visitor submitted (exit or offline survey), as the emulator accepted it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SurveySubmission {
    /// The survey id sent.
    pub survey_id: u64,
    /// The answers by question id: one value for most types, the chosen values of a Checkbox.
    /// Questions sent without an answer are absent.
    pub answers: BTreeMap<u64, Vec<String>>,
    /// The other scalar fields sent inside `survey` or beside it (`chatReferrer`, `userAgent`,
    /// `skill`, LETag ids, …), by name as sent, inside ones first, in document order.
    pub fields: Vec<(String, String)>,
}

/// Where a question's answer may be written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AnswerKey {
    /// `answer` only: the pre-chat and exit surveys.
    Answer,
    /// `answer`, or `value` as the JS SDK's offline-survey page writes it (Q34).
    AnswerOrValue,
}

/// Reads and checks the answers of `answers` (the `survey` object) against `survey`; returns
/// them by question id.
pub fn check(
    answers: &Value,
    survey: &Survey,
    key: AnswerKey,
) -> Result<BTreeMap<u64, Vec<String>>, Rejection> {
    let survey_id = text_field(answers, "id")
        .ok_or_else(|| Rejection::bad_request("survey answers need the survey id"))?;
    if survey_id.trim() != survey.id.to_string() {
        return Err(Rejection::bad_request(format!(
            "Unknown survey id {survey_id}"
        )));
    }
    let mut given: BTreeMap<u64, Vec<String>> = BTreeMap::new();
    for posted in list_field(answers, "question") {
        let (id, question) = known_question(posted, survey)?;
        let mut values = list_field(posted, "answer");
        if values.is_empty() && key == AnswerKey::AnswerOrValue {
            values = list_field(posted, "value");
        }
        let values: Vec<String> = values
            .into_iter()
            .filter_map(text)
            .filter(|v| !v.trim().is_empty())
            .collect();
        check_answer(question, &values)?;
        if given.contains_key(&id) {
            return Err(Rejection::bad_request(format!(
                "Question id {id} was posted twice"
            )));
        }
        given.insert(id, values);
    }
    for question in &survey.questions {
        let answered = given.get(&question.id).is_some_and(|v| !v.is_empty());
        if question.mandatory && !answered && visible(survey, question.logic_id, &given) {
            return Err(Rejection::bad_request(format!(
                "Mandatory survey question {} ({}) is not answered",
                question.id, question.label
            )));
        }
    }
    given.retain(|_, values| !values.is_empty());
    Ok(given)
}

/// The question a posted answer names. A question sent as a bare id (not an object), or whose
/// id cannot be read, is read as id 0, as the service does (Q31).
fn known_question<'a>(
    posted: &Value,
    survey: &'a Survey,
) -> Result<(u64, &'a Question), Rejection> {
    let id = match posted {
        Value::Object(_) => int_field(posted, "id").unwrap_or(0),
        _ => 0,
    };
    u64::try_from(id)
        .ok()
        .and_then(|id| survey.question(id))
        .map(|question| (question.id, question))
        .ok_or_else(|| Rejection::bad_request(format!("An unknown question id was posted: {id}")))
}

fn check_answer(question: &Question, values: &[String]) -> Result<(), Rejection> {
    let id = question.id;
    let multiple = question.kind == "Checkbox";
    if values.len() > 1 && !multiple {
        return Err(Rejection::bad_request(format!(
            "Survey question {id} takes one answer"
        )));
    }
    if CHOICE_TYPES.contains(&question.kind.as_str()) {
        for value in values {
            if !question.entries.iter().any(|e| &e.value == value) {
                // A client that shows displayValue may send it back: say which text to send.
                let hint = question
                    .entries
                    .iter()
                    .find(|e| e.display_value.as_deref() == Some(value.as_str()))
                    .map(|e| format!(" (that is a displayValue; send its value {:?})", e.value))
                    .unwrap_or_default();
                return Err(Rejection::bad_request(format!(
                    "Survey question {id}: {value:?} is not one of its choices{hint}"
                )));
            }
        }
        return Ok(());
    }
    for value in values {
        let ok = match question.validation_type.as_str() {
            "numeric" => numeric(value),
            "email" => email(value),
            _ => true,
        };
        if !ok {
            return Err(Rejection::bad_request(format!(
                "Survey question {id}: {value:?} is not a valid {}",
                question.validation_type
            )));
        }
    }
    Ok(())
}

/// A question is hidden when some entry shows it by logic and no chosen entry does (§3.6).
fn visible(survey: &Survey, logic_id: u64, given: &BTreeMap<u64, Vec<String>>) -> bool {
    let mut shown_by_logic = false;
    for question in &survey.questions {
        for entry in &question.entries {
            if entry.show_logic_ids.contains(&logic_id) {
                shown_by_logic = true;
                if given
                    .get(&question.id)
                    .is_some_and(|v| v.contains(&entry.value))
                {
                    return true;
                }
            }
        }
    }
    !shown_by_logic
}

/// The other scalar fields of a submission: inside the `survey` object (but its `id` and
/// questions), then beside it (Q31, Q34: clients put them in either place).
pub fn fields(document: &Value, survey: &Value) -> Vec<(String, String)> {
    let scalars = |object: &Value, skip: &[&str]| -> Vec<(String, String)> {
        object
            .as_object()
            .map(|map| {
                map.iter()
                    .filter(|(name, _)| !skip.contains(&name.trim_start_matches('@')))
                    .filter_map(|(name, value)| Some((name.clone(), text(value)?)))
                    .collect()
            })
            .unwrap_or_default()
    };
    let mut found = scalars(survey, &["id", "question"]);
    found.extend(scalars(document, &["survey"]));
    found
}

/// The `survey` object of a submission: `{"survey":{…}}`, or in XML a root holding `<survey>`
/// (XML cannot put fields beside a root element).
pub fn survey_object(document: &Value) -> Option<(&Value, &Value)> {
    if let Some(survey @ Value::Object(_)) = field(document, "survey") {
        return Some((document, survey));
    }
    let map = document.as_object()?;
    match map.values().next() {
        Some(root) if map.len() == 1 => match field(root, "survey") {
            Some(survey @ Value::Object(_)) => Some((root, survey)),
            _ => None,
        },
        _ => None,
    }
}

/// A plain decimal number: digits with an optional sign and fraction (no exponent, no `inf`).
fn numeric(text: &str) -> bool {
    let text = text.trim();
    let unsigned = text.strip_prefix(['-', '+']).unwrap_or(text);
    let (whole, fraction) = unsigned.split_once('.').unwrap_or((unsigned, ""));
    let digits = |part: &str| part.bytes().all(|b| b.is_ascii_digit());
    !(whole.is_empty() && fraction.is_empty()) && digits(whole) && digits(fraction)
}

/// An e-mail address after the JS SDK's pattern (V17): a local part without spaces, then host
/// labels of letters, digits and `-`, the last one two or more letters. (The SDK's pattern caps
/// that label at four letters; the emulator does not refuse `.museum`.)
pub fn email(value: &str) -> bool {
    let Some((local, domain)) = value.trim().split_once('@') else {
        return false;
    };
    let labels: Vec<&str> = domain.split('.').collect();
    !local.is_empty()
        && local
            .chars()
            .all(|c| c.is_ascii_graphic() && !matches!(c, '@' | ',' | ';' | '<' | '>'))
        && labels.len() >= 2
        && labels
            .iter()
            .all(|l| !l.is_empty() && l.chars().all(|c| c.is_ascii_alphanumeric() || c == '-'))
        && labels
            .last()
            .is_some_and(|tld| tld.len() >= 2 && tld.chars().all(|c| c.is_ascii_alphabetic()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::emulator::scenario::Scenario;
    use serde_json::json;

    fn demo_survey() -> Survey {
        Scenario::demo().survey.expect("demo survey")
    }

    fn message(result: Result<BTreeMap<u64, Vec<String>>, Rejection>) -> String {
        result.expect_err("refused").to_string()
    }

    #[test]
    fn pre_chat_answers_are_checked_against_the_survey() {
        let survey = demo_survey();
        let ok = json!({"id":40216,"question":[{"id":12786273,"answer":"DOGS"},{"id":16314710,"answer":"John"},
            {"id":17000001,"answer":["Order","Invoice"]}]});
        let given = check(&ok, &survey, AnswerKey::Answer).expect("valid");
        assert_eq!(given[&17000001], ["Order", "Invoice"]);
        let xml_shape = json!({"@id":"40216","question":[{"@id":"12786273","answer":"CATS"},{"id":"16314710","answer":"J"}]});
        assert!(check(&xml_shape, &survey, AnswerKey::Answer).is_ok());
        let bad_choice = json!({"id":40216,"question":[{"id":12786273,"answer":"BIRDS"},{"id":16314710,"answer":"J"}]});
        assert!(message(check(&bad_choice, &survey, AnswerKey::Answer)).contains("BIRDS"));
        let missing_name = json!({"id":40216,"question":{"id":12786273,"answer":"DOGS"}});
        assert!(message(check(&missing_name, &survey, AnswerKey::Answer)).contains("16314710"));
        let bad_mail = json!({"id":40216,"question":[{"id":12786273,"answer":"DOGS"},{"id":16314710,"answer":"J"},{"id":17000002,"answer":"nope"}]});
        assert!(message(check(&bad_mail, &survey, AnswerKey::Answer)).contains("email"));
        let wrong_survey = json!({"id":1,"question":[]});
        assert!(check(&wrong_survey, &survey, AnswerKey::Answer).is_err());
        let twice = json!({"id":40216,"question":[{"id":16314710,"answer":"J"},{"id":16314710,"answer":"K"}]});
        assert!(message(check(&twice, &survey, AnswerKey::Answer)).contains("twice"));
    }

    #[test]
    fn unknown_and_unreadable_question_ids_are_named_as_the_service_does() {
        let survey = demo_survey();
        let unknown = json!({"id":40216,"question":{"id":1,"answer":"x"}});
        assert_eq!(
            message(check(&unknown, &survey, AnswerKey::Answer)),
            "400 An unknown question id was posted: 1 (internalCode 1)"
        );
        for bare in [json!([16314710]), json!(16314710), json!([{"answer":"x"}])] {
            let posted = json!({"id":40216,"question":bare});
            assert!(
                message(check(&posted, &survey, AnswerKey::Answer))
                    .contains("An unknown question id was posted: 0"),
                "{posted}"
            );
        }
    }

    #[test]
    fn value_is_read_only_where_allowed_and_display_values_are_not_values() {
        let mut survey = demo_survey();
        survey.questions[0].entries[0].display_value = Some("Cats".into());
        let by_value = json!({"id":40216,"question":[{"id":12786273,"value":"DOGS"},{"id":16314710,"value":"J"}]});
        assert!(check(&by_value, &survey, AnswerKey::AnswerOrValue).is_ok());
        assert!(message(check(&by_value, &survey, AnswerKey::Answer)).contains("Mandatory"));
        let shown = json!({"id":40216,"question":[{"id":12786273,"answer":"Cats"},{"id":16314710,"answer":"J"}]});
        assert!(
            message(check(&shown, &survey, AnswerKey::Answer)).contains("send its value \"CATS\"")
        );
    }

    #[test]
    fn fields_come_from_inside_and_beside_the_survey() {
        let document = json!({"survey":{"id":1,"question":[],"skill":"Sales","LETagContextId":5},
            "userAgent":"ua","visitorSessionId":{"nested":true}});
        let (outer, survey) = survey_object(&document).expect("survey");
        assert_eq!(
            fields(outer, survey),
            [
                ("skill".to_string(), "Sales".to_string()),
                ("LETagContextId".into(), "5".into()),
                ("userAgent".into(), "ua".into())
            ]
        );
        let xml = json!({"offlineSurvey":{"survey":{"@id":"1"},"skill":"Tech"}});
        let (outer, survey) = survey_object(&xml).expect("survey under a root");
        assert_eq!(
            fields(outer, survey),
            [("skill".to_string(), "Tech".to_string())]
        );
        assert!(survey_object(&json!({"answers":[]})).is_none());
    }

    #[test]
    fn numbers_and_addresses() {
        for good in ["0", "-7", "+3", "3.25", ".5", " 12 "] {
            assert!(numeric(good), "{good}");
        }
        for bad in ["", "-", ".", "1e5", "inf", "NaN", "1,5", "12a"] {
            assert!(!numeric(bad), "{bad}");
        }
        for good in ["a.b@example.com", "x_y+z@mail.example.museum", "n@b.cd"] {
            assert!(email(good), "{good}");
        }
        for bad in [
            "a@b", "no at", "a@@b.com", "a b@c.de", "a@b.c", "a@-.de.1", "@b.de", "a@b..de",
        ] {
            assert!(!email(bad), "{bad}");
        }
    }
}
