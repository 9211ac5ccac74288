//! The session view: the URI in full, the state badge, poll health, the transcript, the composer,
//! and the inspector beside or below the transcript.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Position, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph};

use super::form::wrap;
use super::theme::Theme;
use super::{clock, spinner};
use crate::api::model::ChatState;
use crate::tui::app::{App, Health, SessionView};
use crate::tui::transcript::{Speaker, TranscriptLine};

/// Draws the session view.
pub fn render(app: &App, view: &SessionView, theme: &Theme, frame: &mut Frame, body: Rect) {
    let width = body.width as usize;
    let uri_rows = wrap_exact(&format!("Session URI  {}", view.uri), width);
    let header = header_lines(app, view, theme, width);
    let composer = if view.compose.is_some() { 3 } else { 0 };
    let [uri_area, header_area, main, composer_area] = Layout::vertical([
        Constraint::Length(uri_rows.len() as u16),
        Constraint::Length(header.len() as u16),
        Constraint::Min(3),
        Constraint::Length(composer),
    ])
    .areas(body);
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
    frame.render_widget(Paragraph::new(uri_lines), uri_area);
    frame.render_widget(Paragraph::new(header), header_area);
    let (transcript_area, inspector_area) = if view.inspector {
        let (transcript, inspector) = if main.width >= 120 {
            let [a, b] =
                Layout::horizontal([Constraint::Percentage(50), Constraint::Percentage(50)])
                    .areas(main);
            (a, b)
        } else {
            let [a, b] = Layout::vertical([Constraint::Percentage(40), Constraint::Percentage(60)])
                .areas(main);
            (a, b)
        };
        (transcript, Some(inspector))
    } else {
        (main, None)
    };
    transcript(view, theme, frame, transcript_area);
    if let Some(area) = inspector_area {
        super::inspector::render(app, view, theme, frame, area);
    }
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
    let mut lines = vec![Line::from(vec![
        Span::styled(
            format!("[ {badge} ]"),
            style.add_modifier(ratatui::style::Modifier::BOLD),
        ),
        Span::raw(format!(" {detail}{extra}")),
    ])];
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
    let title = if view.scroll_back > 0 {
        " Transcript (scrolled — End follows) ".to_string()
    } else {
        " Transcript ".to_string()
    };
    let block = Block::default().borders(Borders::TOP).title(title);
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let width = inner.width as usize;
    let height = inner.height as usize;
    // Only the lines that can be seen are laid out: walk back from the newest until the screen
    // (plus how far it is scrolled back) is full, so a long transcript costs no more per frame.
    let needed = height + view.scroll_back as usize;
    let mut rows: Vec<Line<'static>> = Vec::new();
    for line in view.transcript.iter().rev() {
        rows.extend(transcript_rows(line, theme, width).into_iter().rev());
        if rows.len() >= needed {
            break;
        }
    }
    rows.reverse();
    if rows.is_empty() {
        rows.push(Line::from(Span::styled(
            "(nothing yet — the transcript fills as the chat goes)",
            theme.dim(),
        )));
    }
    let bottom_top = rows.len().saturating_sub(height);
    let top = bottom_top.saturating_sub(view.scroll_back as usize);
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
    let indent = head.chars().count().min(width / 2);
    let parts = wrap(
        &line.text.replace('\n', " "),
        width.saturating_sub(indent).max(8),
    );
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
