//! The integration tests, one binary: each file here was a test binary of its own, and each of
//! those linked the whole crate again. `support` is what they share: the in-process emulator, the
//! real binary run in a private home, and the real binary in a pseudo-terminal.
//!
//! A test that needs the process to itself is not a module here: one that counts the process's
//! heap with a global allocator is a binary of its own beside this directory (`tests/soak.rs`,
//! which says why at its top); one that needs a variable in its process's environment runs in a
//! child process of this binary (`support::in_own_process`), never with `set_var`.

mod support;

mod api;
mod api_doc;
mod architecture;
mod bad_input;
mod burst;
mod check;
mod cli;
mod contained_panics;
mod contract_quirks;
mod emulator_http;
mod emulator_visitor;
mod explained;
mod faults;
mod hints;
mod interruptions;
mod journal;
mod json_lines;
mod key_scope;
mod models;
mod profiles;
mod properties;
mod tui_input;
mod tui_loop;
mod tui_persist;
mod tui_pty;
mod tui_runs;
mod tui_terminal;
mod tui_terminal_input;
mod tui_tmux;
mod unknown_skill;
mod visitor_api;
mod visitor_check;
mod visitor_cli;
mod words;
