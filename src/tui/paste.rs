//! Pasted text: one event (the terminal's bracketed paste) into the text input that has the
//! keyboard — a form field, a pre-chat line, a survey answer, the chat line, a dialog's input.
//! Line breaks are handled per input, visibly: a list (the pre-chat lines) takes one line per
//! pasted line; a one-line input takes the lines joined by spaces and says so; a secret is one
//! line or nothing. Control characters never get in. Pure, like `update`.

use tui_input::Input;

use crate::api::validate::Field;
use crate::tui::app::{App, Notice, Overlay, Phase, Topic};
use crate::tui::form::{Focus, TextField};
use crate::tui::msg::Effect;

/// A paste made fit for a one-line input.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OneLine {
    pub text: String,
    /// Lines the paste had (line breaks at its ends not counted); more than one were joined.
    pub lines: usize,
    /// Control characters left out (other than line breaks and tabs, which became spaces).
    pub dropped: usize,
}

/// The paste as one line: line breaks at its ends dropped, those inside and tabs turned into
/// spaces, other control characters left out.
pub fn one_line(text: &str) -> OneLine {
    let parts = split_lines(text);
    let lines = parts.len().max(1);
    let mut dropped = 0;
    let joined = parts
        .iter()
        .map(|line| {
            let (clean, left_out) = clean(line);
            dropped += left_out;
            clean
        })
        .collect::<Vec<_>>()
        .join(" ");
    OneLine {
        text: joined,
        lines,
        dropped,
    }
}

/// The paste's lines for a list: blank lines left out, tabs as spaces, control characters left
/// out (their count is the second value).
pub fn list_lines(text: &str) -> (Vec<String>, usize) {
    let mut dropped = 0;
    let lines = split_lines(text)
        .into_iter()
        .map(|line| {
            let (clean, left_out) = clean(line);
            dropped += left_out;
            clean
        })
        .filter(|line| !line.trim().is_empty())
        .collect();
    (lines, dropped)
}

/// The lines of a paste (`\r\n`, `\r` or `\n`), without the empty ones at its ends: a copied
/// line usually brings its line break along.
fn split_lines(text: &str) -> Vec<&str> {
    let mut lines: Vec<&str> = text
        .split("\r\n")
        .flat_map(|part| part.split(['\r', '\n']))
        .collect();
    while lines.last().is_some_and(|l| l.is_empty()) {
        lines.pop();
    }
    let leading = lines.iter().take_while(|l| l.is_empty()).count();
    lines.drain(..leading);
    lines
}

/// A line without control characters: a tab becomes a space, others are left out (counted).
fn clean(line: &str) -> (String, usize) {
    let mut dropped = 0;
    let text = line
        .chars()
        .filter_map(|c| match c {
            '\t' => Some(' '),
            c if c.is_control() => {
                dropped += 1;
                None
            }
            c => Some(c),
        })
        .collect();
    (text, dropped)
}

/// Inserts `text` at the input's cursor, the cursor after it; whether the value changed. One
/// string built once, however long the paste (typing it char by char costs its square).
pub fn insert(input: &mut Input, text: &str) -> bool {
    if text.is_empty() {
        return false;
    }
    let value = input.value();
    let at = input.cursor();
    let byte = value.char_indices().nth(at).map_or(value.len(), |(b, _)| b);
    let mut joined = String::with_capacity(value.len() + text.len());
    joined.push_str(&value[..byte]);
    joined.push_str(text);
    joined.push_str(&value[byte..]);
    *input = Input::new(joined).with_cursor(at + text.chars().count());
    true
}

/// Where a paste goes, by what has the keyboard.
pub fn update(app: &mut App, text: &str) -> Vec<Effect> {
    if let Some(overlay) = app.overlay.clone() {
        into_overlay(app, &overlay, text);
        return Vec::new();
    }
    match &app.phase {
        Phase::Editing => into_form(app, text),
        Phase::Session(view) if view.compose.is_some() => {
            let pasted = one_line(text);
            let changed = app
                .session_mut()
                .and_then(|v| v.compose.as_mut())
                .is_some_and(|input| insert(input, &pasted.text));
            note_one_line(app, &pasted, "the chat line");
            // A pasted line is written as much as a typed one: the service is told so.
            if changed {
                crate::tui::visitor::typing::typed(app)
            } else {
                Vec::new()
            }
        }
        Phase::Session(view) if view.is_chatting() => {
            ignored(app, "press i to write a line, then paste");
            Vec::new()
        }
        Phase::Submitting { .. } => {
            ignored(
                app,
                "the form is not edited while the request is on its way",
            );
            Vec::new()
        }
        Phase::Session(_) | Phase::Burst(_) | Phase::Checks(_) => {
            ignored(app, "no text input on this screen");
            Vec::new()
        }
    }
}

