//! Drawing: `render(&App, &mut Frame)` reads the state and changes nothing. One module per screen
//! area; this one lays out the title bar, the body, the status area and the footer.

pub mod burst;
pub mod checks;
pub mod dialogs;
pub mod form;
pub mod inspector;
pub mod overlay;
pub mod runs;
pub mod session;
pub mod theme;

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Wrap};

use super::app::{App, Level, Phase};
use theme::Theme;

/// Braille spinner frames, one every 100 ms.
const SPINNER: [&str; 10] = ["⠋", "⠙", "⠹", "⠸", "⠼", "⠴", "⠦", "⠧", "⠇", "⠏"];

/// The spinner frame for this much elapsed time (so tests with a fixed clock draw the same).
pub fn spinner(elapsed: std::time::Duration) -> &'static str {
    SPINNER[(elapsed.as_millis() / 100) as usize % SPINNER.len()]
}

/// `m:ss` (or `h:mm:ss`).
pub fn clock(elapsed: std::time::Duration) -> String {
    let seconds = elapsed.as_secs();
    if seconds >= 3600 {
        format!(
            "{}:{:02}:{:02}",
            seconds / 3600,
            seconds / 60 % 60,
            seconds % 60
        )
    } else {
        format!("{}:{:02}", seconds / 60, seconds % 60)
    }
}

/// The screen areas.
pub struct Areas {
    pub title: Rect,
    pub body: Rect,
    pub status: Rect,
    pub footer: Rect,
}

/// Splits the screen; shared by drawing and mouse hit-testing.
pub fn areas(app: &App, screen: Rect) -> Areas {
    let status_height = if status_lines(app).is_empty() { 0 } else { 2 };
    let [title, body, status, footer] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Min(3),
        Constraint::Length(status_height),
        Constraint::Length(1),
    ])
    .areas(screen);
    Areas {
        title,
        body,
        status,
        footer,
    }
}

/// Draws the whole screen.
pub fn render(app: &App, frame: &mut Frame) {
    let theme = Theme::new(app.color);
    let screen = frame.area();
    let areas = areas(app, screen);
    title_bar(app, &theme, frame, areas.title);
    match &app.phase {
        Phase::Editing | Phase::Submitting { .. } => form::render(app, &theme, frame, areas.body),
        Phase::Session(view) => session::render(app, view, &theme, frame, areas.body),
        Phase::Burst(view) => burst::render(app, view, &theme, frame, areas.body),
        Phase::Checks(view) => checks::render(app, view, &theme, frame, areas.body),
    }
    let status = status_lines(app);
    if !status.is_empty() {
        let lines: Vec<Line> = status
            .into_iter()
            .map(|(level, text)| Line::from(Span::styled(text, theme.level(level))))
            .collect();
        frame.render_widget(
            Paragraph::new(lines).wrap(Wrap { trim: false }),
            areas.status,
        );
    }
    footer(app, &theme, frame, areas.footer);
    if let Some(overlay) = &app.overlay {
        overlay::render(app, overlay, &theme, frame, screen);
    }
}

fn title_bar(app: &App, theme: &Theme, frame: &mut Frame, area: Rect) {
    let phase = match &app.phase {
        Phase::Editing => "new chat request".to_string(),
        Phase::Submitting { .. } => "sending…".to_string(),
        Phase::Session(view) => match &view.state {
            Some(state) => format!("session · {state}"),
            None => "session".to_string(),
        },
        Phase::Burst(view) if view.finished.is_none() => "burst · running".to_string(),
        Phase::Burst(_) => "burst · done".to_string(),
        Phase::Checks(view) if view.is_running() => "checks · running".to_string(),
        Phase::Checks(_) => "checks · done".to_string(),
    };
    let line = Line::from(vec![
        Span::styled(" chatstart ", theme.title()),
        Span::styled(format!("· {} ", app.banner), theme.title_dim()),
        Span::styled(format!("· {phase} "), theme.title_dim()),
    ]);
    frame.render_widget(Paragraph::new(line).style(theme.title_dim()), area);
}

/// The status area: the spinner while sending, then the notice and its hint.
fn status_lines(app: &App) -> Vec<(Level, String)> {
    let mut lines = Vec::new();
    if let Phase::Submitting { started, .. } = &app.phase {
        let elapsed = app.now.saturating_duration_since(*started);
        lines.push((
            Level::Info,
            format!(
                "{} sending the chat request… {:.1} s",
                spinner(elapsed),
                elapsed.as_secs_f64()
            ),
        ));
    }
    if let Some(notice) = &app.notice {
        let mark = match notice.level {
            Level::Info => "ℹ",
            Level::Error => "✗ error:",
        };
        lines.push((notice.level, format!("{mark} {}", notice.text)));
        if let Some(hint) = &notice.hint {
            lines.push((notice.level, format!("  hint: {hint}")));
        }
    }
    lines
}

fn footer(app: &App, theme: &Theme, frame: &mut Frame, area: Rect) {
    let mut spans = Vec::new();
    for (key, what) in super::keys::footer(app) {
        spans.push(Span::styled(format!(" {key} "), theme.key()));
        spans.push(Span::styled(format!(" {what}  "), theme.dim()));
    }
    frame.render_widget(Paragraph::new(Line::from(spans)), area);
}
