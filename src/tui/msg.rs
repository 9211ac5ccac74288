//! What happened (`Msg`, intents and results) and what to do about it (`Effect`). Plain data.

use std::sync::Arc;
use std::time::Duration;

use tui_input::InputRequest;

use crate::api::error::CallFailure;
use crate::api::exchange::Exchange;
use crate::api::model::{EstimatedWait, Survey};
use crate::api::{AuthRequest, ChatRequest};
use crate::burst::{BurstEvent, ChatOutcome};
use crate::check::{CaseResult, CheckFile};
use crate::config::Profile;
use crate::copy::CopyReport;
use crate::history::Entry;
use crate::session::SessionUpdate;
use crate::tui::burst::BurstSettings;
use crate::tui::checks::CheckPlan;
use crate::tui::connection::Connection;
use crate::tui::form::Focus;
use crate::tui::store::draft::Draft;
use crate::tui::store::profiles::ProfileForm;

/// Identifies one submit and the session it creates; results of older ones are dropped.
pub type SessionId = u64;

/// Why a chat could not be started, as the console shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StartFailure {
    pub message: String,
    pub hint: Option<String>,
    /// The request was sent and its answer lost: a chat may exist in the queue.
    pub may_have_created_chat: bool,
    /// Per-field problems, shown under their fields.
    pub invalid: Vec<crate::api::validate::Invalid>,
}

/// Where the transcript scrolls to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scroll {
    /// Towards older lines by this many rows.
    Up(u16),
    /// Towards newer lines by this many rows.
    Down(u16),
    /// The first line.
    Top,
    /// Follow the newest line.
    Bottom,
}

/// What the copy was of, for the message on screen.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CopyWhat {
    SessionUri,
    Curl,
}

/// What happened: what the user asked for, or what came back from an effect. Every outcome
/// reaches its feature whatever is on screen; intents go to the overlay or screen that has the
/// keyboard.
#[derive(Debug, Clone)]
pub enum Msg {
    Intent(Intent),
    Outcome(Outcome),
}

/// What the user asked for, by the feature it belongs to.
#[derive(Debug, Clone)]
pub enum Intent {
    App(AppIntent),
    Form(FormIntent),
    Session(SessionIntent),
    Burst(BurstIntent),
    Checks(ChecksIntent),
    Store(StoreIntent),
    Visitor(VisitorIntent),
}

/// What came back from an effect, by the feature it belongs to.
#[derive(Debug, Clone)]
pub enum Outcome {
    Form(FormOutcome),
    Session(SessionOutcome),
    Burst(BurstOutcome),
    Checks(ChecksOutcome),
    Store(StoreOutcome),
    Terminal(TerminalOutcome),
    Visitor(VisitorOutcome),
}

/// Intents of the whole console and of its questions and dialogs.
#[derive(Debug, Clone)]
pub enum AppIntent {
    /// Show or hide the help overlay.
    Help,
    /// Scroll the help overlay by this many rows (it clamps to its length).
    HelpScroll(i16),
    /// Quit, asking first when a chat is live (q, Ctrl+C).
    Quit,
    /// Quit now, whatever the state (SIGTERM, SIGHUP).
    QuitNow,
    /// Give the terminal back to the shell and stop until `fg` (Ctrl+Z).
    Suspend,
    /// The terminal's size changed.
    Resize(u16, u16),
    /// Text pasted into the terminal (bracketed paste): one event, whatever its length, for the
    /// text input that has the keyboard.
    Paste(String),
    /// Yes to the question on screen.
    Confirm,
    /// The other answer to the question on screen (`e` on the quit question: end the chat,
    /// then quit).
    ConfirmAlternative,
    /// No to the question on screen / close the overlay.
    Dismiss,
    /// Edit the text an overlay asks for (a profile name, a secret, a path, a count).
    DialogEdit(InputRequest),
    /// Move the highlight of a list (profiles, history, check cases) by `step`.
    Select(isize),
}

