//! The session view: the URI in full, the state badge, poll health, the transcript, the composer,
//! and the inspector beside or below the transcript.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Position, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph};

use crate::api::model::ChatState;
use crate::tui::app::{App, Health, SessionView};
use crate::tui::form::view::wrap;
use crate::tui::session::transcript::{Speaker, TranscriptLine};
use crate::tui::view::theme::Theme;
use crate::tui::view::{clock, spinner};

/// Where the parts of the session view go.
pub struct SessionAreas {
    pub uri: Rect,
    pub header: Rect,
    pub transcript: Rect,
    pub inspector: Option<Rect>,
    pub composer: Rect,
}

/// Lays the session view out in `body`; shared by drawing and by `update`, which clamps the
/// scrolling to what this layout can show.
pub fn layout(app: &App, view: &SessionView, body: Rect) -> SessionAreas {
    let width = body.width as usize;
    let uri_rows = wrap_exact(&format!("Session URI  {}", view.uri), width).len();
    let header_rows = header_lines(app, view, &Theme::new(false), width).len();
    let composer = if view.compose.is_some() { 3 } else { 0 };
    let [uri, header, main, composer] = Layout::vertical([
        Constraint::Length(uri_rows as u16),
        Constraint::Length(header_rows as u16),
        Constraint::Min(3),
        Constraint::Length(composer),
    ])
    .areas(body);
    let (transcript, inspector) = if view.inspector {
        // The inspector takes the larger part: its exchanges are long; when it has the keys,
        // more still.
        let share = if view.inspector_focus { 70 } else { 60 };
        let [a, b] = if main.width >= 120 {
            Layout::horizontal([
                Constraint::Percentage(100 - share),
                Constraint::Percentage(share),
            ])
            .areas(main)
        } else {
            Layout::vertical([
                Constraint::Percentage(100 - share),
                Constraint::Percentage(share),
            ])
            .areas(main)
        };
        (a, Some(b))
    } else {
        (main, None)
    };
    SessionAreas {
        uri,
        header,
        transcript,
        inspector,
        composer,
    }
}

/// The session view's areas on the screen `update` knows of (`app.size`).
pub fn screen_layout(app: &App, view: &SessionView) -> SessionAreas {
    let screen = Rect::new(0, 0, app.size.0, app.size.1);
    layout(app, view, crate::tui::view::areas(app, screen).body)
}

/// The transcript's text area inside its titled rule.
fn transcript_inner(area: Rect) -> Rect {
    Block::default().borders(Borders::TOP).inner(area)
}

/// The first row the transcript can start at when scrolled back as far as it goes (0 when it
/// fits): how `update` clamps scrolling.
pub fn transcript_max_top(app: &App, view: &SessionView) -> usize {
    let inner = transcript_inner(screen_layout(app, view).transcript);
    let theme = Theme::new(false);
    let rows: usize = view
        .transcript
        .iter()
        .map(|line| transcript_rows(line, &theme, inner.width as usize).len())
        .sum();
    rows.saturating_sub(inner.height as usize)
}

/// Draws the session view.
pub fn render(app: &App, view: &SessionView, theme: &Theme, frame: &mut Frame, body: Rect) {
    let width = body.width as usize;
    let areas = layout(app, view, body);
    let uri_rows = wrap_exact(&format!("Session URI  {}", view.uri), width);
    let header = header_lines(app, view, theme, width);
    let uri_lines: Vec<Line> = uri_rows
        .into_iter()
        .enumerate()
        .map(|(i, row)| {
            if i == 0 {
                let rest = row
                    .strip_prefix("Session URI  ")
                    .unwrap_or(&row)
                    .to_string();
                Line::from(vec![
                    Span::styled("Session URI  ", theme.section()),
                    Span::raw(rest),
                ])
            } else {
                Line::raw(row)
            }
        })
        .collect();
    frame.render_widget(Paragraph::new(uri_lines), areas.uri);
    frame.render_widget(Paragraph::new(header), areas.header);
    transcript(view, theme, frame, areas.transcript);
    if let Some(area) = areas.inspector {
        crate::tui::session::inspector::render(app, view, theme, frame, area);
    }
    let composer_area = areas.composer;
    if let Some(input) = &view.compose {
        let title = if view.is_chatting() {
            " your line — Enter sends, Esc leaves ".to_string()
        } else {
            " your line — sending opens once an agent accepts ".to_string()
        };
        let block = Block::default().borders(Borders::ALL).title(title);
        let inner = block.inner(composer_area);
        let width = inner.width.saturating_sub(1).max(1) as usize;
        let scroll = input.visual_scroll(width);
        let text: String = input.value().chars().skip(scroll).collect();
        frame.render_widget(Paragraph::new(text).block(block), composer_area);
        if app.overlay.is_none() {
            frame.set_cursor_position(Position::new(
                inner.x + (input.visual_cursor().saturating_sub(scroll)) as u16,
                inner.y,
            ));
        }
    }
}

