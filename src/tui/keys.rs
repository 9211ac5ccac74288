//! Keys and mouse to messages: `(event, &App) -> Option<Msg>`, pure. While a text input has the
//! focus printable keys type; commands there are Ctrl-chords, function keys or navigation keys.

use crossterm::event::{
    Event, KeyCode, KeyEvent, KeyEventKind, KeyModifiers, MouseButton, MouseEvent, MouseEventKind,
};
use tui_input::backend::crossterm::to_input_request;

use super::app::{App, Overlay, Phase};
use super::form::Focus;
use super::msg::{Msg, Scroll};

/// One line of the help overlay: the keys and what they do.
pub type HelpEntry = (&'static str, &'static str);

/// Every key of the current screen, for the help overlay.
pub fn help(app: &App) -> Vec<HelpEntry> {
    let mut entries: Vec<HelpEntry> = vec![
        ("F1", "this help (also ? outside a text field)"),
        ("Ctrl+C", "quit (asks first while a chat is live)"),
        (
            "Ctrl+Z",
            "suspend to the shell (fg brings the console back)",
        ),
    ];
    match &app.phase {
        Phase::Editing | Phase::Submitting { .. } => entries.extend([
            ("Ctrl+S", "send the chat request"),
            ("Tab ↓ / Shift+Tab ↑", "next / previous field"),
            ("typing", "edits the field; ← → Home End move in it"),
            ("Ctrl+W Ctrl+U Ctrl+K", "delete word / line / to end"),
            ("Space ← →", "switch a toggle, choose in a choice list"),
            ("Space / Enter", "choose; check or uncheck a check box"),
            ("Enter, Ctrl+N", "pre-chat: add a line below"),
            ("Ctrl+X", "pre-chat: delete the line"),
            ("Alt+↑ / Alt+↓", "pre-chat: move the line up / down"),
            ("Ctrl+E", "edit the pre-chat lines in $EDITOR"),
            ("Ctrl+P", "profiles: load one into the form"),
            ("Ctrl+O", "save the form as a profile (secrets never)"),
            ("Ctrl+R", "history: re-run, watch again or end a session"),
            ("Ctrl+B, F6", "burst: many chats of this request at once"),
            ("Ctrl+T, F7", "run a check file with this connection"),
            ("F5, Ctrl+L", "fetch the survey and availability again"),
            ("Esc", "clear the message"),
            ("mouse", "click a field to focus it; wheel moves"),
        ]),
        Phase::Burst(_) => entries.extend([
            (
                "Esc, q",
                "while it runs: stop (every chat created is ended)",
            ),
            ("e", "when done: end the chats still open"),
            ("Esc", "when done: back to the form (its content kept)"),
            ("q", "when done: quit (asks first while chats are open)"),
        ]),
        Phase::Checks(_) => entries.extend([
            ("↑ ↓", "choose a case"),
            ("Enter", "follow the case's chat (once every case is done)"),
            ("Esc", "back to the form (once every case is done)"),
            ("q", "quit (waits for the running cases)"),
        ]),
        Phase::Session(view) if view.compose.is_some() => entries.extend([
            ("Enter", "send the line (while chatting)"),
            ("Esc", "leave the input"),
            ("PgUp / PgDn", "scroll the transcript"),
        ]),
        Phase::Session(_) => entries.extend([
            ("c", "copy the session URI"),
            ("i, Enter", "write a line (sent while chatting)"),
            ("e", "end the chat"),
            ("n", "new request (the form keeps its content)"),
            ("y", "copy the request as curl (key: $CHATSTART_APP_KEY)"),
            ("r", "show / hide the HTTP inspector"),
            ("[ / ]", "inspector: previous / next exchange"),
            ("{ / }", "inspector: scroll the exchange up / down"),
            (
                "Tab",
                "inspector: give it ↑↓ PgUp PgDn Home End (again: back)",
            ),
            (
                "PgUp PgDn ↑ ↓",
                "scroll the transcript (wheel: the pane under it)",
            ),
            ("Home / End", "oldest line / follow the newest"),
            ("Esc", "clear the message"),
            ("q", "quit (asks first while a chat is live)"),
        ]),
    }
    entries
}

/// Columns from which the form's footer also shows the burst and check keys.
const WIDE_FOOTER: u16 = 112;

