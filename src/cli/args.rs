//! The command-line definition (clap): the contract scripts rely on.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

use crate::api::key_scope::AllowedHost;
use crate::api::{AppKeyPlacement, Format};

/// What `history --help` adds: the README's account of the command.
const HISTORY_HELP: &str = "\
Each line: creation time, last known state (and agent), flow, profile, skill, session URI.
--profile P lists only the sessions made with profile P; the config file is not read, so a
profile removed since still filters. --output json prints one `history` line per session.
The history is history.jsonl in the data directory (CHATSTART_DATA_DIR, default
~/.local/share/chatstart); it never holds a secret. `chatstart end --all-open` ends the open ones.";

/// What `export --help` adds.
const EXPORT_HELP: &str = "\
The session is one of the history's (`chatstart history` lists them): its URI, its chat id (the
URI's last segment) or --last. With none of --har, --transcript, --bundle, the bundle goes to
./chatstart-<chat id>-<time>. `-` as FILE writes that file to stdout. A session made before
session journals (or with --no-journal) exports what the history has. Secrets never appear.";

/// The help's heading of the options every command takes.
const GLOBAL: &str = "Global options";

/// Start LivePerson legacy chat sessions, follow them through the queue, hand on the session URI.
///
/// With no command, opens the console.
#[derive(Debug, Parser)]
#[command(name = "chatstart", version, about, long_about = None)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Option<Command>,
    /// Use this profile of the config file
    #[arg(
        long,
        global = true,
        env = "CHATSTART_PROFILE",
        value_name = "NAME",
        help_heading = GLOBAL
    )]
    pub profile: Option<String>,
    /// Config file (default: config.toml in the platform's config directory)
    #[arg(
        long,
        global = true,
        env = "CHATSTART_CONFIG",
        value_name = "FILE",
        help_heading = GLOBAL
    )]
    pub config: Option<PathBuf>,
    /// Write a log of every HTTP exchange (secrets masked) to this file
    #[arg(
        long,
        global = true,
        env = "CHATSTART_LOG",
        value_name = "FILE",
        help_heading = GLOBAL
    )]
    pub log_file: Option<PathBuf>,
    /// Keep no session journal (the chat's exchanges, for `export`): for chat content that
    /// must not be kept. The history still records the chat.
    #[arg(long, global = true, help_heading = GLOBAL)]
    pub no_journal: bool,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Request a chat and print its session URI (then follow it with --wait).
    Request(RequestArgs),
    /// Visitor Authentication, then the chat request (exactly one chat).
    Auth(AuthArgs),
    /// Follow a chat until it ends (or until the --wait state).
    Watch(WatchArgs),
    /// Print a chat's information: state, agent, skill, idle timeout, times.
    Info(InfoArgs),
    /// Add a line to a chat (only while chatting).
    Send(SendArgs),
    /// End a chat, or every chat of the history never seen ended (--all-open).
    End(EndArgs),
    /// Print the pre-chat survey: ids, types, choices, mandatory questions.
    Survey(SurveyArgs),
    /// Print a chat's exit survey, or submit it with --answer.
    ExitSurvey(ExitSurveyArgs),
    /// E-mail a chat's transcript.
    Transcript(TranscriptArgs),
    /// Print the offline survey (what a visitor gets when no agent can chat), or submit it
    /// with --answer.
    OfflineSurvey(OfflineSurveyArgs),
    /// Print availability, available slots and the estimated wait.
    Availability(AvailabilityArgs),
    /// Serve the emulated API on loopback.
    Emulator(EmulatorArgs),
    /// Open the console, the form prefilled from these flags.
    Tui(TuiArgs),
    /// Create many chats at once and follow them (QA of routing under load).
    Burst(BurstArgs),
    /// Run the cases of a check file: routing, acceptance, the agent's lines.
    Check(CheckArgs),
    /// List the profiles of the config file.
    Profiles(ProfilesArgs),
    /// List the sessions chatstart created, newest first.
    #[command(after_help = HISTORY_HELP)]
    History(HistoryArgs),
    /// Write a recorded session's evidence: a HAR file, a Markdown transcript, or a bundle of
    /// both with a summary of its ids and timeline (secrets masked).
    #[command(after_help = EXPORT_HELP)]
    Export(ExportArgs),
    /// Print a shell completion script: `chatstart completions bash > …`.
    Completions(CompletionsArgs),
}