/// Intents of the form.
#[derive(Debug, Clone)]
pub enum FormIntent {
    /// Move the focus to the next item (Tab, ↓).
    FocusNext,
    /// Move the focus to the previous item (Shift+Tab, ↑).
    FocusPrev,
    /// Focus this item (a mouse click).
    FocusOn(Focus),
    /// Edit the focused text input (typing, deleting, moving the cursor).
    Edit(InputRequest),
    /// Cycle the focused toggle, or move a choice question's highlight (`step` ±1).
    Cycle(isize),
    /// Choose / check the highlighted entry of the focused choice question, or flip a toggle.
    Choose,
    /// Insert an empty pre-chat line below the focused one (or at the end).
    AddPreChatLine,
    /// Delete the focused pre-chat line.
    DeletePreChatLine,
    /// Move the focused pre-chat line up (-1) or down (+1).
    MovePreChatLine(isize),
    /// Edit the pre-chat lines in `$EDITOR`.
    OpenEditor,
    /// Fetch the survey, availability and estimated wait now.
    RefreshLookup,
    /// Send the request (Ctrl+S).
    Submit,
}

/// Intents of the session view.
#[derive(Debug, Clone)]
pub enum SessionIntent {
    /// Copy the session URI.
    CopyUri,
    /// Copy the request as a curl command (the appKey as `$CHATSTART_APP_KEY`).
    CopyCurl,
    /// Open the line composer.
    Compose,
    /// Edit the line being composed.
    ComposeEdit(InputRequest),
    /// Send the composed line.
    ComposeSend,
    /// End the chat.
    EndChat,
    /// Back to the form for a new request, keeping its content.
    NewRequest,
    /// Show or hide the HTTP inspector.
    ToggleInspector,
    /// Select the previous (-1) or next (+1) exchange in the inspector.
    InspectorSelect(isize),
    /// Give the arrow and page keys to the inspector, or back to the transcript (Tab).
    InspectorFocus,
    /// Scroll the inspector's detail of the selected exchange.
    InspectorScroll(Scroll),
    /// Scroll the transcript.
    Scroll(Scroll),
    /// Save the session's evidence bundle (its HAR file, transcript and summary) for a ticket.
    SaveEvidence,
}

/// Intents of bursts.
#[derive(Debug, Clone)]
pub enum BurstIntent {
    /// Ask how many chats to start from the form at once (Ctrl+B, F6).
    Open,
    /// Stop the running burst: no new chat is sent, and the engine ends every chat created.
    Stop,
    /// End the chats of the finished burst that are still open.
    EndChats,
    /// Back to the form, its content kept.
    Back,
}

/// Intents of check runs.
#[derive(Debug, Clone)]
pub enum ChecksIntent {
    /// Ask for a check file to run with the form's connection (Ctrl+T, F7).
    Open,
    /// Follow the highlighted case's chat in the session view.
    OpenCase,
    /// The first (`Top`) or last (`Bottom`) case.
    Jump(Scroll),
    /// Back to the form, its content kept.
    Back,
}

/// Intents of what the console keeps: profiles, history, the draft.
#[derive(Debug, Clone)]
pub enum StoreIntent {
    /// Open the profile picker (Ctrl+P).
    OpenProfiles,
    /// Save the form as a profile: asks the name (Ctrl+O).
    SaveAsProfile,
    /// Open the history view (Ctrl+R).
    OpenHistory,
    /// Follow the highlighted history session again in the session view.
    WatchEntry,
    /// End the highlighted history session (a chat left in a queue).
    EndEntry,
    /// Refill the form with the highlighted history session's request.
    RerunEntry,
    /// Save the highlighted history session's evidence bundle.
    SaveEntryEvidence,
    /// Restore the draft offered at start.
    RestoreDraft,
    /// Discard the draft offered at start.
    DiscardDraft,
}

/// What came back to the form.
#[derive(Debug, Clone)]
pub enum FormOutcome {
    /// The quiet time after an edit of a lookup field is over.
    LookupDue(u64),
    /// The pre-chat survey arrived (`None`: the account has none).
    SurveyLoaded {
        generation: u64,
        result: Result<Option<Survey>, String>,
    },
    /// Availability and estimated wait arrived.
    AvailabilityLoaded {
        generation: u64,
        available: Result<bool, String>,
        estimate: Result<EstimatedWait, String>,
    },
    /// The editor closed with this text, or failed to run.
    EditorDone(Result<String, String>),
}

