//! The pre-chat survey's answers: a text input per text question, a chosen value per single-choice
//! question, chosen values per check-box question; visibility by the survey's logic. Plain data.

use std::collections::HashMap;

use tui_input::{Input, InputRequest};

use crate::api::SurveyAnswer;
use crate::api::model::{Question, Survey};

/// Where the survey stands.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum SurveyStatus {
    /// Not asked for yet (the connection is not complete).
    #[default]
    NotLoaded,
    Loading,
    Loaded,
    /// The account has no pre-chat survey for this skill.
    Absent,
    /// The fetch failed; the message says why.
    Failed(String),
}

/// The survey and the answers given so far.
#[derive(Debug, Clone, Default)]
pub struct SurveyForm {
    pub survey: Option<Survey>,
    pub status: SurveyStatus,
    /// Text answers, by question id.
    pub text: HashMap<String, Input>,
    /// Chosen values of choice questions, by question id (also answers from flags, until the
    /// survey says what kind each question is).
    pub chosen: HashMap<String, Vec<String>>,
    /// The highlighted choice of each choice question.
    pub cursor: HashMap<String, usize>,
}

impl SurveyForm {
    /// Keeps answers given before the survey is known (from flags).
    pub fn with_answers(answers: &[SurveyAnswer]) -> Self {
        let mut form = Self::default();
        for answer in answers {
            form.chosen
                .entry(answer.question_id.clone())
                .or_default()
                .extend(answer.values.iter().cloned());
        }
        form
    }

    /// Takes a fetched survey, keeping answers already given; text questions start from their
    /// `lastKnownValue`, check boxes from their `checked` entries.
    pub fn load(&mut self, survey: Option<Survey>) {
        self.status = if survey.is_some() {
            SurveyStatus::Loaded
        } else {
            SurveyStatus::Absent
        };
        if let Some(survey) = &survey {
            for question in &survey.questions {
                if question.kind.is_single_choice() || question.kind.is_multi_choice() {
                    if !self.chosen.contains_key(&question.id) {
                        let checked: Vec<String> = question
                            .entries
                            .iter()
                            .filter(|e| e.checked)
                            .map(|e| e.value.clone())
                            .collect();
                        if !checked.is_empty() {
                            self.chosen.insert(question.id.clone(), checked);
                        }
                    }
                } else if !self.text.contains_key(&question.id) {
                    let value = self
                        .chosen
                        .remove(&question.id)
                        .and_then(|v| v.into_iter().next())
                        .or_else(|| question.last_known_value.clone())
                        .unwrap_or_default();
                    self.text.insert(question.id.clone(), Input::new(value));
                }
            }
        }
        self.survey = survey;
    }

    /// The values answered for a question (empty text is no answer).
    pub fn values(&self, id: &str) -> Vec<String> {
        if let Some(input) = self.text.get(id) {
            let value = input.value();
            return if value.trim().is_empty() {
                Vec::new()
            } else {
                vec![value.to_string()]
            };
        }
        self.chosen.get(id).cloned().unwrap_or_default()
    }

    /// The questions the survey's logic shows for the answers given.
    pub fn visible(&self) -> Vec<&Question> {
        self.survey
            .as_ref()
            .map(|s| s.visible_questions(|id| self.values(id)))
            .unwrap_or_default()
    }

    /// Every answer given, for the request (hidden questions are left out by the request body).
    pub fn answers(&self) -> Vec<SurveyAnswer> {
        let mut ids: Vec<&String> = self.text.keys().chain(self.chosen.keys()).collect();
        if let Some(survey) = &self.survey {
            let order = |id: &String| survey.questions.iter().position(|q| &q.id == id);
            ids.sort_by_key(|id| (order(id).unwrap_or(usize::MAX), (*id).clone()));
        } else {
            ids.sort();
        }
        ids.dedup();
        ids.into_iter()
            .filter_map(|id| {
                let values = self.values(id);
                (!values.is_empty()).then(|| SurveyAnswer {
                    question_id: id.clone(),
                    values,
                })
            })
            .collect()
    }

    /// What the survey itself fills a question with before anyone answers: the `lastKnownValue`
    /// of a text question, the `checked` entries of a choice.
    pub fn prefill(&self, id: &str) -> Vec<String> {
        let Some(question) = self.question(id) else {
            return Vec::new();
        };
        if question.kind.is_single_choice() || question.kind.is_multi_choice() {
            question
                .entries
                .iter()
                .filter(|e| e.checked)
                .map(|e| e.value.clone())
                .collect()
        } else {
            question
                .last_known_value
                .iter()
                .filter(|v| !v.trim().is_empty())
                .cloned()
                .collect()
        }
    }

    pub fn question(&self, id: &str) -> Option<&Question> {
        self.survey.as_ref().and_then(|s| s.question(id))
    }

    /// Whether a question takes typed text.
    pub fn is_text_question(&self, id: &str) -> bool {
        self.question(id)
            .is_some_and(|q| !q.kind.is_single_choice() && !q.kind.is_multi_choice())
    }

