//! The form: sections of labelled rows in one column (narrow screens) or two (wide), each column
//! scrolled so the focused item shows; errors under their fields. `item_areas` says where each
//! item is drawn, from the same layout (a click focuses the item under it).

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Position, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;
use tui_input::Input;

use crate::api::model::{Question, QuestionKind};
use crate::api::validate::Field;
use crate::api::{AppKeyPlacement, Format};
use crate::tui::app::{App, Lookup};
use crate::tui::form::survey::SurveyStatus;
use crate::tui::form::{Focus, Section, TextField, Toggle};
use crate::tui::view::theme::Theme;

/// Width of the focus marker plus the label column.
const LABEL_WIDTH: usize = 19;
/// Screens at least this wide get two columns.
const TWO_COLUMNS: u16 = 120;

/// One drawn row and the form item it belongs to.
pub struct Row {
    pub line: Line<'static>,
    pub focus: Option<Focus>,
    /// Where the cursor goes on this row, when its item has the focus.
    pub cursor: Option<u16>,
    /// Items this row belongs with (a hint under them): kept in view while one has the focus.
    pub keep_with: Vec<Focus>,
}

/// A column of rows and how far it is scrolled.
pub struct Column {
    pub area: Rect,
    pub rows: Vec<Row>,
    pub scroll: usize,
    /// Rows of the form shown; when they do not all fit, the column's last row says what is
    /// above and below instead.
    pub shown: usize,
    /// The first row of each section, in order.
    pub sections: Vec<(usize, Section)>,
}

impl Column {
    /// The line that says which sections are cut off above and below, when some are.
    fn more(&self, theme: &Theme) -> Option<Line<'static>> {
        if self.shown >= self.rows.len().saturating_sub(self.scroll) && self.scroll == 0 {
            return None;
        }
        let end = self.scroll + self.shown;
        // Sections by their titles: those whose title is off screen are named.
        let above: Vec<&str> = self
            .sections
            .iter()
            .filter(|(start, _)| *start < self.scroll)
            .map(|(_, section)| section.title())
            .collect();
        let below: Vec<&str> = self
            .sections
            .iter()
            .filter(|(start, _)| *start >= end)
            .map(|(_, section)| section.title())
            .collect();
        let mut parts = Vec::new();
        if self.scroll > 0 {
            parts.push(match above.as_slice() {
                [] => "▲ more above".to_string(),
                names => format!("▲ above: {}", names.join(", ")),
            });
        }
        if end < self.rows.len() {
            parts.push(match below.as_slice() {
                [] => "▼ more below".to_string(),
                names => format!("▼ more below: {}", names.join(", ")),
            });
        }
        let text = parts.join(" · ");
        let width = usize::from(self.area.width);
        let text = if text.chars().count() > width {
            let mut cut: String = text.chars().take(width.saturating_sub(1)).collect();
            cut.push('…');
            cut
        } else {
            text
        };
        Some(Line::from(Span::styled(text, theme.more())))
    }
}

/// Lays the form out in `body`.
pub fn columns(app: &App, theme: &Theme, body: Rect) -> Vec<Column> {
    let sections = app.form.sections();
    let groups: Vec<(Rect, Vec<Section>)> = if body.width >= TWO_COLUMNS {
        let [left, _, right] = Layout::horizontal([
            Constraint::Percentage(50),
            Constraint::Length(2),
            Constraint::Fill(1),
        ])
        .areas(body);
        let (first, second): (Vec<Section>, Vec<Section>) = sections
            .into_iter()
            .partition(|s| matches!(s, Section::Connection | Section::Request));
        vec![(left, first), (right, second)]
    } else {
        vec![(body, sections)]
    };
    groups
        .into_iter()
        .map(|(area, sections)| {
            let mut rows = Vec::new();
            let mut starts = Vec::new();
            for section in sections {
                starts.push((rows.len(), section));
                section_rows(app, theme, section, area.width as usize, &mut rows);
            }
            let height = area.height as usize;
            // A form taller than its column gives up its last row to say so.
            let shown = if rows.len() > height && height >= 2 {
                height - 1
            } else {
                height
            };
            let scroll = scroll_for(&rows, &app.form.focus, shown);
            Column {
                area,
                rows,
                scroll,
                shown,
                sections: starts,
            }
        })
        .collect()
}

