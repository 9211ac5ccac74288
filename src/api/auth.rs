//! Visitor Authentication then the chat request, by the three-way rule of spec §2.8 — and never a
//! second chat.

use reqwest::Url;

use super::client::{Answer, ChatApi};
use super::error::ApiError;
use super::format;
use super::links;
use super::model::{AuthIds, Survey};
use super::request::{AuthRequest, ChatRequest};

/// What the authentication answer said, by the rule's three cases.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AuthOutcome {
    /// Rule 1: the body held the ids; they go into the chat request.
    Ids {
        status: u16,
        conversation_id: String,
        participant_id: Option<String>,
    },
    /// Rule 2: the `Location` is already a chat-session URI: the chat is open, no request is sent.
    ChatOpened { status: u16, session_uri: Url },
    /// Rule 3: another `Location`; its last segment is the conversation id.
    Conversation {
        status: u16,
        location: Url,
        conversation_id: String,
    },
}

impl AuthOutcome {
    /// Reads an authentication answer; `None` when it holds neither ids nor a usable Location.
    pub fn read(answer: &Answer) -> Option<Self> {
        let status = answer.status;
        if let Some(ids) = format::decode(&answer.body)
            .ok()
            .and_then(|document| AuthIds::from_document(&document))
        {
            return Some(Self::Ids {
                status,
                conversation_id: ids.conversation_id,
                participant_id: ids.participant_id,
            });
        }
        let location = answer.location()?;
        if links::is_chat_session(&location) {
            return Some(Self::ChatOpened {
                status,
                session_uri: location,
            });
        }
        let conversation_id = links::last_segment(&location)?;
        Some(Self::Conversation {
            status,
            location,
            conversation_id,
        })
    }

    /// The chat request to send after this answer, or `None` when the chat is already open.
    pub fn fill(&self, request: &ChatRequest) -> Option<ChatRequest> {
        let mut filled = request.clone();
        match self {
            Self::ChatOpened { .. } => return None,
            Self::Ids {
                conversation_id,
                participant_id,
                ..
            } => {
                filled.conversation_id = conversation_id.clone();
                if let Some(participant) = participant_id {
                    filled.participant_id = participant.clone();
                }
            }
            Self::Conversation {
                conversation_id, ..
            } => {
                filled.conversation_id = conversation_id.clone();
            }
        }
        Some(filled)
    }

    pub fn status(&self) -> u16 {
        match self {
            Self::Ids { status, .. }
            | Self::ChatOpened { status, .. }
            | Self::Conversation { status, .. } => *status,
        }
    }
}

/// The result of the authenticated start.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuthenticatedChat {
    pub auth: AuthOutcome,
    pub session_uri: Url,
}

/// Authenticates, reports the outcome through `on_auth` (before any chat request is sent), then
/// sends the chat request only when the answer calls for one.
pub async fn start_authenticated(
    api: &ChatApi,
    auth: &AuthRequest,
    request: &ChatRequest,
    survey: Option<&Survey>,
    on_auth: impl FnOnce(&AuthOutcome),
) -> Result<AuthenticatedChat, ApiError> {
    start_authenticated_unless(api, auth, request, survey, on_auth, || false).await
}

/// [`start_authenticated`], stopping before the chat request when `stopped` says so once the
/// authentication call has answered (an interruption meanwhile): nothing more is sent, and the
/// error is [`ApiError::Stopped`].
pub async fn start_authenticated_unless(
    api: &ChatApi,
    auth: &AuthRequest,
    request: &ChatRequest,
    survey: Option<&Survey>,
    on_auth: impl FnOnce(&AuthOutcome),
    stopped: impl Fn() -> bool,
) -> Result<AuthenticatedChat, ApiError> {
    // Validate the chat request too, so a bad field stops us before the auth call is made.
    super::validate::chat_request(request, survey).into_result()?;
    let answer = api.authenticate(auth, request).await?;
    let outcome = AuthOutcome::read(&answer).ok_or_else(|| ApiError::BadBody {
        operation: super::error::Operation::Authenticate,
        status: answer.status,
        detail: format!(
            "neither conversationId nor a Location in the answer (headers: {})",
            answer
                .headers
                .iter()
                .map(|(k, v)| format!("{k}: {}", v.to_str().unwrap_or("?")))
                .collect::<Vec<_>>()
                .join(", ")
        ),
        body_start: super::error::body_start(&answer.body),
    })?;
    on_auth(&outcome);
    let session_uri = match (&outcome, outcome.fill(request)) {
        (AuthOutcome::ChatOpened { session_uri, .. }, _) => session_uri.clone(),
        (_, Some(_)) if stopped() => return Err(ApiError::Stopped),
        (_, Some(filled)) => api.request_chat(&filled, survey).await?,
        (_, None) => unreachable!("only ChatOpened has no chat request"),
    };
    Ok(AuthenticatedChat {
        auth: outcome,
        session_uri,
    })
}
