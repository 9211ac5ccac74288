//! The burst view: a heading, a progress bar with the counts, the most recently changed chats
//! (URI tail, state, time in queue, agent or error), then the summary once done.

use std::time::Duration;

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Cell, Paragraph, Row, Table};

use crate::burst::ChatOutcome;
use crate::tui::app::App;
use crate::tui::burst::BurstView;
use crate::tui::view::runs::clip;
use crate::tui::view::theme::Theme;
use crate::tui::view::{clock, spinner};

/// Characters of a chat's URI shown (its end: the chat id).
const URI_TAIL: usize = 22;

/// Draws the burst view.
pub fn render(app: &App, view: &BurstView, theme: &Theme, frame: &mut Frame, body: Rect) {
    let summary = summary_lines(view, theme);
    let [heading, bar, table, summary_area, note] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Length(1),
        Constraint::Min(2),
        Constraint::Length(summary.len() as u16),
        Constraint::Length(1),
    ])
    .areas(body);
    let elapsed = view.elapsed(app.now);
    let settings = &view.settings;
    let skill = if view.skill.is_empty() {
        "no skill".to_string()
    } else {
        format!("skill {}", view.skill)
    };
    let heading_text = format!(
        "Burst · {} · {skill} · {} at once · until {} · {}",
        crate::plural::count(settings.count, "chat", "chats"),
        settings.concurrency,
        settings.wait,
        clock(elapsed)
    );
    frame.render_widget(
        Paragraph::new(Span::styled(
            clip(&heading_text, body.width as usize),
            theme.section(),
        )),
        heading,
    );
    frame.render_widget(Paragraph::new(progress(view, theme, bar.width)), bar);
    chats(app, view, theme, frame, table);
    frame.render_widget(Paragraph::new(summary), summary_area);
    frame.render_widget(
        Paragraph::new(note_line(app, view, theme, usize::from(note.width))),
        note,
    );
}

/// `██████░░░░ 6/10 done · created 8 · accepted 6 · failed 0`.
fn progress(view: &BurstView, theme: &Theme, width: u16) -> Line<'static> {
    let summary = view.summary();
    let total = view.outcomes.len().max(1);
    let done = view.done();
    let cells = usize::from(width / 3).clamp(10, 30);
    let filled = (done * cells).div_ceil(total).min(cells);
    // Failed so far: not yet sent is not failed (the summary counts both once done).
    let failed = view.outcomes.iter().filter(|o| o.failed()).count();
    let mut counts = format!(
        " {done}/{} done · created {} · accepted {} · failed {failed}",
        view.outcomes.len(),
        summary.created,
        summary.accepted,
    );
    if summary.may_exist > 0 {
        counts.push_str(&format!(" · may exist {}", summary.may_exist));
    }
    Line::from(vec![
        Span::styled("█".repeat(filled), theme.good()),
        Span::styled("░".repeat(cells - filled), theme.dim()),
        Span::raw(clip(
            &counts,
            usize::from(width).saturating_sub(cells).max(1),
        )),
    ])
}

fn chats(app: &App, view: &BurstView, theme: &Theme, frame: &mut Frame, area: Rect) {
    if view.recent.is_empty() {
        frame.render_widget(
            Paragraph::new(Span::styled("sending the first chats…", theme.dim())),
            area,
        );
        return;
    }
    let now_ms = millis(view.elapsed(app.now));
    let rows = view
        .recent
        .iter()
        .take(usize::from(area.height.saturating_sub(1)))
        .filter_map(|i| view.outcomes.get(*i))
        .map(|outcome| row(outcome, now_ms, theme));
    let header = Row::new(["#", "chat", "state", "in queue", "agent / error"]).style(theme.dim());
    let widths = [
        Constraint::Length(5),
        Constraint::Length(URI_TAIL as u16),
        Constraint::Length(9),
        Constraint::Length(9),
        Constraint::Min(8),
    ];
    frame.render_widget(Table::new(rows, widths).header(header), area);
}

