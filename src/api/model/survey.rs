//! Surveys: typed questions, choices and the logic that shows questions (spec §2.6, §3.6).

use serde_json::Value;

use super::{ModelError, root};
use crate::api::value::{bool_field, field, int_field, list_field, text, text_field};

/// The kind of a survey question (spec §3.6).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum QuestionKind {
    Dropdown,
    Checkbox,
    Radio,
    RadioSideBySide,
    TextField,
    TextArea,
    Other(String),
}

impl QuestionKind {
    fn parse(text: &str) -> Self {
        match text.trim() {
            "Dropdown Box" => Self::Dropdown,
            "Checkbox" => Self::Checkbox,
            "Radio Button" => Self::Radio,
            "Radio Button (side by side)" => Self::RadioSideBySide,
            "Text Field" => Self::TextField,
            "Text Area" => Self::TextArea,
            other => Self::Other(other.to_string()),
        }
    }

    /// One answer chosen among the entries.
    pub fn is_single_choice(&self) -> bool {
        matches!(self, Self::Dropdown | Self::Radio | Self::RadioSideBySide)
    }

    /// Several answers among the entries (the only multi-answer type).
    pub fn is_multi_choice(&self) -> bool {
        matches!(self, Self::Checkbox)
    }

    pub fn label(&self) -> &str {
        match self {
            Self::Dropdown => "Dropdown Box",
            Self::Checkbox => "Checkbox",
            Self::Radio => "Radio Button",
            Self::RadioSideBySide => "Radio Button (side by side)",
            Self::TextField => "Text Field",
            Self::TextArea => "Text Area",
            Self::Other(other) => other,
        }
    }
}

/// How a text answer is checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ValidationType {
    /// `alpha_numeric` (also the docs' `alphanumeric`): anything, spaces included.
    AlphaNumeric,
    Numeric,
    Email,
    Other(String),
}

impl ValidationType {
    fn parse(text: &str) -> Self {
        match text.trim().to_ascii_lowercase().as_str() {
            "" | "alpha_numeric" | "alphanumeric" => Self::AlphaNumeric,
            "numeric" => Self::Numeric,
            "email" => Self::Email,
            _ => Self::Other(text.to_string()),
        }
    }
}

/// A choice of a survey question.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    /// The choice's text and the value to send.
    pub value: String,
    /// Text to show instead of the value, when given.
    pub display_value: Option<String>,
    pub checked: bool,
    /// Logic ids of the questions this choice shows when selected.
    pub show_logic_ids: Vec<String>,
}

impl Entry {
    fn read(object: &Value) -> Option<Self> {
        // A lone `<entry>text</entry>` is the value itself.
        let value = text_field(object, "value").or_else(|| text(object))?;
        let show_logic_ids = field(object, "logic")
            .map(|logic| {
                list_field(logic, "showLogicId")
                    .into_iter()
                    .filter_map(text)
                    .collect()
            })
            .unwrap_or_default();
        Some(Self {
            value,
            display_value: text_field(object, "displayValue"),
            checked: bool_field(object, "checked").unwrap_or(false),
            show_logic_ids,
        })
    }

    pub fn shown_text(&self) -> &str {
        self.display_value.as_deref().unwrap_or(&self.value)
    }
}

/// A survey question.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Question {
    pub id: String,
    pub logic_id: Option<String>,
    pub order: i64,
    pub mandatory: bool,
    pub kind: QuestionKind,
    pub validation: ValidationType,
    pub label: String,
    /// A previous answer (text questions) to prefill.
    pub last_known_value: Option<String>,
    pub entries: Vec<Entry>,
}

impl Question {
    fn read(object: &Value) -> Option<Self> {
        Some(Self {
            id: text_field(object, "id")?,
            logic_id: text_field(object, "logicId").filter(|id| !id.is_empty()),
            order: int_field(object, "order").unwrap_or(0),
            mandatory: bool_field(object, "mandatory").unwrap_or(false),
            kind: QuestionKind::parse(&text_field(object, "type").unwrap_or_default()),
            validation: ValidationType::parse(
                &text_field(object, "validationType").unwrap_or_default(),
            ),
            label: text_field(object, "label").unwrap_or_default(),
            last_known_value: text_field(object, "lastKnownValue").filter(|v| !v.is_empty()),
            entries: list_field(object, "entry")
                .into_iter()
                .filter_map(Entry::read)
                .collect(),
        })
    }

    /// Whether `value` is one of this question's choices.
    pub fn has_entry(&self, value: &str) -> bool {
        self.entries.iter().any(|entry| entry.value == value)
    }
}

/// A pre-chat (or exit, or offline) survey.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Survey {
    pub id: String,
    pub title: String,
    pub header: String,
    /// Questions in display order (ascending `order`).
    pub questions: Vec<Question>,
}

impl Survey {
    /// Reads `{"survey":{…}}`; a survey without questions is still a survey.
    pub fn from_document(document: &Value) -> Result<Self, ModelError> {
        let survey = root(document, "survey")?;
        if !survey.is_object() {
            return Err(ModelError::new("survey", "`survey` is not an element"));
        }
        let id = text_field(survey, "id")
            .ok_or_else(|| ModelError::new("survey", "the survey has no id"))?;
        let mut questions: Vec<Question> = field(survey, "questions")
            .map(|questions| list_field(questions, "question"))
            .unwrap_or_default()
            .into_iter()
            .filter_map(Question::read)
            .collect();
        questions.sort_by_key(|question| question.order);
        Ok(Self {
            id,
            title: text_field(survey, "title").unwrap_or_default(),
            header: text_field(survey, "header").unwrap_or_default(),
            questions,
        })
    }

    pub fn question(&self, id: &str) -> Option<&Question> {
        self.questions.iter().find(|question| question.id == id)
    }

    /// The questions visible given the chosen answers: a question whose logic id some entry
    /// shows is hidden until a visible question has such an entry chosen (spec §3.6).
    pub fn visible_questions(&self, chosen: impl Fn(&str) -> Vec<String>) -> Vec<&Question> {
        let controlled: std::collections::HashSet<&str> = self
            .questions
            .iter()
            .flat_map(|q| q.entries.iter())
            .flat_map(|e| e.show_logic_ids.iter().map(String::as_str))
            .collect();
        let is_controlled = |q: &Question| {
            q.logic_id
                .as_deref()
                .is_some_and(|id| controlled.contains(id))
        };
        let mut visible: Vec<bool> = self.questions.iter().map(|q| !is_controlled(q)).collect();
        // Showing a question can reveal others behind it; iterate until nothing changes.
        loop {
            let mut shown: std::collections::HashSet<String> = Default::default();
            for (question, _) in self.questions.iter().zip(&visible).filter(|(_, v)| **v) {
                let answers = chosen(&question.id);
                for entry in &question.entries {
                    if answers.contains(&entry.value) {
                        shown.extend(entry.show_logic_ids.iter().cloned());
                    }
                }
            }
            let next: Vec<bool> = self
                .questions
                .iter()
                .map(|q| {
                    !is_controlled(q) || q.logic_id.as_ref().is_some_and(|id| shown.contains(id))
                })
                .collect();
            if next == visible {
                break;
            }
            visible = next;
        }
        self.questions
            .iter()
            .zip(visible)
            .filter_map(|(q, v)| v.then_some(q))
            .collect()
    }
}