/// The few keys that matter now, for the footer.
pub fn footer(app: &App) -> Vec<HelpEntry> {
    if let Some(overlay) = &app.overlay {
        return match overlay {
            Overlay::Help => vec![("Esc", "close")],
            Overlay::SecretPrompt(_) => vec![("Enter", "use it"), ("Esc", "leave empty")],
            Overlay::SaveProfile => vec![("Enter", "save"), ("Esc", "cancel")],
            Overlay::RestoreDraft => vec![("r", "restore"), ("d", "discard")],
            Overlay::Profiles { .. } => {
                vec![("↑↓", "choose"), ("Enter", "load"), ("Esc", "close")]
            }
            Overlay::ConfirmOverwrite(_) => vec![("y", "replace it"), ("Esc", "cancel")],
            Overlay::History { .. } => vec![
                ("↑↓", "choose"),
                ("Enter", "re-run"),
                ("w", "watch"),
                ("x", "end"),
                ("Esc", "close"),
            ],
            // The keys of the question on screen: nothing to end while the request is on its way.
            Overlay::ConfirmQuit if matches!(app.phase, Phase::Submitting { .. }) => {
                vec![("q", "quit anyway"), ("Esc", "stay")]
            }
            Overlay::ConfirmQuit => {
                vec![
                    ("e", "end chat & quit"),
                    ("q", "quit, leave it"),
                    ("Esc", "stay"),
                ]
            }
            Overlay::ConfirmResubmit => vec![("y", "send again"), ("Esc", "cancel")],
            Overlay::BurstSetup => vec![
                ("Tab", "next"),
                ("Space", "switch"),
                ("Enter", "start"),
                ("Esc", "cancel"),
            ],
            Overlay::CheckPath { .. } => vec![("Enter", "run"), ("Esc", "cancel")],
        };
    }
    let mut keys = screen_keys(app);
    keys.extend(ALWAYS_SHOWN);
    keys
}

/// The keys every screen's footer ends with, whatever its width: they work everywhere.
const ALWAYS_SHOWN: [HelpEntry; 2] = [("F1", "help"), ("Ctrl+C", "quit")];

/// Columns one footer entry takes, as the footer draws it (` key ` then ` what  `).
pub fn footer_entry_width((key, what): &HelpEntry) -> usize {
    use ratatui::text::Span;
    Span::raw(*key).width() + Span::raw(*what).width() + 5
}

/// The footer for a screen `width` columns wide: the keys that fit, dropped from the least
/// important (the last of the screen's own) — never help and quit on a screen, nor the way out
/// (the last key) of an overlay.
pub fn footer_fitted(app: &App, width: u16) -> Vec<HelpEntry> {
    let mut keys = footer(app);
    let kept = if app.overlay.is_some() {
        1
    } else {
        ALWAYS_SHOWN.len()
    };
    let kept = keys.split_off(keys.len().saturating_sub(kept));
    let mut room =
        usize::from(width).saturating_sub(kept.iter().map(footer_entry_width).sum::<usize>());
    // The most important first; one that does not fit leaves room for a shorter one after it.
    keys.retain(|entry| {
        let fits = footer_entry_width(entry) <= room;
        if fits {
            room -= footer_entry_width(entry);
        }
        fits
    });
    keys.extend(kept);
    keys
}

/// The keys of the screen itself, most important first (help and quit come after them).
fn screen_keys(app: &App) -> Vec<HelpEntry> {
    match &app.phase {
        // Burst and checks only where they fit; F1 lists them everywhere.
        Phase::Editing if app.size.0 >= WIDE_FOOTER => vec![
            ("Ctrl+S", "send"),
            ("Ctrl+B", "burst"),
            ("Ctrl+T", "checks"),
            ("Ctrl+P", "profiles"),
            ("Ctrl+R", "history"),
        ],
        Phase::Editing => vec![
            ("Ctrl+S", "send"),
            ("Ctrl+P", "profiles"),
            ("Ctrl+R", "history"),
        ],
        Phase::Burst(view) if view.is_running() && !view.stopping => {
            vec![("Esc", "stop & end chats")]
        }
        Phase::Burst(view) if view.is_running() => Vec::new(),
        Phase::Burst(_) => vec![("e", "end open chats"), ("Esc", "back to the form")],
        Phase::Checks(view) if view.is_running() => vec![("↑↓", "choose")],
        Phase::Checks(_) => vec![
            ("↑↓", "choose"),
            ("Enter", "open its chat"),
            ("Esc", "back to the form"),
        ],
        Phase::Submitting { .. } => Vec::new(),
        Phase::Session(view) if view.compose.is_some() => {
            vec![("Enter", "send"), ("Esc", "leave"), ("PgUp/PgDn", "scroll")]
        }
        Phase::Session(view) if view.inspector => vec![
            ("r", "close"),
            ("[ ]", "exchange"),
            ("{ }", "scroll"),
            (
                "Tab",
                if view.inspector_focus {
                    "transcript"
                } else {
                    "focus"
                },
            ),
        ],
        // Lines are sent only while chatting: `i` shows from then on.
        Phase::Session(view) if view.is_chatting() => vec![
            ("c", "copy URI"),
            ("i", "write"),
            ("e", "end"),
            ("r", "inspector"),
            ("n", "new"),
        ],
        Phase::Session(view) if view.is_live() => vec![
            ("c", "copy URI"),
            ("e", "end"),
            ("r", "inspector"),
            ("n", "new"),
        ],
        Phase::Session(_) if app.return_to.is_some() => vec![
            ("c", "copy URI"),
            ("n", "back to the checks"),
            ("r", "inspector"),
        ],
        Phase::Session(_) => vec![("c", "copy URI"), ("n", "new request"), ("r", "inspector")],
    }
}

