//! The console's state: plain data — the form, the phase, the notice, the overlay. The form lives
//! outside the phase so that no failure can lose it.

use std::time::Instant;

use tui_input::Input;

use crate::api::ChatRequest;
use crate::api::exchange::Exchange;
use crate::api::model::{ChatState, EstimatedWait, Survey};
use crate::api::validate::ValidationErrors;
use crate::config::Profile;
use crate::history::Entry;
use crate::tui::form::{Form, TextField};
use crate::tui::msg::{NewSession, SessionId};
use crate::tui::session::transcript::TranscriptLine;
use crate::tui::store::draft::Draft;

/// Where the console is.
#[derive(Debug, Clone)]
pub enum Phase {
    /// The form has the keyboard.
    Editing,
    /// The chat request is on its way.
    Submitting { id: SessionId, started: Instant },
    /// A chat was created: its URI, state and transcript.
    Session(Box<SessionView>),
    /// Many chats from the form at once: their progress, then the summary.
    Burst(Box<crate::tui::burst::BurstView>),
    /// The cases of a check file: each one's progress and verdict, then the summary.
    Checks(Box<crate::tui::checks::CheckView>),
}

/// How polling goes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Health {
    Ok,
    /// A poll failed; the tracker tries again.
    Retrying {
        attempt: u32,
        error: String,
    },
    /// The tracker gave up; `resume` is the command that picks the session up again.
    Lost {
        error: String,
        resume: Option<String>,
    },
}

/// A created chat, as followed.
#[derive(Debug, Clone)]
pub struct SessionView {
    pub id: SessionId,
    pub uri: String,
    /// `None` until the first poll answered.
    pub state: Option<ChatState>,
    pub agent: Option<String>,
    pub estimate: Option<EstimatedWait>,
    /// When the chat was created (the time in queue counts from here).
    pub created: Instant,
    /// When an agent accepted.
    pub chatting_since: Option<Instant>,
    /// Why it ended, from the system message that came with the end.
    pub ended_reason: Option<String>,
    pub health: Health,
    pub transcript: Vec<TranscriptLine>,
    /// The transcript's first row on screen while scrolled back; `None` follows the newest line.
    /// Anchored from the top, so lines arriving while scrolled back do not move the view.
    pub transcript_top: Option<usize>,
    /// The line being composed, while the composer is open.
    pub compose: Option<Input>,
    pub sending: bool,
    pub ending: bool,
    /// The visitor asked to end the chat (the reason when no system message says otherwise).
    pub end_requested: bool,
    /// The service accepted the visitor's end: the chat is over even before a poll shows it.
    pub end_accepted: bool,
    /// Watched again from the history, which saw it end (when): a 404 then means the service
    /// no longer keeps it (Q28), not a lost session.
    pub seen_ended_at: Option<String>,
    /// The tracker still runs.
    pub tracking: bool,
    pub inspector: bool,
    pub selected_exchange: usize,
    /// The inspector has the arrow and page keys (Tab switches), to scroll its detail.
    pub inspector_focus: bool,
    /// Rows of the selected exchange's detail scrolled past.
    pub inspector_scroll: usize,
    /// What was sent, for the curl copy.
    pub request: ChatRequest,
    pub survey: Option<Survey>,
    /// The service's info shows it does not know the skill asked for (`Info::skill_not_recognised`).
    pub skill_not_recognised: bool,
    /// The visitor's side: name, typing, transcript, exit survey.
    pub visitor: crate::tui::visitor::VisitorView,
    /// The session journal keeping this chat's exchanges, by id: what `s` saves. `None` for a
    /// chat made with journals off, or followed from a check case (found by its URI then).
    pub journal: Option<String>,
}

