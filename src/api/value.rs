//! Tolerant readers over the service's JSON mapping (spec §3.1, quirks Q1–Q3).
//!
//! Every list may arrive as an array, a bare object or not at all; every scalar as a string, a
//! number, a boolean or `{"$": text}`; attributes with or without their `@`. These helpers accept
//! all of them so the model code can read each field once, whatever shape it came in.

use serde_json::Value;

/// The field `name` of an object, looked up as `@name` first and then `name` (links, ids and
/// types are written both ways in the documentation).
pub fn field<'a>(object: &'a Value, name: &str) -> Option<&'a Value> {
    let map = object.as_object()?;
    // `@name` is spelled on the stack: this runs for every field of every answer, and a heap
    // string per lookup was a tenth of a burst's client CPU.
    let mut spelled = [0u8; 32];
    let attribute = match spelled.get_mut(1..=name.len()) {
        Some(rest) => {
            rest.copy_from_slice(name.as_bytes());
            spelled[0] = b'@';
            map.get(std::str::from_utf8(&spelled[..=name.len()]).unwrap_or_default())
        }
        None => map.get(&format!("@{name}")),
    };
    attribute.or_else(|| map.get(name))
}

/// A scalar as text: strings as they are, numbers and booleans printed, `{"$": …}` unwrapped.
pub fn text(value: &Value) -> Option<String> {
    match value {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        Value::Object(map) => map.get("$").and_then(text),
        Value::Null | Value::Array(_) => None,
    }
}

/// The text of field `name`, if present and scalar.
pub fn text_field(object: &Value, name: &str) -> Option<String> {
    field(object, name).and_then(text)
}

/// An integer field, from a number or a numeric string (surrounding spaces allowed).
pub fn int_field(object: &Value, name: &str) -> Option<i64> {
    match field(object, name)? {
        Value::Number(n) => n
            .as_i64()
            .or_else(|| n.as_f64().filter(|f| f.fract() == 0.0).map(|f| f as i64)),
        other => text(other)?.trim().parse().ok(),
    }
}

/// A boolean field, from `true`/`false` or their strings (any case).
pub fn bool_field(object: &Value, name: &str) -> Option<bool> {
    match field(object, name)? {
        Value::Bool(b) => Some(*b),
        other => parse_bool(&text(other)?),
    }
}

/// `"true"`/`"false"` in any case, with spaces trimmed.
pub fn parse_bool(text: &str) -> Option<bool> {
    match text.trim().to_ascii_lowercase().as_str() {
        "true" => Some(true),
        "false" => Some(false),
        _ => None,
    }
}

/// A list that may be an array, a single element, or absent (Q1).
pub fn list(value: Option<&Value>) -> Vec<&Value> {
    match value {
        None | Some(Value::Null) => Vec::new(),
        Some(Value::Array(items)) => items.iter().collect(),
        Some(single) => vec![single],
    }
}

/// The list held by field `name` of an object.
pub fn list_field<'a>(object: &'a Value, name: &str) -> Vec<&'a Value> {
    list(field(object, name))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn fields_are_found_with_or_without_at() {
        assert_eq!(
            text_field(&json!({"@href": "a"}), "href").as_deref(),
            Some("a")
        );
        assert_eq!(
            text_field(&json!({"href": "b"}), "href").as_deref(),
            Some("b")
        );
        assert_eq!(text_field(&json!({"href": "b"}), "rel"), None);
        let both = json!({"href": "plain", "@href": "attribute"});
        assert_eq!(text_field(&both, "href").as_deref(), Some("attribute"));
        // Names too long for the stack spelling take the heap path, with the same answers.
        let long = "a-field-name-longer-than-thirty-one-bytes";
        let doc = json!({ format!("@{long}"): "attribute", "x": 1 });
        assert_eq!(text_field(&doc, long).as_deref(), Some("attribute"));
        assert_eq!(
            text_field(&json!({ long: "plain" }), long).as_deref(),
            Some("plain")
        );
    }

    #[test]
    fn scalars_are_read_from_every_shape() {
        let doc =
            json!({"a": "4", "b": 4, "c": {"$": "4", "@x": "y"}, "d": " 4 ", "e": 4.0, "f": "x"});
        for key in ["a", "b", "c", "d", "e"] {
            assert_eq!(int_field(&doc, key), Some(4), "{key}");
        }
        assert_eq!(int_field(&doc, "f"), None);
        let flags = json!({"a": "true", "b": true, "c": "FALSE", "d": "yes"});
        assert_eq!(bool_field(&flags, "a"), Some(true));
        assert_eq!(bool_field(&flags, "b"), Some(true));
        assert_eq!(bool_field(&flags, "c"), Some(false));
        assert_eq!(bool_field(&flags, "d"), None);
    }

    #[test]
    fn lists_come_as_arrays_objects_or_nothing() {
        let doc = json!({"many": [1, 2], "one": {"x": 1}, "none": [], "null": null});
        assert_eq!(list_field(&doc, "many").len(), 2);
        assert_eq!(list_field(&doc, "one").len(), 1);
        assert_eq!(list_field(&doc, "none").len(), 0);
        assert_eq!(list_field(&doc, "null").len(), 0);
        assert_eq!(list_field(&doc, "absent").len(), 0);
    }
}
