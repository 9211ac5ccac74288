//! The form's first content: from `chatstart tui` flags, or the demo setup for the embedded
//! emulator when nothing is configured.

use crate::api::ChatRequest;
use crate::start::StartSpec;
use crate::tui::form::prechat::PreChat;
use crate::tui::form::survey::SurveyForm;
use crate::tui::form::{Form, TextField};

/// The pre-chat line of the demo.
pub const DEMO_PRE_CHAT_LINE: &str = "Hi, I'd like to know more about the Gold plan.";

/// The form a layer of the start describes (the flags, or the flags over a profile); a
/// request it cannot make (an empty pre-chat line) is returned to show.
pub fn from_spec(spec: &StartSpec) -> (Form, Option<String>) {
    let connection = &spec.connection;
    let mut form = Form::default();
    let api = connection
        .base_url
        .clone()
        .or_else(|| connection.domain.clone())
        .unwrap_or_default();
    form.set_text(TextField::Api, api);
    form.set_text(
        TextField::Account,
        connection.account.clone().unwrap_or_default(),
    );
    form.set_text(
        TextField::AppKey,
        connection
            .app_key
            .as_ref()
            .map(|key| key.expose().to_string())
            .unwrap_or_default(),
    );
    if let Some(format) = connection.format {
        form.format = format;
    }
    if let Some(placement) = connection.app_key_in {
        form.app_key_in = placement;
    }
    if let Some(csds) = &connection.csds_url {
        form.csds_url = csds.clone();
    }
    form.send_key_to.clone_from(&connection.send_key_to);
    // A value that cannot be used is left out here and named by the command line's launch.
    form.http_timeout = connection
        .http_timeout
        .and_then(|seconds| crate::api::validate::interval(seconds).ok());
    let (request, problem) = match spec.request.chat_request() {
        Ok(request) => (request, None),
        Err(error) => (
            ChatRequest::default(),
            Some(crate::tui::errors::input(&error)),
        ),
    };
    fill_request(&mut form, &request);
    form.set_text(
        TextField::VisitorName,
        spec.visitor.name.clone().unwrap_or_default(),
    );
    form.transcript_email
        .clone_from(&spec.visitor.transcript_email);
    (form, problem)
}

/// The demo setup against an emulator at `base_url`.
pub fn demo(base_url: &str, account: &str, app_key: &str) -> Form {
    let mut form = Form::default();
    form.set_text(TextField::Api, base_url);
    form.set_text(TextField::Account, account);
    form.set_text(TextField::AppKey, app_key);
    let request = ChatRequest {
        skill: "Sales".into(),
        pre_chat_lines: vec![DEMO_PRE_CHAT_LINE.into()],
        ..ChatRequest::default()
    };
    fill_request(&mut form, &request);
    form.focus = crate::tui::form::Focus::Text(TextField::Skill);
    form
}

/// Puts a chat request's values in the form.
pub fn fill_request(form: &mut Form, request: &ChatRequest) {
    for (field, value) in [
        (TextField::Skill, &request.skill),
        (TextField::MaxWaitTime, &request.max_wait_time),
        (TextField::Language, &request.language),
        (TextField::EngagementId, &request.engagement_id),
        (TextField::CampaignId, &request.campaign_id),
        (TextField::VisitorIp, &request.visitor_ip),
        (TextField::ChatReferrer, &request.chat_referrer),
        (TextField::UserAgent, &request.user_agent),
        (TextField::VisitorId, &request.visitor_id),
        (TextField::InteractionTimeout, &request.interaction_timeout),
        (TextField::LeVisitorId, &request.le_visitor_id),
        (TextField::LeSessionId, &request.le_session_id),
        (TextField::LeContextId, &request.le_context_id),
        (TextField::ParticipantId, &request.participant_id),
        (TextField::ConversationId, &request.conversation_id),
    ] {
        form.set_text(field, value.clone());
    }
    form.pre_chat = PreChat::from_values(&request.pre_chat_lines);
    form.survey = SurveyForm::with_answers(&request.survey_answers);
}

/// Puts a chat request's values in the form, keeping a survey already fetched (its questions
/// take the request's answers).
pub fn refill_request(form: &mut Form, request: &ChatRequest) {
    let survey = form.survey.survey.take();
    let status = form.survey.status.clone();
    fill_request(form, request);
    if survey.is_some() {
        form.survey.load(survey);
    } else {
        form.survey.status = status;
    }
}