/// The smallest scroll that shows every row of the focused item and the hints that go with it
/// (the item's own first row wins when not all fit).
fn scroll_for(rows: &[Row], focus: &Focus, height: usize) -> usize {
    let mut focused = rows
        .iter()
        .enumerate()
        .filter(|(_, r)| r.focus.as_ref() == Some(focus) || r.keep_with.contains(focus))
        .map(|(i, _)| i);
    let Some(first) = focused.next() else {
        return 0;
    };
    let last = focused.next_back().unwrap_or(first);
    // Keep the section title above the first item of a section in view too.
    let first = first.saturating_sub(1);
    if last < height {
        0
    } else {
        (last + 1 - height).min(first)
    }
}

/// Draws the form.
pub fn render(app: &App, theme: &Theme, frame: &mut Frame, body: Rect) {
    for column in columns(app, theme, body) {
        let mut visible: Vec<Line> = column
            .rows
            .iter()
            .skip(column.scroll)
            .take(column.shown)
            .map(|r| r.line.clone())
            .collect();
        if let Some(more) = column.more(theme) {
            visible.resize(column.shown, Line::default());
            visible.push(more);
        }
        frame.render_widget(Paragraph::new(visible), column.area);
        let cursor_row = column
            .rows
            .iter()
            .enumerate()
            .skip(column.scroll)
            .take(column.shown)
            .find(|(_, r)| r.cursor.is_some() && r.focus.as_ref() == Some(&app.form.focus));
        if let (Some((index, row)), true) = (cursor_row, app.overlay.is_none()) {
            if let Some(x) = row.cursor {
                frame.set_cursor_position(Position::new(
                    column.area.x + x.min(column.area.width.saturating_sub(1)),
                    column.area.y + (index - column.scroll) as u16,
                ));
            }
        }
    }
}

/// Where each form item is drawn: one row each, for the click that focuses it.
pub fn item_areas(app: &App) -> Vec<(Rect, Focus)> {
    let screen = Rect::new(0, 0, app.size.0, app.size.1);
    let body = crate::tui::view::areas(app, screen).body;
    let theme = Theme::new(false);
    let mut items = Vec::new();
    for column in columns(app, &theme, body) {
        let area = column.area;
        let shown = column.shown.min(usize::from(area.height));
        for offset in 0..shown {
            let focus = column
                .rows
                .get(column.scroll + offset)
                .and_then(|r| r.focus.clone());
            if let (Some(focus), Ok(offset)) = (focus, u16::try_from(offset)) {
                items.push((Rect::new(area.x, area.y + offset, area.width, 1), focus));
            }
        }
    }
    items
}

fn section_rows(app: &App, theme: &Theme, section: Section, width: usize, rows: &mut Vec<Row>) {
    let title = match (section, &app.form.survey.status) {
        (Section::Survey, _) => app
            .form
            .survey
            .survey
            .as_ref()
            .map(|s| match s.header.trim() {
                "" => section.title().to_string(),
                header => format!("{} · {header}", section.title()),
            })
            .unwrap_or_else(|| section.title().to_string()),
        _ => section.title().to_string(),
    };
    // A survey's own header can be longer than the screen: cut, and marked so.
    let title = crate::tui::view::runs::clip(&title, width.saturating_sub(4).max(8));
    let rule = width.saturating_sub(title.chars().count() + 4);
    rows.push(Row {
        line: Line::from(Span::styled(
            format!("── {title} {}", "─".repeat(rule)),
            theme.section(),
        )),
        focus: None,
        cursor: None,
        keep_with: Vec::new(),
    });
    let items = app.form.items(section);
    for item in &items {
        item_rows(app, theme, item, width, rows);
        if *item == Focus::Text(TextField::Skill) {
            info_row(
                rows,
                lookup_text(app),
                theme.dim(),
                width,
                std::slice::from_ref(item),
            );
        }
        if *item == Focus::Text(TextField::SsoKey) {
            sso_rows(app, theme, width, rows);
        }
    }
    // A section's hint shows with whichever of its items has the focus.
    match section {
        Section::PreChat => info_row(
            rows,
            "Enter add below · Ctrl+X delete · Alt+↑↓ move · Ctrl+E $EDITOR".into(),
            theme.dim(),
            width,
            &items,
        ),
        Section::Auth if !app.form.auth => info_row(
            rows,
            "Space switches to Visitor Authentication (SSO key, connector id)".into(),
            theme.dim(),
            width,
            &items,
        ),
        _ => {}
    }
}