/// What came back about a chat being created or followed.
#[derive(Debug, Clone)]
pub enum SessionOutcome {
    /// The chat was created; its exchanges are kept in the session journal `journal` (`None`
    /// when journals are not kept).
    Created {
        id: SessionId,
        uri: String,
        journal: Option<String>,
    },
    /// The chat could not be created.
    StartFailed {
        id: SessionId,
        failure: StartFailure,
    },
    /// The session tracker reported.
    Update {
        id: SessionId,
        update: SessionUpdate,
    },
    /// An HTTP exchange of a session, secrets masked.
    Exchange { id: SessionId, exchange: Exchange },
    /// A copy finished.
    Copied {
        what: CopyWhat,
        result: Result<CopyReport, String>,
        file: Option<Result<String, String>>,
    },
    /// A line was sent, or not.
    LineSent {
        id: SessionId,
        result: Result<(), String>,
    },
    /// The end request finished.
    ChatEnded {
        id: SessionId,
        result: Result<(), String>,
    },
}

/// What came back from a burst.
#[derive(Debug, Clone)]
pub enum BurstOutcome {
    /// A chat of burst `id` progressed (from the engine, or an end asked for after it).
    Progress { id: SessionId, event: BurstEvent },
    /// Burst `id`'s engine returned: every chat's outcome.
    Finished {
        id: SessionId,
        outcomes: Vec<ChatOutcome>,
    },
}

/// What came back from a check run.
#[derive(Debug, Clone)]
pub enum ChecksOutcome {
    /// The check file was read and parsed, or why not (with its line when it does not parse).
    FileLoaded {
        path: String,
        result: Result<Arc<CheckFile>, String>,
    },
    /// Case `index` of check run `id` started.
    CaseStarted { id: SessionId, index: usize },
    /// Case `index` of check run `id` has its verdict.
    CaseFinished {
        id: SessionId,
        index: usize,
        result: Box<CaseResult>,
    },
    /// Check run `id` cannot run: a case cannot be planned (nothing was sent).
    Refused { id: SessionId, error: String },
}

/// What came back from the disk: profiles, history, the draft.
#[derive(Debug, Clone)]
pub enum StoreOutcome {
    /// A chosen profile, read (its secrets resolved from their sources), or why not.
    ProfileLoaded {
        name: String,
        result: Result<Box<ProfileForm>, String>,
    },
    /// A profile was written to the config file (its path), or not.
    ProfileSaved {
        name: String,
        profile: Box<Profile>,
        result: Result<String, String>,
    },
    /// The history's sessions, newest first, or why they could not be read.
    HistoryLoaded(Result<Vec<Entry>, String>),
    /// Ending a history session finished.
    EntryEnded {
        uri: String,
        result: Result<(), String>,
    },
    /// An evidence bundle was saved (where, its files, what the reader should know), or why not.
    EvidenceSaved {
        result: Result<crate::export::Saved, String>,
    },
    /// Writing the draft or the history failed.
    Failed(String),
    /// The quiet time after a change of the form is over: the draft is written if still due.
    DraftDue,
}

/// What came back from the terminal and the clock.
#[derive(Debug, Clone)]
pub enum TerminalOutcome {
    /// Time passed (the spinner and the time in queue).
    Tick,
    /// The console is back after Ctrl+Z, or why it did not stop.
    Resumed(Result<(), String>),
}

/// The visitor's side: the transcript and survey dialogs.
#[derive(Debug, Clone)]
pub enum VisitorIntent {
    /// `t` in the session view: ask for the transcript by e-mail.
    OpenTranscript,
    /// Ctrl+F (F8) on the form: the offline survey, while no agent can take a chat.
    OpenOfflineSurvey,
    /// The next (+1) or previous (-1) question, or the other field of the transcript dialog.
    Focus(isize),
    /// The focused choice question's highlight, left or right (a single choice is picked).
    Cycle(isize),
    /// Chooses (or unchooses, for a check box) the highlighted entry.
    Choose,
    /// Enter: the next question from a text answer, or picks the highlighted choice.
    Next,
    /// Typing into the focused text question.
    Edit(InputRequest),
    /// Ctrl+S: submit the survey, send the transcript request.
    Submit,
}

