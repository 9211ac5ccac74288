//! The one keymap: the README's key table is the bindings' table, no two bindings of a scope
//! share a key, and every help row fits an 80-column help box without wrapping.

use crossterm::event::{KeyCode, KeyModifiers};

use super::*;
use crate::tui::keymap::{BINDINGS, help, readme_table};

const README: &str = include_str!("../../../README.md");
const START: &str = "<!-- keys: made from src/tui/keymap/; a test keeps it equal -->\n";
const END: &str = "<!-- /keys -->";

#[test]
fn the_readme_key_table_is_the_keymap() {
    let start = README.find(START).expect("the README marks its key table") + START.len();
    let end = start + README[start..].find(END).expect("the table's end marker");
    let written = &README[start..end];
    assert!(
        written == readme_table(),
        "the README's key table differs from the bindings; put this between the markers:\n{}",
        readme_table()
    );
}

#[test]
fn no_two_bindings_of_a_scope_share_a_key() {
    for (n, binding) in BINDINGS.iter().enumerate() {
        for other in &BINDINGS[n + 1..] {
            if other.scope != binding.scope {
                continue;
            }
            let shared = binding.keys().iter().find(|k| other.keys().contains(k));
            assert!(
                shared.is_none(),
                "{:?}: {} and {} both take {shared:?}",
                binding.scope,
                binding.shown,
                other.shown
            );
        }
    }
}

/// The console on each screen whose keys the help lists.
fn screens() -> Vec<(&'static str, App)> {
    let form = app();
    let mut session = app();
    chatting(&mut session);
    let mut compose = session.clone();
    press(&mut compose, key(KeyCode::Char('i'), KeyModifiers::NONE));
    let mut burst = super::runs::valid_app();
    super::runs::started_burst(&mut burst, 2);
    let mut checks = super::runs::valid_app();
    super::runs::running_checks(&mut checks);
    vec![
        ("form", form),
        ("session", session),
        ("compose", compose),
        ("burst", burst),
        ("checks", checks),
    ]
}

#[test]
fn every_help_row_fits_the_help_box_of_an_80_column_screen() {
    // The box is the screen less two columns each side; a row is ` key ` + ` does`.
    const INNER: usize = 80 - 4 - 2;
    for (name, app) in screens() {
        let rows = help(&app);
        assert!(rows.len() > 3, "{name}: {rows:?}");
        let key_width = rows
            .iter()
            .map(|(k, _)| k.chars().count())
            .max()
            .unwrap_or(0);
        for (keys, does) in rows {
            let width = key_width + 3 + does.chars().count();
            assert!(
                width <= INNER,
                "{name}: {keys} — {does:?} is {width} columns, more than {INNER}"
            );
        }
    }
}
