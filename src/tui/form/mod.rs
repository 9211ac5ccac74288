//! The request form: its text fields (tui-input), toggles, focus order and the request,
//! connection and auth values it stands for. Plain data; no I/O, no drawing.

pub mod prechat;
pub mod prefill;
pub mod survey;
pub mod update;
pub mod view;
pub mod widgets;

use std::collections::{BTreeMap, HashSet};

use tui_input::{Input, InputRequest};

use crate::api::validate::{self, Field, ValidationErrors};
use crate::api::{AppKeyPlacement, AuthRequest, ChatRequest, Format};
use crate::secret::Secret;
use crate::tui::form::prechat::PreChat;
use crate::tui::form::survey::SurveyForm;

/// Every single-line text field of the form.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum TextField {
    Api,
    Account,
    AppKey,
    Skill,
    VisitorName,
    MaxWaitTime,
    Language,
    EngagementId,
    CampaignId,
    VisitorIp,
    ChatReferrer,
    UserAgent,
    VisitorId,
    InteractionTimeout,
    LeVisitorId,
    LeSessionId,
    LeContextId,
    ParticipantId,
    ConversationId,
    SsoKey,
    AuthChatConnId,
    RedirectUri,
}

impl TextField {
    /// The connection fields, in screen order.
    pub const CONNECTION: [Self; 3] = [Self::Api, Self::Account, Self::AppKey];
    /// The request fields, in screen order.
    pub const REQUEST: [Self; 16] = [
        Self::Skill,
        Self::VisitorName,
        Self::MaxWaitTime,
        Self::Language,
        Self::EngagementId,
        Self::CampaignId,
        Self::VisitorIp,
        Self::ChatReferrer,
        Self::UserAgent,
        Self::VisitorId,
        Self::InteractionTimeout,
        Self::LeVisitorId,
        Self::LeSessionId,
        Self::LeContextId,
        Self::ParticipantId,
        Self::ConversationId,
    ];
    /// The fields of the authenticated flow, shown when it is on.
    pub const AUTH: [Self; 3] = [Self::SsoKey, Self::AuthChatConnId, Self::RedirectUri];

    /// The label shown left of the field.
    pub fn label(self) -> &'static str {
        match self {
            Self::Api => "API",
            Self::Account => "Account",
            Self::AppKey => "appKey",
            Self::Skill => "Skill",
            Self::VisitorName => "Visitor name",
            Self::MaxWaitTime => "Max wait (s)",
            Self::Language => "Language",
            Self::EngagementId => "Engagement id",
            Self::CampaignId => "Campaign id",
            Self::VisitorIp => "Visitor IP",
            Self::ChatReferrer => "Referrer",
            Self::UserAgent => "User agent",
            Self::VisitorId => "Visitor id",
            Self::InteractionTimeout => "Idle timeout (s)",
            Self::LeVisitorId => "LETag visitor",
            Self::LeSessionId => "LETag session",
            Self::LeContextId => "LETag context",
            Self::ParticipantId => "Participant id",
            Self::ConversationId => "Conversation id",
            Self::SsoKey => "SSO key",
            Self::AuthChatConnId => "authChatConnId",
            Self::RedirectUri => "Redirect URI",
        }
    }

    /// What to type, shown while the field is empty.
    pub fn placeholder(self) -> &'static str {
        match self {
            Self::Api => "base URL, domain, or empty to discover",
            Self::Account => "digits",
            Self::MaxWaitTime => "0–86400",
            Self::Language => "en-US",
            Self::InteractionTimeout => "seconds",
            Self::VisitorName => "set once the chat exists",
            _ => "",
        }
    }

    /// Whether the value is a secret, drawn masked.
    pub fn is_secret(self) -> bool {
        matches!(self, Self::AppKey | Self::SsoKey)
    }

    /// The validation field whose errors belong under this field.
    pub fn field(self) -> Field {
        match self {
            Self::Api => Field::Connection,
            Self::Account => Field::Account,
            Self::AppKey => Field::AppKey,
            Self::Skill => Field::Skill,
            Self::VisitorName => Field::VisitorName,
            Self::MaxWaitTime => Field::MaxWaitTime,
            Self::Language => Field::Language,
            Self::EngagementId => Field::EngagementId,
            Self::CampaignId => Field::CampaignId,
            Self::VisitorIp => Field::VisitorIp,
            Self::ChatReferrer => Field::ChatReferrer,
            Self::UserAgent => Field::UserAgent,
            Self::VisitorId => Field::VisitorId,
            Self::InteractionTimeout => Field::InteractionTimeout,
            Self::LeVisitorId => Field::LeVisitorId,
            Self::LeSessionId => Field::LeSessionId,
            Self::LeContextId => Field::LeContextId,
            Self::ParticipantId => Field::ParticipantId,
            Self::ConversationId => Field::ConversationId,
            Self::SsoKey => Field::SsoKey,
            Self::AuthChatConnId => Field::AuthChatConnId,
            Self::RedirectUri => Field::RedirectUri,
        }
    }
}

