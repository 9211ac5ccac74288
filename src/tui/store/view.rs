//! The overlays of what lasts between runs: the secret prompt, the draft offer, the profile
//! picker, saving a profile, and the history list. Text only; the box is drawn by `overlay`.

use ratatui::text::{Line, Span};

use crate::tui::app::{App, Overlay};
use crate::tui::view::theme::Theme;

/// Rows of the history list shown at once, at most.
const HISTORY_ROWS: usize = 12;

/// The title and lines of one of these overlays.
pub fn lines(
    app: &App,
    overlay: &Overlay,
    theme: &Theme,
    screen: ratatui::layout::Rect,
) -> (String, Vec<Line<'static>>) {
    let key = |k: &str, what: &str| {
        Line::from(vec![
            Span::styled(format!(" {k} "), theme.key()),
            Span::raw(format!(" {what}")),
        ])
    };
    match overlay {
        Overlay::SecretPrompt(field) => {
            let profile = app.profile_name().unwrap_or("the profile");
            (
                format!(" {} ", field.label()),
                vec![
                    Line::raw(format!(
                        "`{profile}` asks for its {} at start.",
                        field.label()
                    )),
                    Line::raw("It is kept in memory only, never written."),
                    Line::raw(""),
                    Line::from(vec![
                        Span::raw("› "),
                        // A fixed mask: the screen does not tell the secret's length.
                        Span::styled(
                            if app.dialog_input.value().is_empty() {
                                ""
                            } else {
                                crate::tui::form::view::SECRET_MASK
                            },
                            theme.value(),
                        ),
                    ]),
                    Line::raw(""),
                    key("Enter", "use it"),
                    key("Esc", "leave it empty (type it in its field later)"),
                ],
            )
        }
        Overlay::RestoreDraft => {
            let mut lines = vec![
                Line::raw("The last run ended with this form unsent."),
                Line::raw("It was kept without its appKey and SSO key."),
                Line::raw(""),
            ];
            if let Some(draft) = &app.draft_offer {
                let skill = if draft.request.skill.is_empty() {
                    "(no skill)"
                } else {
                    draft.request.skill.as_str()
                };
                lines.push(Line::raw(format!("  skill: {skill}")));
                if let Some(first) = draft.request.pre_chat_lines.first() {
                    lines.push(Line::raw(format!("  first line: {first}")));
                }
                if let Some(profile) = &draft.profile {
                    lines.push(Line::raw(format!("  profile: {profile}")));
                }
                if draft.demo {
                    lines.push(Line::raw(
                        "  typed on the demo (its connection stays behind)",
                    ));
                } else if !draft.account.is_empty() || !draft.api.is_empty() {
                    let api = if draft.api.is_empty() {
                        "(discovered)"
                    } else {
                        draft.api.as_str()
                    };
                    lines.push(Line::raw(format!(
                        "  connection: account {} at {api}",
                        draft.account
                    )));
                }
                lines.push(Line::raw(""));
            }
            lines.push(key("r", "restore it (secrets stay as they are now)"));
            lines.push(key("d", "discard it and start from this form"));
            (" Unsent form from last time ".into(), lines)
        }
        Overlay::Profiles { selected } => {
            // The box's borders, a blank row and the two keys' rows take the rest.
            let room = usize::from(screen.height.saturating_sub(5)).max(1);
            let shown = crate::tui::view::list_rows(app.profiles.len(), room);
            let first = (*selected + 1).saturating_sub(shown);
            let mut lines: Vec<Line<'static>> = app
                .profiles
                .iter()
                .enumerate()
                .skip(first)
                .take(shown)
                .map(|(index, (name, profile))| {
                    let current = if app.profile_name() == Some(name) {
                        " (current)"
                    } else {
                        ""
                    };
                    let skill = if profile.request.skill.is_empty() {
                        String::new()
                    } else {
                        format!(" · skill {}", profile.request.skill)
                    };
                    let account = profile
                        .account
                        .as_deref()
                        .map(|a| format!(" · account {a}"))
                        .unwrap_or_default();
                    let auth = if profile.auth {
                        " · authenticated"
                    } else {
                        ""
                    };
                    let text = format!("{name}{current}{account}{skill}{auth}");
                    row(index == *selected, text, theme)
                })
                .collect();
            lines.extend(crate::tui::view::more_sign(
                first,
                app.profiles.len().saturating_sub(first + shown),
                "profiles",
                "↑↓",
                usize::from(screen.width),
                theme,
            ));
            lines.push(Line::raw(""));
            lines.push(key("Enter", "load it into the form"));
            lines.push(key("Esc", "close"));
            (" Profiles ".into(), lines)
        }
        Overlay::SaveProfile => {
            let note = match &app.profile {
                Some((name, _)) => {
                    format!("Secrets are not saved; their sources from `{name}` are.")
                }
                None => "Secrets are not saved (the form came from no profile).".into(),
            };
            (
                " Save as profile ".into(),
                vec![
                    Line::raw("Name of the profile:"),
                    Line::from(vec![
                        Span::raw("› "),
                        Span::styled(app.dialog_input.value().to_string(), theme.value()),
                    ]),
                    Line::raw(""),
                    Line::raw(note),
                    key("Enter", "save"),
                    key("Esc", "cancel"),
                ],
            )
        }
        Overlay::ConfirmOverwrite(name) => (
            " Replace the profile? ".into(),
            vec![
                Line::raw(format!("A profile `{name}` exists in the config file.")),
                Line::raw(""),
                key("y", "replace it with this form"),
                key("Esc", "cancel"),
            ],
        ),
        Overlay::History { selected } => (
            format!(
                " History · {} ",
                crate::plural::count(app.history.len(), "session", "sessions")
            ),
            history_lines(app, *selected, theme, screen),
        ),
        Overlay::Help
        | Overlay::ConfirmQuit
        | Overlay::ConfirmResubmit
        | Overlay::BurstSetup
        | Overlay::CheckPath { .. }
        | Overlay::Transcript
        | Overlay::Survey => (String::new(), Vec::new()),
    }
}