/// The message for a terminal event, if any.
pub fn message(event: &Event, app: &App) -> Option<Msg> {
    match event {
        Event::Key(key) if key.kind != KeyEventKind::Release => key_message(key, event, app),
        Event::Mouse(mouse) => mouse_message(mouse, app),
        Event::Resize(width, height) => Some(Msg::Resize(*width, *height)),
        Event::Paste(text) => Some(Msg::Paste(text.clone())),
        _ => None,
    }
}

fn key_message(key: &KeyEvent, event: &Event, app: &App) -> Option<Msg> {
    let ctrl = key.modifiers.contains(KeyModifiers::CONTROL);
    let alt = key.modifiers.contains(KeyModifiers::ALT);
    // Keys that work everywhere.
    match key.code {
        KeyCode::Char('c') if ctrl => return Some(Msg::Quit),
        KeyCode::Char('z') if ctrl => return Some(Msg::Suspend),
        KeyCode::F(1) => return Some(Msg::Help),
        _ => {}
    }
    if let Some(overlay) = &app.overlay {
        return match (overlay, key.code) {
            (Overlay::SecretPrompt(_) | Overlay::SaveProfile, KeyCode::Enter) => Some(Msg::Confirm),
            (Overlay::SecretPrompt(_) | Overlay::SaveProfile, KeyCode::Esc) => Some(Msg::Dismiss),
            (Overlay::SecretPrompt(_) | Overlay::SaveProfile, _) => {
                to_input_request(event).map(Msg::DialogEdit)
            }
            (Overlay::BurstSetup, KeyCode::Enter) => Some(Msg::Confirm),
            (Overlay::BurstSetup, KeyCode::Esc) => Some(Msg::Dismiss),
            (Overlay::BurstSetup, KeyCode::Tab | KeyCode::Down) => Some(Msg::FocusNext),
            (Overlay::BurstSetup, KeyCode::BackTab | KeyCode::Up) => Some(Msg::FocusPrev),
            (Overlay::BurstSetup, KeyCode::Char(' ')) => Some(Msg::Choose),
            (Overlay::BurstSetup, KeyCode::Left | KeyCode::Right)
                if app.burst_setup.focused_input_is_none() =>
            {
                Some(Msg::Cycle(1))
            }
            (Overlay::BurstSetup, _) => to_input_request(event).map(Msg::DialogEdit),
            (Overlay::CheckPath { .. }, KeyCode::Enter) => Some(Msg::Confirm),
            (Overlay::CheckPath { .. }, KeyCode::Esc) => Some(Msg::Dismiss),
            (Overlay::CheckPath { .. }, _) => to_input_request(event).map(Msg::DialogEdit),
            // Esc does not throw a draft away: only `d` does.
            (Overlay::RestoreDraft, KeyCode::Char('r')) => Some(Msg::RestoreDraft),
            (Overlay::RestoreDraft, KeyCode::Char('d')) => Some(Msg::DiscardDraft),
            (Overlay::RestoreDraft, _) => None,
            (Overlay::Profiles { .. } | Overlay::History { .. }, KeyCode::Up) => {
                Some(Msg::Select(-1))
            }
            (Overlay::Profiles { .. } | Overlay::History { .. }, KeyCode::Down) => {
                Some(Msg::Select(1))
            }
            (Overlay::Profiles { .. }, KeyCode::Enter) => Some(Msg::Confirm),
            (Overlay::History { .. }, KeyCode::Enter | KeyCode::Char('r')) => Some(Msg::RerunEntry),
            (Overlay::History { .. }, KeyCode::Char('w')) => Some(Msg::WatchEntry),
            (Overlay::History { .. }, KeyCode::Char('x')) => Some(Msg::EndEntry),
            (Overlay::ConfirmOverwrite(_), KeyCode::Char('y')) => Some(Msg::Confirm),
            (_, KeyCode::Esc) => Some(Msg::Dismiss),
            (Overlay::Help, KeyCode::Char('?' | 'q')) => Some(Msg::Dismiss),
            (Overlay::Help, KeyCode::Down) => Some(Msg::HelpScroll(1)),
            (Overlay::Help, KeyCode::Up) => Some(Msg::HelpScroll(-1)),
            (Overlay::Help, KeyCode::PageDown) => Some(Msg::HelpScroll(10)),
            (Overlay::Help, KeyCode::PageUp) => Some(Msg::HelpScroll(-10)),
            (Overlay::Help, KeyCode::Home) => Some(Msg::HelpScroll(i16::MIN)),
            (Overlay::Help, KeyCode::End) => Some(Msg::HelpScroll(i16::MAX)),
            (Overlay::ConfirmQuit, KeyCode::Char('e')) => Some(Msg::ConfirmAlternative),
            (Overlay::ConfirmQuit, KeyCode::Char('q' | 'y')) => Some(Msg::Confirm),
            (Overlay::ConfirmResubmit, KeyCode::Char('y')) => Some(Msg::Confirm),
            (_, KeyCode::Char('n')) => Some(Msg::Dismiss),
            _ => None,
        };
    }
    if key.code == KeyCode::Char('s') && ctrl {
        return Some(Msg::Submit);
    }
    match &app.phase {
        Phase::Editing | Phase::Submitting { .. } => form_key(key, event, app, ctrl, alt),
        Phase::Burst(view) => {
            if ctrl || alt {
                return None;
            }
            match (key.code, view.is_running()) {
                (KeyCode::Esc | KeyCode::Char('q'), true) => Some(Msg::StopBurst),
                (KeyCode::Esc, false) => Some(Msg::NewRequest),
                (KeyCode::Char('q'), false) => Some(Msg::Quit),
                (KeyCode::Char('e'), _) => Some(Msg::EndBurstChats),
                (KeyCode::Char('?'), _) => Some(Msg::Help),
                _ => None,
            }
        }
        Phase::Checks(_) => {
            if ctrl || alt {
                return None;
            }
            match key.code {
                KeyCode::Up => Some(Msg::Select(-1)),
                KeyCode::Down => Some(Msg::Select(1)),
                KeyCode::Home => Some(Msg::Scroll(Scroll::Top)),
                KeyCode::End => Some(Msg::Scroll(Scroll::Bottom)),
                KeyCode::Enter => Some(Msg::OpenCase),
                KeyCode::Esc => Some(Msg::NewRequest),
                KeyCode::Char('q') => Some(Msg::Quit),
                KeyCode::Char('?') => Some(Msg::Help),
                _ => None,
            }
        }
        Phase::Session(view) => {
            let page = app.size.1.saturating_sub(12).max(3);
            // With the inspector focused the arrow and page keys scroll its detail.
            let inspector = view.inspector && view.inspector_focus && view.compose.is_none();
            let scroll = |scroll| {
                if inspector {
                    Msg::InspectorScroll(scroll)
                } else {
                    Msg::Scroll(scroll)
                }
            };
            match key.code {
                KeyCode::PageUp => return Some(scroll(Scroll::Up(page))),
                KeyCode::PageDown => return Some(scroll(Scroll::Down(page))),
                _ => {}
            }
            if view.compose.is_some() {
                return match key.code {
                    KeyCode::Esc => Some(Msg::Dismiss),
                    KeyCode::Enter => Some(Msg::ComposeSend),
                    _ => to_input_request(event).map(Msg::ComposeEdit),
                };
            }
            if ctrl || alt {
                return None;
            }
            match key.code {
                KeyCode::Char('c') => Some(Msg::CopyUri),
                KeyCode::Char('y') => Some(Msg::CopyCurl),
                KeyCode::Char('i') | KeyCode::Enter => Some(Msg::Compose),
                KeyCode::Char('e') => Some(Msg::EndChat),
                KeyCode::Char('n') => Some(Msg::NewRequest),
                KeyCode::Char('r') => Some(Msg::ToggleInspector),
                KeyCode::Char('q') => Some(Msg::Quit),
                KeyCode::Char('?') => Some(Msg::Help),
                KeyCode::Char('[') => Some(Msg::InspectorSelect(-1)),
                KeyCode::Char(']') => Some(Msg::InspectorSelect(1)),
                KeyCode::Char('{') => Some(Msg::InspectorScroll(Scroll::Up(page / 2))),
                KeyCode::Char('}') => Some(Msg::InspectorScroll(Scroll::Down(page / 2))),
                KeyCode::Tab | KeyCode::BackTab if view.inspector => Some(Msg::InspectorFocus),
                KeyCode::Up => Some(scroll(Scroll::Up(1))),
                KeyCode::Down => Some(scroll(Scroll::Down(1))),
                KeyCode::Home => Some(scroll(Scroll::Top)),
                KeyCode::End => Some(scroll(Scroll::Bottom)),
                KeyCode::Esc => Some(Msg::Dismiss),
                _ => None,
            }
        }
    }
}