impl SessionView {
    pub fn new(id: SessionId, uri: String, created: Instant) -> Self {
        Self {
            id,
            uri,
            state: None,
            agent: None,
            estimate: None,
            created,
            chatting_since: None,
            ended_reason: None,
            health: Health::Ok,
            transcript: Vec::new(),
            transcript_top: None,
            compose: None,
            sending: false,
            ending: false,
            end_requested: false,
            end_accepted: false,
            seen_ended_at: None,
            tracking: true,
            inspector: false,
            selected_exchange: 0,
            inspector_focus: false,
            inspector_scroll: 0,
            request: ChatRequest::default(),
            survey: None,
            skill_not_recognised: false,
            visitor: crate::tui::visitor::VisitorView::default(),
            journal: None,
        }
    }

    /// The chat may still be in a queue or with an agent.
    pub fn is_live(&self) -> bool {
        !self.end_accepted
            && !matches!(self.state, Some(ChatState::Ended))
            && !matches!(self.health, Health::Lost { .. })
    }

    pub fn is_chatting(&self) -> bool {
        self.state == Some(ChatState::Chatting)
    }
}

/// Something drawn over the screen that takes the keys until dismissed. An overlay that asks
/// for text types into [`App::dialog_input`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Overlay {
    Help,
    /// Quit while a chat is live: end it first, leave it, or stay.
    ConfirmQuit,
    /// Submit again after a failure that may have created a chat.
    ConfirmResubmit,
    /// A profile's secret whose source is a prompt: typed masked, before anything else.
    SecretPrompt(TextField),
    /// A draft from an earlier run differs from the form: restore it or discard it.
    RestoreDraft,
    /// The profiles of the config file; the highlighted one by index.
    Profiles {
        selected: usize,
    },
    /// The name to save the form under.
    SaveProfile,
    /// A profile of this name exists: replace it?
    ConfirmOverwrite(String),
    /// The sessions of the history, newest first; the highlighted one by index.
    History {
        selected: usize,
    },
    /// How many chats the burst makes, how many at once, and until which state.
    BurstSetup,
    /// The path of the check file to run; a file that does not load says why under it.
    CheckPath {
        error: Option<String>,
    },
    /// Where to e-mail the transcript ([`App::transcript_dialog`]).
    Transcript,
    /// An exit or offline survey to answer ([`App::survey_dialog`]).
    Survey,
}

/// How a notice reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Level {
    Info,
    Error,
}

/// The status area's message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Notice {
    pub level: Level,
    pub text: String,
    pub hint: Option<String>,
    /// What the notice is about, when it stops being true by itself (and so is cleared).
    pub topic: Option<Topic>,
}

/// Notices that go away once what they say is no longer so.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Topic {
    /// The form's problems before sending: re-counted as the form changes, gone when none is left.
    FormProblems,
    /// Lines wait for an agent: gone once one has accepted.
    NotChattingYet,
    /// What the editor gave back: gone at the next action on the form.
    EditorResult,
    /// The chat was created (and `c` copies its URI): gone once an agent accepts or it ends.
    ChatCreated,
    /// The end was sent: gone once the chat shows ended.
    EndSent,
    /// The transcript was asked for: gone once the service answered.
    TranscriptAsked,
}

impl Notice {
    pub fn info(text: impl Into<String>) -> Self {
        Self {
            level: Level::Info,
            text: text.into(),
            hint: None,
            topic: None,
        }
    }

    pub fn error(text: impl Into<String>, hint: Option<String>) -> Self {
        Self {
            level: Level::Error,
            text: text.into(),
            hint,
            topic: None,
        }
    }

    /// The same notice, cleared when `topic` stops being true.
    #[must_use]
    pub fn about(self, topic: Topic) -> Self {
        Self {
            topic: Some(topic),
            ..self
        }
    }
}

impl App {
    /// Whether the notice on screen is about `topic`.
    pub fn notice_is_about(&self, topic: Topic) -> bool {
        self.notice.as_ref().and_then(|n| n.topic) == Some(topic)
    }
}

/// What the service said about the skill before submit.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum Lookup {
    /// Not asked (the connection is incomplete).
    #[default]
    Idle,
    /// Waiting for the quiet time after an edit, or for the answers.
    Pending,
    Done {
        skill: String,
        available: Result<bool, String>,
        estimate: Result<EstimatedWait, String>,
    },
}