/// Where the cursor goes inside the box (row, column), for overlays with a text input.
pub fn cursor(app: &App) -> Option<(u16, u16)> {
    let typed = || app.dialog_input.visual_cursor() as u16 + 2;
    match app.overlay {
        Some(Overlay::SecretPrompt(_)) => Some((
            3,
            crate::tui::form::view::mask_cursor(&app.dialog_input) as u16 + 2,
        )),
        Some(Overlay::SaveProfile) => Some((1, typed())),
        Some(Overlay::BurstSetup | Overlay::CheckPath { .. }) => {
            crate::tui::view::runs::cursor(app)
        }
        Some(Overlay::Transcript) => {
            let theme = crate::tui::view::theme::Theme::new(false);
            crate::tui::visitor::view::transcript_dialog(app, &theme, app.size.0).cursor
        }
        Some(Overlay::Survey) => {
            let screen = ratatui::layout::Rect::new(0, 0, app.size.0, app.size.1);
            let screen = crate::tui::view::overlay::survey_area(screen);
            let scroll = crate::tui::view::overlay::survey_scroll(app, screen);
            let theme = crate::tui::view::theme::Theme::new(false);
            let dialog = app.survey_dialog.as_ref()?;
            let text = crate::tui::visitor::view::survey_dialog(dialog, &theme, screen.width);
            text.cursor
                .and_then(|(row, column)| Some((row.checked_sub(scroll)?, column)))
        }
        _ => None,
    }
}

fn row(selected: bool, text: String, theme: &Theme) -> Line<'static> {
    let marker = if selected { "› " } else { "  " };
    let style = if selected {
        theme.highlight()
    } else {
        theme.value()
    };
    Line::from(Span::styled(format!("{marker}{text}"), style))
}

fn history_lines(
    app: &App,
    selected: usize,
    theme: &Theme,
    screen: ratatui::layout::Rect,
) -> Vec<Line<'static>> {
    let width = usize::from(screen.width.saturating_sub(8)).max(40);
    // The box's borders, the heading, a blank row and the keys' row take the rest.
    let room = usize::from(screen.height.saturating_sub(5)).clamp(1, HISTORY_ROWS);
    let shown = crate::tui::view::list_rows(app.history.len(), room);
    let first = (selected + 1).saturating_sub(shown);
    let mut lines = vec![Line::from(Span::styled(
        clip(
            &format!(
                "  {:<20} {:<8} {:<12} {:<10} URI",
                "time", "state", "skill", "profile"
            ),
            width,
        ),
        theme.dim(),
    ))];
    for (index, entry) in app.history.iter().enumerate().skip(first).take(shown) {
        let session = &entry.session;
        let state = if crate::tui::store::gone_with_its_console(app, entry) {
            "gone"
        } else {
            session.state.as_str()
        };
        let columns = format!(
            "{:<20} {:<8} {:<12} {:<10} ",
            session.time,
            state,
            clip(&session.skill, 12),
            clip(session.profile.as_deref().unwrap_or("—"), 10),
        );
        // The URI's end (the chat id) tells sessions apart; its host rarely does.
        let room = width.saturating_sub(columns.chars().count());
        let text = format!("{columns}{}", clip_left(&session.uri, room));
        lines.push(row(index == selected, clip(&text, width), theme));
    }
    lines.extend(crate::tui::view::more_sign(
        first,
        app.history.len().saturating_sub(first + shown),
        "sessions",
        "↑↓",
        width,
        theme,
    ));
    lines.push(Line::raw(""));
    let mut keys = vec![
        Span::styled(" Enter ", theme.key()),
        Span::raw(" re-run "),
        Span::styled(" w ", theme.key()),
        Span::raw(" watch "),
        Span::styled(" x ", theme.key()),
        Span::raw(" end "),
    ];
    let evidence = [Span::styled(" s ", theme.key()), Span::raw(" evidence ")];
    let close = [Span::styled(" Esc ", theme.key()), Span::raw(" close")];
    // The way out always shows; the evidence key when there is room for both.
    let used: usize = keys.iter().chain(&close).map(Span::width).sum();
    if used + evidence.iter().map(Span::width).sum::<usize>() <= width {
        keys.extend(evidence);
    }
    keys.extend(close);
    lines.push(Line::from(keys));
    lines
}

/// At most `width` characters, keeping the end.
fn clip_left(text: &str, width: usize) -> String {
    let count = text.chars().count();
    if count <= width {
        return text.to_string();
    }
    let tail: String = text.chars().skip(count + 1 - width.max(1)).collect();
    format!("…{tail}")
}

/// At most `width` characters.
fn clip(text: &str, width: usize) -> String {
    if text.chars().count() <= width {
        text.to_string()
    } else {
        let mut clipped: String = text.chars().take(width.saturating_sub(1)).collect();
        clipped.push('…');
        clipped
    }
}