/// The SSO key's inspection under its field: a JWT's issuer, subject, audience and expiry,
/// with a plain warning when it has expired or is not well formed. Never the key itself.
fn sso_rows(app: &App, theme: &Theme, width: usize, rows: &mut Vec<Row>) {
    let key = app.form.text(TextField::SsoKey);
    if key.trim().is_empty() {
        return;
    }
    let inspection = crate::jwt::inspect(key, app.wall_clock);
    let style = if inspection.is_usable() {
        theme.dim()
    } else {
        theme.warn()
    };
    let keep_with = [Focus::Text(TextField::SsoKey)];
    for (index, line) in inspection.lines().into_iter().enumerate() {
        // The verdict reads like the form's other messages: marked, not shouted.
        let line = if index == 0 && !inspection.is_usable() {
            format!("✗ {}", quieter(&line))
        } else {
            line
        };
        info_row(rows, line, style, width, &keep_with);
    }
}

/// `NOT A WELL-FORMED JWT: …` → `not a well-formed JWT: …`: the capitals of a verdict's head
/// lowered, the rest (a claim, an acronym) as it is.
fn quieter(line: &str) -> String {
    let head_end = line.find(':').unwrap_or(line.len());
    let (head, rest) = line.split_at(head_end);
    let words: Vec<String> = head
        .split(' ')
        .map(|word| {
            if word == "JWT" || !word.chars().any(char::is_alphabetic) {
                word.to_string()
            } else if word.chars().all(|c| !c.is_lowercase()) {
                word.to_lowercase()
            } else {
                word.to_string()
            }
        })
        .collect();
    format!("{}{rest}", words.join(" "))
}

fn info_row(
    rows: &mut Vec<Row>,
    text: String,
    style: ratatui::style::Style,
    width: usize,
    keep_with: &[Focus],
) {
    for part in wrap(&text, width.saturating_sub(LABEL_WIDTH)) {
        rows.push(Row {
            line: Line::from(vec![
                Span::raw(" ".repeat(LABEL_WIDTH)),
                Span::styled(part, style),
            ]),
            focus: None,
            cursor: None,
            keep_with: keep_with.to_vec(),
        });
    }
}

/// What the service said about the skill, under the skill field.
fn lookup_text(app: &App) -> String {
    // A dead port fails both lookups the same way: said once.
    if let (
        Lookup::Done {
            available: Err(error),
            ..
        },
        SurveyStatus::Failed(same),
    ) = (&app.lookup, &app.form.survey.status)
    {
        if error == same {
            return format!("availability and survey unknown: {error} · F5 asks again");
        }
    }
    let survey = match &app.form.survey.status {
        SurveyStatus::NotLoaded => String::new(),
        SurveyStatus::Loading => " · survey: loading".into(),
        SurveyStatus::Loaded => {
            let count = app.form.survey.visible().len();
            format!(
                " · survey: {}",
                crate::plural::count(count, "question", "questions")
            )
        }
        SurveyStatus::Absent => " · no pre-chat survey".into(),
        SurveyStatus::Failed(error) => format!(" · survey failed: {error}"),
    };
    let head = match &app.lookup {
        Lookup::Idle => "availability: complete the connection, then F5".to_string(),
        Lookup::Pending => "checking availability…".to_string(),
        Lookup::Done {
            skill,
            available,
            estimate,
        } => {
            let skill = if skill.is_empty() { "any skill" } else { skill };
            let available = match available {
                Ok(true) => "● available".to_string(),
                // What a visitor gets after hours is one key away (§2.7, Q34).
                Ok(false) => "○ not available (Ctrl+F: the offline survey)".to_string(),
                Err(error) => format!("availability unknown: {error}"),
            };
            let estimate = match estimate {
                Ok(estimate) => format!(" · estimated wait: {estimate}"),
                Err(_) => String::new(),
            };
            format!("{skill}: {available}{estimate}")
        }
    };
    format!("{head}{survey}")
}