/// A field cycled through fixed values with Space or ←/→.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Toggle {
    Format,
    AppKeyIn,
    AuthFlow,
}

impl Toggle {
    pub fn label(self) -> &'static str {
        match self {
            Self::Format => "Format",
            Self::AppKeyIn => "appKey in",
            Self::AuthFlow => "Flow",
        }
    }
}

/// What has the keyboard in the form.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Focus {
    Text(TextField),
    Toggle(Toggle),
    /// A pre-chat line, by position.
    PreChat(usize),
    /// A survey question, by id.
    Survey(String),
}

/// The screen areas of the form; two columns on wide screens, one otherwise.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Section {
    Connection,
    Request,
    PreChat,
    Survey,
    Auth,
}

impl Section {
    pub fn title(self) -> &'static str {
        match self {
            Self::Connection => "Connection",
            Self::Request => "Request",
            Self::PreChat => "Pre-chat lines",
            Self::Survey => "Pre-chat survey",
            Self::Auth => "Authenticated flow",
        }
    }
}

/// The form's content. Lives outside the phase, so no failure can lose it.
#[derive(Debug, Clone)]
pub struct Form {
    pub inputs: BTreeMap<TextField, Input>,
    pub format: Format,
    pub app_key_in: AppKeyPlacement,
    pub auth: bool,
    pub pre_chat: PreChat,
    pub survey: SurveyForm,
    pub focus: Focus,
    /// Fields edited since start: their errors show while typing.
    pub touched: HashSet<Field>,
    /// After a submit attempt every error shows.
    pub show_all_errors: bool,
    /// Where CSDS discovery goes when the API field is empty (from flags; not edited here).
    pub csds_url: String,
    /// `--http-timeout`, when given.
    pub http_timeout: Option<std::time::Duration>,
    /// `--send-key-to` (or the profile's `send_key_to`): hosts the appKey may also go to.
    pub send_key_to: Vec<crate::api::key_scope::AllowedHost>,
    /// The profile's `transcript_email`: where `t` offers to send the transcript.
    pub transcript_email: Option<String>,
}

impl Default for Form {
    fn default() -> Self {
        Self {
            inputs: BTreeMap::new(),
            format: Format::Json,
            app_key_in: AppKeyPlacement::Header,
            auth: false,
            pre_chat: PreChat::default(),
            survey: SurveyForm::default(),
            focus: Focus::Text(TextField::Api),
            touched: HashSet::new(),
            show_all_errors: false,
            csds_url: crate::api::client::DEFAULT_CSDS_URL.to_string(),
            http_timeout: None,
            send_key_to: Vec::new(),
            transcript_email: None,
        }
    }
}

impl Form {
    /// The text of a field (empty when never typed).
    pub fn text(&self, field: TextField) -> &str {
        self.inputs.get(&field).map_or("", Input::value)
    }

    /// Sets a field's text, cursor at the end.
    pub fn set_text(&mut self, field: TextField, value: impl Into<String>) {
        self.inputs.insert(field, Input::new(value.into()));
    }

