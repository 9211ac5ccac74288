//! The form's widgets, drawn the same wherever they appear: a text input scrolled round its
//! cursor (a secret as a fixed mask), a survey question with its marks and entries, an error
//! under its field, and the word wrap they share. The pre-chat survey in the form and the exit
//! and offline surveys in their dialog are drawn by the same [`question_rows`].

use ratatui::text::{Line, Span};
use tui_input::Input;

use crate::api::model::{Question, QuestionKind};
use crate::terminal_text::terminal_safe;
use crate::tui::form::survey::SurveyForm;
use crate::tui::view::theme::Theme;

/// One drawn row of a widget, and where the cursor goes on it when its item has the focus.
pub struct WidgetRow {
    pub line: Line<'static>,
    pub cursor: Option<u16>,
}

/// A survey question: its label (wrapped, the focus marker `▸` before it) with its marks
/// (`*required`, the kind), then its entries — `( )`/`(•)` for one choice, `[ ]`/`[x]` for a
/// check box, `›` before the highlighted one — or its text input.
pub fn question_rows(
    survey: &SurveyForm,
    question: &Question,
    focused: bool,
    width: usize,
    theme: &Theme,
) -> Vec<WidgetRow> {
    let mut rows = Vec::new();
    let marker = if focused { "▸ " } else { "  " };
    let kind = match question.kind {
        QuestionKind::Checkbox => "check any",
        ref k if k.is_single_choice() => "choose one",
        _ => "text",
    };
    let mandatory = if question.mandatory { " *required" } else { "" };
    // Labels and entries are the service's text: made safe for the terminal.
    let label = if question.label.is_empty() {
        format!("question {}", question.id)
    } else {
        terminal_safe(&question.label).into_owned()
    };
    // A long label wraps under itself; the marks after it (required, the kind) stay whole, on
    // its last row or the next one.
    let label_style = if focused {
        theme.focused_label()
    } else {
        theme.label()
    };
    let marks = vec![
        Span::styled(mandatory.to_string(), theme.warn()),
        Span::styled(format!("  ({kind})"), theme.dim()),
    ];
    let marks_width: usize = marks.iter().map(Span::width).sum();
    let parts = wrap(&label, width.saturating_sub(2));
    let last = parts.len() - 1;
    for (index, part) in parts.into_iter().enumerate() {
        let lead = if index == 0 { marker } else { "  " };
        let fits = 2 + part.chars().count() + marks_width <= width;
        let mut spans = vec![Span::styled(format!("{lead}{part}"), label_style)];
        if index == last && fits {
            spans.extend(marks.clone());
        }
        rows.push(WidgetRow {
            line: Line::from(spans),
            cursor: None,
        });
        if index == last && !fits {
            let mut spans = vec![Span::raw("  ")];
            spans.extend(
                marks
                    .iter()
                    .map(|m| Span::styled(m.content.trim_start().to_string(), m.style)),
            );
            spans.insert(2, Span::raw("  "));
            rows.push(WidgetRow {
                line: Line::from(spans),
                cursor: None,
            });
        }
    }
    let indent = 4;
    let value_width = width.saturating_sub(indent).max(1);
    if question.kind.is_single_choice() || question.kind.is_multi_choice() {
        let chosen = survey.values(&question.id);
        let cursor = survey.cursor_of(&question.id);
        let multi = question.kind.is_multi_choice();
        let mut line: Vec<Span<'static>> = vec![Span::raw(" ".repeat(indent))];
        let mut used = indent;
        for (index, entry) in question.entries.iter().enumerate() {
            let on = chosen.contains(&entry.value);
            let mark = match (multi, on) {
                (true, true) => "[x]",
                (true, false) => "[ ]",
                (false, true) => "(•)",
                (false, false) => "( )",
            };
            let highlighted = focused && index == cursor;
            let text = format!(
                "{}{mark} {}",
                if highlighted { "›" } else { " " },
                terminal_safe(entry.shown_text())
            );
            let len = text.chars().count() + 1;
            if used + len > width && used > indent {
                rows.push(WidgetRow {
                    line: Line::from(std::mem::take(&mut line)),
                    cursor: None,
                });
                line.push(Span::raw(" ".repeat(indent)));
                used = indent;
            }
            let style = if highlighted {
                theme.highlight()
            } else {
                theme.value()
            };
            line.push(Span::styled(text, style));
            line.push(Span::raw(" "));
            used += len;
        }
        rows.push(WidgetRow {
            line: Line::from(line),
            cursor: None,
        });
    } else {
        let (value, cursor) = input_spans(
            survey.text.get(&question.id),
            false,
            focused,
            "type an answer",
            value_width,
            theme,
        );
        let mut spans = vec![Span::raw(" ".repeat(indent))];
        spans.extend(value);
        rows.push(WidgetRow {
            line: Line::from(spans),
            cursor: Some((indent + cursor) as u16),
        });
    }
    rows
}

