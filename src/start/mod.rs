//! The start layer: what both front ends start a chat from, in plain values that know nothing
//! of clap or ratatui. The command line turns its flags into a [`StartSpec`], the console its
//! form; both add the layers up with [`layer`] (flags over a history record over a profile over
//! defaults), build the chat request and the client configuration here, start the log here,
//! and plan check runs here. Input that cannot be used is an [`InputError`], typed, so each
//! front end words it its own way.
//!
//! Depends on `api`, `config`, `history`, `check` and `session`; never on `cli` or `tui`.

pub mod auth;
pub mod checks;
pub mod connection;
pub mod error;
pub mod layer;
pub mod log;
pub mod request;
pub mod visitor;

pub use auth::AuthSpec;
pub use connection::ConnectionSpec;
pub use error::{ConnectionKey, InputError};
pub use layer::{StartSpec, layer};
pub use request::RequestSpec;
pub use visitor::VisitorSpec;

/// How the console was asked to start: its own layer (flags and their environment variables),
/// the profile asked for, the config file and the log file. The command line builds it; the
/// console reads nothing else of the command line.
#[derive(Debug, Clone, Default)]
pub struct Launch {
    pub flags: StartSpec,
    /// A problem with the flags the console shows instead of failing (e.g. a bad `--survey`).
    pub flag_problems: Vec<String>,
    pub profile: Option<String>,
    pub config: Option<std::path::PathBuf>,
    pub log_file: Option<std::path::PathBuf>,
    /// Whether nothing says where to connect (no endpoint, account or appKey): the console
    /// then runs on its embedded emulator.
    pub unconfigured: bool,
    /// `--no-journal`: the console keeps no session journal.
    pub no_journal: bool,
}