impl Command {
    /// The output the command was asked for (`--output`); text for the commands without one.
    pub fn output(&self) -> OutputArg {
        match self {
            Self::Request(args) => args.output,
            Self::Auth(args) => args.output,
            Self::Watch(args) => args.output,
            Self::Info(args) => args.output,
            Self::Send(args) => args.output,
            Self::End(args) => args.output,
            Self::Survey(args) => args.output,
            Self::ExitSurvey(args) => args.output,
            Self::Transcript(args) => args.output,
            Self::OfflineSurvey(args) => args.output,
            Self::Availability(args) => args.output,
            Self::Burst(args) => args.output,
            Self::Check(args) => args.output,
            Self::Profiles(args) => args.output,
            Self::History(args) => args.output,
            Self::Export(args) => args.output,
            Self::Emulator(_) | Self::Tui(_) | Self::Completions(_) => OutputArg::Text,
        }
    }
}

#[derive(Debug, Clone, Args)]
pub struct BurstArgs {
    /// Output for scripts: text, or JSON Lines
    #[arg(long, value_name = "FORMAT", default_value = "text")]
    pub output: OutputArg,
    #[command(flatten)]
    pub connection: ConnectionArgs,
    #[command(flatten)]
    pub fields: RequestFields,
    /// How many chats to create
    #[arg(long, allow_negative_numbers = true, default_value_t = 10)]
    pub count: usize,
    /// At most this many chat requests in flight at once
    #[arg(long, allow_negative_numbers = true, default_value_t = 5)]
    pub concurrency: usize,
    /// Follow each chat until this state
    #[arg(long, value_name = "STATE", default_value = "waiting")]
    pub wait: WaitState,
    /// Stop following after this many seconds
    #[arg(long, allow_negative_numbers = true, value_name = "SECS")]
    pub timeout: Option<f64>,
    /// Seconds between polls of each chat
    #[arg(long, allow_negative_numbers = true, value_name = "SECS")]
    pub poll_interval: Option<f64>,
    /// End every chat created when done (Ctrl+C always does)
    #[arg(long)]
    pub end_after: bool,
}

#[derive(Debug, Clone, Args)]
pub struct CheckArgs {
    /// Output for scripts: text, or JSON Lines
    #[arg(long, value_name = "FORMAT", default_value = "text")]
    pub output: OutputArg,
    /// The check file (TOML; see docs/checks.md)
    pub file: PathBuf,
    /// Run only this case (repeatable)
    #[arg(long = "case", value_name = "NAME")]
    pub cases: Vec<String>,
    /// Run each case this many times
    #[arg(long, allow_negative_numbers = true, default_value_t = 1)]
    pub repeat: usize,
    /// At most this many cases at once
    #[arg(long, allow_negative_numbers = true, default_value_t = 1)]
    pub concurrency: usize,
    /// Also write a report: `--report junit PATH`
    #[arg(long, num_args = 2, value_names = ["KIND", "PATH"])]
    pub report: Vec<String>,
    /// Keep every chat open (recorded in the history) instead of ending it
    #[arg(long)]
    pub leave_open: bool,
    #[command(flatten)]
    pub connection: ConnectionArgs,
}

#[derive(Debug, Clone, Args)]
pub struct ProfilesArgs {
    /// Output for scripts: text, or JSON Lines
    #[arg(long, value_name = "FORMAT", default_value = "text")]
    pub output: OutputArg,
}

