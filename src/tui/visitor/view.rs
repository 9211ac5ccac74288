//! What the visitor's side draws: the session's visitor lines (typing, name, transcript, exit
//! survey), the transcript dialog and the survey dialog. Thin: reads the state, lays out text.

use ratatui::style::Style;
use ratatui::text::{Line, Span};

use crate::api::model::ChatState;
use crate::api::validate::Field;
use crate::terminal_text::terminal_safe;
use crate::tui::app::{App, SessionView};
use crate::tui::form::view::wrap;
use crate::tui::view::theme::Theme;
use crate::tui::visitor::{ExitSurveyStep, SurveyDialog, TranscriptDialog};

/// The lines under the session's state badge about the visitor's side; none when there is
/// nothing to say.
pub fn session_lines(view: &SessionView, theme: &Theme, width: usize) -> Vec<Line<'static>> {
    let visitor = &view.visitor;
    let mut said: Vec<(String, Style)> = Vec::new();
    if visitor.agent_typing && view.state == Some(ChatState::Chatting) {
        let agent = view.agent.clone().unwrap_or_else(|| "The agent".into());
        said.push((format!("✎ {agent} is typing…"), theme.agent()));
    }
    match &visitor.name {
        Some((name, Ok(()))) => said.push((
            format!("visitor name set: {}", terminal_safe(name)),
            theme.dim(),
        )),
        Some((name, Err(error))) => said.push((
            format!("visitor name {} not set: {error}", terminal_safe(name)),
            theme.warn(),
        )),
        None => {}
    }
    if let Some(error) = &visitor.typing_refused {
        said.push((format!("typing status not taken: {error}"), theme.warn()));
    }
    if let Some(line) = &visitor.unsent {
        said.push((
            format!("not sent, the chat ended first: {}", terminal_safe(line)),
            theme.warn(),
        ));
    }
    match &visitor.transcript {
        Some(Ok(text)) => said.push((text.clone(), theme.dim())),
        Some(Err(error)) => said.push((format!("transcript not requested: {error}"), theme.warn())),
        None => {}
    }
    let exit = match &visitor.exit_survey {
        ExitSurveyStep::NotAsked | ExitSurveyStep::Open => None,
        ExitSurveyStep::Loading => Some(("exit survey: reading…".to_string(), theme.dim())),
        ExitSurveyStep::Absent => Some(("no exit survey for this chat".to_string(), theme.dim())),
        ExitSurveyStep::Submitting => Some(("exit survey: sending…".to_string(), theme.dim())),
        ExitSurveyStep::Submitted => Some(("exit survey submitted".to_string(), theme.good())),
        ExitSurveyStep::Skipped => Some(("exit survey skipped".to_string(), theme.dim())),
        ExitSurveyStep::Failed(error) => Some((format!("exit survey: {error}"), theme.warn())),
    };
    said.extend(exit);
    said.into_iter()
        .flat_map(|(text, style)| {
            wrap(&text, width.max(8))
                .into_iter()
                .map(move |part| Line::from(Span::styled(part, style)))
        })
        .collect()
}

/// The transcript dialog: title and lines.
pub fn transcript_lines(dialog: &TranscriptDialog, theme: &Theme) -> (String, Vec<Line<'static>>) {
    let field = |label: &str, value: &str, focused: bool| {
        Line::from(vec![
            Span::styled(
                format!("{label:<9}"),
                if focused {
                    theme.focused_label()
                } else {
                    theme.label()
                },
            ),
            Span::raw(if focused { "› " } else { "  " }),
            Span::styled(value.to_string(), theme.value()),
        ])
    };
    let key = |k: &str, what: &str| {
        Line::from(vec![
            Span::styled(format!(" {k} "), theme.key()),
            Span::raw(format!(" {what}")),
        ])
    };
    let mut lines = vec![
        Line::raw("The service e-mails the chat's transcript to this address."),
        Line::raw(""),
        field("E-mail", dialog.email.value(), !dialog.on_subject),
        field("Subject", dialog.subject.value(), dialog.on_subject),
        Line::raw("(the subject goes only where the chat has a link that takes one)"),
    ];
    if let Some(error) = &dialog.error {
        lines.push(Line::from(Span::styled(
            format!("✗ {error}"),
            theme.error(),
        )));
    }
    lines.push(Line::raw(""));
    lines.push(key("Enter", "send the request"));
    lines.push(key("Tab", "the other field"));
    lines.push(key("Esc", "cancel"));
    (" Transcript by e-mail ".to_string(), lines)
}

/// Where the transcript dialog's cursor goes: (row, column) inside the box.
pub fn transcript_cursor(dialog: &TranscriptDialog) -> (u16, u16) {
    let (row, input) = if dialog.on_subject {
        (3, &dialog.subject)
    } else {
        (2, &dialog.email)
    };
    (row, 9 + 2 + input.visual_cursor() as u16)
}