    /// Edits a text answer; whether it changed.
    pub fn edit_text(&mut self, id: &str, request: InputRequest) -> bool {
        if !self.is_text_question(id) {
            return false;
        }
        self.text
            .entry(id.to_string())
            .or_default()
            .handle(request)
            .is_some_and(|changed| changed.value)
    }

    /// Moves a choice question's highlight by `step`, wrapping; a single-choice question
    /// chooses the highlighted entry as it moves, like a radio group.
    pub fn move_choice(&mut self, id: &str, step: isize) {
        let Some(question) = self.question(id) else {
            return;
        };
        let count = question.entries.len();
        if count == 0 {
            return;
        }
        let single = question.kind.is_single_choice();
        let current = self.cursor_of(id);
        let next = (current as isize + step).rem_euclid(count as isize) as usize;
        let value = question.entries[next].value.clone();
        self.cursor.insert(id.to_string(), next);
        if single {
            self.chosen.insert(id.to_string(), vec![value]);
        }
    }

    /// Chooses (single choice) or checks/unchecks (check box) the highlighted entry.
    pub fn choose(&mut self, id: &str) {
        let Some(question) = self.question(id) else {
            return;
        };
        let index = self.cursor_of(id);
        let Some(entry) = question.entries.get(index) else {
            return;
        };
        let value = entry.value.clone();
        if question.kind.is_multi_choice() {
            let chosen = self.chosen.entry(id.to_string()).or_default();
            if let Some(at) = chosen.iter().position(|v| *v == value) {
                chosen.remove(at);
            } else {
                chosen.push(value);
            }
        } else {
            self.chosen.insert(id.to_string(), vec![value]);
        }
    }

    /// The highlighted entry: as moved, else the first chosen one, else the first.
    pub fn cursor_of(&self, id: &str) -> usize {
        if let Some(cursor) = self.cursor.get(id) {
            return *cursor;
        }
        let Some(question) = self.question(id) else {
            return 0;
        };
        self.chosen
            .get(id)
            .and_then(|values| values.first())
            .and_then(|v| question.entries.iter().position(|e| &e.value == v))
            .unwrap_or(0)
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use serde_json::json;

    /// The demo scenario's survey shape: a drop-down whose CATS entry shows a follow-up question,
    /// a mandatory text question with a last known value, a check box, an optional email field.
    pub fn survey() -> Survey {
        let doc = json!({"survey":{"id":"40216","header":"About you","questions":{"question":[
            {"id":"1","logicId":"4","order":"0","mandatory":"true","type":"Dropdown Box",
             "label":"Which team?","entry":[{"value":"CATS","logic":{"showLogicId":"5"}},{"value":"DOGS"}]},
            {"id":"2","logicId":"5","order":"1","type":"Text Field","label":"Your cat's name?"},
            {"id":"3","logicId":"6","order":"2","mandatory":"true","type":"Text Field",
             "label":"Your name?","lastKnownValue":"John"},
            {"id":"4","order":"3","type":"Checkbox","label":"Topics",
             "entry":[{"value":"billing"},{"value":"tech","checked":"true"}]},
            {"id":"5","order":"4","type":"Text Field","label":"E-mail","validationType":"email"}]}}});
        Survey::from_document(&doc).unwrap()
    }

    fn ids(form: &SurveyForm) -> Vec<String> {
        form.visible().iter().map(|q| q.id.clone()).collect()
    }

    #[test]
    fn logic_shows_the_follow_up_only_when_its_entry_is_chosen() {
        let mut form = SurveyForm::default();
        form.load(Some(survey()));
        assert_eq!(ids(&form), ["1", "3", "4", "5"]);
        form.choose("1");
        assert_eq!(form.values("1"), ["CATS"]);
        assert_eq!(ids(&form), ["1", "2", "3", "4", "5"]);
        form.move_choice("1", 1);
        assert_eq!(form.values("1"), ["DOGS"]);
        assert_eq!(ids(&form), ["1", "3", "4", "5"]);
    }

    #[test]
    fn last_known_value_and_checked_entries_prefill_and_flags_win() {
        let mut form = SurveyForm::with_answers(&[SurveyAnswer {
            question_id: "5".into(),
            values: vec!["a@b.cd".into()],
        }]);
        form.load(Some(survey()));
        assert_eq!(form.values("3"), ["John"]);
        assert_eq!(form.values("4"), ["tech"]);
        assert_eq!(form.values("5"), ["a@b.cd"]);
        form.move_choice("4", -1);
        form.choose("4");
        assert_eq!(form.values("4"), ["tech", "billing"]);
        form.choose("4");
        assert_eq!(form.values("4"), ["tech"]);
        let answers = form.answers();
        assert_eq!(
            answers
                .iter()
                .map(|a| a.question_id.as_str())
                .collect::<Vec<_>>(),
            ["3", "4", "5"]
        );
    }

    #[test]
    fn choice_questions_take_no_typing() {
        let mut form = SurveyForm::default();
        form.load(Some(survey()));
        assert!(!form.edit_text("1", InputRequest::InsertChar('x')));
        assert!(form.edit_text("2", InputRequest::InsertChar('x')));
        assert!(!form.is_text_question("4"));
    }
}