// One of SESSION and --last, as a group: clap's message for neither then names both
// (`<SESSION|--last>`), where `required_unless_present` named only SESSION.
#[derive(Debug, Clone, Args)]
#[command(group(clap::ArgGroup::new("which").required(true).args(["session", "last"])))]
pub struct ExportArgs {
    /// Output for scripts: text, or JSON Lines
    #[arg(long, value_name = "FORMAT", default_value = "text")]
    pub output: OutputArg,
    /// The session: its URI or its chat id
    #[arg(value_name = "SESSION")]
    pub session: Option<String>,
    /// The newest session of the history
    #[arg(long)]
    pub last: bool,
    /// Write the session's exchanges as a HAR 1.2 file (`-`: stdout)
    #[arg(long, value_name = "FILE")]
    pub har: Option<PathBuf>,
    /// Write the chat as a Markdown transcript (`-`: stdout)
    #[arg(long, value_name = "FILE")]
    pub transcript: Option<PathBuf>,
    /// Write the HAR file, the transcript and a summary into this directory
    #[arg(long, value_name = "DIR")]
    pub bundle: Option<PathBuf>,
}

#[derive(Debug, Clone, Args)]
pub struct HistoryArgs {
    /// Only sessions never seen ended (possibly still in a queue), and requests whose answer was
    /// lost (a chat may exist, with no URI to end it by)
    #[arg(long)]
    pub open: bool,
    /// Output for scripts: text, or JSON Lines
    #[arg(long, value_name = "FORMAT", default_value = "text")]
    pub output: OutputArg,
}

#[derive(Debug, Clone, Args)]
pub struct CompletionsArgs {
    /// The shell
    pub shell: clap_complete::Shell,
}

/// Where the API is and how to authenticate: on every command.
#[derive(Debug, Clone, Default, Args)]
#[command(next_help_heading = "Connection")]
pub struct ConnectionArgs {
    /// Base URL of the account's API, e.g. https://va.convep.liveperson.net or http://127.0.0.1:8480
    #[arg(long)]
    pub base_url: Option<String>,
    /// The account's API domain (reached over https), e.g. va.convep.liveperson.net
    #[arg(long)]
    pub domain: Option<String>,
    /// Account (site) id; with no --base-url or --domain its domain is found through CSDS
    #[arg(long, env = "CHATSTART_ACCOUNT")]
    pub account: Option<String>,
    /// CSDS service used to discover the domain
    #[arg(long, value_name = "URL")]
    pub csds_url: Option<String>,
    /// The appKey; not needed when CHATSTART_APP_KEY or the profile gives it (better: a flag
    /// shows in process lists)
    #[arg(long, env = "CHATSTART_APP_KEY", hide_env_values = true)]
    pub app_key: Option<String>,
    /// Where the appKey rides: the Authorization header, or the appKey query parameter
    #[arg(long, env = "CHATSTART_APP_KEY_IN", value_name = "WHERE")]
    pub app_key_in: Option<AppKeyPlacementArg>,
    /// Body and Accept format
    #[arg(long, env = "CHATSTART_FORMAT")]
    pub format: Option<FormatArg>,
    /// Seconds to wait for each HTTP answer
    #[arg(
        long,
        allow_negative_numbers = true,
        env = "CHATSTART_HTTP_TIMEOUT",
        value_name = "SECS"
    )]
    pub http_timeout: Option<f64>,
    /// Also send the appKey to this host (repeatable): HOST, HOST:PORT or a URL. It goes
    /// otherwise only to the service, the hosts it names and LivePerson's own domains
    #[arg(long = "send-key-to", value_name = "HOST")]
    pub send_key_to: Vec<AllowedHost>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum AppKeyPlacementArg {
    Header,
    Query,
}

