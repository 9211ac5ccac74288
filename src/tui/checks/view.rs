//! The check view: a heading, a progress bar with the verdicts so far, one entry per case
//! (verdict, timings, the first failed expectation and what arrived instead), notes on what the
//! console does differently, then the summary once every case is done.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use crate::check::CaseResult;
use crate::plural::count;
use crate::tui::app::App;
use crate::tui::checks::{CaseStatus, CheckView};
use crate::tui::view::runs::clip;
use crate::tui::view::theme::Theme;
use crate::tui::view::{clock, spinner};

/// Lines of a selected case's reason shown (the others show one).
const REASON_LINES: usize = 4;
/// Lines of notes shown at most.
const NOTE_LINES: usize = 2;

/// Draws the check view.
pub fn render(app: &App, view: &CheckView, theme: &Theme, frame: &mut Frame, body: Rect) {
    let width = body.width as usize;
    let mut notes: Vec<Line> = view
        .notes
        .iter()
        .take(NOTE_LINES)
        .map(|note| {
            Line::from(Span::styled(
                clip(&format!("note: {note}"), width),
                theme.dim(),
            ))
        })
        .collect();
    if view.notes.len() > NOTE_LINES {
        notes.truncate(NOTE_LINES - 1);
        notes.push(Line::from(Span::styled(
            format!(
                "note: {} a profile: the console uses the form's connection",
                count(view.notes.len(), "case names", "cases name")
            ),
            theme.dim(),
        )));
    }
    let summary = if view.is_running() { 0 } else { 1 };
    let [heading, bar, list, notes_area, summary_area] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Length(1),
        Constraint::Min(2),
        Constraint::Length(notes.len() as u16),
        Constraint::Length(summary),
    ])
    .areas(body);
    let heading_text = format!(
        "Checks · {} · {}, one at a time · {}",
        view.path,
        count(view.cases.len(), "case", "cases"),
        clock(view.elapsed(app.now))
    );
    frame.render_widget(
        Paragraph::new(Span::styled(clip(&heading_text, width), theme.section())),
        heading,
    );
    frame.render_widget(Paragraph::new(progress(app, view, theme, bar.width)), bar);
    let lines = case_lines(app, view, theme, width);
    frame.render_widget(
        Paragraph::new(visible(lines, view.selected, list.height, width, theme)),
        list,
    );
    frame.render_widget(Paragraph::new(notes), notes_area);
    if !view.is_running() {
        let text = crate::check::report::text_summary(&view.totals(app.now));
        frame.render_widget(
            Paragraph::new(Span::styled(clip(&text, width), theme.section())),
            summary_area,
        );
    }
}

fn progress(app: &App, view: &CheckView, theme: &Theme, width: u16) -> Line<'static> {
    let totals = view.totals(app.now);
    let total = view.cases.len().max(1);
    let cells = usize::from(width / 3).clamp(10, 30);
    let filled = (totals.cases * cells).div_ceil(total).min(cells);
    let counts = format!(
        " {}/{} done · {} passed · {} failed · {}",
        totals.cases,
        view.cases.len(),
        totals.passed,
        totals.failed,
        count(totals.errors, "error", "errors")
    );
    Line::from(vec![
        Span::styled("█".repeat(filled), theme.good()),
        Span::styled("░".repeat(cells - filled), theme.dim()),
        Span::raw(clip(
            &counts,
            usize::from(width).saturating_sub(cells).max(1),
        )),
    ])
}