    /// The sections in screen order.
    pub fn sections(&self) -> Vec<Section> {
        let mut sections = vec![Section::Connection, Section::Request, Section::PreChat];
        if self.survey.survey.is_some() {
            sections.push(Section::Survey);
        }
        sections.push(Section::Auth);
        sections
    }

    /// The focusable items of a section, in order.
    pub fn items(&self, section: Section) -> Vec<Focus> {
        match section {
            Section::Connection => {
                let mut items: Vec<Focus> = TextField::CONNECTION
                    .iter()
                    .map(|f| Focus::Text(*f))
                    .collect();
                items.push(Focus::Toggle(Toggle::Format));
                items.push(Focus::Toggle(Toggle::AppKeyIn));
                items
            }
            Section::Request => TextField::REQUEST.iter().map(|f| Focus::Text(*f)).collect(),
            Section::PreChat => (0..self.pre_chat.lines.len()).map(Focus::PreChat).collect(),
            Section::Survey => self
                .survey
                .visible()
                .into_iter()
                .map(|q| Focus::Survey(q.id.clone()))
                .collect(),
            Section::Auth => {
                let mut items = vec![Focus::Toggle(Toggle::AuthFlow)];
                if self.auth {
                    items.extend(TextField::AUTH.iter().map(|f| Focus::Text(*f)));
                }
                items
            }
        }
    }

    /// Every focusable item, in Tab order.
    pub fn focus_order(&self) -> Vec<Focus> {
        self.sections()
            .into_iter()
            .flat_map(|s| self.items(s))
            .collect()
    }

    /// Moves the focus `step` items along the Tab order, wrapping round.
    pub fn move_focus(&mut self, step: isize) {
        let order = self.focus_order();
        if order.is_empty() {
            return;
        }
        let current = order.iter().position(|f| *f == self.focus).unwrap_or(0);
        let len = order.len() as isize;
        let next = (current as isize + step).rem_euclid(len) as usize;
        self.focus = order[next].clone();
    }

    /// Puts the focus back on an existing item after the form changed shape.
    pub fn fix_focus(&mut self) {
        let order = self.focus_order();
        if !order.contains(&self.focus) {
            self.focus = match &self.focus {
                Focus::PreChat(_) if !self.pre_chat.lines.is_empty() => {
                    Focus::PreChat(self.pre_chat.lines.len() - 1)
                }
                _ => order
                    .first()
                    .cloned()
                    .unwrap_or(Focus::Text(TextField::Api)),
            };
        }
    }

    /// Whether the focused item takes typed characters.
    pub fn focus_is_text(&self) -> bool {
        match &self.focus {
            Focus::Text(_) | Focus::PreChat(_) => true,
            Focus::Survey(id) => self.survey.is_text_question(id),
            Focus::Toggle(_) => false,
        }
    }

    /// Applies an editing request to the focused text input; whether the value changed.
    pub fn edit(&mut self, request: InputRequest) -> bool {
        let field = match &self.focus {
            Focus::Text(field) => {
                let input = self.inputs.entry(*field).or_default();
                let changed = input.handle(request).is_some_and(|r| r.value);
                self.touched.insert(field.field());
                return changed;
            }
            Focus::PreChat(index) => Field::PreChatLine(*index),
            Focus::Survey(id) => Field::SurveyAnswer(id.clone()),
            Focus::Toggle(_) => return false,
        };
        let changed = match &self.focus {
            Focus::PreChat(index) => self.pre_chat.edit(*index, request),
            Focus::Survey(id) => self.survey.edit_text(id, request),
            _ => false,
        };
        self.touched.insert(field);
        changed
    }

    /// Cycles a toggle (`step` +1 or -1).
    pub fn toggle(&mut self, toggle: Toggle) {
        match toggle {
            Toggle::Format => {
                self.format = match self.format {
                    Format::Json => Format::Xml,
                    Format::Xml => Format::Json,
                }
            }
            Toggle::AppKeyIn => {
                self.app_key_in = match self.app_key_in {
                    AppKeyPlacement::Header => AppKeyPlacement::Query,
                    AppKeyPlacement::Query => AppKeyPlacement::Header,
                }
            }
            Toggle::AuthFlow => self.auth = !self.auth,
        }
    }

