//! The HTTP inspector: the session's exchanges (already masked by the client), one selected and
//! shown whole below the list — its status first, then the request and the response (side by
//! side when the pane is wide and both have a body), JSON and XML bodies indented. The detail
//! scrolls.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph};

use crate::api::exchange::Exchange;
use crate::tui::app::{App, SessionView};
use crate::tui::view::theme::Theme;

/// Summary rows shown above the selected exchange, at most.
const LIST_ROWS: usize = 6;
/// Inner widths from which the request and the response stand side by side.
const SIDE_BY_SIDE: usize = 100;

/// The inspector's parts inside its border.
struct Parts {
    list: Rect,
    detail: Rect,
}

fn block(view: &SessionView, count: usize) -> Block<'static> {
    let title = if view.inspector_focus {
        format!(" ▸ HTTP inspector · {count} · [ ] exchange · ↑↓ PgUp PgDn scroll · Tab back ")
    } else {
        format!(" HTTP inspector · {count} · [ ] exchange · {{ }} scroll · Tab focus ")
    };
    Block::default()
        .borders(Borders::TOP | Borders::LEFT)
        .title(title)
}

fn parts(inner: Rect, count: usize) -> Parts {
    let list = count
        .clamp(1, LIST_ROWS)
        .min((inner.height as usize / 4).max(1)) as u16;
    let list_area = Rect {
        height: list.min(inner.height),
        ..inner
    };
    // One blank row between the list and the detail.
    let gap = (list + 1).min(inner.height);
    Parts {
        list: list_area,
        detail: Rect {
            y: inner.y + gap,
            height: inner.height - gap,
            ..inner
        },
    }
}

/// How far the selected exchange's detail can scroll on the screen `update` knows of: how
/// `update` clamps it.
pub fn detail_max_scroll(app: &App, view: &SessionView) -> usize {
    let Some(area) = crate::tui::session::view::screen_layout(app, view).inspector else {
        return 0;
    };
    let count = app.exchanges.len();
    let detail = parts(block(view, count).inner(area), count).detail;
    let theme = Theme::new(false);
    app.exchanges
        .get(view.selected_exchange.min(count.saturating_sub(1)))
        .map_or(0, |exchange| {
            detail_rows(exchange, &theme, detail.width as usize)
                .len()
                .saturating_sub(detail.height as usize)
        })
}

/// Draws the inspector.
pub fn render(app: &App, view: &SessionView, theme: &Theme, frame: &mut Frame, area: Rect) {
    let count = app.exchanges.len();
    let block = block(view, count);
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let parts = parts(inner, count);
    let width = inner.width as usize;
    let selected = view.selected_exchange.min(count.saturating_sub(1));
    let mut rows: Vec<Line<'static>> = Vec::new();
    if count == 0 {
        rows.push(Line::from(Span::styled("(no exchanges yet)", theme.dim())));
    }
    let shown = parts.list.height as usize;
    let first = (selected + 1).saturating_sub(shown);
    for (index, exchange) in app.exchanges.iter().enumerate().skip(first).take(shown) {
        let style = if index == selected {
            theme.highlight()
        } else {
            theme.value()
        };
        let marker = if index == selected { "›" } else { " " };
        rows.push(Line::from(Span::styled(
            summary(marker, index + 1, exchange, width),
            style,
        )));
    }
    frame.render_widget(Paragraph::new(rows), parts.list);
    // What is cut off goes in the row between the list and the detail.
    let mut cut = Vec::new();
    if count > shown {
        cut.push(format!(
            "exchanges {}–{} of {count} ([ ])",
            first + 1,
            (first + shown).min(count)
        ));
    }
    if let Some(exchange) = app.exchanges.get(selected) {
        let detail = detail_rows(exchange, theme, parts.detail.width as usize);
        let height = parts.detail.height as usize;
        let top = view
            .inspector_scroll
            .min(detail.len().saturating_sub(height));
        let below = detail.len().saturating_sub(top + height);
        match (top, below) {
            (0, 0) => {}
            (0, below) => cut.push(format!("▼ {below} more rows below ({{ }})")),
            (above, 0) => cut.push(format!("▲ {above} more rows above ({{ }})")),
            (above, below) => cut.push(format!("▲ {above} ▼ {below} more rows ({{ }})")),
        }
        let visible: Vec<Line> = detail.into_iter().skip(top).take(height).collect();
        frame.render_widget(Paragraph::new(visible), parts.detail);
    }
    if !cut.is_empty() && parts.detail.y > parts.list.y + parts.list.height {
        let gap = Rect {
            y: parts.detail.y - 1,
            height: 1,
            ..inner
        };
        let text = crate::tui::view::runs::clip(&cut.join(" · "), width);
        frame.render_widget(Paragraph::new(Span::styled(text, theme.more())), gap);
    }
}

