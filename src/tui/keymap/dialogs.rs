//! The keys of the help, the questions and the dialogs (profiles, history, burst, check file,
//! transcript, survey): one part of the one table, [`super::BINDINGS`].

use super::*;

/// Whether the survey dialog's focused question takes text.
fn survey_text_focused(app: &App) -> bool {
    app.survey_dialog
        .as_ref()
        .is_some_and(crate::tui::visitor::SurveyDialog::text_focused)
}

pub(super) static BINDINGS: &[Binding] = &[
    // The help overlay.
    Binding {
        scope: Scope::Help,
        keys: &[key(KeyCode::Esc), ch('?'), ch('q'), ch('n')],
        shown: "Esc",
        action: app!(Dismiss),
        help: "close the help",
        footer: |_| Some("close"),
    },
    Binding {
        scope: Scope::Help,
        keys: &[
            key(KeyCode::Up),
            key(KeyCode::Down),
            key(KeyCode::PageUp),
            key(KeyCode::PageDown),
            key(KeyCode::Home),
            key(KeyCode::End),
        ],
        shown: "↑↓ PgUp PgDn Home End",
        action: Some(|_, code| {
            let rows = match code {
                KeyCode::Up => -1,
                KeyCode::Down => 1,
                KeyCode::PageUp => -10,
                KeyCode::PageDown => 10,
                KeyCode::Home => i16::MIN,
                _ => i16::MAX,
            };
            Some(Intent::App(AppIntent::HelpScroll(rows)))
        }),
        help: "scroll the help (when it is taller than the screen)",
        footer: NOT_IN_FOOTER,
    },
    // Questions and dialogs.
    Binding {
        scope: Scope::QuitQuestion,
        keys: &[ch('e')],
        shown: "e",
        action: app!(ConfirmAlternative),
        help: "end the chat (or the burst's chats), then quit",
        footer: |app| {
            Some(if crate::tui::burst::has_open_chats(app) {
                "end chats & quit"
            } else {
                "end chat & quit"
            })
        },
    },
    Binding {
        scope: Scope::QuitQuestion,
        keys: &[ch('q'), ch('y')],
        shown: "q, y",
        action: app!(Confirm),
        help: "quit and leave it open (the history keeps it)",
        footer: |_| Some("quit, leave it"),
    },
    Binding {
        scope: Scope::QuitQuestion,
        keys: &[key(KeyCode::Esc), ch('n')],
        shown: "Esc, n",
        action: app!(Dismiss),
        help: "stay",
        footer: |_| Some("stay"),
    },
    Binding {
        scope: Scope::QuitWhileSending,
        keys: &[ch('q'), ch('y')],
        shown: "q, y",
        action: app!(Confirm),
        help: "quit anyway (the history keeps the request)",
        footer: |_| Some("quit anyway"),
    },
    Binding {
        scope: Scope::QuitWhileSending,
        keys: &[key(KeyCode::Esc), ch('n')],
        shown: "Esc, n",
        action: app!(Dismiss),
        help: "stay",
        footer: |_| Some("stay"),
    },
    Binding {
        scope: Scope::ResendQuestion,
        keys: &[ch('y')],
        shown: "y",
        action: app!(Confirm),
        help: "send it again",
        footer: |_| Some("send again"),
    },
    Binding {
        scope: Scope::ResendQuestion,
        keys: &[key(KeyCode::Esc), ch('n')],
        shown: "Esc, n",
        action: app!(Dismiss),
        help: "do not send",
        footer: |_| Some("cancel"),
    },
    Binding {
        scope: Scope::SecretPrompt,
        keys: &[key(KeyCode::Enter)],
        shown: "Enter",
        action: app!(Confirm),
        help: "use the secret typed (masked)",
        footer: |_| Some("use it"),
    },
    Binding {
        scope: Scope::SecretPrompt,
        keys: &[key(KeyCode::Esc)],
        shown: "Esc",
        action: app!(Dismiss),
        help: "leave it empty (type it in its field later)",
        footer: |_| Some("leave empty"),
    },
    Binding {
        scope: Scope::SaveProfile,
        keys: &[key(KeyCode::Enter)],
        shown: "Enter",
        action: app!(Confirm),
        help: "save the form under this name",
        footer: |_| Some("save"),
    },
    Binding {
        scope: Scope::SaveProfile,
        keys: &[key(KeyCode::Esc)],
        shown: "Esc",
        action: app!(Dismiss),
        help: "do not save",
        footer: |_| Some("cancel"),
    },
    Binding {
        scope: Scope::OverwriteQuestion,
        keys: &[ch('y')],
        shown: "y",
        action: app!(Confirm),
        help: "replace the profile",
        footer: |_| Some("replace it"),
    },
    Binding {
        scope: Scope::OverwriteQuestion,
        keys: &[key(KeyCode::Esc), ch('n')],
        shown: "Esc, n",
        action: app!(Dismiss),
        help: "keep it",
        footer: |_| Some("cancel"),
    },
    // Esc does not throw a draft away: only `d` does.
    Binding {
        scope: Scope::DraftOffer,
        keys: &[ch('r')],
        shown: "r",
        action: store!(RestoreDraft),
        help: "restore the unsent form (secrets stay as they are now)",
        footer: |_| Some("restore"),
    },
    Binding {
        scope: Scope::DraftOffer,
        keys: &[ch('d')],
        shown: "d",
        action: store!(DiscardDraft),
        help: "discard it and start from this form",
        footer: |_| Some("discard"),
    },
    Binding {
        scope: Scope::Profiles,
        keys: &[key(KeyCode::Up), key(KeyCode::Down)],
        shown: "↑↓",
        action: Some(|_, code| Some(Intent::App(AppIntent::Select(step(code, KeyCode::Up))))),
        help: "choose a profile",
        footer: |_| Some("choose"),
    },
    Binding {
        scope: Scope::Profiles,
        keys: &[key(KeyCode::Enter)],
        shown: "Enter",
        action: app!(Confirm),
        help: "load it into the form (flags still win)",
        footer: |_| Some("load"),
    },
    Binding {
        scope: Scope::Profiles,
        keys: &[key(KeyCode::Esc), ch('n')],
        shown: "Esc",
        action: app!(Dismiss),
        help: "close",
        footer: |_| Some("close"),
    },
    Binding {
        scope: Scope::History,
        keys: &[key(KeyCode::Up), key(KeyCode::Down)],
        shown: "↑↓",
        action: Some(|_, code| Some(Intent::App(AppIntent::Select(step(code, KeyCode::Up))))),
        help: "choose a session (the newest first)",
        footer: |_| Some("choose"),
    },
    Binding {
        scope: Scope::History,
        keys: &[key(KeyCode::Enter), ch('r')],
        shown: "Enter, r",
        action: store!(RerunEntry),
        help: "re-run it: its fields, sent to the form's API",
        footer: |_| Some("re-run"),
    },
    Binding {
        scope: Scope::History,
        keys: &[ch('w')],
        shown: "w",
        action: store!(WatchEntry),
        help: "watch the chat again",
        footer: |_| Some("watch"),
    },
    Binding {
        scope: Scope::History,
        keys: &[ch('x')],
        shown: "x",
        action: store!(EndEntry),
        help: "end the chat",
        footer: |_| Some("end"),
    },
    Binding {
        scope: Scope::History,
        keys: &[ch('s')],
        shown: "s",
        action: store!(SaveEntryEvidence),
        help: "save its evidence for a ticket (HAR, transcript) in ./",
        footer: |_| Some("evidence"),
    },
    Binding {
        scope: Scope::History,
        keys: &[key(KeyCode::Esc), ch('n')],
        shown: "Esc",
        action: app!(Dismiss),
        help: "close",
        footer: |_| Some("close"),
    },
    Binding {
        scope: Scope::BurstSetup,
        keys: &[
            key(KeyCode::Tab),
            key(KeyCode::Down),
            key(KeyCode::BackTab),
            key(KeyCode::Up),
        ],
        shown: "Tab ↓ / Shift+Tab ↑",
        action: Some(|_, code| {
            Some(Intent::Form(match code {
                KeyCode::Tab | KeyCode::Down => FormIntent::FocusNext,
                _ => FormIntent::FocusPrev,
            }))
        }),
        help: "next / previous setting",
        footer: |_| Some("next"),
    },
    Binding {
        scope: Scope::BurstSetup,
        keys: &[ch(' ')],
        shown: "Space",
        action: form!(Choose),
        help: "switch the setting (until which state, end after)",
        footer: |_| Some("switch"),
    },
    Binding {
        scope: Scope::BurstSetup,
        keys: &[key(KeyCode::Left), key(KeyCode::Right)],
        shown: "← →",
        action: Some(|app, _| {
            app.burst_setup
                .focused_input_is_none()
                .then_some(Intent::Form(FormIntent::Cycle(1)))
        }),
        help: "switch the setting",
        footer: NOT_IN_FOOTER,
    },
    Binding {
        scope: Scope::BurstSetup,
        keys: &[key(KeyCode::Enter)],
        shown: "Enter",
        action: app!(Confirm),
        help: "start the burst",
        footer: |_| Some("start"),
    },
    Binding {
        scope: Scope::BurstSetup,
        keys: &[key(KeyCode::Esc)],
        shown: "Esc",
        action: app!(Dismiss),
        help: "cancel",
        footer: |_| Some("cancel"),
    },
    Binding {
        scope: Scope::CheckPath,
        keys: &[key(KeyCode::Enter)],
        shown: "Enter",
        action: app!(Confirm),
        help: "run the check file",
        footer: |_| Some("run"),
    },
    Binding {
        scope: Scope::CheckPath,
        keys: &[key(KeyCode::Esc)],
        shown: "Esc",
        action: app!(Dismiss),
        help: "cancel",
        footer: |_| Some("cancel"),
    },
    // The transcript dialog.
    Binding {
        scope: Scope::TranscriptDialog,
        keys: &[key(KeyCode::Enter), ctrl('s')],
        shown: "Enter, Ctrl+S",
        action: app!(Confirm),
        help: "ask the service to e-mail the transcript",
        footer: |_| Some("send"),
    },
    Binding {
        scope: Scope::TranscriptDialog,
        keys: &[key(KeyCode::Tab), key(KeyCode::BackTab)],
        shown: "Tab",
        action: Some(|_, _| Some(Intent::Visitor(VisitorIntent::Focus(1)))),
        help: "address / subject",
        footer: |_| Some("other field"),
    },
    Binding {
        scope: Scope::TranscriptDialog,
        keys: &[key(KeyCode::Esc)],
        shown: "Esc",
        action: app!(Dismiss),
        help: "cancel",
        footer: |_| Some("cancel"),
    },
    // The survey dialog (exit survey after the end, offline survey from the form).
    Binding {
        scope: Scope::SurveyDialog,
        keys: &[ctrl('s')],
        shown: "Ctrl+S",
        action: Some(|_, _| Some(Intent::Visitor(VisitorIntent::Submit))),
        help: "submit the answers (checked first)",
        footer: |_| Some("submit"),
    },
    Binding {
        scope: Scope::SurveyDialog,
        keys: &[
            key(KeyCode::Tab),
            key(KeyCode::Down),
            key(KeyCode::BackTab),
            key(KeyCode::Up),
        ],
        shown: "Tab, ↓ ↑",
        action: Some(|_, code| {
            let step = if matches!(code, KeyCode::BackTab | KeyCode::Up) {
                -1
            } else {
                1
            };
            Some(Intent::Visitor(VisitorIntent::Focus(step)))
        }),
        help: "next / previous question",
        footer: |_| Some("question"),
    },
    Binding {
        scope: Scope::SurveyDialog,
        keys: &[key(KeyCode::Left), key(KeyCode::Right)],
        shown: "← →",
        action: Some(|app, code| {
            let text = survey_text_focused(app);
            Some(Intent::Visitor(match (text, code) {
                (true, KeyCode::Left) => VisitorIntent::Edit(tui_input::InputRequest::GoToPrevChar),
                (true, _) => VisitorIntent::Edit(tui_input::InputRequest::GoToNextChar),
                (false, code) => VisitorIntent::Cycle(step(code, KeyCode::Left)),
            }))
        }),
        help: "move along the choices (a single choice is picked)",
        footer: |app| (!survey_text_focused(app)).then_some("choice"),
    },
    Binding {
        scope: Scope::SurveyDialog,
        keys: &[ch(' ')],
        shown: "Space",
        action: Some(|app, _| {
            Some(Intent::Visitor(if survey_text_focused(app) {
                VisitorIntent::Edit(tui_input::InputRequest::InsertChar(' '))
            } else {
                VisitorIntent::Choose
            }))
        }),
        help: "pick / unpick a choice (a space in a text answer)",
        footer: |app| (!survey_text_focused(app)).then_some("pick"),
    },
    Binding {
        scope: Scope::SurveyDialog,
        keys: &[key(KeyCode::Enter)],
        shown: "Enter",
        action: Some(|_, _| Some(Intent::Visitor(VisitorIntent::Next))),
        help: "text answer: next question; choice: pick it",
        footer: NOT_IN_FOOTER,
    },
    // Last: the footer keeps a dialog's last key, its way out, however narrow.
    Binding {
        scope: Scope::SurveyDialog,
        keys: &[key(KeyCode::Esc)],
        shown: "Esc",
        action: app!(Dismiss),
        help: "skip the exit survey / close the offline survey",
        footer: |app| {
            Some(match app.survey_dialog.as_ref().map(|d| &d.kind) {
                Some(crate::tui::visitor::SurveyKind::Offline { .. }) => "close",
                _ => "skip",
            })
        },
    },
];
