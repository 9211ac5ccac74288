//! What the user asks for: the chat request and the Visitor Authentication call, as typed, and
//! the bodies they become in either format (spec §2.8, §2.9, §3.6).
//!
//! Fields hold the text the user typed (empty = not sent), so the console, the CLI and profiles
//! share one shape; [`super::validate`] checks it before anything is sent.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value, json};

use super::format::Format;
use super::model::Survey;
use crate::secret::Secret;

/// An answer to one survey question: one value, or several for a check-box question.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SurveyAnswer {
    pub question_id: String,
    pub values: Vec<String>,
}

/// Every body parameter of the chat request (seed, spec §2.9). Empty strings are not sent.
/// A key it does not know is refused: in a profile or a check file it is a typo, and ignoring
/// it would send a request without what was meant.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ChatRequest {
    #[serde(
        skip_serializing_if = "String::is_empty",
        deserialize_with = "super::written::text"
    )]
    pub skill: String,
    #[serde(
        skip_serializing_if = "String::is_empty",
        deserialize_with = "super::written::text"
    )]
    pub max_wait_time: String,
    #[serde(
        skip_serializing_if = "String::is_empty",
        deserialize_with = "super::written::text"
    )]
    pub visitor_ip: String,
    #[serde(
        skip_serializing_if = "String::is_empty",
        deserialize_with = "super::written::text"
    )]
    pub chat_referrer: String,
    #[serde(
        skip_serializing_if = "String::is_empty",
        deserialize_with = "super::written::text"
    )]
    pub user_agent: String,
    #[serde(
        skip_serializing_if = "String::is_empty",
        deserialize_with = "super::written::text"
    )]
    pub visitor_id: String,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub pre_chat_lines: Vec<String>,
    #[serde(
        rename = "survey",
        with = "answers_by_id",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub survey_answers: Vec<SurveyAnswer>,
    #[serde(
        skip_serializing_if = "String::is_empty",
        deserialize_with = "super::written::text"
    )]
    pub engagement_id: String,
    #[serde(
        skip_serializing_if = "String::is_empty",
        deserialize_with = "super::written::text"
    )]
    pub campaign_id: String,
    #[serde(
        skip_serializing_if = "String::is_empty",
        deserialize_with = "super::written::text"
    )]
    pub language: String,
    #[serde(
        skip_serializing_if = "String::is_empty",
        deserialize_with = "super::written::text"
    )]
    pub participant_id: String,
    #[serde(
        skip_serializing_if = "String::is_empty",
        deserialize_with = "super::written::text"
    )]
    pub conversation_id: String,
    #[serde(
        skip_serializing_if = "String::is_empty",
        deserialize_with = "super::written::text"
    )]
    pub interaction_timeout: String,
    #[serde(
        skip_serializing_if = "String::is_empty",
        deserialize_with = "super::written::text"
    )]
    pub le_visitor_id: String,
    #[serde(
        skip_serializing_if = "String::is_empty",
        deserialize_with = "super::written::text"
    )]
    pub le_session_id: String,
    #[serde(
        skip_serializing_if = "String::is_empty",
        deserialize_with = "super::written::text"
    )]
    pub le_context_id: String,
}

/// The Visitor Authentication call's own fields; engagementId and the LETag ids are shared with
/// the chat request and taken from it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AuthRequest {
    pub sso_key: Secret,
    pub auth_chat_conn_id: String,
    pub redirect_uri: String,
}

impl ChatRequest {
    /// This request with `defaults` filling every field it leaves empty.
    #[must_use]
    pub fn with_defaults(mut self, defaults: &Self) -> Self {
        let fields: [(&mut String, &String); 15] = [
            (&mut self.skill, &defaults.skill),
            (&mut self.max_wait_time, &defaults.max_wait_time),
            (&mut self.visitor_ip, &defaults.visitor_ip),
            (&mut self.chat_referrer, &defaults.chat_referrer),
            (&mut self.user_agent, &defaults.user_agent),
            (&mut self.visitor_id, &defaults.visitor_id),
            (&mut self.engagement_id, &defaults.engagement_id),
            (&mut self.campaign_id, &defaults.campaign_id),
            (&mut self.language, &defaults.language),
            (&mut self.participant_id, &defaults.participant_id),
            (&mut self.conversation_id, &defaults.conversation_id),
            (&mut self.interaction_timeout, &defaults.interaction_timeout),
            (&mut self.le_visitor_id, &defaults.le_visitor_id),
            (&mut self.le_session_id, &defaults.le_session_id),
            (&mut self.le_context_id, &defaults.le_context_id),
        ];
        for (field, default) in fields {
            if field.trim().is_empty() {
                field.clone_from(default);
            }
        }
        if self.pre_chat_lines.is_empty() {
            self.pre_chat_lines.clone_from(&defaults.pre_chat_lines);
        }
        if self.survey_answers.is_empty() {
            self.survey_answers.clone_from(&defaults.survey_answers);
        }
        self
    }