impl From<AppKeyPlacementArg> for AppKeyPlacement {
    fn from(arg: AppKeyPlacementArg) -> Self {
        match arg {
            AppKeyPlacementArg::Header => Self::Header,
            AppKeyPlacementArg::Query => Self::Query,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum FormatArg {
    Json,
    Xml,
}

impl From<FormatArg> for Format {
    fn from(arg: FormatArg) -> Self {
        match arg {
            FormatArg::Json => Self::Json,
            FormatArg::Xml => Self::Xml,
        }
    }
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, ValueEnum)]
pub enum OutputArg {
    #[default]
    Text,
    Json,
}

/// The chat request's body parameters.
#[derive(Debug, Clone, Default, Args)]
#[command(next_help_heading = "Request fields")]
pub struct RequestFields {
    /// Skill to route the chat to
    #[arg(long)]
    pub skill: Option<String>,
    /// Seconds the visitor may wait before a chat starts (0–86400; 0 = only if an agent is free)
    #[arg(long, allow_negative_numbers = true, value_name = "SECS")]
    pub max_wait_time: Option<String>,
    /// Visitor's IP address (IPv4 or IPv6)
    #[arg(long)]
    pub visitor_ip: Option<String>,
    /// Page where the chat button was clicked
    #[arg(long)]
    pub chat_referrer: Option<String>,
    /// Visitor's user agent
    #[arg(long)]
    pub user_agent: Option<String>,
    /// visitorId of a previous chat (digits), to link this chat to that visitor
    #[arg(long)]
    pub visitor_id: Option<String>,
    /// A line shown to the agent before the chat starts (repeatable)
    #[arg(long = "pre-chat-line", value_name = "TEXT")]
    pub pre_chat_lines: Vec<String>,
    /// A pre-chat survey answer (repeatable; repeat an id for several check-box answers)
    #[arg(long = "survey", value_name = "QUESTION_ID=ANSWER")]
    pub survey: Vec<String>,
    /// Engagement id (digits)
    #[arg(long)]
    pub engagement_id: Option<String>,
    /// Campaign id (digits)
    #[arg(long)]
    pub campaign_id: Option<String>,
    /// Language of the automatic messages, e.g. en-US
    #[arg(long)]
    pub language: Option<String>,
    /// Participant id (authenticated flow)
    #[arg(long)]
    pub participant_id: Option<String>,
    /// Conversation id (authenticated flow)
    #[arg(long)]
    pub conversation_id: Option<String>,
    /// Idle timeout of the chat in seconds
    #[arg(long, allow_negative_numbers = true, value_name = "SECS")]
    pub interaction_timeout: Option<String>,
    /// LETagVisitorId
    #[arg(long)]
    pub le_visitor_id: Option<String>,
    /// LETagSessionId
    #[arg(long)]
    pub le_session_id: Option<String>,
    /// LETagContextId (digits, sent as a string)
    #[arg(long)]
    pub le_context_id: Option<String>,
}

/// Following a chat after it is created.
#[derive(Debug, Clone, Default, Args)]
#[command(next_help_heading = "Following the chat")]
pub struct WaitArgs {
    /// Follow the chat until this state, print what arrives, then exit
    #[arg(long, value_name = "STATE")]
    pub wait: Option<WaitState>,
    /// Give up waiting after this many seconds (exit 5)
    #[arg(long, allow_negative_numbers = true, value_name = "SECS")]
    pub timeout: Option<f64>,
    /// Seconds between polls (kept well under the chat's idle timeout)
    #[arg(long, allow_negative_numbers = true, value_name = "SECS")]
    pub poll_interval: Option<f64>,
    /// Failed polls in a row before the session is given up (exit 4) [default: 9]
    #[arg(long, allow_negative_numbers = true, value_name = "N")]
    pub poll_retries: Option<u32>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum WaitState {
    Waiting,
    Chatting,
    Ended,
}

#[derive(Debug, Clone, Args)]
pub struct RequestArgs {
    /// Output for scripts: text, or JSON Lines
    #[arg(long, value_name = "FORMAT", default_value = "text")]
    pub output: OutputArg,
    #[command(flatten)]
    pub connection: ConnectionArgs,
    #[command(flatten)]
    pub fields: RequestFields,
    #[command(flatten)]
    pub visitor: VisitorArgs,
    #[command(flatten)]
    pub wait: WaitArgs,
}

/// The visitor's own settings of a chat, beyond the request.
#[derive(Debug, Clone, Default, Args)]
#[command(next_help_heading = "Request fields")]
pub struct VisitorArgs {
    /// The visitor's name, set right after the chat is created, before an agent accepts it
    /// (a refusal is a warning: the chat goes on)
    #[arg(long, value_name = "NAME")]
    pub visitor_name: Option<String>,
}

impl VisitorArgs {
    /// These flags as the start's visitor layer (over the profile's `visitor_name`).
    pub fn spec(&self) -> crate::start::VisitorSpec {
        crate::start::VisitorSpec {
            name: self.visitor_name.clone(),
            transcript_email: None,
        }
    }
}

#[derive(Debug, Clone, Args)]
pub struct AuthArgs {
    /// Output for scripts: text, or JSON Lines
    #[arg(long, value_name = "FORMAT", default_value = "text")]
    pub output: OutputArg,
    #[command(flatten)]
    pub connection: ConnectionArgs,
    #[command(flatten)]
    pub fields: RequestFields,
    /// The SSO key: an OAuth 2.0 code or a JWT from the brand's identity provider
    #[arg(long, env = "CHATSTART_SSO_KEY", hide_env_values = true)]
    pub sso_key: Option<String>,
    /// Authenticated chat connector id (the engagement's connectorId)
    #[arg(long = "auth-conn-id", value_name = "ID")]
    pub auth_conn_id: Option<String>,
    /// OAuth 2.0 redirect URI (code flow)
    #[arg(long)]
    pub redirect_uri: Option<String>,
    /// Only inspect the SSO key (a JWT's issuer, subject, audience, expiry); send nothing
    #[arg(long)]
    pub inspect: bool,
    #[command(flatten)]
    pub visitor: VisitorArgs,
    #[command(flatten)]
    pub wait: WaitArgs,
}

#[derive(Debug, Clone, Args)]
pub struct EndArgs {
    /// Output for scripts: text, or JSON Lines
    #[arg(long, value_name = "FORMAT", default_value = "text")]
    pub output: OutputArg,
    /// The chat-session URI (the Location of the chat request)
    #[arg(required_unless_present = "all_open", conflicts_with = "all_open")]
    pub uri: Option<String>,
    /// End every chat of the history never seen ended (only --profile's, when given)
    #[arg(long)]
    pub all_open: bool,
    /// Do not ask first
    #[arg(long, short)]
    pub yes: bool,
    #[command(flatten)]
    pub connection: ConnectionArgs,
}

#[derive(Debug, Clone, Args)]
pub struct WatchArgs {
    /// Output for scripts: text, or JSON Lines
    #[arg(long, value_name = "FORMAT", default_value = "text")]
    pub output: OutputArg,
    /// The chat-session URI (the Location of the chat request)
    pub uri: String,
    /// Set the visitor's name at the chat's first read: to name a chat whose name could not be
    /// set when it was requested (a refusal is a warning: the chat is followed all the same)
    #[arg(long, value_name = "NAME")]
    pub visitor_name: Option<String>,
    #[command(flatten)]
    pub connection: ConnectionArgs,
    #[command(flatten)]
    pub wait: WaitArgs,
}

#[derive(Debug, Clone, Args)]
pub struct InfoArgs {
    /// Output for scripts: text, or JSON Lines
    #[arg(long, value_name = "FORMAT", default_value = "text")]
    pub output: OutputArg,
    /// The chat-session URI
    pub uri: String,
    #[command(flatten)]
    pub connection: ConnectionArgs,
}

#[derive(Debug, Clone, Args)]
pub struct SendArgs {
    /// Output for scripts: text, or JSON Lines
    #[arg(long, value_name = "FORMAT", default_value = "text")]
    pub output: OutputArg,
    /// The chat-session URI
    pub uri: String,
    /// The line to send (sent as plain text)
    pub text: String,
    #[command(flatten)]
    pub connection: ConnectionArgs,
}

#[derive(Debug, Clone, Args)]
pub struct SurveyArgs {
    /// Output for scripts: text, or JSON Lines
    #[arg(long, value_name = "FORMAT", default_value = "text")]
    pub output: OutputArg,
    #[command(flatten)]
    pub connection: ConnectionArgs,
    /// Skill whose survey to fetch
    #[arg(long)]
    pub skill: Option<String>,
}

#[derive(Debug, Clone, Args)]
pub struct ExitSurveyArgs {
    /// Output for scripts: text, or JSON Lines
    #[arg(long, value_name = "FORMAT", default_value = "text")]
    pub output: OutputArg,
    /// The chat-session URI
    pub uri: String,
    /// Submit the survey with this answer (repeatable; repeat an id for several check-box
    /// answers). A choice's answer is its value text
    #[arg(long = "answer", value_name = "QUESTION_ID=ANSWER")]
    pub answers: Vec<String>,
    #[command(flatten)]
    pub connection: ConnectionArgs,
}

#[derive(Debug, Clone, Args)]
pub struct TranscriptArgs {
    /// Output for scripts: text, or JSON Lines
    #[arg(long, value_name = "FORMAT", default_value = "text")]
    pub output: OutputArg,
    /// The chat-session URI
    pub uri: String,
    /// Where to send the transcript
    #[arg(long, value_name = "ADDR")]
    pub email: String,
    /// The mail's subject (sent only when the chat has a link that takes one)
    #[arg(long, value_name = "TEXT")]
    pub subject: Option<String>,
    /// The GMT offset printed beside the times, −12:00 to +14:00: ±H or ±HH, with :MM when not
    /// whole hours (+5, +05:30, -02:00), Z (or 0) for GMT, or `auto` (any case) for this
    /// machine's zone now
    #[arg(long, allow_hyphen_values = true, value_name = "±HH:MM|auto")]
    pub timezone_offset: Option<String>,
    #[command(flatten)]
    pub connection: ConnectionArgs,
}

#[derive(Debug, Clone, Args)]
pub struct OfflineSurveyArgs {
    /// Output for scripts: text, or JSON Lines
    #[arg(long, value_name = "FORMAT", default_value = "text")]
    pub output: OutputArg,
    /// Submit the survey with this answer (repeatable; repeat an id for several check-box
    /// answers). A choice's answer is its value text
    #[arg(long = "answer", value_name = "QUESTION_ID=ANSWER")]
    pub answers: Vec<String>,
    #[command(flatten)]
    pub connection: ConnectionArgs,
    #[command(flatten)]
    pub fields: RequestFields,
}

#[derive(Debug, Clone, Args)]
pub struct AvailabilityArgs {
    /// Output for scripts: text, or JSON Lines
    #[arg(long, value_name = "FORMAT", default_value = "text")]
    pub output: OutputArg,
    #[command(flatten)]
    pub connection: ConnectionArgs,
    /// Skill to ask about
    #[arg(long)]
    pub skill: Option<String>,
    /// Only count agents who can take a chat within this many seconds
    #[arg(long, allow_negative_numbers = true, value_name = "SECS")]
    pub max_wait_time: Option<String>,
}

#[derive(Debug, Clone, Args)]
pub struct EmulatorArgs {
    /// Port on 127.0.0.1 (0 picks a free one)
    #[arg(long, default_value_t = 8480)]
    pub port: u16,
    /// Scenario file (TOML); default: the shipped demo scenario
    #[arg(long, value_name = "FILE")]
    pub scenario: Option<PathBuf>,
    /// Inject a fault, after the scenario's own (repeatable): KIND@ENDPOINT[,key=value…],
    /// e.g. `503@session,count=2,retry_after=0`, `slow@request,delay_ms=3000`, `drop@request`,
    /// `no-next@session`, `end@visitor-typing,by=idle` (see docs/emulator.md)
    #[arg(long = "fault", value_name = "SPEC", value_parser = crate::emulator::FaultSpec::parse)]
    pub faults: Vec<crate::emulator::FaultSpec>,
}

#[derive(Debug, Clone, Args)]
pub struct TuiArgs {
    #[command(flatten)]
    pub connection: ConnectionArgs,
    #[command(flatten)]
    pub fields: RequestFields,
    #[command(flatten)]
    pub visitor: VisitorArgs,
}
