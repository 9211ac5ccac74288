//! The visitor's side of a chat beyond its lines: the name set after the start, the typing
//! status told on change (`typing`), the agent's typing, the transcript by e-mail
//! (`transcript`), the exit survey after the end and the offline survey when no agent can take a
//! chat (`survey`), and their drawing (`view`). State and update; pure, like `update`.

pub mod survey;
pub mod transcript;
pub mod typing;
pub mod view;

use crate::api::model::{ChatState, VisitorLinks};
use crate::history::{Outcome, VisitorAction};
use crate::session::SessionUpdate;
use crate::tui::app::{App, Overlay};
use crate::tui::msg::{Effect, Intent, SessionId, VisitorIntent, VisitorOutcome};

pub use survey::{ExitSurveyStep, SurveyDialog, SurveyKind, no_agent_available};
pub use transcript::TranscriptDialog;
pub use typing::TYPING_IDLE;

/// What the session view knows of the visitor's side of its chat.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct VisitorView {
    pub links: VisitorLinks,
    /// The agent types now (from the info, on change).
    pub agent_typing: bool,
    /// The name asked for and what became of it: set, or what to say after the name (not set,
    /// or may have been).
    pub name: Option<(String, Result<(), String>)>,
    /// What the service was last told of the visitor's typing.
    pub typing_told: bool,
    /// Bumped at every key: an idle timer of an older generation does nothing.
    pub typing_generation: u64,
    /// Why the service refused the last typing status, until one is taken again.
    pub typing_refused: Option<String>,
    pub exit_survey: ExitSurveyStep,
    /// The chat was made here from the form: its exit survey is offered when it ends (not for
    /// a chat watched from the history or a check's results).
    pub offer_exit_survey: bool,
    /// What became of the last transcript request, as said under the state: taken (`Ok`), or
    /// not or maybe not (`Err`).
    pub transcript: Option<Result<String, String>>,
    /// A line that was being written when the chat ended.
    pub unsent: Option<String>,
}

/// A tracker update about the visitor's side (the links, the agent typing, the name): its
/// effects, or `None` when it is not one.
pub fn tracker_update(app: &mut App, id: SessionId, update: &SessionUpdate) -> Option<Vec<Effect>> {
    let view = app.session_mut().filter(|v| v.id == id)?;
    let visitor = &mut view.visitor;
    match update {
        SessionUpdate::Links(links) => {
            visitor.links = links.clone();
            // Links first read with the end (a service that adds `exit-survey` then) still
            // bring the exit survey.
            if view.state == Some(ChatState::Ended) {
                return Some(chat_ended(app));
            }
        }
        SessionUpdate::AgentTyping(typing) => visitor.agent_typing = *typing,
        SessionUpdate::VisitorNamed { name, result } => {
            let said = result.clone().map_err(|failure| {
                if failure.outcome_unknown {
                    format!("may have been set: no answer came ({})", failure.message)
                } else {
                    format!("not set: {}", failure.message)
                }
            });
            visitor.name = Some((name.clone(), said));
            // Kept when set, and as unknown when the answer was lost (it may be set).
            let outcome = match result {
                Ok(()) => Outcome::Taken,
                Err(failure) if failure.outcome_unknown => Outcome::Unknown,
                Err(_) => return Some(Vec::new()),
            };
            return Some(vec![Effect::RecordVisitor {
                uri: view.uri.clone(),
                action: VisitorAction::Named { name: name.clone() },
                outcome,
            }]);
        }
        _ => return None,
    }
    Some(Vec::new())
}

/// Once the chat shows ended: typing is over (never told after the end, Q35), and the exit
/// survey is asked for when the chat has the link.
pub fn chat_ended(app: &mut App) -> Vec<Effect> {
    let Some(view) = app.session_mut() else {
        return Vec::new();
    };
    let visitor = &mut view.visitor;
    visitor.typing_told = false;
    visitor.agent_typing = false;
    if visitor.exit_survey != ExitSurveyStep::NotAsked || !visitor.offer_exit_survey {
        return Vec::new();
    }
    match visitor.links.exit_survey.clone() {
        Some(href) => {
            visitor.exit_survey = ExitSurveyStep::Loading;
            vec![Effect::LoadExitSurvey { id: view.id, href }]
        }
        None => Vec::new(),
    }
}

/// What the user asked of the visitor's side from a screen (the dialogs answer in
/// [`overlay_answer`]).
pub fn intent(app: &mut App, intent: VisitorIntent) -> Vec<Effect> {
    match intent {
        VisitorIntent::OpenTranscript => transcript::open(app),
        VisitorIntent::OpenOfflineSurvey => survey::open_offline(app),
        // The dialogs' own keys: nothing without their dialog.
        VisitorIntent::Focus(_)
        | VisitorIntent::Cycle(_)
        | VisitorIntent::Choose
        | VisitorIntent::Next
        | VisitorIntent::Edit(_)
        | VisitorIntent::Submit => Vec::new(),
    }
}

/// The answer to the transcript or survey dialog; `None` passes the intent on.
pub fn overlay_answer(app: &mut App, intent: &Intent) -> Option<Vec<Effect>> {
    match app.overlay {
        Some(Overlay::Transcript) => Some(transcript::dialog_answer(app, intent)),
        Some(Overlay::Survey) => survey::dialog_answer(app, intent),
        _ => None,
    }
}

/// What came back about the visitor's side.
pub fn outcome(app: &mut App, outcome: VisitorOutcome) -> Vec<Effect> {
    match outcome {
        VisitorOutcome::TypingIdle { id, generation } => typing::idle(app, id, generation),
        VisitorOutcome::TypingTold { id, typing, result } => {
            typing::told(app, id, typing, result);
            Vec::new()
        }
        VisitorOutcome::TranscriptSent {
            id,
            transcript,
            result,
        } => transcript::sent(app, id, transcript, result),
        outcome @ (VisitorOutcome::ExitSurveyLoaded { .. }
        | VisitorOutcome::ExitSurveySubmitted { .. }
        | VisitorOutcome::OfflineSurveyLoaded { .. }
        | VisitorOutcome::OfflineSurveySubmitted { .. }) => survey::outcome(app, outcome),
    }
}
