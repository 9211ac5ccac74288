//! Every outcome reaches its feature whatever overlay is open: each variant, applied with each
//! overlay on screen (or the help over the overlay it needs), changes the console exactly as it
//! does with none. A router that drops outcomes while an overlay is open fails here.

use std::sync::Arc;
use std::time::Duration;

use super::runs::{burst_created, running_checks, started_burst, valid_app, verdict};
use super::*;
use crate::api::exchange::Exchange;
use crate::check::CheckFile;
use crate::tui::app::Overlay;
use crate::tui::msg::{
    BurstOutcome, ChecksOutcome, CopyWhat, FormOutcome, Outcome, StartFailure, StoreOutcome,
    TerminalOutcome, VisitorOutcome,
};

/// Every variant of [`Outcome`], by name. The match has no catch-all, so a new variant does not
/// compile until it is named here, and [`samples`] must then hold one of it.
fn variant(outcome: &Outcome) -> &'static str {
    match outcome {
        Outcome::Form(FormOutcome::LookupDue(_)) => "Form::LookupDue",
        Outcome::Form(FormOutcome::SurveyLoaded { .. }) => "Form::SurveyLoaded",
        Outcome::Form(FormOutcome::AvailabilityLoaded { .. }) => "Form::AvailabilityLoaded",
        Outcome::Form(FormOutcome::EditorDone(_)) => "Form::EditorDone",
        Outcome::Session(SessionOutcome::Created { .. }) => "Session::Created",
        Outcome::Session(SessionOutcome::StartFailed { .. }) => "Session::StartFailed",
        Outcome::Session(SessionOutcome::Update { .. }) => "Session::Update",
        Outcome::Session(SessionOutcome::Exchange { .. }) => "Session::Exchange",
        Outcome::Session(SessionOutcome::Copied { .. }) => "Session::Copied",
        Outcome::Session(SessionOutcome::LineSent { .. }) => "Session::LineSent",
        Outcome::Session(SessionOutcome::ChatEnded { .. }) => "Session::ChatEnded",
        Outcome::Burst(BurstOutcome::Progress { .. }) => "Burst::Progress",
        Outcome::Burst(BurstOutcome::Finished { .. }) => "Burst::Finished",
        Outcome::Checks(ChecksOutcome::FileLoaded { .. }) => "Checks::FileLoaded",
        Outcome::Checks(ChecksOutcome::CaseStarted { .. }) => "Checks::CaseStarted",
        Outcome::Checks(ChecksOutcome::CaseFinished { .. }) => "Checks::CaseFinished",
        Outcome::Checks(ChecksOutcome::Refused { .. }) => "Checks::Refused",
        Outcome::Store(StoreOutcome::ProfileLoaded { .. }) => "Store::ProfileLoaded",
        Outcome::Store(StoreOutcome::ProfileSaved { .. }) => "Store::ProfileSaved",
        Outcome::Store(StoreOutcome::HistoryLoaded(_)) => "Store::HistoryLoaded",
        Outcome::Store(StoreOutcome::EntryEnded { .. }) => "Store::EntryEnded",
        Outcome::Store(StoreOutcome::EvidenceSaved { .. }) => "Store::EvidenceSaved",
        Outcome::Store(StoreOutcome::Failed(_)) => "Store::Failed",
        Outcome::Store(StoreOutcome::DraftDue) => "Store::DraftDue",
        Outcome::Terminal(TerminalOutcome::Tick) => "Terminal::Tick",
        Outcome::Terminal(TerminalOutcome::Resumed(_)) => "Terminal::Resumed",
        Outcome::Visitor(VisitorOutcome::TypingIdle { .. }) => "Visitor::TypingIdle",
        Outcome::Visitor(VisitorOutcome::TypingTold { .. }) => "Visitor::TypingTold",
        Outcome::Visitor(VisitorOutcome::ExitSurveyLoaded { .. }) => "Visitor::ExitSurveyLoaded",
        Outcome::Visitor(VisitorOutcome::ExitSurveySubmitted { .. }) => {
            "Visitor::ExitSurveySubmitted"
        }
        Outcome::Visitor(VisitorOutcome::TranscriptSent { .. }) => "Visitor::TranscriptSent",
        Outcome::Visitor(VisitorOutcome::OfflineSurveyLoaded { .. }) => {
            "Visitor::OfflineSurveyLoaded"
        }
        Outcome::Visitor(VisitorOutcome::OfflineSurveySubmitted { .. }) => {
            "Visitor::OfflineSurveySubmitted"
        }
    }
}