/// `› 12 GET  200    4 ms chat/H1…/events`: the outcome before the path, so a narrow pane cuts
/// the path (from its start), never the status.
fn summary(marker: &str, number: usize, exchange: &Exchange, width: usize) -> String {
    let outcome = match (exchange.status, &exchange.error) {
        (Some(status), _) => status.to_string(),
        (None, Some(_)) => "failed".into(),
        (None, None) => "—".into(),
    };
    let head = format!(
        "{marker}{number:>3} {:<4} {outcome:<6} {:>5} ms ",
        exchange.method,
        exchange.elapsed.as_millis()
    );
    let room = width.saturating_sub(head.chars().count());
    format!("{head}{}", clip_left(&short_path(&exchange.url), room))
}

/// The path after the account (`chat/H1…/events`), without origin and query.
fn short_path(url: &str) -> String {
    let path = reqwest::Url::parse(url).map_or_else(|_| url.to_string(), |u| u.path().to_string());
    let mut segments = path.trim_start_matches('/').splitn(4, '/');
    match (
        segments.next(),
        segments.next(),
        segments.next(),
        segments.next(),
    ) {
        (Some("api"), Some("account"), Some(_), Some(rest)) => rest.to_string(),
        _ => path,
    }
}

/// At most `width` characters, keeping the end.
fn clip_left(text: &str, width: usize) -> String {
    let count = text.chars().count();
    if count <= width {
        return text.to_string();
    }
    if width == 0 {
        return String::new();
    }
    let tail: String = text.chars().skip(count + 1 - width).collect();
    format!("…{tail}")
}

/// A URL as a person reads it: the masked appKey of a query as bullets, not `%E2%80%A2…`.
fn readable_url(url: &str) -> String {
    url.replace("%E2%80%A2", "•").replace("%e2%80%a2", "•")
}

/// The selected exchange in full, wrapped to `width`: the request line and the outcome first,
/// then the request's and the response's headers and bodies (side by side when wide).
fn detail_rows(exchange: &Exchange, theme: &Theme, width: usize) -> Vec<Line<'static>> {
    let width = width.max(8);
    let url = readable_url(&exchange.url);
    let (origin, rest) = match reqwest::Url::parse(&exchange.url) {
        Ok(parsed) => {
            let origin = parsed.origin().ascii_serialization();
            let rest = url.strip_prefix(&origin).unwrap_or(&url).to_string();
            (origin, rest)
        }
        Err(_) => (String::new(), url.clone()),
    };
    let outcome = match (exchange.status, &exchange.error) {
        (Some(status), _) => format!("→ {status}"),
        (None, Some(error)) => format!("→ failed: {error}"),
        (None, None) => "→ no answer".to_string(),
    };
    let mut rows: Vec<Line<'static>> = Vec::new();
    for part in wrap_url(&format!("{} {rest}", exchange.method), width) {
        rows.push(Line::from(Span::styled(part, theme.section())));
    }
    let status = format!("{outcome} · {} ms · {origin}", exchange.elapsed.as_millis());
    for part in hard_wrap(&status, width) {
        rows.push(Line::from(Span::styled(part, theme.focused_label())));
    }
    let request = side(
        "request",
        &exchange.request_headers,
        exchange.request_body.as_deref(),
    );
    let response = side(
        "response",
        &exchange.response_headers,
        exchange.response_body.as_deref(),
    );
    // Side by side only when both sides have a body: a GET's few request headers would leave
    // half the pane empty beside a long answer.
    let request_has_body = exchange
        .request_body
        .as_deref()
        .is_some_and(|b| !b.trim().is_empty());
    if width >= SIDE_BY_SIDE && request_has_body {
        let column = (width - 3) / 2;
        let left = wrap_all(&request, column);
        let right = wrap_all(&response, column);
        for index in 0..left.len().max(right.len()) {
            let cell = |rows: &[String]| rows.get(index).cloned().unwrap_or_default();
            let left = cell(&left);
            let pad = column.saturating_sub(left.chars().count());
            rows.push(Line::from(vec![
                Span::styled(left, theme.value()),
                Span::raw(" ".repeat(pad)),
                Span::styled(" │ ", theme.dim()),
                Span::styled(cell(&right), theme.value()),
            ]));
        }
    } else {
        for text in wrap_all(&request, width)
            .into_iter()
            .chain(wrap_all(&response, width))
        {
            rows.push(Line::raw(text));
        }
    }
    rows
}

/// One side of an exchange: a rule with its name, the headers, the body indented.
fn side(name: &str, headers: &[(String, String)], body: Option<&str>) -> Vec<String> {
    let mut lines = vec![format!("── {name} ──")];
    lines.extend(
        headers
            .iter()
            .map(|(k, v)| format!("{k}: {}", readable_url(v))),
    );
    match body.map(str::trim).filter(|b| !b.is_empty()) {
        Some(body) => {
            lines.push(String::new());
            lines.extend(pretty(body).lines().map(str::to_string));
        }
        None if name == "response" => lines.push("(no body)".into()),
        None => {}
    }
    lines
}

