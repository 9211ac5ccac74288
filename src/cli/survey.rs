//! A survey as the commands print it: the pre-chat survey (`chatstart survey`), the exit survey
//! (`chatstart exit-survey`) and the offline survey (`chatstart offline-survey`), each with the
//! flag that answers it.

use std::fmt::Write;

use serde_json::{Value, json};

use crate::api::model::{Survey, ValidationType};

/// People's view: one block per question, with what to pass to `--survey`.
pub fn to_text(survey: &Survey) -> String {
    to_text_for(survey, "survey", "--survey")
}

/// People's view: one block per question, with a ready-to-paste `flag 'ID=ANSWER'`. A choice
/// shown by another text (`displayValue`, exit surveys) says the value its answer sends.
pub fn to_text_for(survey: &Survey, what: &str, flag: &str) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{what} {}{}",
        survey.id,
        if survey.header.is_empty() {
            String::new()
        } else {
            format!(": {}", survey.header)
        }
    );
    let controlled: Vec<&str> = survey
        .questions
        .iter()
        .flat_map(|q| &q.entries)
        .flat_map(|e| e.show_logic_ids.iter().map(String::as_str))
        .collect();
    for question in &survey.questions {
        let mut flags = vec![question.kind.label().to_string()];
        if question.mandatory {
            flags.push("mandatory".into());
        }
        if question
            .logic_id
            .as_deref()
            .is_some_and(|id| controlled.contains(&id))
        {
            flags.push("shown by logic".into());
        }
        if !matches!(question.validation, ValidationType::AlphaNumeric) {
            flags.push(format!("{:?}", question.validation).to_lowercase());
        }
        let _ = writeln!(
            out,
            "\n  {}  {}  [{}]",
            question.id,
            question.label,
            flags.join(", ")
        );
        if let Some(previous) = &question.last_known_value {
            let _ = writeln!(out, "      last known value: {previous}");
        }
        for entry in &question.entries {
            let shows: Vec<String> = entry
                .show_logic_ids
                .iter()
                .filter_map(|id| {
                    survey
                        .questions
                        .iter()
                        .find(|q| q.logic_id.as_deref() == Some(id))
                })
                .map(|q| q.id.clone())
                .collect();
            let shows = if shows.is_empty() {
                String::new()
            } else {
                format!("  (shows {})", shows.join(", "))
            };
            let checked = if entry.checked { " (preselected)" } else { "" };
            let sends = if entry.shown_text() == entry.value {
                String::new()
            } else {
                format!("  (answer: {})", entry.value)
            };
            let _ = writeln!(out, "      - {}{sends}{checked}{shows}", entry.shown_text());
        }
        // A value its validation takes, so the pasted line is sent as it is once edited.
        let example = question.entries.first().map_or_else(
            || match question.validation {
                ValidationType::Email => "visitor@example.com",
                ValidationType::Numeric => "42",
                _ => "TEXT",
            },
            |e| e.value.as_str(),
        );
        let _ = writeln!(
            out,
            "      {flag} {}",
            shell_quoted(&format!("{}={example}", question.id))
        );
    }
    out
}

/// `text` in single quotes for a POSIX shell, a quote inside written `'\''`.
fn shell_quoted(text: &str) -> String {
    format!("'{}'", text.replace('\'', r"'\''"))
}

/// Scripts' view.
pub fn to_json(survey: &Survey) -> Value {
    json!({"type": "survey", "survey": body(survey)})
}

/// The survey itself as scripts get it: its questions with their entries.
pub fn body(survey: &Survey) -> Value {
    json!({
            "id": survey.id,
            "header": survey.header,
            "questions": survey.questions.iter().map(|q| json!({
                "id": q.id,
                "logicId": q.logic_id,
                "order": q.order,
                "type": q.kind.label(),
                "mandatory": q.mandatory,
                "label": q.label,
                "validationType": format!("{:?}", q.validation).to_lowercase(),
                "lastKnownValue": q.last_known_value,
                "entries": q.entries.iter().map(|e| json!({
                    "value": e.value,
                    "displayValue": e.display_value,
                    "checked": e.checked,
                    "showLogicIds": e.show_logic_ids,
                })).collect::<Vec<_>>(),
            })).collect::<Vec<_>>(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_exit_survey_shows_display_values_with_the_answer_to_paste() {
        let survey = Survey::from_document(&json!({"survey": {"id": 361348, "header": "Thanks!",
            "questions": {"question": [
                {"id": 4991315, "order": 0, "mandatory": true, "type": "Radio Button",
                 "label": "How likely?", "entry": [
                    {"value": "10 Extremely Likely", "displayValue": "10", "checked": false},
                    {"value": "0 Not likely", "displayValue": "0", "checked": false}]},
                {"id": 4991316, "order": 1, "type": "Text Field", "label": "Anything else?"},
                {"id": 4991320, "order": 2, "type": "Text Field", "validationType": "email",
                 "label": "Your e-mail"},
                {"id": 4991321, "order": 3, "type": "Text Field", "validationType": "numeric",
                 "label": "Order number"}]}}}))
        .expect("survey");
        let text = to_text_for(&survey, "exit survey", "--answer");
        assert!(text.starts_with("exit survey 361348: Thanks!"), "{text}");
        assert!(
            text.contains("4991315  How likely?  [Radio Button, mandatory]"),
            "{text}"
        );
        assert!(
            text.contains("- 10  (answer: 10 Extremely Likely)"),
            "{text}"
        );
        assert!(
            text.contains("--answer '4991315=10 Extremely Likely'"),
            "{text}"
        );
        assert!(text.contains("--answer '4991316=TEXT'"), "{text}");
        // An example its validation takes: pasted, it is no answer to refuse.
        assert!(
            text.contains("--answer '4991320=visitor@example.com'"),
            "{text}"
        );
        assert!(text.contains("--answer '4991321=42'"), "{text}");
        assert_eq!(shell_quoted("1=it's"), r"'1=it'\''s'");
        let json = body(&survey);
        assert_eq!(json["questions"][0]["entries"][0]["displayValue"], "10");
        assert_eq!(json["questions"][0]["mandatory"], true);
    }
}