/// Wraps at exactly `width` columns (a URI has no spaces to break at).
fn wrap_exact(text: &str, width: usize) -> Vec<String> {
    let width = width.max(1);
    let chars: Vec<char> = text.chars().collect();
    chars
        .chunks(width)
        .map(|chunk| chunk.iter().collect())
        .collect()
}

/// The state badge and the poll health.
fn header_lines(app: &App, view: &SessionView, theme: &Theme, width: usize) -> Vec<Line<'static>> {
    let in_queue = app.now.saturating_duration_since(view.created);
    let (badge, style, detail) = match &view.state {
        None if matches!(view.health, crate::tui::app::Health::Lost { .. }) => (
            "✗ NOT REACHED".to_string(),
            theme.error(),
            "the chat could not be read".to_string(),
        ),
        None => (
            format!("{} CONNECTING", spinner(in_queue)),
            theme.warn(),
            "reading the chat…".to_string(),
        ),
        Some(ChatState::Waiting) => {
            let estimate = view
                .estimate
                .map(|e| format!(" · estimated wait: {e}"))
                .unwrap_or_default();
            (
                "⏳ WAITING".to_string(),
                theme.warn(),
                format!("{} in queue{estimate}", clock(in_queue)),
            )
        }
        Some(ChatState::Chatting) => {
            // No clock here: nothing ticks while chatting, so a time would stand still.
            (
                "● CHATTING".to_string(),
                theme.good(),
                format!(
                    "with {}",
                    view.agent.clone().unwrap_or_else(|| "an agent".into())
                ),
            )
        }
        Some(ChatState::Ended) => (
            "■ ENDED".to_string(),
            theme.dim(),
            view.ended_reason.clone().unwrap_or_default(),
        ),
        Some(ChatState::Other(other)) => (
            format!("? {}", other.to_uppercase()),
            theme.warn(),
            String::new(),
        ),
    };
    let mut extra = Vec::new();
    if view.sending {
        extra.push("sending a line…");
    }
    if view.ending {
        extra.push("ending…");
    }
    let extra = if extra.is_empty() {
        String::new()
    } else {
        format!(" · {}", extra.join(" "))
    };
    // The detail wraps under itself rather than run off a narrow screen.
    let badge = format!("[ {badge} ]");
    let lead = Span::raw(&badge).width() + 1;
    let detail = format!("{detail}{extra}");
    let mut parts = wrap(&detail, width.saturating_sub(lead).max(8)).into_iter();
    let mut lines = vec![Line::from(vec![
        Span::styled(badge, style.add_modifier(ratatui::style::Modifier::BOLD)),
        Span::raw(format!(" {}", parts.next().unwrap_or_default())),
    ])];
    lines.extend(parts.map(|part| Line::raw(format!("{}{part}", " ".repeat(lead)))));
    // Said while the chat lives: it waits for an agent of a skill the service does not have.
    if view.skill_not_recognised && view.state != Some(ChatState::Ended) {
        let text = crate::api::model::skill_not_recognised_text(&view.request.skill);
        for part in wrap(&format!("⚠ {text}"), width) {
            lines.push(Line::from(Span::styled(part, theme.error())));
        }
    }
    lines.extend(crate::tui::visitor::view::session_lines(view, theme, width));
    match &view.health {
        Health::Ok => {}
        Health::Retrying { attempt, error } => {
            for part in wrap(
                &format!("⟳ reconnecting (attempt {attempt}): {error}"),
                width,
            ) {
                lines.push(Line::from(Span::styled(part, theme.warn())));
            }
        }
        Health::Lost { error, resume } => {
            for part in wrap(
                &match resume {
                    Some(resume) => format!("✗ session lost: {error} — resume with: {resume}"),
                    None => format!("✗ session lost: {error}"),
                },
                width,
            ) {
                lines.push(Line::from(Span::styled(part, theme.error())));
            }
        }
    }
    lines
}