/// A problem under the widget it belongs to: `✗ problem`, wrapped under itself at `indent`.
pub fn error_rows(problem: &str, indent: usize, width: usize, theme: &Theme) -> Vec<Line<'static>> {
    wrap(&format!("✗ {problem}"), width.saturating_sub(indent))
        .into_iter()
        .map(|part| {
            Line::from(vec![
                Span::raw(" ".repeat(indent)),
                Span::styled(part, theme.error()),
            ])
        })
        .collect()
}

/// Bullets shown for a secret whose field is not focused: always this many, so the screen does
/// not tell the secret's length.
pub const SECRET_MASK: &str = "••••••••";

/// Where the cursor goes in a secret's fixed mask: its start, its end, or between when it
/// is inside the value — never a column that tells the value's length.
pub fn mask_cursor(input: &Input) -> usize {
    let length = input.value().chars().count();
    match input.cursor() {
        0 => 0,
        at if at >= length => SECRET_MASK.chars().count(),
        _ => SECRET_MASK.chars().count() / 2,
    }
}

/// A text input's visible part and the cursor's column within it. While it is typed in, the
/// part around the cursor; otherwise its start, with `…` where it goes on, so a long value
/// reads from its beginning. A secret is a fixed-width mask whatever its length, with the
/// cursor at its start, its end or between while it is typed.
pub fn input_spans(
    input: Option<&Input>,
    secret: bool,
    focused: bool,
    placeholder: &str,
    width: usize,
    theme: &Theme,
) -> (Vec<Span<'static>>, usize) {
    let empty = Input::default();
    let input = input.unwrap_or(&empty);
    if input.value().is_empty() {
        // Marked as a hint, not a value, also without colour.
        let hint = if placeholder.is_empty() {
            String::new()
        } else {
            format!("‹{placeholder}›")
        };
        return (vec![Span::styled(hint, theme.placeholder())], 0);
    }
    if secret {
        let cursor = if focused { mask_cursor(input) } else { 0 };
        return (vec![Span::styled(SECRET_MASK, theme.value())], cursor);
    }
    let width = width.saturating_sub(1).max(1);
    if !focused {
        let shown = skip_columns(input.value(), 0, width);
        if shown.len() == input.value().len() {
            return (vec![Span::styled(shown, theme.value())], 0);
        }
        let mut start = skip_columns(input.value(), 0, width.saturating_sub(1));
        start.push('…');
        return (vec![Span::styled(start, theme.value())], 0);
    }
    let scroll = input.visual_scroll(width);
    let visible: String = skip_columns(input.value(), scroll, width);
    let cursor = input.visual_cursor().saturating_sub(scroll);
    (vec![Span::styled(visible, theme.value())], cursor)
}

/// The part of `text` from display column `skip`, at most `width` columns.
fn skip_columns(text: &str, skip: usize, width: usize) -> String {
    let mut column = 0;
    let mut out = String::new();
    let mut buffer = [0u8; 4];
    for c in text.chars() {
        let w = Span::raw(&*c.encode_utf8(&mut buffer)).width();
        if column >= skip && column + w <= skip + width {
            out.push(c);
        }
        column += w;
    }
    out
}

/// Greedy word wrap to `width` columns (long words are cut).
pub fn wrap(text: &str, width: usize) -> Vec<String> {
    let width = width.max(8);
    let mut lines = Vec::new();
    let mut current = String::new();
    for word in text.split(' ') {
        let extra = usize::from(!current.is_empty());
        if current.chars().count() + extra + word.chars().count() > width && !current.is_empty() {
            lines.push(std::mem::take(&mut current));
        }
        if !current.is_empty() {
            current.push(' ');
        }
        current.push_str(word);
        while current.chars().count() > width {
            let head: String = current.chars().take(width).collect();
            current = current.chars().skip(width).collect();
            lines.push(head);
        }
    }
    if !current.is_empty() || lines.is_empty() {
        lines.push(current);
    }
    lines
}
