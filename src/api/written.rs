//! Ids as people write them in a TOML file: `account = 12345678` means the text "12345678", as
//! `account = "12345678"` does. Text and whole numbers are taken; anything else is refused with
//! what to write.

use std::fmt;

use serde::Deserializer;
use serde::de::{self, Visitor};

struct TextOrWhole;

impl Visitor<'_> for TextOrWhole {
    type Value = String;

    fn expecting(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str("text in quotes or a whole number")
    }

    fn visit_str<E: de::Error>(self, value: &str) -> Result<String, E> {
        Ok(value.to_string())
    }

    fn visit_string<E: de::Error>(self, value: String) -> Result<String, E> {
        Ok(value)
    }

    fn visit_i64<E: de::Error>(self, value: i64) -> Result<String, E> {
        Ok(value.to_string())
    }

    fn visit_u64<E: de::Error>(self, value: u64) -> Result<String, E> {
        Ok(value.to_string())
    }
}

/// A text, or a whole number taken as its digits.
pub fn text<'de, D: Deserializer<'de>>(deserializer: D) -> Result<String, D::Error> {
    deserializer.deserialize_any(TextOrWhole)
}

/// [`text`] for an optional key.
pub fn optional_text<'de, D: Deserializer<'de>>(
    deserializer: D,
) -> Result<Option<String>, D::Error> {
    text(deserializer).map(Some)
}

/// A TOML error in one line, as a person reads it: `line 8, column 16: invalid basic string`.
/// toml's own text draws the line with a caret below it over several lines, which a status line
/// or a JSON message folds into noise.
pub fn toml_error(error: &toml::de::Error, text: &str) -> String {
    let message = error.message().trim();
    let Some(span) = error.span() else {
        return message.to_string();
    };
    let start = span.start.min(text.len());
    let before = &text[..start];
    let line = before.matches('\n').count() + 1;
    let column = before.chars().rev().take_while(|c| *c != '\n').count() + 1;
    format!("line {line}, column {column}: {message}")
}

#[cfg(test)]
mod tests {
    #[derive(Debug, serde::Deserialize)]
    struct Ids {
        #[serde(deserialize_with = "super::text")]
        id: String,
        #[serde(default, deserialize_with = "super::optional_text")]
        other: Option<String>,
    }

    #[test]
    fn whole_numbers_read_as_their_digits_and_other_types_are_refused() {
        let ids: Ids = toml::from_str("id = 12345678\nother = \"0042\"\n").unwrap();
        assert_eq!(
            (ids.id.as_str(), ids.other.as_deref()),
            ("12345678", Some("0042"))
        );
        let none: Ids = toml::from_str("id = \"7\"\n").unwrap();
        assert_eq!(none.other, None);
        let float = toml::from_str::<Ids>("id = 1.5\n").unwrap_err().to_string();
        assert!(
            float.contains("text in quotes or a whole number"),
            "{float}"
        );
    }
}
