//! Errors as the console says them: a transport failure by its root cause, not the whole chain of
//! the HTTP stack; fields by their labels on the form, not by command-line flags; next steps in
//! the console's own keys. Pure text; the explanations themselves come from `api::explain`.

use crate::api::ApiError;
use crate::api::explain::Explanation;
use crate::api::validate::Field;
use crate::tui::form::TextField;

/// The error in one line, with what was being done.
pub fn describe(error: &ApiError) -> String {
    match error {
        ApiError::Invalid(errors) => format!("not sent: {}", invalid_fields(&errors.0)),
        ApiError::NoLocation {
            operation, status, ..
        } => format!(
            "{operation}: HTTP {status} without the Location header that says where the chat is"
        ),
        ApiError::BadBody {
            operation,
            status,
            detail,
            ..
        } => format!(
            "{operation}: HTTP {status} with an answer that could not be read ({})",
            root_cause(detail)
        ),
        other => shorten(&other.to_string()),
    }
}

/// The error without the call's name, for a line that already says which call it was.
pub fn short(error: &ApiError) -> String {
    match error {
        ApiError::Invalid(errors) => invalid_fields(&errors.0),
        ApiError::Status {
            status, message, ..
        } => match message {
            Some(message) => format!("HTTP {status}: {message}"),
            None => format!("HTTP {status}"),
        },
        ApiError::Network { operation, .. } => {
            let text = describe(error);
            let prefix = format!("{operation} failed: ");
            text.strip_prefix(&prefix)
                .map_or(text.clone(), str::to_string)
        }
        other => describe(other),
    }
}

/// The error without the call's name and, when the error is a known one, the next step in the
/// console: a lookup that fails says how to make it work.
pub fn short_with_step(error: &ApiError) -> String {
    let said = short(error);
    match error.explain() {
        Some(explanation) if !error.may_have_created_chat() => {
            format!("{said} — {}", next_step(&explanation))
        }
        _ => said,
    }
}

/// Why it happened and what to do next in the console, when the error is a known one.
pub fn hint(error: &ApiError) -> Option<String> {
    let explanation = error.explain()?;
    // The message of an ambiguous failure already says why (a chat may have been created).
    Some(if error.may_have_created_chat() {
        next_step(&explanation).to_string()
    } else {
        explained(&explanation)
    })
}

/// An explanation as `why — next step`, the step in the console's words.
pub fn explained(explanation: &Explanation) -> String {
    format!("{} — {}", explanation.why, next_step(explanation))
}

/// The next step of an explanation, for someone in the console: its keys and field labels
/// rather than the command line's flags and commands.
pub fn next_step(explanation: &Explanation) -> &'static str {
    explanation.next.console
}

/// Input the start layer refuses, by the form's labels rather than flags.
pub fn input(error: &crate::start::InputError) -> String {
    use crate::start::{ConnectionKey, InputError};
    match error {
        InputError::Connection { key, message } => {
            let label = match key {
                ConnectionKey::BaseUrl | ConnectionKey::Domain => TextField::Api.label(),
                ConnectionKey::CsdsUrl => "CSDS URL",
                ConnectionKey::HttpTimeout => "HTTP timeout",
            };
            format!("{label}: {message}")
        }
        InputError::Field(invalid) => format!("{}: {}", label(&invalid.field), invalid.message),
        other => other.to_string(),
    }
}

/// Shortens an error's text from elsewhere (the session tracker's): a transport chain such as
/// `could not connect (client error (Connect): tcp connect error: Connection refused (os error
/// 111))` becomes `could not connect (connection refused)`; flags go.
pub fn shorten(text: &str) -> String {
    let mut out = text.replace(" request timeout (--http-timeout)", " request timeout");
    for marker in [
        "could not connect (",
        "so nothing was sent (",
        "so this call was not sent (",
        "before the answer arrived (",
    ] {
        let Some(at) = out.find(marker) else {
            continue;
        };
        let start = at + marker.len();
        if let Some(length) = closing_paren(&out[start..]) {
            let root = root_cause(&out[start..start + length]);
            out.replace_range(start..start + length, &root);
        }
    }
    out
}