/// What came back about the visitor's side.
#[derive(Debug, Clone)]
pub enum VisitorOutcome {
    /// The quiet time after the last key is over (`generation`: that key's).
    TypingIdle { id: SessionId, generation: u64 },
    /// The service was told the visitor's typing status (or refused it).
    TypingTold {
        id: SessionId,
        typing: bool,
        result: Result<(), String>,
    },
    /// The exit survey of session `id` was read (`None`: it has none, Q30).
    ExitSurveyLoaded {
        id: SessionId,
        result: Result<Option<Survey>, String>,
    },
    /// The exit survey's answers were taken, or not (and whether they may have been all the
    /// same: the answer was lost).
    ExitSurveySubmitted {
        id: SessionId,
        uri: String,
        survey: Survey,
        answers: Vec<crate::api::SurveyAnswer>,
        result: Result<(), Box<CallFailure>>,
    },
    /// The transcript request was taken (by which link), or not.
    TranscriptSent {
        id: SessionId,
        transcript: crate::api::TranscriptRequest,
        result: Result<crate::api::TranscriptSent, Box<CallFailure>>,
    },
    /// The offline survey for the form's request was read (`None`: the account has none).
    OfflineSurveyLoaded {
        request: Box<ChatRequest>,
        result: Result<Option<Survey>, String>,
    },
    /// The offline survey's answers were taken, or not (the runner keeps it in the history
    /// when taken, and as unknown when its answer was lost).
    OfflineSurveySubmitted {
        result: Result<(), Box<CallFailure>>,
    },
}

macro_rules! into_msg {
    ($($kind:ident :: $variant:ident ($feature:ty)),* $(,)?) => {
        $(impl From<$feature> for Msg {
            fn from(value: $feature) -> Self {
                Msg::$kind($kind::$variant(value))
            }
        })*
    };
}

into_msg!(
    Intent::App(AppIntent),
    Intent::Form(FormIntent),
    Intent::Session(SessionIntent),
    Intent::Burst(BurstIntent),
    Intent::Checks(ChecksIntent),
    Intent::Store(StoreIntent),
    Intent::Visitor(VisitorIntent),
    Outcome::Form(FormOutcome),
    Outcome::Session(SessionOutcome),
    Outcome::Burst(BurstOutcome),
    Outcome::Checks(ChecksOutcome),
    Outcome::Store(StoreOutcome),
    Outcome::Terminal(TerminalOutcome),
    Outcome::Visitor(VisitorOutcome),
);

