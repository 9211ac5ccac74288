//! The integration tests, one binary: each file here was a test binary of its own, and each of
//! those linked the whole crate again. `support` is what they share: the in-process emulator, the
//! real binary run in a private home, and the real binary in a pseudo-terminal.
//!
//! A test that needs its process to itself (a global allocator, the process's environment) is a
//! binary of its own beside this directory, and says why at its top.

mod support;

mod api;
mod api_doc;
mod bad_input;
mod burst;
mod check;
mod cli;
mod contained_panics;
mod contract_quirks;
mod emulator_http;
mod explained;
mod faults;
mod hints;
mod interruptions;
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
mod words;
