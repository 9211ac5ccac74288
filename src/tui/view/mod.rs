//! Drawing: `render(&App, &mut Frame)` reads the state and changes nothing. One module per screen
//! area; this one lays out the title bar, the body, the status area and the footer.

pub mod overlay;
pub mod runs;
pub mod theme;

// Each feature draws its own screen; this module lays them out.
use crate::tui::burst::view as burst;
use crate::tui::checks::view as checks;
use crate::tui::form::view as form;
use crate::tui::session::inspector;
use crate::tui::session::view as session;

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use crate::tui::app::{App, Level, Phase};
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

/// Rows a list shows in `height` rows: all when they fit, else one less, for [`more_sign`].
pub fn list_rows(len: usize, height: usize) -> usize {
    if len > height && height >= 2 {
        height - 1
    } else {
        height
    }
}

/// The row under a list that does not fit: how many of `what` are cut off above and below, and
/// the keys that bring them; `None` when none is.
pub fn more_sign(
    above: usize,
    below: usize,
    what: &str,
    keys: &str,
    width: usize,
    theme: &Theme,
) -> Option<Line<'static>> {
    let mut parts = Vec::new();
    if above > 0 {
        parts.push(format!("▲ {above} more above"));
    }
    if below > 0 {
        parts.push(format!("▼ {below} more below"));
    }
    if parts.is_empty() {
        return None;
    }
    let text = format!("{} ({what}; {keys})", parts.join(" · "));
    Some(Line::from(Span::styled(
        runs::clip(&text, width),
        theme.more(),
    )))
}

/// The screen areas.
pub struct Areas {
    pub title: Rect,
    pub body: Rect,
    pub status: Rect,
    pub footer: Rect,
}

/// Rows the status area may take at most: enough for an error, its hint and a long tail, while
/// the form keeps most of a small screen (6 rows at 80×24, 8 from 32 rows).
pub fn status_cap(screen: Rect) -> usize {
    usize::from(screen.height / 4).clamp(2, 8)
}

/// Splits the screen; shared by drawing and mouse hit-testing. The status area is as tall as
/// its wrapped text, up to [`status_cap`].
pub fn areas(app: &App, screen: Rect) -> Areas {
    let status_height = status_rows(app, screen).len() as u16;
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
/// What the last frame laid out that `update` and the keys need (clamping scrolls, the mouse):
/// recorded at each draw, so they never ask the view.
pub fn render(app: &App, frame: &mut Frame) -> crate::tui::app::Geometry {
    draw(app, frame);
    geometry(app)
}

/// The geometry of the screen as `render` lays it out for `app`.
pub fn geometry(app: &App) -> crate::tui::app::Geometry {
    let session = app.session();
    crate::tui::app::Geometry {
        inspector: session.and_then(|view| session::screen_layout(app, view).inspector),
        form_items: match app.phase {
            Phase::Editing | Phase::Submitting { .. } => form::item_areas(app),
            _ => Vec::new(),
        },
        transcript_max_top: session.map_or(0, |view| session::transcript_max_top(app, view)),
        inspector_max_scroll: session.map_or(0, |view| inspector::detail_max_scroll(app, view)),
        help_max_scroll: overlay::help_scroll_limit(app),
    }
}

fn draw(app: &App, frame: &mut Frame) {
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
    let status = status_rows(app, screen);
    if !status.is_empty() {
        let lines: Vec<Line> = status
            .into_iter()
            .map(|(level, text)| Line::from(Span::styled(text, theme.level(level))))
            .collect();
        frame.render_widget(Paragraph::new(lines), areas.status);
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
    // Where requests go gives way first, so the phase always shows.
    let phase = format!("· {phase} ");
    let room = usize::from(area.width)
        .saturating_sub(Span::raw(" chatstart ").width() + Span::raw(&phase).width() + 3);
    let destination = runs::clip(&app.destination(), room.max(1));
    let line = Line::from(vec![
        Span::styled(" chatstart ", theme.title()),
        Span::styled(format!("· {destination} "), theme.title_dim()),
        Span::styled(phase, theme.title_dim()),
    ]);
    frame.render_widget(Paragraph::new(line).style(theme.title_dim()), area);
}

/// The status area's rows: each line wrapped to the screen's width under its lead (`✗ error:`,
/// `hint:`), at most [`status_cap`] rows, the last one marked when more was cut.
fn status_rows(app: &App, screen: Rect) -> Vec<(Level, String)> {
    let width = usize::from(screen.width).max(16);
    let mut rows = Vec::new();
    for (level, lead, body) in status_lines(app) {
        let indent = lead.chars().count().min(width / 2);
        for (index, part) in form::wrap(&body, width - indent).into_iter().enumerate() {
            let lead = if index == 0 {
                lead.clone()
            } else {
                " ".repeat(indent)
            };
            rows.push((level, format!("{lead}{part}")));
        }
    }
    let cap = status_cap(screen);
    if rows.len() > cap {
        rows.truncate(cap);
        if let Some((_, last)) = rows.last_mut() {
            let keep: String = last.chars().take(width.saturating_sub(1)).collect();
            *last = format!("{}…", keep.trim_end());
        }
    }
    rows
}

/// The status area: the spinner while sending, then the notice and its hint, each as its lead
/// and its text.
fn status_lines(app: &App) -> Vec<(Level, String, String)> {
    let mut lines = Vec::new();
    if let Phase::Submitting { started, .. } = &app.phase {
        let elapsed = app.now.saturating_duration_since(*started);
        lines.push((
            Level::Info,
            format!("{} ", spinner(elapsed)),
            format!("sending the chat request… {:.1} s", elapsed.as_secs_f64()),
        ));
    }
    if let Some(notice) = &app.notice {
        let mark = match notice.level {
            Level::Info => "ℹ ",
            Level::Error => "✗ error: ",
        };
        lines.push((notice.level, mark.to_string(), notice.text.clone()));
        if let Some(hint) = &notice.hint {
            lines.push((notice.level, "  hint: ".to_string(), hint.clone()));
        }
    }
    lines
}

fn footer(app: &App, theme: &Theme, frame: &mut Frame, area: Rect) {
    let mut spans = Vec::new();
    for (key, what) in crate::tui::keymap::footer_fitted(app, area.width) {
        spans.push(Span::styled(format!(" {key} "), theme.key()));
        spans.push(Span::styled(format!(" {what}  "), theme.dim()));
    }
    frame.render_widget(Paragraph::new(Line::from(spans)), area);
}
