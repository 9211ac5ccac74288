//! The questions of the burst and check views: how many chats (the burst dialog) and which
//! check file. Text only; the box is drawn by `overlay`.

use ratatui::text::{Line, Span};

use crate::api::model::ChatState;
use crate::tui::app::{App, Overlay};
use crate::tui::burst::SetupField;
use crate::tui::view::theme::Theme;

/// Width of the burst dialog's labels.
const LABEL: usize = 14;
/// Most lines of a load error shown.
const ERROR_LINES: usize = 10;

/// The title and lines of the burst dialog or the check-file question.
pub fn dialog_lines(
    app: &App,
    overlay: &Overlay,
    theme: &Theme,
    width: u16,
) -> (String, Vec<Line<'static>>) {
    let key = |k: &str, what: &str| {
        vec![
            Span::styled(format!(" {k} "), theme.key()),
            Span::raw(format!(" {what}  ")),
        ]
    };
    let text_width = usize::from(width.saturating_sub(6)).max(20);
    match overlay {
        Overlay::BurstSetup => {
            let setup = &app.burst_setup;
            let row = |field: SetupField, label: &str, value: Vec<Span<'static>>| {
                let focused = setup.focus == field;
                let mut spans = vec![Span::styled(
                    format!("{}{label:<LABEL$}", if focused { "› " } else { "  " }),
                    if focused {
                        theme.focused_label()
                    } else {
                        theme.label()
                    },
                )];
                spans.extend(value);
                Line::from(spans)
            };
            let choice = |on: bool, text: &str| {
                Span::styled(
                    format!("{} {text}  ", if on { "(•)" } else { "( )" }),
                    theme.value(),
                )
            };
            let mut lines = vec![
                Line::raw("Chats of the form's request, all at once:"),
                row(
                    SetupField::Count,
                    "chats",
                    vec![Span::styled(setup.count.value().to_string(), theme.value())],
                ),
                row(
                    SetupField::Concurrency,
                    "at once",
                    vec![Span::styled(
                        setup.concurrency.value().to_string(),
                        theme.value(),
                    )],
                ),
                row(
                    SetupField::Wait,
                    "follow until",
                    vec![
                        choice(setup.wait == ChatState::Waiting, "waiting"),
                        choice(setup.wait == ChatState::Chatting, "chatting"),
                    ],
                ),
                row(
                    SetupField::EndAfter,
                    "when done",
                    vec![Span::styled(
                        format!(
                            "[{}] end every chat",
                            if setup.end_after { "x" } else { " " }
                        ),
                        theme.value(),
                    )],
                ),
                Line::raw(""),
            ];
            match &setup.error {
                Some(error) => lines.push(Line::from(Span::styled(
                    format!("✗ {error}"),
                    theme.error(),
                ))),
                None => lines.push(Line::from(Span::styled(
                    "Esc or q stops a running burst and ends every chat it made.",
                    theme.dim(),
                ))),
            }
            let mut keys = key("Enter", "start");
            keys.extend(key("Tab", "next"));
            keys.extend(key("Space", "switch"));
            keys.extend(key("Esc", "cancel"));
            lines.push(Line::from(keys));
            (" Burst of this request ".into(), lines)
        }
        Overlay::CheckPath { error } => {
            let mut lines = vec![
                Line::raw("Check file to run (TOML, see docs/checks.md):"),
                Line::from(vec![
                    Span::raw("› "),
                    Span::styled(app.dialog_input.value().to_string(), theme.value()),
                ]),
                Line::raw(""),
                Line::from(Span::styled(
                    "Cases run with the form's connection, one at a time.",
                    theme.dim(),
                )),
            ];
            if let Some(error) = error {
                lines.push(Line::raw(""));
                // Rows that fit keep their spacing (the caret under the column); longer ones wrap.
                let rows = error.lines().flat_map(|row| {
                    if row.chars().count() <= text_width {
                        vec![row.to_string()]
                    } else {
                        crate::tui::form::view::wrap(row, text_width)
                    }
                });
                for row in rows.take(ERROR_LINES) {
                    lines.push(Line::from(Span::styled(row, theme.error())));
                }
            }
            let mut keys = key("Enter", "run");
            keys.extend(key("Esc", "cancel"));
            lines.push(Line::from(keys));
            (" Run a check file ".into(), lines)
        }
        _ => (String::new(), Vec::new()),
    }
}

/// Where the cursor goes inside the box (row, column).
pub fn cursor(app: &App) -> Option<(u16, u16)> {
    match &app.overlay {
        Some(Overlay::BurstSetup) => {
            let setup = &app.burst_setup;
            let (row, input) = match setup.focus {
                SetupField::Count => (1, &setup.count),
                SetupField::Concurrency => (2, &setup.concurrency),
                SetupField::Wait | SetupField::EndAfter => return None,
            };
            Some((row, (2 + LABEL + input.visual_cursor()) as u16))
        }
        Some(Overlay::CheckPath { .. }) => Some((1, app.dialog_input.visual_cursor() as u16 + 2)),
        _ => None,
    }
}

/// At most `width` characters.
pub fn clip(text: &str, width: usize) -> String {
    if text.chars().count() <= width {
        text.to_string()
    } else {
        let mut clipped: String = text.chars().take(width.saturating_sub(1)).collect();
        clipped.push('…');
        clipped
    }
}