/// The whole console state.
#[derive(Debug, Clone)]
pub struct App {
    pub form: Form,
    pub phase: Phase,
    pub notice: Option<Notice>,
    pub overlay: Option<Overlay>,
    /// What the start said about where requests go (`DEMO · emulator on …`); the title shows it
    /// while the form's API and account are still [`Self::banner_for`]'s (see [`Self::destination`]).
    pub banner: String,
    /// The API and account fields the banner was written for.
    pub banner_for: (String, String),
    /// The validation problems of the form as it is now.
    pub errors: ValidationErrors,
    pub lookup: Lookup,
    /// Bumped on every edit of a field the lookups depend on; older answers are dropped.
    pub lookup_generation: u64,
    /// The last start failed in a way that may have created a chat: resubmit asks first.
    pub ambiguous_failure: bool,
    /// The last session id handed out.
    pub last_id: SessionId,
    /// The HTTP exchanges of the current submit and its session.
    pub exchanges: Vec<Exchange>,
    /// After the chat has ended (asked for on quit), quit.
    pub quit_after_end: bool,
    pub quitting: bool,
    /// The clock, set by the loop before each batch of messages: `update` never reads a clock.
    pub now: Instant,
    /// The wall clock, set with `now` (for the SSO key's expiry); the epoch until the loop runs.
    pub wall_clock: std::time::SystemTime,
    /// The terminal's size, for mouse hit-testing.
    pub size: (u16, u16),
    /// Colours on (off with `NO_COLOR`): every state also reads as text and symbols.
    pub color: bool,
    /// The text typed into the overlay that asks for it (a name, a secret).
    pub dialog_input: Input,
    /// Secrets still to ask for (profile sources with `*_prompt = true`), in order.
    pub prompts: Vec<TextField>,
    /// A draft from an earlier run, offered until answered.
    pub draft_offer: Option<Box<Draft>>,
    /// The draft last written (or found at start): nothing is written while the form matches.
    pub saved_draft: Option<Box<Draft>>,
    /// A draft being restored once its profile has loaded (nothing is written meanwhile).
    pub pending_draft: Option<Box<Draft>>,
    /// The console runs on the embedded emulator: its address changes from run to run, so
    /// drafts keep the connection of this run.
    pub demo: bool,
    /// The profile the form came from, with its secret sources (saved again with the form).
    pub profile: Option<(String, Profile)>,
    /// The profiles of the config file, for the picker.
    pub profiles: Vec<(String, Profile)>,
    /// The history's sessions, newest first, as last loaded.
    pub history: Vec<Entry>,
    /// The burst dialog's answers, kept for the next burst.
    pub burst_setup: crate::tui::burst::BurstSetup,
    /// The check file last asked for.
    pub check_path: String,
    /// Where `n` in a session goes back to (the check results a case was opened from).
    pub return_to: Option<Box<Phase>>,
    /// Rows of the help overlay scrolled past, when it is taller than the screen.
    pub help_scroll: u16,
    /// A `DraftLater` timer runs: the draft is compared and written when it fires.
    pub draft_due: bool,
    /// This run wrote a draft that is still on disk (removed once its form is sent).
    pub draft_on_disk: bool,
    /// The question or dialog the help was opened over (F1 there): back when the help closes.
    pub help_over: Option<Overlay>,
    /// What the last frame laid out, recorded at each draw: `update` and the keys read it,
    /// never the view.
    pub geometry: Geometry,
    /// The transcript dialog's fields.
    pub transcript_dialog: crate::tui::visitor::TranscriptDialog,
    /// The survey answered in a dialog (exit or offline), kept while its overlay is open.
    pub survey_dialog: Option<crate::tui::visitor::SurveyDialog>,
}

