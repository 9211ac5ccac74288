//! The visitor's calls beyond starting and following a chat: the name, the typing status, the
//! exit survey, the transcript by e-mail and the offline survey (spec §2.7, §2.14–§2.18).
//!
//! Every one of them is a "PUT" (a POST with `X-HTTP-Method-Override: PUT`, §1.4) that any 2xx
//! answers, with or without a body (Q31–Q33). None creates a chat, so none is ambiguous to
//! retry; none is retried here either: a front end asks again if the person wants to.

use super::client::{ChatApi, parse_body};
use super::error::{ApiError, Operation};
use super::model::{Survey, VisitorLinks};
use super::request::{self, ChatRequest, SurveyAnswer, TranscriptRequest};
use super::validate::{self, Field, Invalid, ValidationErrors};

/// Which transcript link a request went to (Q32).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TranscriptSent {
    /// `transcript-with-subject-request`, with the subject.
    WithSubject,
    /// `transcript-request`: no subject was given.
    Plain,
    /// `transcript-request`, without the subject given: the chat has no link that takes one.
    SubjectDropped,
}

impl ChatApi {
    /// The visitor's links of the chat at `session_uri`, read from it now.
    pub async fn visitor_links(&self, session_uri: &str) -> Result<VisitorLinks, ApiError> {
        Ok(self.chat(session_uri).await?.visitor_links())
    }

    /// Sets the visitor's name at the info's `visitor-name` link (§2.14): any 2xx is success
    /// (the doc page says 201, production clients see 200, Q33).
    pub async fn set_visitor_name(&self, href: &str, name: &str) -> Result<(), ApiError> {
        if let Some(message) = validate::visitor_name(name) {
            return Err(invalid(Field::VisitorName, message));
        }
        let url = self.prepare(href, None)?;
        self.put(
            Operation::VisitorName,
            url,
            &request::visitor_name_body(name),
        )
        .await
        .map(drop)
    }

    /// Sets the visitor's typing status at the info's `visitor-typing` link (§2.15). Callers
    /// send it on change only, and never after the end (Q35).
    pub async fn set_visitor_typing(&self, href: &str, typing: bool) -> Result<(), ApiError> {
        let url = self.prepare(href, None)?;
        self.put(
            Operation::VisitorTyping,
            url,
            &request::visitor_typing_body(typing),
        )
        .await
        .map(drop)
    }

    /// Reads the exit survey at the chat's `exit-survey` link (§2.17). `None` when there is
    /// none: the link is there whether or not one is set up, so a 404, a 204, an empty body or
    /// a body without a `survey` element all mean "no exit survey" (Q30), never an error.
    pub async fn exit_survey(&self, href: &str) -> Result<Option<Survey>, ApiError> {
        let url = self.prepare(href, None)?;
        self.optional_survey(Operation::ExitSurvey, url).await
    }

    /// Submits exit-survey answers (§2.17, Q31), checked against `survey` first (V14): nothing
    /// is sent when one is wrong.
    pub async fn submit_exit_survey(
        &self,
        href: &str,
        survey: &Survey,
        answers: &[SurveyAnswer],
    ) -> Result<(), ApiError> {
        validate::answers(answers, survey).into_result()?;
        let url = self.prepare(href, None)?;
        let body = request::exit_survey_body(survey, answers, self.format());
        self.put(Operation::SubmitExitSurvey, url, &body)
            .await
            .map(drop)
    }

    /// Asks for the transcript by e-mail (§2.18, Q32): with a subject to the
    /// `transcript-with-subject-request` link when the chat has one, else to
    /// `transcript-request`. The address is checked first (V17).
    pub async fn request_transcript(
        &self,
        links: &VisitorLinks,
        transcript: &TranscriptRequest,
    ) -> Result<TranscriptSent, ApiError> {
        if let Some(message) = validate::transcript_email(&transcript.email) {
            return Err(invalid(Field::TranscriptEmail, message));
        }
        let subject = transcript
            .subject
            .as_deref()
            .is_some_and(|s| !s.trim().is_empty());
        let (href, sent) = match (&links.transcript_with_subject, &links.transcript) {
            (Some(href), _) if subject => (href, TranscriptSent::WithSubject),
            (_, Some(href)) if subject => (href, TranscriptSent::SubjectDropped),
            (_, Some(href)) => (href, TranscriptSent::Plain),
            (Some(href), None) => (href, TranscriptSent::WithSubject),
            (None, None) => {
                return Err(ApiError::BadBody {
                    operation: Operation::Transcript,
                    status: 200,
                    detail: "the chat has no `transcript-request` link".into(),
                    body_start: String::new(),
                });
            }
        };
        let url = self.prepare(href, None)?;
        let body = transcript.body(sent == TranscriptSent::WithSubject);
        self.put(Operation::Transcript, url, &body).await?;
        Ok(sent)
    }

    /// GET the offline survey (§2.7) for the request's skill and visitor. `None` when the
    /// account has none (as for the pre-chat survey).
    pub async fn offline_survey(&self, request: &ChatRequest) -> Result<Option<Survey>, ApiError> {
        let url = self.offline_survey_url(request).await?;
        self.optional_survey(Operation::OfflineSurvey, url).await
    }

    /// Submits the offline survey (§2.7, Q34): the answers, checked against `survey` first,
    /// with the request's visitor fields inside `survey`.
    pub async fn submit_offline_survey(
        &self,
        request: &ChatRequest,
        survey: &Survey,
        answers: &[SurveyAnswer],
    ) -> Result<(), ApiError> {
        validate::answers(answers, survey).into_result()?;
        let mut errors = validate::request_fields(request);
        errors
            .0
            .retain(|e| !matches!(e.field, Field::SurveyAnswer(_)));
        errors.into_result()?;
        let url = self.offline_survey_url(request).await?;
        let body = request::offline_survey_body(survey, answers, request, self.format());
        self.put(Operation::SubmitOfflineSurvey, url, &body)
            .await
            .map(drop)
    }

    async fn offline_survey_url(&self, request: &ChatRequest) -> Result<url::Url, ApiError> {
        self.api_url(
            "chat/offlineSurvey",
            &[
                ("skill", &request.skill),
                ("visitorId", &request.visitor_id),
            ],
        )
        .await
    }

    pub(super) async fn optional_survey(
        &self,
        operation: Operation,
        url: url::Url,
    ) -> Result<Option<Survey>, ApiError> {
        let answer = match self.get(operation, url).await {
            Err(ApiError::Status { status: 404, .. }) => return Ok(None),
            other => other?,
        };
        if answer.body.trim().is_empty() {
            return Ok(None);
        }
        let document = parse_body(operation, &answer)?;
        if document
            .get("survey")
            .is_none_or(serde_json::Value::is_null)
        {
            return Ok(None);
        }
        let survey = Survey::from_document(&document)
            .map_err(|e| super::client::model_error(operation, &answer, e))?;
        Ok(Some(survey).filter(|s| !s.questions.is_empty()))
    }
}

fn invalid(field: Field, message: String) -> ApiError {
    ApiError::Invalid(ValidationErrors(vec![Invalid { field, message }]))
}