/// How many arms [`variant`] has.
const VARIANTS: usize = 33;

/// Outcomes whose effect on a console in this state is nothing at all, by design.
const NO_OPS: &[&str] = &["Terminal::Tick"];

fn exchange() -> Exchange {
    Exchange {
        operation: crate::api::Operation::Session,
        started: std::time::UNIX_EPOCH,
        method: "GET".into(),
        url: URI.into(),
        request_headers: Vec::new(),
        request_body: None,
        status: Some(200),
        response_headers: Vec::new(),
        response_body: Some("{}".into()),
        elapsed: Duration::from_millis(12),
        error: None,
    }
}

fn chatting_app() -> (App, u64) {
    let mut app = app();
    let id = chatting(&mut app);
    (app, id)
}

fn submitting_app() -> (App, u64) {
    let mut app = valid_app();
    let effects = send(&mut app, [Msg::from(FormIntent::Submit)]);
    assert!(!effects.is_empty());
    let id = app.last_id;
    (app, id)
}

/// A console in the state where each outcome matters, with the outcome.
fn samples() -> Vec<(App, Outcome)> {
    let outcome = |msg: Msg| match msg {
        Msg::Outcome(outcome) => outcome,
        Msg::Intent(intent) => panic!("not an outcome: {intent:?}"),
    };
    let form = app();
    let generation = form.lookup_generation;
    let (chat, chat_id) = chatting_app();
    let (sending, sending_id) = submitting_app();
    let mut burst = valid_app();
    let burst_id = started_burst(&mut burst, 2);
    let mut checks = valid_app();
    let checks_id = running_checks(&mut checks);
    let mut asking_path = app();
    press(
        &mut asking_path,
        key(KeyCode::Char('t'), KeyModifiers::CONTROL),
    );
    press(&mut asking_path, key(KeyCode::Enter, KeyModifiers::NONE));
    let mut with_history = app();
    with_history.history = vec![super::dialogs::entry(URI, "Sales", "hi")];
    let mut draft_due = app();
    type_text(&mut draft_due, "x");
    // A chat with its visitor links, the visitor typing (told), and one that ended.
    let mut typing = app();
    let typing_id = super::visitor::visitor_chat(&mut typing);
    press(&mut typing, key(KeyCode::Char('i'), KeyModifiers::NONE));
    type_text(&mut typing, "hel");
    let typing_generation = typing
        .session()
        .map(|v| v.visitor.typing_generation)
        .expect("a session");
    let mut ended = app();
    let ended_id = super::visitor::visitor_chat(&mut ended);
    send(
        &mut ended,
        [Msg::from(SessionOutcome::Update {
            id: ended_id,
            update: batch(vec![state_event(
                20,
                "2025-11-25T10:20:00.000+0000",
                "ended",
            )]),
        })],
    );
    let survey = super::visitor::exit_survey();
    let answer = crate::api::SurveyAnswer {
        question_id: "1".into(),
        values: vec!["10 Extremely Likely".into()],
    };
    let visitor = vec![
        (
            typing.clone(),
            outcome(Msg::from(VisitorOutcome::TypingIdle {
                id: typing_id,
                generation: typing_generation,
            })),
        ),
        (
            typing.clone(),
            outcome(Msg::from(VisitorOutcome::TypingTold {
                id: typing_id,
                typing: true,
                result: Err("HTTP 400".into()),
            })),
        ),
        (
            ended.clone(),
            outcome(Msg::from(VisitorOutcome::ExitSurveyLoaded {
                id: ended_id,
                result: Ok(Some(survey.clone())),
            })),
        ),
        (
            ended.clone(),
            outcome(Msg::from(VisitorOutcome::ExitSurveySubmitted {
                id: ended_id,
                uri: URI.into(),
                survey,
                answers: vec![answer],
                result: Ok(()),
            })),
        ),
        (
            typing,
            outcome(Msg::from(VisitorOutcome::TranscriptSent {
                id: typing_id,
                transcript: crate::api::TranscriptRequest {
                    email: "qa@example.com".into(),
                    subject: None,
                    timezone_offset_ms: None,
                },
                result: Err(super::visitor::refused("HTTP 400: Invalid email address")),
            })),
        ),
        (
            form.clone(),
            outcome(Msg::from(VisitorOutcome::OfflineSurveyLoaded {
                request: Box::new(form.form.chat_request()),
                result: Ok(None),
            })),
        ),
        (
            form.clone(),
            outcome(Msg::from(VisitorOutcome::OfflineSurveySubmitted {
                result: Err(super::visitor::refused("HTTP 503")),
            })),
        ),
    ];
    let mut samples = visitor;
    samples.extend(vec![
        (
            form.clone(),
            outcome(Msg::from(FormOutcome::LookupDue(generation))),
        ),
        (
            form.clone(),
            outcome(Msg::from(FormOutcome::SurveyLoaded {
                generation,
                result: Err("the survey did not load".into()),
            })),
        ),
        (
            form.clone(),
            outcome(Msg::from(FormOutcome::AvailabilityLoaded {
                generation,
                available: Ok(false),
                estimate: Err("no estimate".into()),
            })),
        ),
        (
            form.clone(),
            outcome(Msg::from(FormOutcome::EditorDone(Ok("one\ntwo".into())))),
        ),
        (
            sending.clone(),
            outcome(Msg::from(SessionOutcome::Created {
                id: sending_id,
                uri: URI.into(),
                journal: None,
            })),
        ),
        (
            sending,
            outcome(Msg::from(SessionOutcome::StartFailed {
                id: sending_id,
                failure: StartFailure {
                    message: "503 Service Unavailable".into(),
                    hint: None,
                    may_have_created_chat: false,
                    invalid: Vec::new(),
                },
            })),
        ),
        (
            chat.clone(),
            outcome(Msg::from(SessionOutcome::Update {
                id: chat_id,
                update: batch(vec![line_event(
                    90,
                    "2025-11-25T10:14:00.000+0000",
                    "agent",
                    "Natalie",
                    "one more line",
                )]),
            })),
        ),
        (
            chat.clone(),
            outcome(Msg::from(SessionOutcome::Exchange {
                id: chat_id,
                exchange: exchange(),
            })),
        ),
        (
            chat.clone(),
            outcome(Msg::from(SessionOutcome::Copied {
                what: CopyWhat::SessionUri,
                result: Err("no clipboard".into()),
                file: None,
            })),
        ),
        (
            chat.clone(),
            outcome(Msg::from(SessionOutcome::LineSent {
                id: chat_id,
                result: Err("the line was refused".into()),
            })),
        ),
        (
            chat,
            outcome(Msg::from(SessionOutcome::ChatEnded {
                id: chat_id,
                result: Ok(()),
            })),
        ),
        (
            burst.clone(),
            outcome(Msg::from(BurstOutcome::Progress {
                id: burst_id,
                event: burst_created(0),
            })),
        ),
        (
            burst,
            outcome(Msg::from(BurstOutcome::Finished {
                id: burst_id,
                outcomes: Vec::new(),
            })),
        ),
        (
            asking_path,
            outcome(Msg::from(ChecksOutcome::FileLoaded {
                path: "checks.toml".into(),
                result: Ok(Arc::new(
                    CheckFile::parse("[[case]]\nname = \"one\"\n").expect("parses"),
                )),
            })),
        ),
        (
            checks.clone(),
            outcome(Msg::from(ChecksOutcome::CaseStarted {
                id: checks_id,
                index: 0,
            })),
        ),
        (
            checks.clone(),
            outcome(Msg::from(ChecksOutcome::CaseFinished {
                id: checks_id,
                index: 0,
                result: Box::new(verdict("first", true)),
            })),
        ),
        (
            checks,
            outcome(Msg::from(ChecksOutcome::Refused {
                id: checks_id,
                error: "refused".into(),
            })),
        ),
        (
            form.clone(),
            outcome(Msg::from(StoreOutcome::ProfileLoaded {
                name: "qa".into(),
                result: Err("no such profile".into()),
            })),
        ),
        (
            form.clone(),
            outcome(Msg::from(StoreOutcome::ProfileSaved {
                name: "qa".into(),
                profile: Box::default(),
                result: Err("read-only".into()),
            })),
        ),
        (
            form.clone(),
            outcome(Msg::from(StoreOutcome::HistoryLoaded(
                Err("damaged".into()),
            ))),
        ),
        (
            with_history.clone(),
            outcome(Msg::from(StoreOutcome::EntryEnded {
                uri: URI.into(),
                result: Ok(()),
            })),
        ),
        (
            with_history.clone(),
            outcome(Msg::from(StoreOutcome::EvidenceSaved {
                result: Ok(crate::export::Saved {
                    dir: "/work/chatstart-H1-20251125T101200Z".into(),
                    files: Vec::new(),
                    notes: vec![crate::export::NOT_KEPT.into()],
                }),
            })),
        ),
        (
            form.clone(),
            outcome(Msg::from(StoreOutcome::Failed("disk full".into()))),
        ),
        (draft_due, outcome(Msg::from(StoreOutcome::DraftDue))),
        (form.clone(), outcome(Msg::from(TerminalOutcome::Tick))),
        (
            form,
            outcome(Msg::from(TerminalOutcome::Resumed(Err(
                "the terminal did not come back".into(),
            )))),
        ),
    ]);
    samples
}