    /// The answers chosen for a question, for survey logic.
    pub fn answers_for(&self, question_id: &str) -> Vec<String> {
        answers_for(&self.survey_answers, question_id)
    }

    /// The request body, `{"request":{…}}`. Numbers the service types as numbers are sent as
    /// JSON numbers (V8), `LETagContextId` as a string (V9); answers to questions hidden by the
    /// survey's logic are left out.
    pub fn body(&self, survey: Option<&Survey>, format: Format) -> Value {
        let mut request = Map::new();
        let mut text = |key: &str, value: &str| {
            let value = value.trim();
            if !value.is_empty() {
                request.insert(key.into(), Value::String(value.into()));
            }
        };
        text("skill", &self.skill);
        text("visitorIp", &self.visitor_ip);
        text("chatReferrer", &self.chat_referrer);
        text("userAgent", &self.user_agent);
        text("language", &self.language);
        text("participantId", &self.participant_id);
        text("conversationId", &self.conversation_id);
        text("LETagVisitorId", &self.le_visitor_id);
        text("LETagSessionId", &self.le_session_id);
        text("LETagContextId", &self.le_context_id);
        for (key, value) in [
            ("maxWaitTime", &self.max_wait_time),
            ("visitorId", &self.visitor_id),
            ("engagementId", &self.engagement_id),
            ("campaignId", &self.campaign_id),
            ("interactionTimeout", &self.interaction_timeout),
        ] {
            if let Some(number) = number_or_text(value) {
                request.insert(key.into(), number);
            }
        }
        let lines: Vec<&str> = self
            .pre_chat_lines
            .iter()
            .map(|l| l.trim())
            .filter(|l| !l.is_empty())
            .collect();
        if !lines.is_empty() {
            request.insert("preChatLines".into(), json!({ "line": lines }));
        }
        if let Some(survey) = survey {
            if let Some(answers) = self.survey_body(survey, format) {
                request.insert("survey".into(), answers);
            }
        }
        json!({ "request": request })
    }

    fn survey_body(&self, survey: &Survey, format: Format) -> Option<Value> {
        survey_answers_body(survey, &self.survey_answers, format)
    }
}

/// The answers given to a question, for survey logic (every value, in order).
pub fn answers_for(answers: &[SurveyAnswer], question_id: &str) -> Vec<String> {
    answers
        .iter()
        .filter(|a| a.question_id == question_id)
        .flat_map(|a| a.values.iter().cloned())
        .collect()
}

/// `{"id":…,"question":[{"id":…,"answer":…}]}`, the answer encoding of every survey (§3.6,
/// Q31): a choice's answer is its value text, a check-box's a list; answers to questions the
/// survey's logic hides, and empty answers, are left out. `None` when nothing is answered.
pub fn survey_answers_body(
    survey: &Survey,
    answers: &[SurveyAnswer],
    format: Format,
) -> Option<Value> {
    let visible = survey.visible_questions(|id| answers_for(answers, id));
    // XML carries ids as attributes (spec §3.6); JSON as plain `id` keys.
    let id_key = match format {
        Format::Json => "id",
        Format::Xml => "@id",
    };
    let questions: Vec<Value> = visible
        .iter()
        .filter_map(|question| {
            let values: Vec<String> = answers_for(answers, &question.id)
                .into_iter()
                .filter(|v| !v.trim().is_empty())
                .collect();
            if values.is_empty() {
                return None;
            }
            let answer = if question.kind.is_multi_choice() {
                json!(values)
            } else {
                json!(values[0])
            };
            Some(json!({ id_key: number_or_text(&question.id), "answer": answer }))
        })
        .collect();
    if questions.is_empty() {
        return None;
    }
    Some(json!({ id_key: number_or_text(&survey.id), "question": questions }))
}

