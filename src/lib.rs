//! chatstart: start LivePerson legacy chats, follow them through the queue, hand on the session URI.
//!
//! Dependencies point one way: `api` ← {`session`, `burst`, `check`} ← `start` ← {`cli`, `tui`};
//! `emulator` stands alone and shares only the models and the format mapping of `xmljson` with the
//! client. `docs/architecture.md` has the picture and the table a test holds the imports to.

pub mod api;
pub mod burst;
pub mod check;
pub mod cli;
pub mod config;
pub mod contain;
pub mod copy;
pub mod emulator;
pub mod export;
pub mod history;
pub mod journal;
pub mod jwt;
pub mod paths;
pub mod plural;
pub mod secret;
pub mod session;
pub mod start;
pub mod terminal_text;
pub mod tui;
pub mod xmljson;