/// A body indented for reading: JSON pretty-printed, XML one element a line; else as it is.
fn pretty(body: &str) -> String {
    if body.starts_with(['{', '[']) {
        if let Ok(value) = serde_json::from_str::<serde_json::Value>(body) {
            if let Ok(text) = serde_json::to_string_pretty(&value) {
                return text;
            }
        }
    }
    if body.starts_with('<') && !body.contains('\n') {
        return indent_xml(body);
    }
    body.to_string()
}

/// One element a line, indented by depth (a text-only element stays on its line).
fn indent_xml(body: &str) -> String {
    let mut out = Vec::new();
    let mut depth = 0usize;
    for piece in body.replace("><", ">\n<").lines() {
        let piece = piece.trim();
        if piece.starts_with("</") {
            depth = depth.saturating_sub(1);
        }
        out.push(format!("{}{piece}", "  ".repeat(depth)));
        let opens = piece.starts_with('<')
            && !piece.starts_with("</")
            && !piece.starts_with("<?")
            && !piece.starts_with("<!")
            && !piece.ends_with("/>")
            && !piece.contains("</");
        if opens {
            depth += 1;
        }
    }
    out.join("\n")
}

/// Wraps a URL before its `?` and `&`, so no query parameter is cut in two (one longer than the
/// width is cut anyway).
fn wrap_url(text: &str, width: usize) -> Vec<String> {
    let mut pieces: Vec<String> = Vec::new();
    for c in text.chars() {
        match pieces.last_mut() {
            Some(piece) if c != '?' && c != '&' => piece.push(c),
            _ => pieces.push(c.to_string()),
        }
    }
    let mut rows: Vec<String> = Vec::new();
    for piece in pieces {
        let first = rows.is_empty();
        match rows.last_mut() {
            Some(row) if row.chars().count() + piece.chars().count() <= width => {
                row.push_str(&piece);
            }
            _ if first => rows.push(piece),
            _ => rows.push(format!("  {piece}")),
        }
    }
    rows.iter().flat_map(|row| hard_wrap(row, width)).collect()
}

fn wrap_all(lines: &[String], width: usize) -> Vec<String> {
    lines.iter().flat_map(|l| hard_wrap(l, width)).collect()
}

/// Cuts a line at `width` characters; the continuations keep its indent (plus two), so an
/// indented body stays readable.
fn hard_wrap(text: &str, width: usize) -> Vec<String> {
    let width = width.max(4);
    let chars: Vec<char> = text.chars().collect();
    if chars.len() <= width {
        return vec![text.to_string()];
    }
    let indent = (chars.iter().take_while(|c| **c == ' ').count() + 2).min(width / 2);
    let mut rows = vec![chars[..width].iter().collect::<String>()];
    let room = width - indent;
    for chunk in chars[width..].chunks(room) {
        rows.push(format!(
            "{}{}",
            " ".repeat(indent),
            chunk.iter().collect::<String>()
        ));
    }
    rows
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bodies_are_indented_and_long_lines_keep_their_indent() {
        assert_eq!(
            pretty(r#"{"a":{"b":1}}"#),
            "{\n  \"a\": {\n    \"b\": 1\n  }\n}"
        );
        assert_eq!(
            pretty("<?xml version=\"1.0\"?><chat><state>waiting</state><x/></chat>"),
            "<?xml version=\"1.0\"?>\n<chat>\n  <state>waiting</state>\n  <x/>\n</chat>"
        );
        assert_eq!(pretty("not json {"), "not json {");
        assert_eq!(hard_wrap("  abcdefghij", 8), ["  abcdef", "    ghij"]);
    }

    #[test]
    fn the_summary_cuts_the_path_never_the_status() {
        let exchange = Exchange {
            operation: crate::api::Operation::Session,
            started: std::time::UNIX_EPOCH,
            method: "GET".into(),
            url: "http://127.0.0.1:8480/api/account/12345678/chat/H1234567890-abcdef/events?v=1"
                .into(),
            request_headers: Vec::new(),
            request_body: None,
            status: Some(200),
            response_headers: Vec::new(),
            response_body: None,
            elapsed: std::time::Duration::from_millis(4),
            error: None,
        };
        let row = summary("›", 12, &exchange, 36);
        assert_eq!(row, "› 12 GET  200        4 ms …ef/events");
        assert_eq!(row.chars().count(), 36);
        assert_eq!(
            wrap_url("GET /chat/x?v=1&NC=true&appKey=••••", 20),
            ["GET /chat/x?v=1", "  &NC=true", "  &appKey=••••"]
        );
        assert_eq!(
            readable_url("http://h/x?appKey=%E2%80%A2%E2%80%A2"),
            "http://h/x?appKey=••"
        );
    }
}
