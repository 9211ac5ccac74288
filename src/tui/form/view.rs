//! The form: sections of labelled rows in one column (narrow screens) or two (wide), each column
//! scrolled so the focused item shows; errors under their fields. `item_areas` says where each
//! item is drawn, from the same layout (a click focuses the item under it).

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Position, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use crate::api::model::Question;
use crate::api::validate::Field;
use crate::api::{AppKeyPlacement, Format};
use crate::tui::app::{App, Lookup};
use crate::tui::form::survey::SurveyStatus;
use crate::tui::form::widgets::{self, input_spans};
use crate::tui::form::{Focus, Section, TextField, Toggle};
use crate::tui::view::theme::Theme;

pub use crate::tui::form::widgets::{SECRET_MASK, mask_cursor, wrap};

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
        for line in widgets::error_rows(error, indent, width, theme) {
            rows.push(Row {
                line,
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
    for row in widgets::question_rows(&app.form.survey, question, focused, width, theme) {
        rows.push(Row {
            line: row.line,
            focus: Some(item.clone()),
            cursor: row.cursor,
            keep_with: Vec::new(),
        });
    }
}