/// The length up to the parenthesis that closes one already open.
fn closing_paren(text: &str) -> Option<usize> {
    let mut depth = 1usize;
    for (index, c) in text.char_indices() {
        match c {
            '(' => depth += 1,
            ')' => {
                depth -= 1;
                if depth == 0 {
                    return Some(index);
                }
            }
            _ => {}
        }
    }
    None
}

/// The last link of an error chain (`a: b: Connection refused (os error 111)` → `connection
/// refused`).
fn root_cause(chain: &str) -> String {
    let last = chain.rsplit(": ").next().unwrap_or(chain).trim();
    let last = match last.find(" (os error ") {
        Some(at) if last.ends_with(')') => &last[..at],
        _ => last,
    };
    let mut chars = last.chars();
    match (chars.next(), chars.next()) {
        // "Connection refused" reads as part of the sentence; "DNS …" keeps its capitals.
        (Some(first), Some(second)) if first.is_uppercase() && second.is_lowercase() => {
            first.to_lowercase().chain(last.chars().skip(1)).collect()
        }
        _ => last.to_string(),
    }
}

/// Each invalid value by the label of its field on the form.
fn invalid_fields(errors: &[crate::api::validate::Invalid]) -> String {
    errors
        .iter()
        .map(|e| format!("{}: {}", label(&e.field), e.message))
        .collect::<Vec<_>>()
        .join("; ")
}

/// The form's label for a validation field.
pub fn label(field: &Field) -> String {
    match field {
        Field::PreChatLine(index) => format!("pre-chat line {}", index + 1),
        Field::SurveyAnswer(id) => format!("survey question {id}"),
        Field::Connection => TextField::Api.label().to_string(),
        Field::LineText => "your line".to_string(),
        other => TextField::CONNECTION
            .iter()
            .chain(&TextField::REQUEST)
            .chain(&TextField::AUTH)
            .find(|t| t.field() == *other)
            .map_or_else(|| other.key(), |t| t.label().to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::error::{NetworkFailure, Operation};
    use crate::api::validate::{Invalid, ValidationErrors};

    #[test]
    fn a_transport_chain_is_said_by_its_root_cause() {
        let error = ApiError::Network {
            operation: Operation::Availability,
            failure: NetworkFailure::Connect,
            detail: "client error (Connect): tcp connect error: Connection refused (os error 111)"
                .into(),
            timeout: std::time::Duration::from_secs(10),
        };
        assert_eq!(
            describe(&error),
            "availability failed: could not connect (connection refused)"
        );
        assert_eq!(short(&error), "could not connect (connection refused)");
        let polled = ApiError::Network {
            operation: Operation::Session,
            failure: NetworkFailure::Dropped,
            detail: "error reading a body from connection: end of file before message length \
                     reached"
                .into(),
            timeout: std::time::Duration::from_secs(10),
        };
        assert_eq!(
            shorten(&format!("3 polls failed in a row; last: {polled}")),
            "3 polls failed in a row; last: chat session failed: the connection broke before the \
             answer arrived (end of file before message length reached)"
        );
    }

    #[test]
    fn invalid_values_are_named_by_their_field_labels_not_flags() {
        let error = ApiError::Invalid(ValidationErrors(vec![Invalid {
            field: Field::MaxWaitTime,
            message: "`x` is not a number".into(),
        }]));
        assert_eq!(short(&error), "Max wait (s): `x` is not a number");
        assert!(!describe(&error).contains("--"));
    }

    #[test]
    fn every_next_step_is_said_in_the_consoles_words() {
        for explanation in crate::api::explain::all() {
            let step = next_step(explanation);
            for cli in [
                "--app-key",
                "--wait",
                "--le-visitor-id",
                "--visitor-id",
                "--base-url",
                "--account",
                "--app-key-in",
                "chatstart history",
                "chatstart auth",
                "chatstart watch",
            ] {
                assert!(
                    !step.contains(cli),
                    "{}: `{cli}` in {step}",
                    explanation.name
                );
            }
        }
    }
}