fn transcript(view: &SessionView, theme: &Theme, frame: &mut Frame, area: Rect) {
    let inner = transcript_inner(area);
    let width = inner.width as usize;
    let height = inner.height as usize;
    let mut rows: Vec<Line<'static>> = Vec::new();
    let (top, below) = match view.transcript_top {
        Some(top) => {
            // Scrolled back: anchored from the top, so every row is laid out.
            for line in &view.transcript {
                rows.extend(transcript_rows(line, theme, width));
            }
            let top = top.min(rows.len().saturating_sub(height));
            (top, top + height < rows.len())
        }
        None => {
            // Following: only the lines that can be seen are laid out, walking back from the
            // newest, so a long transcript costs no more per frame.
            let mut laid_out = 0;
            for line in view.transcript.iter().rev() {
                rows.extend(transcript_rows(line, theme, width).into_iter().rev());
                laid_out += 1;
                if rows.len() >= height {
                    break;
                }
            }
            rows.reverse();
            let top = rows.len().saturating_sub(height);
            // Lines not laid out are above too.
            let above = top + view.transcript.len() - laid_out;
            (above, false)
        }
    };
    // What is cut off, in the title: the rows all go to the transcript.
    let cut = match (view.transcript_top.is_some(), top > 0, below) {
        (false, false, _) => "",
        (false, true, _) => " ▲ more above (PgUp)",
        (true, false, false) => " (scrolled — End follows)",
        (true, true, false) => " ▲ more above (scrolled — End follows)",
        (true, false, true) => " ▼ more below (scrolled — End follows)",
        (true, true, true) => " ▲▼ more above and below (scrolled — End follows)",
    };
    let keys = if view.inspector_focus && view.inspector && view.transcript_top.is_none() {
        " (Tab: its keys back)"
    } else {
        ""
    };
    // The times are the server's; its zone is said so that they are not read as local ones.
    let zone = view
        .transcript
        .last()
        .and_then(TranscriptLine::zone)
        .map(|zone| format!(" · server time {zone}"))
        .unwrap_or_default();
    let block = Block::default()
        .borders(Borders::TOP)
        .title(format!(" Transcript{cut}{keys}{zone} "));
    frame.render_widget(block, area);
    let top = if view.transcript_top.is_some() {
        top
    } else {
        rows.len().saturating_sub(height)
    };
    if rows.is_empty() {
        rows.push(Line::from(Span::styled(
            "(nothing yet — the transcript fills as the chat goes)",
            theme.dim(),
        )));
    }
    let visible: Vec<Line> = rows.into_iter().skip(top).take(height).collect();
    frame.render_widget(Paragraph::new(visible), inner);
}

/// One transcript line, wrapped under its speaker.
fn transcript_rows(line: &TranscriptLine, theme: &Theme, width: usize) -> Vec<Line<'static>> {
    let time = line.clock().map(|c| format!("{c} ")).unwrap_or_default();
    let (who, style) = match line.speaker {
        Speaker::Agent => (
            format!(
                "{} ›",
                if line.by.is_empty() {
                    "agent"
                } else {
                    &line.by
                }
            ),
            theme.agent(),
        ),
        Speaker::Visitor => ("you ›".to_string(), theme.visitor()),
        Speaker::PreChatEcho => ("[pre-chat] you ›".to_string(), theme.visitor()),
        Speaker::System => ("[system]".to_string(), theme.system()),
        Speaker::Event => ("·".to_string(), theme.dim()),
    };
    let head = format!("{time}{who} ");
    let head_width = head.chars().count();
    let indent = head_width.min(width / 2);
    // The line's own breaks (an agent's <br> and paragraphs) are kept, each part wrapped to
    // what is left beside the head, so the first row is not cut at the screen's edge.
    let parts: Vec<String> = line
        .text
        .split('\n')
        .flat_map(|part| wrap(part, width.saturating_sub(head_width.max(indent)).max(8)))
        .collect();
    parts
        .into_iter()
        .enumerate()
        .map(|(i, part)| {
            if i == 0 {
                Line::from(vec![
                    Span::styled(time.clone(), theme.dim()),
                    Span::styled(format!("{who} "), style),
                    Span::styled(
                        part,
                        if line.speaker == Speaker::Event {
                            theme.dim()
                        } else {
                            theme.value()
                        },
                    ),
                ])
            } else {
                Line::from(vec![Span::raw(" ".repeat(indent)), Span::raw(part)])
            }
        })
        .collect()
}
