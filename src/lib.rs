//! chatstart: start LivePerson legacy chats, follow them through the queue, hand on the session URI.
//!
//! Dependencies point one way: `api` ← `session` ← {`tui`, `cli`}; `emulator` stands alone and
//! shares only the format mapping of `xmljson` with the client.

pub mod api;
pub mod burst;
pub mod check;
pub mod cli;
pub mod config;
pub mod contain;
pub mod copy;
pub mod emulator;
pub mod history;
pub mod jwt;
pub mod paths;
pub mod plural;
pub mod secret;
pub mod session;
pub mod start;
pub mod terminal_text;
pub mod tui;
pub mod xmljson;
