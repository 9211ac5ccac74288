//! The pre-chat survey as `chatstart survey` prints it.

use std::fmt::Write;

use serde_json::{Value, json};

use crate::api::model::Survey;

/// People's view: one block per question, with what to pass to `--survey`.
pub fn to_text(survey: &Survey) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "survey {}{}",
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
        if !matches!(
            question.validation,
            crate::api::model::ValidationType::AlphaNumeric
        ) {
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
            let _ = writeln!(out, "      - {}{checked}{shows}", entry.shown_text());
        }
        let example = question
            .entries
            .first()
            .map_or("TEXT", |e| e.value.as_str());
        let _ = writeln!(out, "      --survey '{}={example}'", question.id);
    }
    out
}

/// Scripts' view.
pub fn to_json(survey: &Survey) -> Value {
    json!({
        "type": "survey",
        "survey": {
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
        }
    })
}
