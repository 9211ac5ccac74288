//! `t`: the transcript by e-mail (§2.18, Q32). A dialog asks the address (prefilled from the
//! profile's `transcript_email`, else an e-mail answer of the pre-chat survey) and an optional
//! subject, checks the address where it is typed (V17), and the session view then says what the
//! service answered: which link took it, whether the subject was dropped, or the error. Pure.

use tui_input::Input;

use crate::api::error::CallFailure;
use crate::api::validate;
use crate::api::{TranscriptRequest, TranscriptSent};
use crate::history::{Outcome, VisitorAction};
use crate::tui::app::{App, Notice, Overlay, Topic};
use crate::tui::msg::{AppIntent, Effect, Intent, SessionId, VisitorIntent};

/// The transcript dialog: the address and an optional subject.
#[derive(Debug, Clone, Default)]
pub struct TranscriptDialog {
    pub email: Input,
    pub subject: Input,
    pub on_subject: bool,
    /// Why the dialog's values cannot be sent, under the fields.
    pub error: Option<String>,
    /// A request is on its way: another waits for its answer.
    pub sending: bool,
}

/// `t` in the session view: the dialog, once the chat's transcript link is known.
pub fn open(app: &mut App) -> Vec<Effect> {
    let Some(view) = app.session() else {
        return Vec::new();
    };
    let links = &view.visitor.links;
    if links.transcript.is_none() && links.transcript_with_subject.is_none() {
        app.notice = Some(Notice::error(
            "no transcript link yet: the chat has not been read, or it has none",
            None,
        ));
        return Vec::new();
    }
    if app.transcript_dialog.sending {
        app.notice = Some(Notice::info(
            "the transcript request is on its way: its answer shows here",
        ));
        return Vec::new();
    }
    // What was typed before (sent or refused) is offered again; else the address known.
    if app.transcript_dialog.email.value().trim().is_empty() {
        app.transcript_dialog.email = Input::new(prefilled_address(app));
    }
    app.transcript_dialog.error = None;
    app.transcript_dialog.on_subject = false;
    app.overlay = Some(Overlay::Transcript);
    Vec::new()
}

/// The address a transcript goes to unless typed otherwise: the profile's `transcript_email`,
/// else an answer of the pre-chat survey to a question that asks for an e-mail address.
fn prefilled_address(app: &App) -> String {
    if let Some(address) = app.form.transcript_email.clone() {
        return address;
    }
    let Some(view) = app.session() else {
        return String::new();
    };
    let Some(survey) = &view.survey else {
        return String::new();
    };
    survey
        .questions
        .iter()
        .filter(|q| q.validation == crate::api::model::ValidationType::Email)
        .find_map(|q| {
            view.request
                .answers_for(&q.id)
                .into_iter()
                .find(|a| validate::email(a))
        })
        .unwrap_or_default()
}

/// A key in the dialog.
pub fn dialog_answer(app: &mut App, intent: &Intent) -> Vec<Effect> {
    let dialog = &mut app.transcript_dialog;
    match intent {
        Intent::App(AppIntent::DialogEdit(request)) => {
            let input = if dialog.on_subject {
                &mut dialog.subject
            } else {
                &mut dialog.email
            };
            input.handle(*request);
            dialog.error = None;
        }
        Intent::App(AppIntent::Select(_)) | Intent::Visitor(VisitorIntent::Focus(_)) => {
            dialog.on_subject = !dialog.on_subject;
        }
        Intent::App(AppIntent::Confirm) | Intent::Visitor(VisitorIntent::Submit) => {
            return send(app);
        }
        Intent::App(AppIntent::Dismiss) => app.overlay = None,
        _ => {}
    }
    Vec::new()
}

/// Sends the request once its values are fit to send; otherwise the dialog says why and keeps
/// them to be put right.
fn send(app: &mut App) -> Vec<Effect> {
    let dialog = &mut app.transcript_dialog;
    if dialog.sending {
        return Vec::new();
    }
    let email = dialog.email.value().trim().to_string();
    if let Some(problem) = validate::transcript_email(&email) {
        dialog.error = Some(problem);
        dialog.on_subject = false;
        return Vec::new();
    }
    let subject = dialog.subject.value().trim().to_string();
    if let Some(problem) = validate::transcript_subject(&subject) {
        dialog.error = Some(format!("subject: {problem}"));
        dialog.on_subject = true;
        return Vec::new();
    }
    let Some(view) = app.session() else {
        app.overlay = None;
        return Vec::new();
    };
    let effect = Effect::RequestTranscript {
        id: view.id,
        uri: view.uri.clone(),
        links: view.visitor.links.clone(),
        // The offset is this machine's zone, read where the request is sent: `update` reads
        // no clock.
        transcript: TranscriptRequest {
            email,
            subject: Some(subject).filter(|s| !s.is_empty()),
            timezone_offset_ms: None,
        },
    };
    app.transcript_dialog.sending = true;
    app.overlay = None;
    app.notice = Some(Notice::info("asking for the transcript…").about(Topic::TranscriptAsked));
    vec![effect]
}

/// What the service answered: said under the state (which link, the subject dropped or not,
/// or the error with its status and message) and kept in the history when taken — or, when its
/// answer was lost, as one that may have been (then it is not offered again at once: sending
/// it again may mail it twice).
pub fn sent(
    app: &mut App,
    id: SessionId,
    transcript: TranscriptRequest,
    result: Result<TranscriptSent, Box<CallFailure>>,
) -> Vec<Effect> {
    app.transcript_dialog.sending = false;
    if app.notice_is_about(Topic::TranscriptAsked) {
        app.notice = None;
    }
    let Some(view) = app.session_mut().filter(|v| v.id == id) else {
        return Vec::new();
    };
    let email = &transcript.email;
    match result {
        Ok(how) => {
            view.visitor.transcript = Some(Ok(said(how, email)));
            vec![Effect::RecordVisitor {
                uri: view.uri.clone(),
                action: VisitorAction::transcript(&transcript, how),
                outcome: Outcome::Taken,
            }]
        }
        Err(failure) if failure.outcome_unknown => {
            view.visitor.transcript = Some(Err(format!(
                "the transcript for {email} may have been requested: no answer came ({})",
                failure.message
            )));
            let link =
                crate::history::transcript_link(&view.visitor.links, transcript.subject.is_some());
            link.map(|how| Effect::RecordVisitor {
                uri: view.uri.clone(),
                action: VisitorAction::transcript(&transcript, how),
                outcome: Outcome::Unknown,
            })
            .into_iter()
            .collect()
        }
        Err(failure) => {
            view.visitor.transcript = Some(Err(format!(
                "transcript not requested: {}",
                failure.message
            )));
            // Said under the state; and the dialog comes back with what was typed and why it
            // was refused, once nothing else is open over the screen (`t` brings it back too).
            app.transcript_dialog.error = Some(failure.message);
            if app.overlay.is_none() {
                app.overlay = Some(Overlay::Transcript);
            }
            Vec::new()
        }
    }
}

/// A transcript the service took, with the link it went to.
fn said(how: TranscriptSent, email: &str) -> String {
    match how {
        TranscriptSent::WithSubject => format!(
            "transcript requested for {email} with its subject \
             (transcript-with-subject-request): the service took it"
        ),
        TranscriptSent::Plain => {
            format!("transcript requested for {email} (transcript-request): the service took it")
        }
        TranscriptSent::SubjectDropped => format!(
            "transcript requested for {email} without the subject (transcript-request; the \
             chat has no link that takes one): the service took it"
        ),
    }
}