/// The exit survey's submission, `{"survey":{"id":…,"question":[…]}}` (§2.17, Q31). A survey
/// with nothing answered still goes, with no questions: the visitor submitted it.
pub fn exit_survey_body(survey: &Survey, answers: &[SurveyAnswer], format: Format) -> Value {
    let body = survey_answers_body(survey, answers, format)
        .unwrap_or_else(|| empty_survey_body(survey, format));
    json!({ "survey": body })
}

fn empty_survey_body(survey: &Survey, format: Format) -> Value {
    let id_key = match format {
        Format::Json => "id",
        Format::Xml => "@id",
    };
    json!({ id_key: number_or_text(&survey.id), "question": [] })
}

/// The offline survey's submission (§2.7, Q34): the answers, and the visitor's fields of
/// `request` **inside** `survey` (the doc page and SDK 3.1.0), `chatRefferer` spelt as the
/// service spells it.
pub fn offline_survey_body(
    survey: &Survey,
    answers: &[SurveyAnswer],
    request: &ChatRequest,
    format: Format,
) -> Value {
    let mut body = survey_answers_body(survey, answers, format)
        .unwrap_or_else(|| empty_survey_body(survey, format));
    if let Value::Object(fields) = &mut body {
        for (key, value) in [
            ("skill", &request.skill),
            ("visitorIp", &request.visitor_ip),
            ("chatRefferer", &request.chat_referrer),
            ("userAgent", &request.user_agent),
            ("visitorId", &request.visitor_id),
            ("LETagVisitorId", &request.le_visitor_id),
            ("LETagSessionId", &request.le_session_id),
            ("LETagContextId", &request.le_context_id),
        ] {
            let value = value.trim();
            if !value.is_empty() {
                fields.insert(key.into(), Value::String(value.into()));
            }
        }
    }
    json!({ "survey": body })
}

/// The body that sets the visitor's name (§2.14).
pub fn visitor_name_body(name: &str) -> Value {
    json!({ "visitorName": name.trim() })
}

/// The body that sets the visitor's typing status (§2.15, V16).
pub fn visitor_typing_body(typing: bool) -> Value {
    json!({ "visitorTyping": if typing { "typing" } else { "not-typing" } })
}

/// A transcript by e-mail (§2.18, Q32): where it goes and what it says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TranscriptRequest {
    pub email: String,
    /// Shown as the mail's subject; sent only where the chat has a link that takes one.
    pub subject: Option<String>,
    /// The GMT offset printed beside the times, in milliseconds.
    pub timezone_offset_ms: Option<i64>,
}

impl TranscriptRequest {
    /// `{"email":…,"timezoneOffset":…}` for `transcript-request`, or, with the subject,
    /// `{"transcriptRequest":{…,"subject":…}}` for `transcript-with-subject-request` (Q32).
    pub fn body(&self, with_subject: bool) -> Value {
        let mut fields = Map::new();
        fields.insert("email".into(), json!(self.email.trim()));
        if let Some(offset) = self.timezone_offset_ms {
            fields.insert("timezoneOffset".into(), json!(offset));
        }
        match self.subject.as_deref().filter(|_| with_subject) {
            Some(subject) => {
                fields.insert("subject".into(), json!(subject));
                json!({ "transcriptRequest": fields })
            }
            None => Value::Object(fields),
        }
    }
}

impl AuthRequest {
    /// The Visitor Authentication body: a top-level JSON object, no wrapper (spec §2.8). It is
    /// JSON whatever the format of the other calls: the call is documented only as
    /// `conversation.json` with a JSON body, and that suffix selects JSON (§1.3).
    pub fn body(&self, request: &ChatRequest) -> Value {
        let mut body = Map::new();
        let number = |v: &str| number_or_text(v).unwrap_or(Value::Null);
        body.insert("authChatConnId".into(), number(&self.auth_chat_conn_id));
        body.insert(
            "ssoKey".into(),
            Value::String(self.sso_key.expose().to_string()),
        );
        body.insert("engagementId".into(), number(&request.engagement_id));
        body.insert("LETagContextId".into(), json!(request.le_context_id.trim()));
        body.insert("LETagSessionId".into(), json!(request.le_session_id.trim()));
        body.insert("LETagVisitorId".into(), json!(request.le_visitor_id.trim()));
        if !self.redirect_uri.trim().is_empty() {
            body.insert("redirectUri".into(), json!(self.redirect_uri.trim()));
        }
        Value::Object(body)
    }
}

