//! Overlays drawn over the screen: the help listing every key of the current screen, and the
//! questions (quit with a live chat, send again after an ambiguous failure).

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Paragraph, Wrap};

use crate::tui::app::{App, Overlay};
use crate::tui::view::theme::Theme;

/// Draws an overlay centred on the screen.
pub fn render(app: &App, overlay: &Overlay, theme: &Theme, frame: &mut Frame, screen: Rect) {
    let (title, lines) = match overlay {
        Overlay::SecretPrompt(_)
        | Overlay::RestoreDraft
        | Overlay::Profiles { .. }
        | Overlay::SaveProfile
        | Overlay::ConfirmOverwrite(_)
        | Overlay::History { .. } => {
            let (title, lines) = crate::tui::store::view::lines(app, overlay, theme, screen);
            return boxed(&title, lines, frame, screen, app);
        }
        Overlay::BurstSetup | Overlay::CheckPath { .. } => {
            let (title, lines) =
                crate::tui::view::runs::dialog_lines(app, overlay, theme, screen.width);
            return boxed(&title, lines, frame, screen, app);
        }
        Overlay::Transcript => {
            let text = crate::tui::visitor::view::transcript_dialog(app, theme, screen.width);
            return boxed(&text.title, text.lines, frame, screen, app);
        }
        Overlay::Survey => {
            let Some(dialog) = &app.survey_dialog else {
                return;
            };
            let text = crate::tui::visitor::view::survey_dialog(dialog, theme, screen.width);
            let area = survey_area(screen);
            let scroll = survey_scroll(app, area);
            return boxed_scrolled(&text.title, text.lines, frame, area, app, scroll);
        }
        Overlay::Help => {
            let limit = help_scroll_limit(app);
            let title = if limit > 0 {
                HELP_TITLE_SCROLLING
            } else {
                " Keys — Esc closes "
            };
            let scroll = app.help_scroll.min(limit);
            return boxed_scrolled(title, help_lines(app, theme), frame, screen, app, scroll);
        }
        Overlay::ConfirmQuit if matches!(app.phase, crate::tui::app::Phase::Submitting { .. }) => (
            " Quit? ",
            vec![
                Line::raw("The chat request is on its way: quitting now may leave a chat"),
                Line::raw("in the queue with no URI to follow or end it by. The history"),
                Line::raw("keeps the request (state unknown): chatstart history."),
                Line::raw(""),
                Line::from(vec![
                    Span::styled(" q ", theme.key()),
                    Span::raw(" quit anyway"),
                ]),
                Line::from(vec![
                    Span::styled(" Esc ", theme.key()),
                    Span::raw(" stay: the chat's URI shows when the answer arrives"),
                ]),
            ],
        ),
        Overlay::ConfirmQuit => (
            " Quit? ",
            vec![
                Line::raw(quit_question(app)),
                Line::raw(""),
                Line::from(vec![
                    Span::styled(" e ", theme.key()),
                    Span::raw(" end the chat, then quit"),
                ]),
                Line::from(vec![
                    Span::styled(" q ", theme.key()),
                    Span::raw(" quit and leave the chat open"),
                ]),
                Line::from(vec![Span::styled(" Esc ", theme.key()), Span::raw(" stay")]),
            ],
        ),
        Overlay::ConfirmResubmit => (
            " Send again? ",
            vec![
                Line::raw("The last request was sent but its answer was lost:"),
                Line::raw("a chat may already be waiting in the queue."),
                Line::raw("Sending again may create a second chat."),
                Line::raw(""),
                Line::from(vec![
                    Span::styled(" y ", theme.key()),
                    Span::raw(" send again"),
                ]),
                Line::from(vec![
                    Span::styled(" Esc ", theme.key()),
                    Span::raw(" do not send"),
                ]),
            ],
        ),
    };
    boxed(title, lines, frame, screen, app);
}

/// Draws `lines` in a titled box centred on the screen, as wide as the widest line; the cursor
/// goes where the dialog's text input is, when it has one.
fn boxed(title: &str, lines: Vec<Line<'static>>, frame: &mut Frame, screen: Rect, app: &App) {
    boxed_scrolled(title, lines, frame, screen, app, 0);
}

