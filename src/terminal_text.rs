//! Text for a terminal: what a server or a file says is made safe before it is written, and
//! lines to stderr never panic (after a hang-up it may be a terminal that is gone). Shared by
//! the command line and by what the console says once it has given the terminal back.

use std::io::Write;

/// `text` fit for a terminal: control characters other than newline and tab are written as
/// `\u{1b}` escapes. Lines, names and error messages come from the server; printed as they are,
/// an escape sequence in them could retitle the terminal, recolour it or (OSC 52) write the
/// user's clipboard. JSON output needs nothing: serde_json escapes them.
pub fn terminal_safe(text: &str) -> std::borrow::Cow<'_, str> {
    escaped(text, |c| {
        c.is_control() && c != '\n' && c != '\t' || is_bidi_control(c) || is_invisible_format(c)
    })
}

/// `text` with each character `unsafe_char` picks written as its `\u{..}` escape; borrowed
/// when there is none.
pub fn escaped(text: &str, unsafe_char: impl Fn(char) -> bool) -> std::borrow::Cow<'_, str> {
    if !text.contains(&unsafe_char) {
        return text.into();
    }
    text.chars()
        .map(|c| {
            if unsafe_char(c) {
                c.escape_unicode().to_string()
            } else {
                c.to_string()
            }
        })
        .collect::<String>()
        .into()
}

/// The invisible characters that reorder the text around them (embeddings, overrides,
/// isolates, marks): a name from the server holding one could show a URI or a verdict other
/// than the one written ("Trojan Source"). Escaped like control characters.
pub fn is_bidi_control(c: char) -> bool {
    matches!(
        c,
        '\u{061c}' | '\u{200e}' | '\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}'
    )
}

/// The invisible format characters that are not there to join letters: a zero-width space,
/// the word joiner and invisible operators, a byte-order mark, the soft hyphen, the Mongolian
/// vowel separator, interlinear annotation marks and the deprecated format controls. A subject or
/// a name holding one prints like one without it, so two different values look the same; they
/// are escaped like bidi controls. The zero-width joiner and non-joiner are kept: scripts such as
/// Persian and Devanagari, and emoji sequences, need them to show right.
pub fn is_invisible_format(c: char) -> bool {
    matches!(
        c,
        '\u{00ad}'
            | '\u{180e}'
            | '\u{200b}'
            | '\u{2060}'..='\u{2064}'
            | '\u{206a}'..='\u{206f}'
            | '\u{feff}'
            | '\u{fff9}'..='\u{fffb}'
    )
}

/// `text` cut to `max` characters, with `…` where it was cut: a value the user typed (a 5,000
/// character skill) quoted in a message must not push everything else off the screen.
pub fn clipped(text: &str, max: usize) -> std::borrow::Cow<'_, str> {
    match text.char_indices().nth(max) {
        None => text.into(),
        Some((at, _)) => format!("{}…", &text[..at]).into(),
    }
}

/// Writes a line on stderr (a diagnostic, a warning, an error), made safe for the terminal.
pub fn note(line: impl std::fmt::Display) {
    let _ = writeln!(
        std::io::stderr().lock(),
        "{}",
        terminal_safe(&line.to_string())
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn invisible_format_characters_are_escaped_and_joiners_kept() {
        assert_eq!(
            terminal_safe("Our\u{200b}chat\u{feff}\u{2060}"),
            "Our\\u{200b}chat\\u{feff}\\u{2060}"
        );
        assert_eq!(terminal_safe("soft\u{ad}hyphen"), "soft\\u{ad}hyphen");
        // Joiners shape scripts and emoji: left as they are.
        for kept in ["می\u{200c}خواهم", "👩\u{200d}💻", "Zoë 東京"] {
            assert_eq!(terminal_safe(kept), kept);
        }
    }

    #[test]
    fn long_text_is_clipped_on_a_character_with_a_mark_and_short_text_kept() {
        assert_eq!(clipped("Sales", 40), "Sales");
        assert_eq!(
            clipped(&"S".repeat(5000), 40),
            format!("{}…", "S".repeat(40))
        );
        assert_eq!(clipped("ééééé", 3), "ééé…");
    }
}
