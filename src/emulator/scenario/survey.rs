//! The surveys of a scenario (spec §3.6): the pre-chat `[survey]`, the `[exit_survey]` and the
//! `[offline_survey]` share one shape — questions with a type, a validation type, entries and
//! the logic that shows a question when an entry is chosen.

use serde::Deserialize;

/// A survey: pre-chat (§2.6), exit (§2.17) or offline (§2.7).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Survey {
    /// Survey id; answers must name it.
    pub id: u64,
    /// Unused title (always empty in the examples).
    pub title: String,
    /// Text shown above the questions.
    pub header: String,
    /// The questions, in file order.
    pub questions: Vec<Question>,
}

/// One survey question.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Question {
    /// Question id used in answers.
    pub id: u64,
    /// Id that entries' `show_logic_ids` refer to.
    pub logic_id: u64,
    /// Display order.
    pub order: u32,
    /// Must be answered when visible.
    pub mandatory: bool,
    /// One of the spec's type strings: "Dropdown Box", "Checkbox", "Radio Button",
    /// "Radio Button (side by side)", "Text Field", "Text Area".
    #[serde(rename = "type")]
    pub kind: String,
    /// "alpha_numeric", "numeric" or "email".
    pub validation_type: String,
    /// The question text.
    pub label: String,
    /// Previous answer offered as prefill (text questions).
    pub last_known_value: Option<String>,
    /// Choices (Dropdown, Radio, Checkbox).
    pub entries: Vec<Entry>,
}

/// One choice of a question.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Entry {
    /// The value sent as the answer (and the text shown when there is no `display_value`).
    pub value: String,
    /// The text shown instead of `value` (`displayValue`, on the exit survey's entries, §3.6);
    /// answers still send `value`.
    pub display_value: Option<String>,
    /// Preselected.
    pub checked: bool,
    /// Logic ids of the questions this choice makes visible.
    pub show_logic_ids: Vec<u64>,
}

/// The question types the spec names (§3.6).
pub const QUESTION_TYPES: [&str; 6] = [
    "Dropdown Box",
    "Checkbox",
    "Radio Button",
    "Radio Button (side by side)",
    "Text Field",
    "Text Area",
];

/// The question types answered with one of the entries' values.
pub const CHOICE_TYPES: [&str; 4] = [
    "Dropdown Box",
    "Checkbox",
    "Radio Button",
    "Radio Button (side by side)",
];

impl Survey {
    /// Checks what serde cannot: known types and validation types, unique question ids, and no
    /// question id 0 (the id the service reads for a question it cannot read, Q31).
    pub fn check(&self) -> Result<(), String> {
        for (index, question) in self.questions.iter().enumerate() {
            let id = question.id;
            // Named by id, or by position while it has none.
            let name = match id {
                0 => format!("question {}", index + 1),
                id => format!("question {id}"),
            };
            if !QUESTION_TYPES.contains(&question.kind.as_str()) {
                return Err(format!(
                    "{name}: type {:?} is not one of {QUESTION_TYPES:?}",
                    question.kind
                ));
            }
            if !["alpha_numeric", "numeric", "email", ""]
                .contains(&question.validation_type.as_str())
            {
                return Err(format!(
                    "{name}: validation_type {:?} is not alpha_numeric, numeric or email",
                    question.validation_type
                ));
            }
            if id == 0 {
                return Err(format!(
                    "{name} has no id (0 is what the service reads for an unreadable question)"
                ));
            }
            if self.questions[..index].iter().any(|q| q.id == id) {
                return Err(format!("question id {id} is used twice"));
            }
            if CHOICE_TYPES.contains(&question.kind.as_str()) && question.entries.is_empty() {
                return Err(format!(
                    "question {id}: a {:?} needs entries to choose from",
                    question.kind
                ));
            }
        }
        Ok(())
    }

    /// The question with this id.
    pub fn question(&self, id: u64) -> Option<&Question> {
        self.questions.iter().find(|q| q.id == id)
    }
}