/// What the last frame laid out that `update` and the keys need.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Geometry {
    /// Where the inspector is (the mouse wheel scrolls the pane under the pointer).
    pub inspector: Option<ratatui::layout::Rect>,
    /// Each form item's row on screen (a click focuses it).
    pub form_items: Vec<(ratatui::layout::Rect, crate::tui::form::Focus)>,
    /// The transcript's first row when scrolled back as far as it goes (scrolling clamps to it).
    pub transcript_max_top: usize,
    /// Rows the inspector's exchange can be scrolled.
    pub inspector_max_scroll: usize,
    /// Rows the help can be scrolled, when taller than the screen.
    pub help_max_scroll: u16,
}

impl Geometry {
    /// The form item drawn at this screen position.
    pub fn form_item_at(&self, x: u16, y: u16) -> Option<crate::tui::form::Focus> {
        let position = ratatui::layout::Position::new(x, y);
        self.form_items
            .iter()
            .find(|(area, _)| area.contains(position))
            .map(|(_, focus)| focus.clone())
    }
}

impl App {
    pub fn new(form: Form, banner: impl Into<String>, now: Instant) -> Self {
        let mut app = Self {
            form,
            phase: Phase::Editing,
            notice: None,
            overlay: None,
            banner: banner.into(),
            banner_for: (String::new(), String::new()),
            errors: ValidationErrors::default(),
            lookup: Lookup::Idle,
            lookup_generation: 0,
            ambiguous_failure: false,
            last_id: 0,
            exchanges: Vec::new(),
            quit_after_end: false,
            quitting: false,
            now,
            wall_clock: std::time::UNIX_EPOCH,
            size: (80, 24),
            color: true,
            dialog_input: Input::default(),
            prompts: Vec::new(),
            draft_offer: None,
            saved_draft: None,
            pending_draft: None,
            demo: false,
            profile: None,
            profiles: Vec::new(),
            history: Vec::new(),
            burst_setup: crate::tui::burst::BurstSetup::default(),
            check_path: crate::tui::checks::DEFAULT_PATH.to_string(),
            return_to: None,
            help_scroll: 0,
            draft_due: false,
            draft_on_disk: false,
            help_over: None,
            geometry: Geometry::default(),
            transcript_dialog: crate::tui::visitor::TranscriptDialog::default(),
            survey_dialog: None,
        };
        app.form.fix_focus();
        app.errors = app.form.validate();
        let start = crate::tui::connection::Connection::from_form(&app.form);
        app.banner_for = (start.api, start.account);
        // The form as it starts is not a draft: only a change is written.
        app.saved_draft = Some(Box::new(Draft::of(&app.form, None)));
        app
    }

    /// The history's record of a chat made from the form with `request`; `uri` is empty when
    /// the answer was lost.
    pub fn new_session(&self, uri: String, request: ChatRequest, auth: bool) -> NewSession {
        NewSession {
            uri,
            profile: self.profile_name().map(str::to_string),
            account: self.form.text(TextField::Account).trim().to_string(),
            request,
            auth: auth.then(|| {
                (
                    self.form.text(TextField::AuthChatConnId).to_string(),
                    self.form.text(TextField::RedirectUri).to_string(),
                )
            }),
            app_key_in: self.form.app_key_in,
            format: self.form.format,
        }
    }

    /// Where requests go, for the title bar and notices, as the form says now: the start's
    /// banner while the API and account fields are as they started (the demo's names its
    /// emulator), else the form's connection — never a URL or account corrected since.
    pub fn destination(&self) -> String {
        let connection = crate::tui::connection::Connection::from_form(&self.form);
        if (connection.api.as_str(), connection.account.as_str())
            == (self.banner_for.0.as_str(), self.banner_for.1.as_str())
        {
            self.banner.clone()
        } else {
            connection.describe()
        }
    }

    /// The name of the profile the form came from.
    pub fn profile_name(&self) -> Option<&str> {
        self.profile.as_ref().map(|(name, _)| name.as_str())
    }

    pub fn session(&self) -> Option<&SessionView> {
        match &self.phase {
            Phase::Session(view) => Some(view),
            _ => None,
        }
    }