/// The body that adds a line to a chat (spec §2.12); HTML is sent as literal text.
pub fn line_event(text: &str) -> Value {
    json!({"event": {"@type": "line", "text": text}})
}

/// The body that ends a chat (spec §2.12).
pub fn end_event() -> Value {
    json!({"event": {"@type": "state", "state": "ended"}})
}

/// Survey answers written as a table of question id → answer (or list of answers), the way a
/// person writes them in a profile: `[request.survey]` `12786273 = "CATS"`.
/// Survey answers written by question id (`12786273 = "CATS"`, a list for a check-box), as
/// a profile's and a check file's `survey` tables give them.
pub(crate) mod answers_by_id {
    use serde::Deserialize;
    use serde::de::Deserializer;
    use serde::ser::{SerializeMap, Serializer};

    use super::SurveyAnswer;

    /// An answer as written: text, or a whole number taken as its digits (`5 = 3`).
    #[derive(Deserialize)]
    #[serde(transparent)]
    struct Written(#[serde(deserialize_with = "crate::api::written::text")] String);

    #[derive(Deserialize)]
    #[serde(untagged)]
    enum OneOrMany {
        One(Written),
        Many(Vec<Written>),
    }

    pub fn serialize<S: Serializer>(
        answers: &[SurveyAnswer],
        serializer: S,
    ) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(Some(answers.len()))?;
        for answer in answers {
            match answer.values.as_slice() {
                [one] => map.serialize_entry(&answer.question_id, one)?,
                many => map.serialize_entry(&answer.question_id, many)?,
            }
        }
        map.end()
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(
        deserializer: D,
    ) -> Result<Vec<SurveyAnswer>, D::Error> {
        let table = std::collections::BTreeMap::<String, OneOrMany>::deserialize(deserializer)?;
        Ok(table
            .into_iter()
            .map(|(question_id, answer)| SurveyAnswer {
                question_id,
                values: match answer {
                    OneOrMany::One(Written(value)) => vec![value],
                    OneOrMany::Many(values) => values.into_iter().map(|Written(v)| v).collect(),
                },
            })
            .collect())
    }
}

/// Digits become a JSON number when they fit; anything else stays text; empty is nothing.
fn number_or_text(value: &str) -> Option<Value> {
    let value = value.trim();
    if value.is_empty() {
        return None;
    }
    // A leading zero would be lost in a number: such ids stay text.
    let leading_zero = value.len() > 1 && value.starts_with('0');
    Some(match value.parse::<u64>() {
        Ok(number) if value.chars().all(|c| c.is_ascii_digit()) && !leading_zero => json!(number),
        _ => Value::String(value.into()),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::format::Format;

    fn survey() -> Survey {
        let doc = json!({"survey":{"id":"40216","questions":{"question":[
            {"id":"1","logicId":"4","order":"0","mandatory":"true","type":"Dropdown Box",
             "entry":[{"value":"CATS","logic":{"showLogicId":"5"}},{"value":"DOGS"}]},
            {"id":"2","logicId":"5","order":"1","mandatory":"true","type":"Text Field"},
            {"id":"3","order":"2","type":"Checkbox","entry":[{"value":"a"},{"value":"b"}]}]}}});
        Survey::from_document(&doc).unwrap()
    }

    #[test]
    fn body_wraps_in_request_and_types_numbers_like_the_docs() {
        let request = ChatRequest {
            skill: "Sales".into(),
            max_wait_time: "600".into(),
            engagement_id: "27469613".into(),
            le_context_id: "2".into(),
            pre_chat_lines: vec!["one".into(), " ".into(), "two".into()],
            ..ChatRequest::default()
        };
        let body = request.body(None, Format::Json);
        assert_eq!(
            body,
            json!({"request":{"skill":"Sales","LETagContextId":"2","maxWaitTime":600,
                "engagementId":27469613,"preChatLines":{"line":["one","two"]}}})
        );
    }

    #[test]
    fn survey_answers_follow_logic_and_question_types() {
        let answer = |id: &str, values: &[&str]| SurveyAnswer {
            question_id: id.into(),
            values: values.iter().map(|v| (*v).into()).collect(),
        };
        let mut request = ChatRequest {
            survey_answers: vec![
                answer("1", &["DOGS"]),
                answer("2", &["hidden"]),
                answer("3", &["a", "b"]),
            ],
            ..ChatRequest::default()
        };
        let body = request.body(Some(&survey()), Format::Json);
        assert_eq!(
            body["request"]["survey"],
            json!({"id":40216,"question":[{"id":1,"answer":"DOGS"},{"id":3,"answer":["a","b"]}]})
        );
        request.survey_answers[0].values = vec!["CATS".into()];
        let body = request.body(Some(&survey()), Format::Xml);
        assert_eq!(
            body["request"]["survey"]["question"][1],
            json!({"@id":2,"answer":"hidden"})
        );
    }

    #[test]
    fn auth_body_has_the_six_fields_at_top_level() {
        let request = ChatRequest {
            engagement_id: "567609310".into(),
            le_context_id: "2".into(),
            le_session_id: "S".into(),
            le_visitor_id: "V".into(),
            ..ChatRequest::default()
        };
        let auth = AuthRequest {
            sso_key: Secret::new("k12197"),
            auth_chat_conn_id: "568046210".into(),
            redirect_uri: String::new(),
        };
        assert_eq!(
            auth.body(&request),
            json!({"authChatConnId":568046210,"ssoKey":"k12197","engagementId":567609310,
                "LETagContextId":"2","LETagSessionId":"S","LETagVisitorId":"V"})
        );
    }

    fn answer(id: &str, values: &[&str]) -> SurveyAnswer {
        SurveyAnswer {
            question_id: id.into(),
            values: values.iter().map(|v| (*v).into()).collect(),
        }
    }

    #[test]
    fn exit_survey_answers_are_objects_with_value_texts_and_check_box_lists() {
        let answers = [
            answer("1", &["CATS"]),
            answer("2", &["Tom"]),
            answer("3", &["b"]),
        ];
        assert_eq!(
            exit_survey_body(&survey(), &answers, Format::Json),
            json!({"survey":{"id":40216,"question":[
                {"id":1,"answer":"CATS"},{"id":2,"answer":"Tom"},{"id":3,"answer":["b"]}]}})
        );
        // Submitted with nothing answered, it still names the survey (never a bare id, Q31).
        assert_eq!(
            exit_survey_body(&survey(), &[], Format::Json),
            json!({"survey":{"id":40216,"question":[]}})
        );
    }

    #[test]
    fn offline_survey_fields_go_inside_the_survey_spelt_as_the_service_spells_them() {
        let request = ChatRequest {
            skill: "Tech".into(),
            chat_referrer: "https://shop.example/".into(),
            le_visitor_id: "V".into(),
            le_context_id: "5".into(),
            ..ChatRequest::default()
        };
        let body =
            offline_survey_body(&survey(), &[answer("1", &["DOGS"])], &request, Format::Json);
        assert_eq!(
            body,
            json!({"survey":{"id":40216,"question":[{"id":1,"answer":"DOGS"}],"skill":"Tech",
                "chatRefferer":"https://shop.example/","LETagVisitorId":"V","LETagContextId":"5"}})
        );
    }

    #[test]
    fn a_transcript_with_a_subject_is_wrapped_only_where_a_subject_goes() {
        let transcript = TranscriptRequest {
            email: " me@example.com ".into(),
            subject: Some("Order 7".into()),
            timezone_offset_ms: Some(-7_200_000),
        };
        assert_eq!(
            transcript.body(true),
            json!({"transcriptRequest":{"email":"me@example.com","timezoneOffset":-7200000,
                "subject":"Order 7"}})
        );
        assert_eq!(
            transcript.body(false),
            json!({"email":"me@example.com","timezoneOffset":-7200000})
        );
        assert_eq!(visitor_typing_body(true), json!({"visitorTyping":"typing"}));
        assert_eq!(
            visitor_typing_body(false),
            json!({"visitorTyping":"not-typing"})
        );
        assert_eq!(visitor_name_body(" Ann "), json!({"visitorName":"Ann"}));
    }
}