fn row(outcome: &ChatOutcome, now_ms: u64, theme: &Theme) -> Row<'static> {
    let tail = outcome.uri.as_deref().map_or_else(|| "…".into(), uri_tail);
    let state = match &outcome.state {
        _ if outcome.is_over() => "ended".to_string(),
        Some(state) => state.clone(),
        None => outcome.status().label().to_string(),
    };
    let in_queue = match (outcome.time_to_accept_ms, outcome.created_ms) {
        (Some(ms), _) => format!("{:.1} s", ms as f64 / 1000.0),
        // The ellipsis says the clock still runs; an ended chat's time in queue is what it was.
        (None, Some(created)) => format!(
            "{} s{}",
            now_ms.saturating_sub(created) / 1000,
            if state == "ended" { "" } else { "…" }
        ),
        (None, None) => "-".into(),
    };
    let (detail, style) = match (&outcome.error, &outcome.agent) {
        (Some(error), _) => (first_line(error), theme.error()),
        (None, Some(agent)) => (agent.clone(), theme.agent()),
        (None, None) => (String::new(), Style::default()),
    };
    Row::new(vec![
        Cell::from(format!("{}", outcome.index + 1)),
        Cell::from(tail),
        Cell::from(state),
        Cell::from(in_queue),
        Cell::from(Span::styled(detail, style)),
    ])
}

/// The end of a chat's URI: its id, without the query.
fn uri_tail(uri: &str) -> String {
    let path = uri.split('?').next().unwrap_or(uri);
    let last = path.rsplit('/').next().unwrap_or(path);
    let count = last.chars().count();
    last.chars().skip(count.saturating_sub(URI_TAIL)).collect()
}

fn first_line(text: &str) -> String {
    text.lines().next().unwrap_or_default().to_string()
}

fn millis(duration: Duration) -> u64 {
    u64::try_from(duration.as_millis()).unwrap_or(u64::MAX)
}

fn seconds(ms: u64) -> String {
    format!("{:.1} s", ms as f64 / 1000.0)
}

/// The summary, once the engine is done.
fn summary_lines(view: &BurstView, theme: &Theme) -> Vec<Line<'static>> {
    if view.finished.is_none() {
        return Vec::new();
    }
    let summary = view.summary();
    let mut lines = vec![Line::from(Span::styled(summary.counts(), theme.section()))];
    lines.push(Line::raw(match summary.accept_ms {
        Some([min, median, p95, max]) => format!(
            "time to accept: min {} · median {} · p95 {} · max {}",
            seconds(min),
            seconds(median),
            seconds(p95),
            seconds(max)
        ),
        None => "time to accept: no chat was accepted".into(),
    }));
    if let Some(error) = view.outcomes.iter().find_map(|o| o.error.as_deref()) {
        lines.push(Line::from(Span::styled(
            format!("first error: {}", first_line(error)),
            theme.error(),
        )));
    }
    lines
}

/// What happens now, and what the keys do about it.
fn note_line(app: &App, view: &BurstView, theme: &Theme, width: usize) -> Line<'static> {
    let spin = spinner(view.elapsed(app.now));
    let text = if view.finished.is_none() && view.stopping {
        format!("{spin} stopping: no new chat is sent; every chat created is being ended…")
    } else if view.finished.is_none() {
        "Esc or q stops the burst: no new chat is sent and every chat created is ended.".into()
    } else if view.ending > 0 {
        format!(
            "{spin} ending {}…",
            crate::plural::count(view.ending, "chat", "chats")
        )
    } else {
        let may_exist = view.summary().may_exist;
        match view.open_chats().len() {
            0 if may_exist > 0 => format!(
                "done: {} with no URI to end {} by — look in the agent queue. Esc goes back to the form.",
                crate::plural::count(may_exist, "chat may exist", "chats may exist"),
                crate::plural::noun(may_exist, "it", "them")
            ),
            0 => "done: no chat of the burst is left open. Esc goes back to the form.".into(),
            open => format!(
                "done: {} still open — e ends {them}, Esc keeps {them} open.",
                crate::plural::count(open, "chat", "chats"),
                them = crate::plural::noun(open, "it", "them")
            ),
        }
    };
    // Cut where the screen ends, and marked so.
    Line::from(Span::styled(clip(&text, width), theme.dim()))
}
