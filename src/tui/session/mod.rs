//! The session view: a created chat followed through the queue — its state, transcript and
//! lines (`update`, pure), the transcript as people read it (`transcript`), the request as a
//! curl command (`curl`), and its drawing (`view`, with the HTTP `inspector`). The view's state,
//! `SessionView`, lives in `app` next to the other phases.

pub mod curl;
pub mod inspector;
pub mod transcript;
pub mod update;
pub mod view;
