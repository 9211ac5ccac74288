//! The chat request as one layer gives it (`None`: left to the layers below), and the builder
//! that turns the layers' sum into the request that is sent.

use super::error::InputError;
use crate::api::ChatRequest;
use crate::api::validate::Field;

/// One layer's say about the request.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RequestSpec {
    pub skill: Option<String>,
    pub max_wait_time: Option<String>,
    pub visitor_ip: Option<String>,
    pub chat_referrer: Option<String>,
    pub user_agent: Option<String>,
    pub visitor_id: Option<String>,
    /// Empty leaves them to the layers below.
    pub pre_chat_lines: Vec<String>,
    /// `(question id, answer)` as given, a check-box question once per answer; empty leaves
    /// them to the layers below.
    pub survey: Vec<(String, String)>,
    pub engagement_id: Option<String>,
    pub campaign_id: Option<String>,
    pub language: Option<String>,
    pub participant_id: Option<String>,
    pub conversation_id: Option<String>,
    pub interaction_timeout: Option<String>,
    pub le_visitor_id: Option<String>,
    pub le_session_id: Option<String>,
    pub le_context_id: Option<String>,
}

impl RequestSpec {
    /// The text fields with their form field, for walking them in order.
    fn texts_mut(&mut self) -> [&mut Option<String>; 15] {
        [
            &mut self.skill,
            &mut self.max_wait_time,
            &mut self.visitor_ip,
            &mut self.chat_referrer,
            &mut self.user_agent,
            &mut self.visitor_id,
            &mut self.engagement_id,
            &mut self.campaign_id,
            &mut self.language,
            &mut self.participant_id,
            &mut self.conversation_id,
            &mut self.interaction_timeout,
            &mut self.le_visitor_id,
            &mut self.le_session_id,
            &mut self.le_context_id,
        ]
    }

    /// A request kept whole (a profile's defaults, a history record's): its empty values say
    /// nothing.
    pub fn of_request(request: &ChatRequest) -> Self {
        let text = |value: &String| Some(value.clone()).filter(|v| !v.is_empty());
        Self {
            skill: text(&request.skill),
            max_wait_time: text(&request.max_wait_time),
            visitor_ip: text(&request.visitor_ip),
            chat_referrer: text(&request.chat_referrer),
            user_agent: text(&request.user_agent),
            visitor_id: text(&request.visitor_id),
            pre_chat_lines: request.pre_chat_lines.clone(),
            survey: request
                .survey_answers
                .iter()
                .flat_map(|answer| {
                    answer
                        .values
                        .iter()
                        .map(|value| (answer.question_id.clone(), value.clone()))
                })
                .collect(),
            engagement_id: text(&request.engagement_id),
            campaign_id: text(&request.campaign_id),
            language: text(&request.language),
            participant_id: text(&request.participant_id),
            conversation_id: text(&request.conversation_id),
            interaction_timeout: text(&request.interaction_timeout),
            le_visitor_id: text(&request.le_visitor_id),
            le_session_id: text(&request.le_session_id),
            le_context_id: text(&request.le_context_id),
        }
    }

    /// This layer over `lower`: each value from the first layer that gives it; the pre-chat
    /// lines and the survey answers each whole from one layer.
    #[must_use]
    pub fn over(mut self, lower: &Self) -> Self {
        let mut lower = lower.clone();
        for (value, below) in self.texts_mut().into_iter().zip(lower.texts_mut()) {
            if value.is_none() {
                value.clone_from(below);
            }
        }
        if self.pre_chat_lines.is_empty() {
            self.pre_chat_lines = lower.pre_chat_lines;
        }
        if self.survey.is_empty() {
            self.survey = lower.survey;
        }
        self
    }

    /// The request to send: survey answers grouped by question id. Every pre-chat line given
    /// must say something (V11): a line given empty is a mistake, not "no line".
    pub fn chat_request(&self) -> Result<ChatRequest, InputError> {
        if self.survey.iter().any(|(id, _)| id.trim().is_empty()) {
            return Err(InputError::field(
                Field::SurveyAnswer(String::new()),
                "the question id is missing",
            ));
        }
        let answers = super::visitor::answers(&self.survey);
        if let Some(index) = self
            .pre_chat_lines
            .iter()
            .position(|line| line.trim().is_empty())
        {
            return Err(InputError::field(
                Field::PreChatLine(index),
                "a pre-chat line cannot be empty",
            ));
        }
        let text = |value: &Option<String>| value.clone().unwrap_or_default();
        Ok(ChatRequest {
            skill: text(&self.skill),
            max_wait_time: text(&self.max_wait_time),
            visitor_ip: text(&self.visitor_ip),
            chat_referrer: text(&self.chat_referrer),
            user_agent: text(&self.user_agent),
            visitor_id: text(&self.visitor_id),
            pre_chat_lines: self.pre_chat_lines.clone(),
            survey_answers: answers,
            engagement_id: text(&self.engagement_id),
            campaign_id: text(&self.campaign_id),
            language: text(&self.language),
            participant_id: text(&self.participant_id),
            conversation_id: text(&self.conversation_id),
            interaction_timeout: text(&self.interaction_timeout),
            le_visitor_id: text(&self.le_visitor_id),
            le_session_id: text(&self.le_session_id),
            le_context_id: text(&self.le_context_id),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::SurveyAnswer;

    #[test]
    fn a_value_given_even_empty_wins_and_lists_come_whole_from_one_layer() {
        let flags = RequestSpec {
            skill: Some(String::new()),
            pre_chat_lines: vec!["mine".into()],
            ..RequestSpec::default()
        };
        let profile = RequestSpec::of_request(&ChatRequest {
            skill: "Sales".into(),
            language: "en-US".into(),
            pre_chat_lines: vec!["a".into(), "b".into()],
            survey_answers: vec![SurveyAnswer {
                question_id: "7".into(),
                values: vec!["x".into(), "y".into()],
            }],
            ..ChatRequest::default()
        });
        let request = flags.over(&profile).chat_request().expect("request");
        assert_eq!(request.skill, "", "a flag given empty is kept");
        assert_eq!(request.language, "en-US");
        assert_eq!(request.pre_chat_lines, ["mine"]);
        assert_eq!(
            request.survey_answers,
            [SurveyAnswer {
                question_id: "7".into(),
                values: vec!["x".into(), "y".into()],
            }]
        );
    }

    #[test]
    fn an_answer_given_twice_is_sent_once() {
        let spec = RequestSpec {
            survey: [("7", "x"), ("7", "y"), (" 7", "x")]
                .map(|(q, a)| (q.to_string(), a.to_string()))
                .to_vec(),
            ..RequestSpec::default()
        };
        assert_eq!(
            spec.chat_request().expect("request").survey_answers,
            [SurveyAnswer {
                question_id: "7".into(),
                values: vec!["x".into(), "y".into()],
            }]
        );
    }

    #[test]
    fn an_empty_pre_chat_line_is_refused_naming_it() {
        let spec = RequestSpec {
            pre_chat_lines: vec!["one".into(), " ".into()],
            ..RequestSpec::default()
        };
        assert_eq!(
            spec.chat_request(),
            Err(InputError::field(
                Field::PreChatLine(1),
                "a pre-chat line cannot be empty"
            ))
        );
    }
}