    pub fn session_mut(&mut self) -> Option<&mut SessionView> {
        match &mut self.phase {
            Phase::Session(view) => Some(view),
            _ => None,
        }
    }

    /// What the console leaves behind as it quits, one line each, with how to follow or end
    /// it: said on stderr once the terminal is restored. Nothing for the demo, whose chats go
    /// with its emulator.
    pub fn left_behind(&self) -> Vec<String> {
        if self.demo {
            return Vec::new();
        }
        let open_in_history =
            "`chatstart history --open` lists them, `chatstart end --all-open` ends them";
        let may_exist = |count: usize| {
            format!(
                "{} on {} way: a chat may exist for each; the history keeps {} (state unknown, \
                 `chatstart history`) — look in the agent queue",
                crate::plural::count(count, "chat request was", "chat requests were"),
                crate::plural::noun(count, "its", "their"),
                crate::plural::noun(count, "it", "them")
            )
        };
        match &self.phase {
            Phase::Session(view) if view.is_live() && !view.end_requested => vec![format!(
                "the chat is still open: follow it with `chatstart watch {0}`, end it with \
                 `chatstart end {0}`",
                view.uri
            )],
            Phase::Submitting { .. } => vec![may_exist(1)],
            Phase::Burst(view) => {
                let mut lines = Vec::new();
                let open = view.open_chats().len();
                if open > 0 {
                    lines.push(format!(
                        "{} of the burst {} still open: {open_in_history}",
                        crate::plural::count(open, "chat", "chats"),
                        crate::plural::noun(open, "is", "are")
                    ));
                }
                let sending = view
                    .outcomes
                    .iter()
                    .filter(|o| o.status() == crate::burst::Status::Sending)
                    .count();
                if sending > 0 {
                    lines.push(may_exist(sending));
                }
                lines
            }
            Phase::Checks(view) => {
                let running = view
                    .cases
                    .iter()
                    .filter(|row| {
                        matches!(row.status, crate::tui::checks::CaseStatus::Running { .. })
                    })
                    .count();
                let left_open = view
                    .cases
                    .iter()
                    .filter_map(crate::tui::checks::CaseRow::result)
                    .filter(|result| result.left_open)
                    .count();
                let mut lines = Vec::new();
                if running > 0 {
                    lines.push(format!(
                        "{} still running: {} may be open; {open_in_history}",
                        crate::plural::count(running, "check case was", "check cases were"),
                        crate::plural::noun(running, "its chat", "their chats")
                    ));
                }
                if left_open > 0 {
                    lines.push(format!(
                        "{} {} chat open: {open_in_history}",
                        crate::plural::count(left_open, "check case", "check cases"),
                        crate::plural::noun(left_open, "left its", "left their")
                    ));
                }
                lines
            }
            _ => Vec::new(),
        }
    }

    /// A chat exists that quitting would leave behind.
    pub fn has_live_chat(&self) -> bool {
        self.session().is_some_and(SessionView::is_live)
    }

    /// How often the screen changes with time alone (spinner, time in queue); `None` when
    /// nothing animates, so the loop keeps no timer and an idle console uses no CPU.
    pub fn tick_interval(&self) -> Option<std::time::Duration> {
        use std::time::Duration;
        let fast = Some(Duration::from_millis(250));
        match &self.phase {
            Phase::Submitting { .. } => fast,
            Phase::Session(view) if view.sending || view.ending => fast,
            Phase::Session(view)
                if view.is_live() && matches!(view.state, None | Some(ChatState::Waiting)) =>
            {
                Some(Duration::from_secs(1))
            }
            Phase::Editing if self.lookup == Lookup::Pending => fast,
            // The clocks of the chats in queue and of the running cases move.
            Phase::Burst(view) if view.is_running() => Some(Duration::from_secs(1)),
            Phase::Checks(view) if view.is_running() => Some(Duration::from_secs(1)),
            _ => None,
        }
    }
}