fn into_overlay(app: &mut App, overlay: &Overlay, text: &str) {
    match overlay {
        Overlay::SecretPrompt(field) => {
            let field = *field;
            if let Some(pasted) = one_secret_line(app, text, field.label()) {
                insert(&mut app.dialog_input, &pasted);
            }
        }
        Overlay::SaveProfile | Overlay::CheckPath { .. } => {
            let pasted = one_line(text);
            insert(&mut app.dialog_input, &pasted.text);
            let what = if matches!(overlay, Overlay::SaveProfile) {
                "the profile name"
            } else {
                "the check file's path"
            };
            note_one_line(app, &pasted, what);
        }
        Overlay::BurstSetup => {
            let pasted = one_line(text);
            let setup = &mut app.burst_setup;
            match setup.focused_input() {
                Some(input) => {
                    insert(input, &pasted.text);
                    setup.error = None;
                    note_one_line(app, &pasted, "the burst's number");
                }
                None => ignored(app, "the highlighted choice takes Space, not text"),
            }
        }
        Overlay::Transcript => {
            let pasted = one_line(text);
            let dialog = &mut app.transcript_dialog;
            let input = if dialog.on_subject {
                &mut dialog.subject
            } else {
                &mut dialog.email
            };
            insert(input, &pasted.text);
            dialog.error = None;
            note_one_line(app, &pasted, "the transcript's address or subject");
        }
        Overlay::Survey => {
            let focused = app.survey_dialog.as_ref().and_then(|d| d.focused());
            let dialog = app.survey_dialog.as_mut();
            match (dialog, focused) {
                (Some(dialog), Some(id)) if dialog.form.is_text_question(&id) => {
                    let pasted = one_line(text);
                    for c in pasted.text.chars() {
                        dialog
                            .form
                            .edit_text(&id, tui_input::InputRequest::InsertChar(c));
                    }
                    note_one_line(app, &pasted, "the answer");
                }
                _ => ignored(app, "the highlighted question takes a choice, not text"),
            }
        }
        Overlay::Help => ignored(app, "close the help first (Esc)"),
        Overlay::ConfirmQuit
        | Overlay::ConfirmResubmit
        | Overlay::RestoreDraft
        | Overlay::Profiles { .. }
        | Overlay::ConfirmOverwrite(_)
        | Overlay::History { .. } => ignored(app, "answer the question on screen first"),
    }
}

fn into_form(app: &mut App, text: &str) -> Vec<Effect> {
    if app.notice_is_about(Topic::EditorResult) {
        app.notice = None;
    }
    let focus = app.form.focus.clone();
    match &focus {
        Focus::Text(field) if field.is_secret() => {
            let Some(pasted) = one_secret_line(app, text, field.label()) else {
                return Vec::new();
            };
            into_field(app, *field, &pasted)
        }
        Focus::Text(field) => {
            let pasted = one_line(text);
            note_one_line(app, &pasted, field.label());
            into_field(app, *field, &pasted.text)
        }
        Focus::PreChat(index) => into_pre_chat(app, *index, text),
        Focus::Survey(id) if app.form.survey.is_text_question(id) => {
            let pasted = one_line(text);
            let input = app.form.survey.text.entry(id.clone()).or_default();
            let changed = insert(input, &pasted.text);
            app.form.touched.insert(Field::SurveyAnswer(id.clone()));
            note_one_line(app, &pasted, "the survey answer");
            if changed {
                crate::tui::form::update::edited(app, &focus)
            } else {
                Vec::new()
            }
        }
        Focus::Survey(_) => {
            ignored(app, "this survey question is answered with Space and ← →");
            Vec::new()
        }
        Focus::Toggle(toggle) => {
            ignored(
                app,
                &format!("{} is switched with Space, not typed", toggle.label()),
            );
            Vec::new()
        }
    }
}

fn into_field(app: &mut App, field: TextField, text: &str) -> Vec<Effect> {
    let input = app.form.inputs.entry(field).or_default();
    let changed = insert(input, text);
    app.form.touched.insert(field.field());
    if changed {
        crate::tui::form::update::edited(app, &Focus::Text(field))
    } else {
        Vec::new()
    }
}