fn item_rows(app: &App, theme: &Theme, item: &Focus, width: usize, rows: &mut Vec<Row>) {
    let focused = app.form.focus == *item;
    let value_width = width.saturating_sub(LABEL_WIDTH).max(1);
    let label_style = if focused {
        theme.focused_label()
    } else {
        theme.label()
    };
    let marker = if focused { "▸ " } else { "  " };
    let labelled = |label: &str, value: Vec<Span<'static>>| {
        let mut spans = vec![Span::styled(
            format!("{marker}{label:<width$} ", width = LABEL_WIDTH - 3),
            label_style,
        )];
        spans.extend(value);
        Line::from(spans)
    };
    let field = match item {
        Focus::Text(field) => {
            let (value, cursor) = input_spans(
                app.form.inputs.get(field),
                field.is_secret(),
                focused,
                field.placeholder(),
                value_width,
                theme,
            );
            rows.push(Row {
                line: labelled(field.label(), value),
                focus: Some(item.clone()),
                cursor: Some((LABEL_WIDTH + cursor) as u16),
                keep_with: Vec::new(),
            });
            field.field()
        }
        Focus::Toggle(toggle) => {
            let (options, chosen): (&[&str], usize) = match toggle {
                Toggle::Format => (
                    &["json", "xml"],
                    usize::from(app.form.format == Format::Xml),
                ),
                Toggle::AppKeyIn => (
                    &["header", "query"],
                    usize::from(app.form.app_key_in == AppKeyPlacement::Query),
                ),
                Toggle::AuthFlow => (&["standard", "authenticated"], usize::from(app.form.auth)),
            };
            let spans = options
                .iter()
                .enumerate()
                .map(|(i, option)| {
                    let mark = if i == chosen { "(•)" } else { "( )" };
                    Span::styled(format!("{mark} {option}  "), theme.value())
                })
                .collect();
            rows.push(Row {
                line: labelled(toggle.label(), spans),
                focus: Some(item.clone()),
                cursor: None,
                keep_with: Vec::new(),
            });
            return;
        }
        Focus::PreChat(index) => {
            let (value, cursor) = input_spans(
                app.form.pre_chat.lines.get(*index),
                false,
                focused,
                if *index == 0 {
                    "a line the agent sees first"
                } else {
                    ""
                },
                value_width,
                theme,
            );
            rows.push(Row {
                line: labelled(&format!("Line {}", index + 1), value),
                focus: Some(item.clone()),
                cursor: Some((LABEL_WIDTH + cursor) as u16),
                keep_with: Vec::new(),
            });
            Field::PreChatLine(*index)
        }
        Focus::Survey(id) => {
            let Some(question) = app.form.survey.question(id) else {
                return;
            };
            question_rows(app, theme, question, focused, width, rows);
            Field::SurveyAnswer(id.clone())
        }
    };
    if let Some(error) = app.form.shown_error(&app.errors, &field) {
        let indent = if matches!(item, Focus::Survey(_)) {
            4
        } else {
            LABEL_WIDTH
        };
        for part in wrap(&format!("✗ {error}"), width.saturating_sub(indent)) {
            rows.push(Row {
                line: Line::from(vec![
                    Span::raw(" ".repeat(indent)),
                    Span::styled(part, theme.error()),
                ]),
                focus: Some(item.clone()),
                cursor: None,
                keep_with: Vec::new(),
            });
        }
    }
}

fn question_rows(
    app: &App,
    theme: &Theme,
    question: &Question,
    focused: bool,
    width: usize,
    rows: &mut Vec<Row>,
) {
    let item = Focus::Survey(question.id.clone());
    let marker = if focused { "▸ " } else { "  " };
    let kind = match question.kind {
        QuestionKind::Checkbox => "check any",
        ref k if k.is_single_choice() => "choose one",
        _ => "text",
    };
    let mandatory = if question.mandatory { " *required" } else { "" };
    let label = if question.label.is_empty() {
        format!("question {}", question.id)
    } else {
        question.label.clone()
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
        rows.push(Row {
            line: Line::from(spans),
            focus: Some(item.clone()),
            cursor: None,
            keep_with: Vec::new(),
        });
        if index == last && !fits {
            let mut spans = vec![Span::raw("  ")];
            spans.extend(
                marks
                    .iter()
                    .map(|m| Span::styled(m.content.trim_start().to_string(), m.style)),
            );
            spans.insert(2, Span::raw("  "));
            rows.push(Row {
                line: Line::from(spans),
                focus: Some(item.clone()),
                cursor: None,
                keep_with: Vec::new(),
            });
        }
    }
    let indent = 4;
    let value_width = width.saturating_sub(indent).max(1);
    if question.kind.is_single_choice() || question.kind.is_multi_choice() {
        let chosen = app.form.survey.values(&question.id);
        let cursor = app.form.survey.cursor_of(&question.id);
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
                entry.shown_text()
            );
            let len = text.chars().count() + 1;
            if used + len > width && used > indent {
                rows.push(Row {
                    line: Line::from(std::mem::take(&mut line)),
                    focus: Some(item.clone()),
                    cursor: None,
                    keep_with: Vec::new(),
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
        rows.push(Row {
            line: Line::from(line),
            focus: Some(item),
            cursor: None,
            keep_with: Vec::new(),
        });
    } else {
        let (value, cursor) = input_spans(
            app.form.survey.text.get(&question.id),
            false,
            focused,
            "type an answer",
            value_width,
            theme,
        );
        let mut spans = vec![Span::raw(" ".repeat(indent))];
        spans.extend(value);
        rows.push(Row {
            line: Line::from(spans),
            focus: Some(item),
            cursor: Some((indent + cursor) as u16),
            keep_with: Vec::new(),
        });
    }
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
fn input_spans(
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