/// The survey dialog: its questions with the pre-chat survey's marks (mandatory `*`, the
/// focused one `›`, choices `( )`/`(•)` or `[ ]`/`[x]`), problems under their question.
pub fn survey_lines(
    dialog: &SurveyDialog,
    theme: &Theme,
    width: u16,
) -> (String, Vec<Line<'static>>) {
    let width = usize::from(width.saturating_sub(6)).clamp(20, 90);
    let mut lines = Vec::new();
    let survey = dialog.form.survey.as_ref();
    if let Some(header) = survey.map(|s| s.header.trim()).filter(|h| !h.is_empty()) {
        for part in wrap(&terminal_safe(header), width) {
            lines.push(Line::from(Span::styled(part, theme.section())));
        }
        lines.push(Line::raw(""));
    }
    // Said first, so that it shows however long the survey is.
    if let Some(failure) = &dialog.failure {
        for part in wrap(&format!("✗ not submitted: {failure}"), width) {
            lines.push(Line::from(Span::styled(part, theme.error())));
        }
        lines.push(Line::raw(""));
    }
    let focused = dialog.focused();
    for question in dialog.form.visible() {
        let is_focused = focused.as_deref() == Some(question.id.as_str());
        let marker = if is_focused { "› " } else { "  " };
        let mandatory = if question.mandatory { " *" } else { "" };
        let label_style = if is_focused {
            theme.focused_label()
        } else {
            theme.label()
        };
        lines.push(Line::from(vec![
            Span::raw(marker),
            Span::styled(
                format!("{}{mandatory}", terminal_safe(&question.label)),
                label_style,
            ),
        ]));
        if question.entries.is_empty() {
            let value = dialog
                .form
                .text
                .get(&question.id)
                .map(|input| input.value().to_string())
                .unwrap_or_default();
            lines.push(Line::from(vec![
                Span::raw("    "),
                Span::styled(
                    if value.is_empty() && is_focused {
                        "(type)".to_string()
                    } else {
                        answer_tail(&terminal_safe(&value), width.saturating_sub(4))
                    },
                    theme.value(),
                ),
            ]));
        } else {
            let chosen = dialog.form.values(&question.id);
            let cursor = dialog.form.cursor_of(&question.id);
            let multi = question.kind.is_multi_choice();
            let mut row: Vec<Span<'static>> = vec![Span::raw("    ")];
            for (index, entry) in question.entries.iter().enumerate() {
                let on = chosen.contains(&entry.value);
                let mark = match (multi, on) {
                    (true, true) => "[x]",
                    (true, false) => "[ ]",
                    (false, true) => "(•)",
                    (false, false) => "( )",
                };
                let style = if is_focused && index == cursor {
                    theme.highlight()
                } else {
                    theme.value()
                };
                row.push(Span::styled(
                    format!("{mark} {}", terminal_safe(entry.shown_text())),
                    style,
                ));
                row.push(Span::raw("  "));
            }
            lines.push(Line::from(row));
        }
        if dialog.show_errors {
            if let Some(problem) = dialog
                .errors
                .for_field(&Field::SurveyAnswer(question.id.clone()))
            {
                lines.push(Line::from(Span::styled(
                    format!("    ✗ {problem}"),
                    theme.error(),
                )));
            }
        }
    }
    lines.push(Line::raw(""));
    let keys = if dialog.sending {
        "sending…".to_string()
    } else {
        "* must be answered · Ctrl+S submits · Esc skips".to_string()
    };
    for part in wrap(&keys, width) {
        lines.push(Line::from(Span::styled(part, theme.dim())));
    }
    // The title holds a failed submit too: it stays in view however the dialog scrolls.
    let title = match &dialog.failure {
        Some(failure) => format!(" {} — ✗ not submitted: {} ", dialog.title(), failure),
        None => format!(" {} ", dialog.title()),
    };
    (title, lines)
}

/// A text answer on one row: its end (where the cursor is), cut at the start when too long.
fn answer_tail(value: &str, width: usize) -> String {
    let value = value.replace('\n', " ");
    let count = value.chars().count();
    if count <= width {
        return value;
    }
    let keep = width.saturating_sub(1);
    let tail: String = value.chars().skip(count - keep).collect();
    format!("…{tail}")
}

/// Where the survey dialog's cursor goes, when a text question has the focus: (row, column).
pub fn survey_cursor(app: &App, width: u16) -> Option<(u16, u16)> {
    let dialog = app.survey_dialog.as_ref()?;
    let id = dialog.focused()?;
    if !dialog.form.is_text_question(&id) {
        return None;
    }
    let (_, lines) = survey_lines(dialog, &Theme::new(false), width);
    // The row under the focused label: the one after the line that starts with the marker.
    let label_row = lines
        .iter()
        .position(|line| line.spans.first().is_some_and(|s| s.content == "› "))?;
    let input = dialog.form.text.get(&id);
    let room = usize::from(width.saturating_sub(6))
        .clamp(20, 90)
        .saturating_sub(4);
    let column = 4 + input.map_or(0, |i| i.visual_cursor()).min(room) as u16;
    let row = crate::tui::view::overlay::rows_before(&lines, label_row, width) + 1;
    Some((row, column))
}
