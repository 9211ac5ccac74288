//! The document edits of the fault layer: a body cut in half, a request asking again from event 0,
//! and rewrites of a document reply (links removed or made relative, `next` moved, events
//! edited) in the format it came in. Plain data in, plain data out.

use super::super::routes::{Format, Incoming, Reply};
use serde_json::Value;

/// The first half of a body, cut on a character boundary; a short placeholder for empty bodies
/// so that "malformed" is never an empty (and so readable-as-nothing) answer.
pub(super) fn first_half(body: &str) -> String {
    if body.is_empty() {
        return "{\"chat\":".into();
    }
    let mut cut = body.len() / 2;
    while !body.is_char_boundary(cut) {
        cut -= 1;
    }
    body[..cut].to_string()
}

/// The same request asking for every event from id 0.
pub(super) fn from_zero(incoming: &Incoming) -> Incoming {
    let mut again = incoming.clone();
    let mut pairs: Vec<&str> = incoming
        .query
        .split('&')
        .filter(|pair| !pair.is_empty() && !pair.starts_with("from="))
        .collect();
    pairs.push("from=0");
    again.query = pairs.join("&");
    again
}

/// Re-reads a document reply, edits it and writes it back in the same format. Replies that are
/// not documents (empty, form-encoded) pass unchanged.
pub(super) fn rewrite(reply: Reply, edit: impl FnOnce(&mut Value)) -> Reply {
    let xml = reply.body.trim_start().starts_with('<');
    let parsed = if xml {
        crate::xmljson::xml_to_value(&reply.body).ok()
    } else {
        serde_json::from_str::<Value>(&reply.body).ok()
    };
    let Some(mut document) = parsed else {
        return reply;
    };
    edit(&mut document);
    let format = if xml { Format::Xml } else { Format::Json };
    let mut rewritten = Reply::document(reply.status, format, &document);
    rewritten.headers = reply.headers;
    rewritten
}

/// Removes every link whose `@rel` is `next`, at any depth.
pub(super) fn remove_next(value: &mut Value) {
    match value {
        Value::Object(_) => {
            remove_own_next(value);
            if let Value::Object(object) = value {
                object.values_mut().for_each(remove_next);
            }
        }
        Value::Array(items) => items.iter_mut().for_each(remove_next),
        _ => {}
    }
}

/// Removes the `next` links of this element only, not of the elements inside it.
pub(super) fn remove_own_next(value: &mut Value) {
    let Value::Object(object) = value else {
        return;
    };
    match object.get_mut("link") {
        Some(Value::Array(items)) => items.retain(|link| !is_next(link)),
        Some(link) if is_next(link) => {
            object.remove("link");
        }
        _ => {}
    }
}

/// Turns every absolute `@href` (or `href`), at any depth, into its path and query.
pub(super) fn make_links_relative(value: &mut Value) {
    match value {
        Value::Object(object) => {
            for (key, item) in object.iter_mut() {
                match item {
                    Value::String(href) if key == "@href" || key == "href" => {
                        *href = relative(href);
                    }
                    other => make_links_relative(other),
                }
            }
        }
        Value::Array(items) => items.iter_mut().for_each(make_links_relative),
        _ => {}
    }
}

/// The path and query of an absolute URL; anything else as is.
pub(super) fn relative(href: &str) -> String {
    match url::Url::parse(href) {
        Ok(url) => match url.query() {
            Some(query) => format!("{}?{query}", url.path()),
            None => url.path().to_string(),
        },
        Err(_) => href.to_string(),
    }
}

/// Points every `next` link, at any depth, at the events from `from` on.
pub(super) fn set_next_from(value: &mut Value, from: u64) {
    match value {
        Value::Object(object) => {
            let next = object.get("@rel").and_then(Value::as_str) == Some("next");
            for (key, item) in object.iter_mut() {
                match item {
                    Value::String(href) if next && key == "@href" => {
                        if let Ok(mut url) = url::Url::parse(href) {
                            let pairs: Vec<(String, String)> = url
                                .query_pairs()
                                .filter(|(name, _)| name != "from")
                                .map(|(name, value)| (name.into_owned(), value.into_owned()))
                                .collect();
                            url.query_pairs_mut()
                                .clear()
                                .extend_pairs(pairs)
                                .append_pair("from", &from.to_string());
                            *href = url.to_string();
                        }
                    }
                    other => set_next_from(other, from),
                }
            }
        }
        Value::Array(items) => items.iter_mut().for_each(|item| set_next_from(item, from)),
        _ => {}
    }
}

fn is_next(link: &Value) -> bool {
    link.get("@rel").and_then(Value::as_str) == Some("next")
}

/// Applies `edit` to the event list of a chat or events document, as an array.
pub(super) fn edit_events(document: &mut Value, edit: impl FnOnce(&mut Vec<Value>)) {
    let events = match document.get_mut("chat") {
        Some(chat) => chat.get_mut("events"),
        None => document.get_mut("events"),
    };
    let Some(Value::Object(events)) = events else {
        return;
    };
    let Some(listed) = events.get_mut("event") else {
        return;
    };
    let mut items = match listed.take() {
        Value::Array(items) => items,
        single => vec![single],
    };
    edit(&mut items);
    *listed = Value::Array(items);
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn next_links_are_removed_at_any_depth() {
        let mut document = json!({"chat": {
            "link": [{"@rel": "self", "@href": "a"}, {"@rel": "next", "@href": "b"}],
            "events": {"link": {"@rel": "next", "@href": "c"}, "event": {"@id": "0"}}
        }});
        remove_next(&mut document);
        assert_eq!(
            document["chat"]["link"],
            json!([{"@rel": "self", "@href": "a"}])
        );
        assert!(document["chat"]["events"].get("link").is_none());
    }

    #[test]
    fn events_are_repeated_and_reversed_as_arrays() {
        let mut document = json!({"events": {"event": {"@id": "3"}}});
        edit_events(&mut document, |events| {
            *events = events.iter().flat_map(|e| [e.clone(), e.clone()]).collect();
        });
        assert_eq!(
            document["events"]["event"],
            json!([{"@id": "3"}, {"@id": "3"}])
        );
        let mut document = json!({"chat": {"events": {"event": [{"@id": "1"}, {"@id": "2"}]}}});
        edit_events(&mut document, |events| events.reverse());
        assert_eq!(
            document["chat"]["events"]["event"],
            json!([{"@id": "2"}, {"@id": "1"}])
        );
    }

    #[test]
    fn malformed_halves_are_cut_on_character_boundaries() {
        assert_eq!(first_half("ééé"), "é");
        assert_eq!(first_half(""), "{\"chat\":");
    }
}