/// Every overlay the console has.
fn overlays() -> Vec<Overlay> {
    use crate::tui::form::TextField;
    vec![
        Overlay::Help,
        Overlay::ConfirmQuit,
        Overlay::ConfirmResubmit,
        Overlay::SecretPrompt(TextField::AppKey),
        Overlay::RestoreDraft,
        Overlay::Profiles { selected: 0 },
        Overlay::SaveProfile,
        Overlay::ConfirmOverwrite("qa".into()),
        Overlay::History { selected: 0 },
        Overlay::BurstSetup,
        Overlay::CheckPath { error: None },
        Overlay::Transcript,
        Overlay::Survey,
    ]
}

/// The console's state apart from what is on top of it, with instants left out (each run of
/// `update` reads the clock the test set, but views keep `Instant`s whose debug text is noise).
fn fingerprint(app: &App) -> String {
    let mut app = app.clone();
    app.overlay = None;
    app.help_over = None;
    let text = format!("{app:?}");
    let mut out = String::with_capacity(text.len());
    let mut rest = text.as_str();
    while let Some(at) = rest.find("Instant {") {
        out.push_str(&rest[..at]);
        let end = rest[at..].find('}').map_or(rest.len(), |e| at + e + 1);
        out.push_str("Instant");
        rest = &rest[end..];
    }
    out.push_str(rest);
    out
}

