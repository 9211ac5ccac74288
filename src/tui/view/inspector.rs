//! The HTTP inspector: the session's exchanges (already masked by the client), one selected and
//! shown whole — status, headers, bodies.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph};

use super::form::wrap;
use super::theme::Theme;
use crate::api::exchange::Exchange;
use crate::tui::app::{App, SessionView};

/// Summary rows shown above the selected exchange.
const LIST_ROWS: usize = 6;

/// Draws the inspector.
pub fn render(app: &App, view: &SessionView, theme: &Theme, frame: &mut Frame, area: Rect) {
    let count = app.exchanges.len();
    let block = Block::default()
        .borders(Borders::TOP | Borders::LEFT)
        .title(format!(
            " HTTP inspector · {count} exchange(s) · [ ] select "
        ));
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let width = inner.width as usize;
    let selected = view.selected_exchange.min(count.saturating_sub(1));
    let mut rows: Vec<Line<'static>> = Vec::new();
    if count == 0 {
        rows.push(Line::from(Span::styled("(no exchanges yet)", theme.dim())));
    }
    let first = (selected + 1).saturating_sub(LIST_ROWS.min(inner.height as usize / 3).max(1));
    for (index, exchange) in app.exchanges.iter().enumerate().skip(first).take(LIST_ROWS) {
        let marker = if index == selected { "›" } else { " " };
        let text: String = format!("{marker} {:>3} {}", index + 1, short(exchange))
            .chars()
            .take(width)
            .collect();
        let style = if index == selected {
            theme.highlight()
        } else {
            theme.value()
        };
        rows.push(Line::from(Span::styled(text, style)));
    }
    if let Some(exchange) = app.exchanges.get(selected) {
        rows.push(Line::raw(""));
        for text in details(exchange) {
            for part in wrap(&text, width) {
                rows.push(Line::raw(part));
            }
        }
    }
    let visible: Vec<Line> = rows.into_iter().take(inner.height as usize).collect();
    frame.render_widget(Paragraph::new(visible), inner);
}

/// `GET /api/…/chat/… → 200 (3 ms)`, the path without the origin.
fn short(exchange: &Exchange) -> String {
    let path = reqwest::Url::parse(&exchange.url)
        .map(|u| u.path().to_string())
        .unwrap_or_else(|_| exchange.url.clone());
    let outcome = match (exchange.status, &exchange.error) {
        (Some(status), _) => status.to_string(),
        (None, Some(_)) => "failed".into(),
        (None, None) => "—".into(),
    };
    format!(
        "{} {path} → {outcome} ({} ms)",
        exchange.method,
        exchange.elapsed.as_millis()
    )
}

/// The exchange in full, one entry per logical line.
fn details(exchange: &Exchange) -> Vec<String> {
    let mut lines = vec![format!("{} {}", exchange.method, exchange.url)];
    lines.extend(
        exchange
            .request_headers
            .iter()
            .map(|(k, v)| format!("  {k}: {v}")),
    );
    if let Some(body) = &exchange.request_body {
        lines.push(format!("  {body}"));
    }
    match (exchange.status, &exchange.error) {
        (Some(status), _) => lines.push(format!("← {status}")),
        (None, Some(error)) => lines.push(format!("← failed: {error}")),
        (None, None) => {}
    }
    lines.extend(
        exchange
            .response_headers
            .iter()
            .map(|(k, v)| format!("  {k}: {v}")),
    );
    if let Some(body) = exchange.response_body.as_deref().filter(|b| !b.is_empty()) {
        lines.extend(body.lines().map(|l| format!("  {l}")));
    }
    lines
}