/// A multi-line paste into a pre-chat line: its first line goes in at the cursor, each further
/// line becomes a line of its own below, and what followed the cursor ends the last one.
fn into_pre_chat(app: &mut App, index: usize, text: &str) -> Vec<Effect> {
    let (lines, dropped) = list_lines(text);
    let Some(line) = app.form.pre_chat.lines.get(index) else {
        return Vec::new();
    };
    app.form.touched.insert(Field::PreChatLine(index));
    let changed = match lines.as_slice() {
        [] => false,
        [one] => {
            let line = &mut app.form.pre_chat.lines[index];
            insert(line, one)
        }
        [first, middle @ .., last] => {
            let value = line.value();
            let byte = value
                .char_indices()
                .nth(line.cursor())
                .map_or(value.len(), |(b, _)| b);
            let (before, after) = value.split_at(byte);
            let (before, after) = (before.to_string(), after.to_string());
            let mut replaced = vec![Input::new(format!("{before}{first}"))];
            replaced.extend(middle.iter().map(|l| Input::new(l.clone())));
            replaced.push(Input::new(format!("{last}{after}")).with_cursor(last.chars().count()));
            let added = replaced.len() - 1;
            app.form.pre_chat.lines.splice(index..=index, replaced);
            for line in index..=index + added {
                app.form.touched.insert(Field::PreChatLine(line));
            }
            app.form.focus = Focus::PreChat(index + added);
            true
        }
    };
    let mut note = Vec::new();
    if lines.len() > 1 {
        note.push(format!("pasted {} pre-chat lines", lines.len()));
    }
    if dropped > 0 {
        note.push(format!("{dropped} control character(s) left out"));
    }
    if !note.is_empty() {
        app.notice = Some(Notice::info(note.join("; ")));
    }
    if changed {
        let focus = app.form.focus.clone();
        crate::tui::form::update::edited(app, &focus)
    } else {
        Vec::new()
    }
}

/// A secret's paste: one line, without the spaces and line break around it; `None` (said on
/// screen) when it has more than one line — a key is never two lines, and joined it would be
/// wrong without showing it, masked.
fn one_secret_line(app: &mut App, text: &str, label: &str) -> Option<String> {
    let pasted = one_line(text.trim());
    if pasted.lines > 1 {
        app.notice = Some(Notice::error(
            format!(
                "not pasted: the {label} is one line and the paste has {} lines",
                pasted.lines
            ),
            Some("copy the key alone".into()),
        ));
        return None;
    }
    if pasted.dropped > 0 {
        app.notice = Some(Notice::info(format!(
            "pasted the {label}; {} control character(s) left out",
            pasted.dropped
        )));
    }
    Some(pasted.text)
}

/// Says what became of a paste in a one-line input, when it was not taken as it came.
fn note_one_line(app: &mut App, pasted: &OneLine, into: &str) {
    let mut note = Vec::new();
    if pasted.lines > 1 {
        note.push(format!(
            "pasted {} lines into {into} as one line (line breaks became spaces)",
            pasted.lines
        ));
    }
    if pasted.dropped > 0 {
        note.push(format!("{} control character(s) left out", pasted.dropped));
    }
    if !note.is_empty() {
        app.notice = Some(Notice::info(note.join("; ")));
    }
}

fn ignored(app: &mut App, why: &str) {
    app.notice = Some(Notice::info(format!("paste ignored: {why}")));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_line_joins_inner_line_breaks_and_drops_those_at_the_ends() {
        let pasted = one_line("\r\nfirst\r\nsecond\rthird\n\n");
        assert_eq!(pasted.text, "first second third");
        assert_eq!(pasted.lines, 3);
        assert_eq!(pasted.dropped, 0);
        let plain = one_line("Sales\n");
        assert_eq!((plain.text.as_str(), plain.lines), ("Sales", 1));
    }

    #[test]
    fn one_line_turns_tabs_into_spaces_and_leaves_other_control_characters_out() {
        let pasted = one_line("a\tb\u{1b}[31mc\u{7}\u{7f}");
        assert_eq!(pasted.text, "a b[31mc");
        assert_eq!(pasted.dropped, 3);
    }

    #[test]
    fn list_lines_leave_blank_lines_out() {
        let (lines, dropped) = list_lines("one\n\n  \ntwo\u{0}\r\n");
        assert_eq!(lines, ["one", "two"]);
        assert_eq!(dropped, 1);
    }

    #[test]
    fn insert_puts_the_text_at_the_cursor_and_the_cursor_after_it() {
        let mut input = Input::new("héllo".into()).with_cursor(2);
        assert!(insert(&mut input, "→x"));
        assert_eq!(input.value(), "hé→xllo");
        assert_eq!(input.cursor(), 4);
        assert!(!insert(&mut input, ""));
    }
}