#[test]
fn every_outcome_is_applied_whatever_overlay_is_open() {
    let samples = samples();
    let mut covered: Vec<&str> = samples.iter().map(|(_, o)| variant(o)).collect();
    covered.sort_unstable();
    covered.dedup();
    assert_eq!(
        covered.len(),
        VARIANTS,
        "one sample per variant: {covered:?}"
    );

    for (base, outcome) in samples {
        let name = variant(&outcome);
        let mut plain = base.clone();
        let plain_effects = update(&mut plain, Msg::Outcome(outcome.clone()));
        if !NO_OPS.contains(&name) {
            assert!(
                fingerprint(&plain) != fingerprint(&base) || !plain_effects.is_empty(),
                "{name}: the sample must change something, or it proves nothing"
            );
        }
        for overlay in overlays() {
            let mut app = base.clone();
            if base.overlay.is_some() {
                // The outcome answers this overlay: the help over it is the one to try.
                if overlay != Overlay::Help {
                    continue;
                }
                app.help_over = app.overlay.take();
            }
            app.overlay = Some(overlay.clone());
            let effects = update(&mut app, Msg::Outcome(outcome.clone()));
            assert_eq!(
                fingerprint(&app),
                fingerprint(&plain),
                "{name} with {overlay:?} open is applied as without it"
            );
            assert_eq!(
                format!("{effects:?}"),
                format!("{plain_effects:?}"),
                "{name} with {overlay:?} open has the same effects"
            );
        }
    }
}
