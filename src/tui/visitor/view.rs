//! What the visitor's side draws: the session's visitor lines (the agent typing, the name, the
//! transcript, the exit survey), the transcript dialog and the survey dialog, whose questions are
//! the form's own widgets. Thin: reads the state, lays out text.

use ratatui::style::Style;
use ratatui::text::{Line, Span};

use crate::api::model::ChatState;
use crate::api::validate::Field;
use crate::terminal_text::terminal_safe;
use crate::tui::app::{App, SessionView};
use crate::tui::form::view::wrap;
use crate::tui::form::widgets::{self, input_spans};
use crate::tui::view::theme::Theme;
use crate::tui::visitor::{ExitSurveyStep, SurveyDialog, SurveyKind};

/// A dialog's text: its title, its lines (each at most as wide as the dialog's content, so the
/// box does not wrap them again), where the cursor goes (row, column) and the rows of what has
/// the focus (the box scrolls to keep them in view).
pub struct DialogText {
    pub title: String,
    pub lines: Vec<Line<'static>>,
    pub cursor: Option<(u16, u16)>,
    pub focus_rows: Option<(usize, usize)>,
}

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
            format!("visitor name {} {error}", terminal_safe(name)),
            theme.warn(),
        )),
        None => {}
    }
    if let Some(line) = &visitor.unsent {
        said.push((
            format!("not sent, the chat ended first: {}", terminal_safe(line)),
            theme.warn(),
        ));
    }
    if let Some(refused) = &visitor.typing_refused {
        said.push((
            format!("the service refused the visitor's typing status {refused}"),
            theme.warn(),
        ));
    }
    match &visitor.transcript {
        Some(Ok(text)) => said.push((text.clone(), theme.dim())),
        Some(Err(text)) => said.push((text.clone(), theme.warn())),
        None => {}
    }
    let exit = match &visitor.exit_survey {
        ExitSurveyStep::NotAsked | ExitSurveyStep::Open => None,
        ExitSurveyStep::Loading => Some(("exit survey: reading…".to_string(), theme.dim())),
        ExitSurveyStep::Absent => Some(("no exit survey for this chat".to_string(), theme.dim())),
        ExitSurveyStep::Submitting => Some(("exit survey: sending…".to_string(), theme.dim())),
        ExitSurveyStep::Submitted => Some((
            "exit survey submitted: the service took it".to_string(),
            theme.good(),
        )),
        ExitSurveyStep::Skipped => Some(("exit survey skipped".to_string(), theme.dim())),
        ExitSurveyStep::MaybeSubmitted(error) => Some((
            format!("exit survey may have been submitted: no answer came ({error})"),
            theme.warn(),
        )),
        ExitSurveyStep::Failed(error) => {
            Some((format!("exit survey not read: {error}"), theme.warn()))
        }
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

/// Columns of the transcript dialog's labels.
const TRANSCRIPT_LABEL: usize = 10;

/// The transcript dialog on a screen `screen_width` wide: the address and subject inputs, what
/// becomes of a subject on this chat, and the dialog's problem.
pub fn transcript_dialog(app: &App, theme: &Theme, screen_width: u16) -> DialogText {
    let dialog = &app.transcript_dialog;
    let width = usize::from(screen_width.saturating_sub(6)).clamp(24, 66);
    let value_width = width.saturating_sub(TRANSCRIPT_LABEL).max(4);
    let mut cursor = None;
    let mut lines = vec![
        Line::raw("The service e-mails the chat's transcript to this address."),
        Line::raw(""),
    ];
    for (label, input, placeholder, focused) in [
        (
            "E-mail",
            &dialog.email,
            "visitor@example.com",
            !dialog.on_subject,
        ),
        ("Subject", &dialog.subject, "optional", dialog.on_subject),
    ] {
        let (value, column) =
            input_spans(Some(input), false, focused, placeholder, value_width, theme);
        if focused {
            cursor = Some((lines.len() as u16, (TRANSCRIPT_LABEL + column) as u16));
        }
        let style = if focused {
            theme.focused_label()
        } else {
            theme.label()
        };
        let marker = if focused { "▸ " } else { "  " };
        let mut spans = vec![Span::styled(
            format!("{marker}{label:<width$}", width = TRANSCRIPT_LABEL - 2),
            style,
        )];
        spans.extend(value);
        // Padded to the dialog's width, so the box keeps its width as the values change.
        let used: usize = spans.iter().map(Span::width).sum();
        spans.push(Span::raw(" ".repeat(width.saturating_sub(used))));
        lines.push(Line::from(spans));
    }
    let subject_goes = match app.session().map(|v| &v.visitor.links) {
        Some(links) if links.transcript_with_subject.is_some() => {
            "a subject goes to transcript-with-subject-request"
        }
        _ => "no link here takes a subject: one typed is dropped",
    };
    for part in wrap(subject_goes, width.saturating_sub(TRANSCRIPT_LABEL)) {
        lines.push(Line::from(vec![
            Span::raw(" ".repeat(TRANSCRIPT_LABEL)),
            Span::styled(part, theme.dim()),
        ]));
    }
    if let Some(error) = &dialog.error {
        lines.extend(widgets::error_rows(error, 0, width, theme));
    }
    lines.push(Line::raw(""));
    let key = |k: &str, what: &str| {
        Line::from(vec![
            Span::styled(format!(" {k} "), theme.key()),
            Span::raw(format!(" {what}")),
        ])
    };
    lines.push(key("Enter", "send the request"));
    lines.push(key("Tab", "the other field"));
    lines.push(key("Esc", "cancel"));
    DialogText {
        title: " Transcript by e-mail ".into(),
        lines,
        cursor,
        focus_rows: None,
    }
}

/// The survey dialog on a screen `screen_width` wide: the survey's header, then each visible
/// question drawn as the form draws the pre-chat survey's (mandatory marks, the kind, choices,
/// the text input), its problem under it once a submit was tried, and what the service said to
/// a submit that failed.
pub fn survey_dialog(dialog: &SurveyDialog, theme: &Theme, screen_width: u16) -> DialogText {
    let width = usize::from(screen_width.saturating_sub(6)).clamp(20, 76);
    let mut lines = Vec::new();
    // The header as the form titles a section, as wide as the content: the box keeps its
    // width as answers are typed.
    let header = dialog
        .form
        .survey
        .as_ref()
        .map(|s| terminal_safe(s.header.trim()).into_owned())
        .unwrap_or_default();
    let header = crate::tui::view::runs::clip(&header, width.saturating_sub(4).max(8));
    let rule = if header.is_empty() {
        "─".repeat(width)
    } else {
        format!(
            "── {header} {}",
            "─".repeat(width.saturating_sub(header.chars().count() + 4))
        )
    };
    lines.push(Line::from(Span::styled(rule, theme.section())));
    // Said first, so that it shows however long the survey is.
    if let Some(failure) = &dialog.failure {
        lines.extend(widgets::error_rows(
            &format!("not submitted: {failure}"),
            0,
            width,
            theme,
        ));
        lines.push(Line::raw(""));
    }
    let focused = dialog.focused();
    let mut cursor = None;
    let mut focus_rows = None;
    for question in dialog.form.visible() {
        let is_focused = focused.as_deref() == Some(question.id.as_str());
        let first = lines.len();
        for row in widgets::question_rows(&dialog.form, question, is_focused, width, theme) {
            if let (true, Some(column)) = (is_focused, row.cursor) {
                cursor = Some((lines.len() as u16, column));
            }
            lines.push(row.line);
        }
        if dialog.show_errors {
            let field = Field::SurveyAnswer(question.id.clone());
            if let Some(problem) = dialog.errors.for_field(&field) {
                lines.extend(widgets::error_rows(problem, 4, width, theme));
            }
        }
        if is_focused {
            focus_rows = Some((first, lines.len() - 1));
        }
    }
    lines.push(Line::raw(""));
    let keys = match (&dialog.kind, dialog.sending) {
        (_, true) => "sending…",
        (SurveyKind::Exit { .. }, false) => {
            "Ctrl+S submits · Esc skips · Tab next question · Space picks"
        }
        (SurveyKind::Offline { .. }, false) => {
            "Ctrl+S submits · Esc closes · Tab next question · Space picks"
        }
    };
    for part in wrap(keys, width) {
        lines.push(Line::from(Span::styled(part, theme.dim())));
    }
    // The title holds a failed submit too: it stays in view however the dialog scrolls.
    let title = match &dialog.failure {
        Some(failure) => format!("{}— ✗ not submitted: {failure} ", dialog.title()),
        None => dialog.title(),
    };
    DialogText {
        title,
        lines,
        cursor: cursor.filter(|_| dialog.text_focused()),
        focus_rows,
    }
}