fn form_key(key: &KeyEvent, event: &Event, app: &App, ctrl: bool, alt: bool) -> Option<Msg> {
    let on_pre_chat = matches!(app.form.focus, Focus::PreChat(_));
    match key.code {
        KeyCode::Tab => return Some(Msg::FocusNext),
        KeyCode::BackTab => return Some(Msg::FocusPrev),
        KeyCode::Up if alt && on_pre_chat => return Some(Msg::MovePreChatLine(-1)),
        KeyCode::Down if alt && on_pre_chat => return Some(Msg::MovePreChatLine(1)),
        KeyCode::Up => return Some(Msg::FocusPrev),
        KeyCode::Down => return Some(Msg::FocusNext),
        KeyCode::F(5) => return Some(Msg::RefreshLookup),
        KeyCode::Esc => return Some(Msg::Dismiss),
        KeyCode::Char('e') if ctrl => return Some(Msg::OpenEditor),
        KeyCode::Char('p') if ctrl => return Some(Msg::OpenProfiles),
        KeyCode::Char('o') if ctrl => return Some(Msg::SaveAsProfile),
        KeyCode::Char('r') if ctrl => return Some(Msg::OpenHistory),
        // Ctrl+K stays "delete to the end" in text fields; F6/F7 also work inside tmux, whose
        // prefix is Ctrl+B.
        KeyCode::Char('b') if ctrl => return Some(Msg::OpenBurst),
        KeyCode::F(6) => return Some(Msg::OpenBurst),
        KeyCode::Char('t') if ctrl => return Some(Msg::OpenChecks),
        KeyCode::F(7) => return Some(Msg::OpenChecks),
        KeyCode::Char('l') if ctrl => return Some(Msg::RefreshLookup),
        KeyCode::Char('n') if ctrl => return Some(Msg::AddPreChatLine),
        KeyCode::Char('x') if ctrl && on_pre_chat => return Some(Msg::DeletePreChatLine),
        KeyCode::Enter if on_pre_chat => return Some(Msg::AddPreChatLine),
        _ => {}
    }
    if matches!(app.phase, Phase::Submitting { .. }) {
        // The form stays on screen but is not edited while the request is on its way.
        return None;
    }
    if app.form.focus_is_text() {
        return match key.code {
            KeyCode::Enter => Some(Msg::FocusNext),
            _ => to_input_request(event).map(Msg::Edit),
        };
    }
    if ctrl || alt {
        return None;
    }
    match key.code {
        KeyCode::Char(' ') | KeyCode::Enter => Some(Msg::Choose),
        KeyCode::Left => Some(Msg::Cycle(-1)),
        KeyCode::Right => Some(Msg::Cycle(1)),
        // No `q` here: on the form a stray letter must not quit (Ctrl+C does, from anywhere).
        KeyCode::Char('?') => Some(Msg::Help),
        _ => None,
    }
}

fn mouse_message(mouse: &MouseEvent, app: &App) -> Option<Msg> {
    if app.overlay.is_some() {
        return None;
    }
    match (&app.phase, mouse.kind) {
        (Phase::Session(view), MouseEventKind::ScrollUp | MouseEventKind::ScrollDown) => {
            let scroll = if mouse.kind == MouseEventKind::ScrollUp {
                Scroll::Up(3)
            } else {
                Scroll::Down(3)
            };
            // The wheel scrolls the pane under the pointer.
            let over_inspector = super::view::session::screen_layout(app, view)
                .inspector
                .is_some_and(|area| {
                    area.contains(ratatui::layout::Position::new(mouse.column, mouse.row))
                });
            Some(if over_inspector {
                Msg::InspectorScroll(scroll)
            } else {
                Msg::Scroll(scroll)
            })
        }
        (Phase::Editing, MouseEventKind::ScrollUp) => Some(Msg::FocusPrev),
        (Phase::Editing, MouseEventKind::ScrollDown) => Some(Msg::FocusNext),
        (Phase::Editing, MouseEventKind::Down(MouseButton::Left)) => {
            super::view::form::hit_test(app, mouse.column, mouse.row).map(Msg::FocusOn)
        }
        _ => None,
    }
}