/// What `update` asks the outside world to do.
#[derive(Debug, Clone, PartialEq)]
pub enum Effect {
    /// After `after`, send `Msg::LookupDue(generation)`.
    Debounce { generation: u64, after: Duration },
    /// Fetch the survey, availability and estimated wait.
    Lookup {
        generation: u64,
        connection: Connection,
        request: ChatRequest,
    },
    /// Create the chat (once), then follow it.
    StartSession {
        id: SessionId,
        connection: Connection,
        request: ChatRequest,
        survey: Option<Survey>,
        auth: Option<AuthRequest>,
        /// Set by the tracker right after the chat is created.
        visitor_name: Option<String>,
        /// What the history keeps of the chat, written before the request is sent (its URI
        /// left empty until it arrives).
        record: Box<NewSession>,
    },
    /// Stop following the current session (the chat itself stays as it is).
    StopSession,
    /// Add a line to the chat.
    SendLine {
        id: SessionId,
        uri: String,
        text: String,
    },
    /// End the chat.
    EndChat { id: SessionId, uri: String },
    /// Put text on the clipboard (and, for the URI, in the data directory's file).
    Copy { what: CopyWhat, text: String },
    /// Suspend the terminal and edit this text in `$EDITOR`.
    OpenEditor(String),
    /// Leave the program.
    Quit,
    /// Follow an existing chat (from the history) as session `id`; its calls are added to the
    /// session journal `journal` when its record names one.
    Watch {
        id: SessionId,
        connection: Connection,
        uri: String,
        journal: Option<String>,
    },
    /// Save the evidence bundle of a recorded session where the console was started (or the
    /// data directory's `exports/`); the answer comes back as `StoreOutcome::EvidenceSaved`.
    SaveEvidence { of: EvidenceOf },
    /// End a chat that is not the current session (a history entry).
    EndEntry { connection: Connection, uri: String },
    /// Write the draft (atomically).
    SaveDraft(Box<Draft>),
    /// After `after`, send `Msg::DraftDue` (drafts are written once typing pauses, not per key).
    DraftLater { after: Duration },
    /// Remove the draft: the form it held was sent.
    ClearDraft,
    /// Give the terminal back and stop the process until the shell continues it (Ctrl+Z).
    Suspend,
    /// Read the history.
    LoadHistory,
    /// Read a profile of the config file under the start's flags, resolving its secrets.
    LoadProfile { name: String },
    /// Write a profile to the config file.
    SaveProfile { name: String, profile: Box<Profile> },
    /// Append a chat's newly learnt state to the history.
    RecordState {
        uri: String,
        state: String,
        agent: Option<String>,
    },
    /// Run burst `id` of the form's request; its progress comes back as `Msg::Burst`.
    StartBurst {
        id: SessionId,
        connection: Connection,
        request: ChatRequest,
        survey: Option<Survey>,
        settings: BurstSettings,
        /// What the history keeps of each chat (its URI left empty).
        record: Box<NewSession>,
    },
    /// Tell burst `id`'s engine to stop (it then ends every chat it created).
    StopBurst { id: SessionId },
    /// End these chats of burst `id` (index, URI); each answer comes back as `Msg::Burst`.
    EndChats {
        id: SessionId,
        connection: Connection,
        chats: Vec<(usize, String)>,
    },
    /// Read and parse a check file.
    LoadCheckFile { path: String },
    /// Tell the service the visitor is typing or not (§2.15).
    SetTyping {
        id: SessionId,
        href: String,
        typing: bool,
    },
    /// `VisitorOutcome::TypingIdle` after `after`.
    TypingIdleAfter {
        id: SessionId,
        generation: u64,
        after: Duration,
    },
    /// Read the exit survey at session `id`'s `exit-survey` link.
    LoadExitSurvey { id: SessionId, href: String },
    /// Submit the exit survey's answers (checked again by the client first).
    SubmitExitSurvey {
        id: SessionId,
        uri: String,
        href: String,
        survey: Survey,
        answers: Vec<crate::api::SurveyAnswer>,
    },
    /// Ask for the transcript by e-mail; an offset left out is this machine's zone, read by the
    /// runner.
    RequestTranscript {
        id: SessionId,
        uri: String,
        links: crate::api::model::VisitorLinks,
        transcript: crate::api::TranscriptRequest,
    },
    /// Read the offline survey for the form's skill and visitor.
    LoadOfflineSurvey {
        connection: Connection,
        request: ChatRequest,
    },
    /// Submitted with its own client; the history keeps it once the service took it.
    SubmitOfflineSurvey {
        connection: Connection,
        request: ChatRequest,
        survey: Survey,
        answers: Vec<crate::api::SurveyAnswer>,
        profile: Option<String>,
    },
    /// The history keeps what the visitor did in a chat: taken, or maybe (its answer lost).
    RecordVisitor {
        uri: String,
        action: crate::history::VisitorAction,
        outcome: crate::history::Outcome,
    },
    /// Plan and run check file `id`'s cases; each start and verdict comes back as a message.
    RunChecks { id: SessionId, plan: CheckPlan },
    /// Stop check run `id`: no case starts any more, the running ones end their chats.
    StopChecks { id: SessionId },
}

/// Which recorded session a bundle is saved for.
#[derive(Debug, Clone, PartialEq)]
pub enum EvidenceOf {
    /// The session on screen: its history record is found by its journal, else by its URI.
    Session {
        uri: String,
        journal: Option<String>,
    },
    /// A history entry, as listed (read again for its newest state).
    Entry(Box<Entry>),
}

/// A created chat, as the history records it.
#[derive(Debug, Clone, PartialEq)]
pub struct NewSession {
    /// Empty for a chat request whose answer was lost: a chat may exist (state unknown).
    pub uri: String,
    pub profile: Option<String>,
    pub account: String,
    pub request: ChatRequest,
    /// The auth call's connector id and redirect URI, when the authenticated flow was used.
    pub auth: Option<(String, String)>,
    /// Where the appKey rode and the format: `end --all-open` reaches the chat the same way.
    pub app_key_in: crate::api::AppKeyPlacement,
    pub format: crate::api::Format,
}