    /// The chat request the form describes.
    pub fn chat_request(&self) -> ChatRequest {
        let text = |field| self.text(field).to_string();
        ChatRequest {
            skill: text(TextField::Skill),
            max_wait_time: text(TextField::MaxWaitTime),
            visitor_ip: text(TextField::VisitorIp),
            chat_referrer: text(TextField::ChatReferrer),
            user_agent: text(TextField::UserAgent),
            visitor_id: text(TextField::VisitorId),
            pre_chat_lines: self.pre_chat.values(),
            survey_answers: self.survey.answers(),
            engagement_id: text(TextField::EngagementId),
            campaign_id: text(TextField::CampaignId),
            language: text(TextField::Language),
            participant_id: text(TextField::ParticipantId),
            conversation_id: text(TextField::ConversationId),
            interaction_timeout: text(TextField::InteractionTimeout),
            le_visitor_id: text(TextField::LeVisitorId),
            le_session_id: text(TextField::LeSessionId),
            le_context_id: text(TextField::LeContextId),
        }
    }

    /// The visitor's name to set once the chat exists; `None` when the field is empty.
    pub fn visitor_name(&self) -> Option<String> {
        Some(self.text(TextField::VisitorName).trim().to_string()).filter(|n| !n.is_empty())
    }

    /// The auth fields, when the authenticated flow is on.
    pub fn auth_request(&self) -> Option<AuthRequest> {
        self.auth.then(|| AuthRequest {
            sso_key: Secret::new(self.text(TextField::SsoKey)),
            auth_chat_conn_id: self.text(TextField::AuthChatConnId).to_string(),
            redirect_uri: self.text(TextField::RedirectUri).to_string(),
        })
    }

    /// Every problem of the form, by the API's own rules (spec §4), in field order.
    pub fn validate(&self) -> ValidationErrors {
        let mut errors = crate::tui::connection::Connection::from_form(self).validate();
        let request = self.chat_request();
        let mut request_errors = validate::chat_request(&request, self.survey.survey.as_ref());
        // No survey because it could not be read, not because the service has none.
        if let crate::tui::form::survey::SurveyStatus::Failed(why) = &self.survey.status {
            for error in &mut request_errors.0 {
                if matches!(error.field, validate::Field::SurveyAnswer(_)) {
                    error.message = format!(
                        "survey answers need the pre-chat survey, which could not be read ({why}); F5 asks again"
                    );
                }
            }
        }
        errors.0.extend(request_errors.0);
        if let Some(problem) = self.visitor_name().and_then(|n| validate::visitor_name(&n)) {
            errors.0.push(validate::Invalid {
                field: Field::VisitorName,
                message: problem,
            });
        }
        if let Some(auth) = self.auth_request() {
            for error in validate::auth_request(&auth, &request).0 {
                if errors.for_field(&error.field).is_none() {
                    errors.0.push(error);
                }
            }
        }
        errors
    }

    /// Whether the form holds something for this field (a text, a line, an answer).
    pub fn has_value(&self, field: &Field) -> bool {
        match field {
            Field::PreChatLine(index) => self
                .pre_chat
                .lines
                .get(*index)
                .is_some_and(|l| !l.value().trim().is_empty()),
            Field::SurveyAnswer(id) => !self.survey.values(id).is_empty(),
            other => TextField::CONNECTION
                .iter()
                .chain(&TextField::REQUEST)
                .chain(&TextField::AUTH)
                .find(|t| t.field() == *other)
                .is_some_and(|t| !self.text(*t).trim().is_empty()),
        }
    }

    /// The error to show under a field: only once it was edited or a submit was tried.
    pub fn shown_error<'a>(&self, errors: &'a ValidationErrors, field: &Field) -> Option<&'a str> {
        (self.show_all_errors || self.touched.contains(field))
            .then(|| errors.for_field(field))
            .flatten()
    }
}