/// The box's width and the rows its lines take in it, wrapped, on this screen.
fn box_size(title: &str, lines: &[Line<'static>], screen: Rect) -> (u16, usize) {
    let width = lines
        .iter()
        .map(Line::width)
        .max()
        .unwrap_or(20)
        .max(title.chars().count())
        + 4;
    let width = (width as u16).min(screen.width);
    // Wrapped by the same rules the box draws them with.
    let rows = Paragraph::new(lines.to_vec())
        .wrap(Wrap { trim: false })
        .line_count(width.saturating_sub(2).max(1));
    (width, rows)
}

/// Where the survey dialog may go: the screen less its footer row, which keeps the dialog's
/// keys (it can be taller than the screen).
pub fn survey_area(screen: Rect) -> Rect {
    Rect {
        height: screen.height.saturating_sub(1).max(3),
        ..screen
    }
}

/// Rows of the survey dialog scrolled past so that its focused question shows in `area`: the
/// least that shows all its rows (its first, when they do not all fit). The dialog's lines are
/// as wide as its content at most, so a line is a row.
pub fn survey_scroll(app: &App, area: Rect) -> u16 {
    let Some(dialog) = &app.survey_dialog else {
        return 0;
    };
    let text = crate::tui::visitor::view::survey_dialog(dialog, &Theme::new(false), area.width);
    let (_, rows) = box_size(&text.title, &text.lines, area);
    let shown = usize::from(area.height.saturating_sub(2)).max(1);
    if rows <= shown {
        return 0;
    }
    let (first, last) = text.focus_rows.unwrap_or((0, 0));
    let wanted = (last + 1).saturating_sub(shown).min(first);
    u16::try_from(wanted.min(rows - shown)).unwrap_or(0)
}

/// The help's title when it does not fit the screen.
const HELP_TITLE_SCROLLING: &str = " Keys — ↑↓ PgUp PgDn scroll · Esc closes ";

/// How far the help overlay can scroll on the app's screen: the rows that do not fit.
pub fn help_scroll_limit(app: &App) -> u16 {
    let screen = Rect::new(0, 0, app.size.0, app.size.1);
    let lines = help_lines(app, &Theme::new(false));
    let (_, rows) = box_size(HELP_TITLE_SCROLLING, &lines, screen);
    let shown = usize::from(screen.height.saturating_sub(2));
    u16::try_from(rows.saturating_sub(shown)).unwrap_or(u16::MAX)
}

/// [`boxed`], its text scrolled past `scroll` rows.
fn boxed_scrolled(
    title: &str,
    lines: Vec<Line<'static>>,
    frame: &mut Frame,
    screen: Rect,
    app: &App,
    scroll: u16,
) {
    let (width, rows) = box_size(title, &lines, screen);
    let height = (rows as u16 + 2).min(screen.height);
    let area = Rect::new(
        screen.x + (screen.width - width) / 2,
        screen.y + (screen.height - height) / 2,
        width,
        height,
    );
    // A box cut by the screen's edge says so on its bottom border.
    let shown = usize::from(height.saturating_sub(2));
    let below = rows.saturating_sub(usize::from(scroll) + shown);
    let mut block = Block::default().borders(Borders::ALL).title(title);
    match (scroll > 0, below > 0) {
        (false, false) => {}
        (true, false) => block = block.title_bottom(" ▲ more above "),
        (false, true) => block = block.title_bottom(format!(" ▼ {below} more row(s) below ")),
        (true, true) => {
            block = block.title_bottom(format!(" ▲ more above · ▼ {below} more row(s) below "));
        }
    }
    frame.render_widget(Clear, area);
    frame.render_widget(
        Paragraph::new(lines)
            .wrap(Wrap { trim: false })
            .scroll((scroll, 0))
            .block(block),
        area,
    );
    if let Some((row, column)) = crate::tui::store::view::cursor(app) {
        let x = area.x + 1 + column.min(area.width.saturating_sub(3));
        let y = area.y + 1 + row;
        if y < area.y + area.height.saturating_sub(1) {
            frame.set_cursor_position(ratatui::layout::Position::new(x, y));
        }
    }
}

fn help_lines(app: &App, theme: &Theme) -> Vec<Line<'static>> {
    let entries = crate::tui::keymap::help(app);
    let key_width = entries
        .iter()
        .map(|(k, _)| k.chars().count())
        .max()
        .unwrap_or(4);
    entries
        .into_iter()
        .map(|(key, what)| {
            Line::from(vec![
                Span::styled(format!(" {key:<key_width$} "), theme.focused_label()),
                Span::raw(format!(" {what}")),
            ])
        })
        .collect()
}

/// What quitting would leave behind.
fn quit_question(app: &App) -> String {
    match &app.phase {
        crate::tui::app::Phase::Burst(view) => {
            let open = view.open_chats().len();
            format!(
                "{} of the burst {} still open.",
                crate::plural::count(open, "chat", "chats"),
                crate::plural::noun(open, "is", "are")
            )
        }
        _ => "A chat is still live (waiting or chatting).".into(),
    }
}