/// Every case's lines, each tagged with its case's index.
fn case_lines(
    app: &App,
    view: &CheckView,
    theme: &Theme,
    width: usize,
) -> Vec<(usize, Line<'static>)> {
    let mut lines = Vec::new();
    for (index, case) in view.cases.iter().enumerate() {
        let selected = index == view.selected;
        let marker = if selected { "› " } else { "  " };
        let (badge, badge_style, detail) = match &case.status {
            CaseStatus::Pending => ("waiting".to_string(), theme.dim(), String::new()),
            CaseStatus::Running { since } => (
                format!("{} run", spinner(app.now.saturating_duration_since(*since))),
                theme.warn(),
                clock(app.now.saturating_duration_since(*since)),
            ),
            CaseStatus::Done(result) => {
                let (badge, style) = verdict(result, theme);
                (badge.to_string(), style, timings(result))
            }
        };
        let name_style = if selected {
            theme.highlight()
        } else {
            theme.value()
        };
        let name = clip(&case.name, width.saturating_sub(10));
        let fits = 10 + name.chars().count() + 2 + detail.chars().count() <= width;
        let mut first = vec![
            Span::styled(marker, name_style),
            Span::styled(format!("{badge:<8}"), badge_style),
            Span::styled(name, name_style),
        ];
        if fits {
            first.push(Span::styled(format!("  {detail}"), theme.dim()));
        }
        lines.push((index, Line::from(first)));
        if !fits {
            // The timings go under the name rather than off the edge.
            lines.push((
                index,
                Line::from(Span::styled(
                    format!("          {}", clip(&detail, width.saturating_sub(10))),
                    theme.dim(),
                )),
            ));
        }
        if let CaseStatus::Done(result) = &case.status {
            let indent = "          ";
            let room = width.saturating_sub(indent.len()).max(10);
            let reason = result.failure.as_ref().or(result.error.as_ref());
            // The next step in the console's words, not the check command's.
            let next = result
                .explanation
                .as_ref()
                .map(|e| crate::tui::errors::next_step(e).to_string())
                .or_else(|| result.next.clone());
            let explained = [("why", &result.why), ("next", &next)]
                .into_iter()
                .filter_map(|(label, text)| Some(format!("{label}: {}", text.as_deref()?)));
            let shown = if selected { REASON_LINES } else { 1 };
            let rows = reason
                .iter()
                .flat_map(|r| r.lines())
                .map(str::to_string)
                .chain(explained);
            for row in rows.take(shown) {
                lines.push((
                    index,
                    Line::from(Span::styled(
                        format!("{indent}{}", clip(row.trim(), room)),
                        theme.error(),
                    )),
                ));
            }
            // What the visitor's side did (name, transcript, surveys), for the selected case.
            if selected {
                for outcome in crate::check::report::visitor_outcomes(result) {
                    lines.push((
                        index,
                        Line::from(Span::styled(
                            format!("{indent}{}", clip(&outcome, room)),
                            theme.dim(),
                        )),
                    ));
                }
            }
            if let Some(uri) = result.uri.as_deref().filter(|_| selected) {
                let what = if result.left_open {
                    "left open"
                } else {
                    "chat"
                };
                lines.push((
                    index,
                    Line::from(Span::styled(
                        format!(
                            "{indent}{}",
                            clip(&format!("{what}: {uri} — Enter follows it"), room)
                        ),
                        theme.dim(),
                    )),
                ));
            }
        }
    }
    lines
}

fn verdict(result: &CaseResult, theme: &Theme) -> (&'static str, Style) {
    match (result.passed, &result.failure) {
        _ if result.interrupted => ("STOP", theme.dim()),
        (true, _) => ("PASS", theme.good()),
        (false, Some(_)) => ("FAIL", theme.error()),
        (false, None) => ("ERROR", theme.error()),
    }
}

fn timings(result: &CaseResult) -> String {
    let mut parts = Vec::new();
    if let Some(ms) = result.time_to_queue_ms {
        parts.push(format!("queued {ms} ms"));
    }
    if let Some(ms) = result.time_to_accept_ms {
        parts.push(format!("accepted {:.1} s", ms as f64 / 1000.0));
    }
    parts.push(format!("took {:.1} s", result.duration_ms as f64 / 1000.0));
    parts.join(" · ")
}

/// The lines that fit in `height` rows, scrolled so the selected case shows whole.
/// The case lines that fit, the selected case's in view; when not all fit, the last row says how
/// many cases are cut off above and below.
fn visible(
    lines: Vec<(usize, Line<'static>)>,
    selected: usize,
    height: u16,
    width: usize,
    theme: &Theme,
) -> Vec<Line<'static>> {
    let shown = crate::tui::view::list_rows(lines.len(), usize::from(height));
    let first = lines.iter().position(|(i, _)| *i == selected).unwrap_or(0);
    let last = lines.iter().rposition(|(i, _)| *i == selected).unwrap_or(0);
    let offset = (last + 1).saturating_sub(shown).min(first);
    let cases_in = |range: &[(usize, Line<'static>)]| {
        let mut cases: Vec<usize> = range.iter().map(|(i, _)| *i).collect();
        cases.dedup();
        cases
    };
    let on_screen = cases_in(&lines[offset..(offset + shown).min(lines.len())]);
    let above = cases_in(&lines[..offset])
        .iter()
        .filter(|i| !on_screen.contains(i))
        .count();
    let below = cases_in(&lines[(offset + shown).min(lines.len())..])
        .iter()
        .filter(|i| !on_screen.contains(i))
        .count();
    let mut visible: Vec<Line<'static>> = lines
        .into_iter()
        .skip(offset)
        .take(shown)
        .map(|(_, line)| line)
        .collect();
    visible.extend(crate::tui::view::more_sign(
        above, below, "cases", "↑↓", width, theme,
    ));
    visible
}
