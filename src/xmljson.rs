//! The mechanical XML ⇄ JSON mapping the LivePerson service uses (spec §3.1).
//!
//! The API is XML-first; its JSON is produced from the same document: attributes become `@name`
//! keys, text next to attributes becomes `$`, repeated children become an array, a single child a
//! bare value, and a missing child no key at all. Converting XML into that same JSON shape lets one
//! tolerant model parser serve both formats, and the reverse lets one request builder write both.
//! Pure data conversion: no I/O, no knowledge of any endpoint.

use quick_xml::Reader;
use quick_xml::Writer;
use quick_xml::events::{BytesDecl, BytesEnd, BytesStart, BytesText, Event};
use serde_json::{Map, Value};

/// Why a document could not be read as XML.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("malformed XML: {0}")]
pub struct XmlError(pub String);

/// Parses an XML document into the JSON shape the service would have produced for it:
/// `<a x="1"><b>t</b></a>` becomes `{"a":{"@x":"1","b":"t"}}`.
pub fn xml_to_value(xml: &str) -> Result<Value, XmlError> {
    let mut reader = Reader::from_str(xml);
    // Elements under construction: name, attributes+children, accumulated text.
    let mut stack: Vec<(String, Map<String, Value>, String)> = Vec::new();
    let mut root: Option<Value> = None;
    loop {
        let event = reader.read_event().map_err(|e| XmlError(e.to_string()))?;
        match event {
            Event::Start(start) => {
                let (name, attrs) = open_element(&start)?;
                stack.push((name, attrs, String::new()));
            }
            Event::Empty(start) => {
                let (name, attrs) = open_element(&start)?;
                let value = close_element(attrs, String::new());
                attach(&mut stack, &mut root, name, value)?;
            }
            Event::End(_) => {
                let (name, attrs, text) = stack
                    .pop()
                    .ok_or_else(|| XmlError("closing tag without an opening tag".into()))?;
                let value = close_element(attrs, text);
                attach(&mut stack, &mut root, name, value)?;
            }
            Event::Text(text) => {
                // Entities arrive as separate `GeneralRef` events, so the text is literal.
                push_text(&mut stack, &text.xml10_content())?;
            }
            Event::GeneralRef(reference) => {
                let name = reference.xml10_content();
                let resolved = resolve_reference(&name)
                    .ok_or_else(|| XmlError(format!("unknown entity &{name};")))?;
                push_text(&mut stack, &resolved)?;
            }
            Event::CData(data) => {
                push_text(&mut stack, &data.into_inner())?;
            }
            Event::Eof => break,
            Event::Decl(_) | Event::PI(_) | Event::Comment(_) | Event::DocType(_) => {}
        }
    }
    if !stack.is_empty() {
        return Err(XmlError("document ended inside an element".into()));
    }
    root.ok_or_else(|| XmlError("no root element".into()))
}

fn open_element(start: &BytesStart<'_>) -> Result<(String, Map<String, Value>), XmlError> {
    let name = start.local_name().as_ref().to_string();
    let mut attrs = Map::new();
    for attr in start.attributes() {
        let attr = attr.map_err(|e| XmlError(e.to_string()))?;
        let key = attr.key.local_name().as_ref().to_string();
        if attr.key.as_ref().starts_with("xmlns") {
            continue;
        }
        let value = attr
            .normalized_value(quick_xml::XmlVersion::Implicit1_0)
            .map_err(|e| XmlError(e.to_string()))?
            .into_owned();
        attrs.insert(format!("@{key}"), Value::String(value));
    }
    Ok((name, attrs))
}

fn push_text(
    stack: &mut [(String, Map<String, Value>, String)],
    text: &str,
) -> Result<(), XmlError> {
    match stack.last_mut() {
        Some((_, _, buffer)) => {
            buffer.push_str(text);
            Ok(())
        }
        None if text.trim().is_empty() => Ok(()),
        None => Err(XmlError("text outside the root element".into())),
    }
}

fn resolve_reference(name: &str) -> Option<String> {
    if let Some(number) = name.strip_prefix('#') {
        let code = match number.strip_prefix(['x', 'X']) {
            Some(hex) => u32::from_str_radix(hex, 16).ok()?,
            None => number.parse().ok()?,
        };
        return char::from_u32(code).map(String::from);
    }
    quick_xml::escape::resolve_xml_entity(name).map(String::from)
}

/// An element with only text is its text; otherwise an object, with the text (if any) under `$`.
fn close_element(mut fields: Map<String, Value>, text: String) -> Value {
    if fields.is_empty() {
        return Value::String(text);
    }
    if !text.trim().is_empty() {
        fields.insert("$".into(), Value::String(text));
    }
    Value::Object(fields)
}

fn attach(
    stack: &mut [(String, Map<String, Value>, String)],
    root: &mut Option<Value>,
    name: String,
    value: Value,
) -> Result<(), XmlError> {
    let Some((_, parent, parent_text)) = stack.last_mut() else {
        if root.is_some() {
            return Err(XmlError("more than one root element".into()));
        }
        let mut top = Map::new();
        top.insert(name, value);
        *root = Some(Value::Object(top));
        return Ok(());
    };
    // Whitespace between child elements is layout, not content.
    if parent_text.trim().is_empty() {
        parent_text.clear();
    }
    match parent.get_mut(&name) {
        None => {
            parent.insert(name, value);
        }
        Some(Value::Array(items)) if !name.starts_with('@') => items.push(value),
        Some(existing) => {
            let first = existing.take();
            *existing = Value::Array(vec![first, value]);
        }
    }
    Ok(())
}

/// Writes a JSON value in the service's mapping as XML. The value must be an object with exactly
/// one key, the root element: `{"event":{"@type":"line","text":"hi"}}` becomes
/// `<event type="line"><text>hi</text></event>`. Arrays become repeated elements, `@` keys
/// attributes, `$` the element's text, and null values are left out.
pub fn value_to_xml(document: &Value) -> Result<String, XmlError> {
    let Some(object) = document.as_object().filter(|o| o.len() == 1) else {
        return Err(XmlError(
            "an XML document needs exactly one root element".into(),
        ));
    };
    // A null root writes nothing and an array root (arrays in arrays too) several or no roots:
    // neither is a document.
    if object.values().any(|root| elements_written(root) != 1) {
        return Err(XmlError(
            "an XML document needs exactly one root element".into(),
        ));
    }
    let mut writer = Writer::new(Vec::new());
    write_xml(&mut writer, |w| {
        w.write_event(Event::Decl(BytesDecl::new("1.0", Some("UTF-8"), None)))
    })?;
    for (name, value) in object {
        write_element(&mut writer, name, value)?;
    }
    String::from_utf8(writer.into_inner()).map_err(|e| XmlError(e.to_string()))
}

/// How many elements a value writes under one name: none for null, one per item (at any
/// depth) for an array, one otherwise.
fn elements_written(value: &Value) -> usize {
    match value {
        Value::Null => 0,
        Value::Array(items) => items.iter().map(elements_written).sum(),
        _ => 1,
    }
}

fn write_xml<F>(writer: &mut Writer<Vec<u8>>, write: F) -> Result<(), XmlError>
where
    F: FnOnce(&mut Writer<Vec<u8>>) -> std::io::Result<()>,
{
    write(writer).map_err(|e| XmlError(e.to_string()))
}

/// An XML name as far as the mapping uses them: a letter or `_` first, then letters, digits,
/// `_`, `-` or `.` (no namespace prefixes). Anything else would write a document no reader takes.
fn check_name(name: &str) -> Result<(), XmlError> {
    let mut chars = name.chars();
    let first_ok = chars.next().is_some_and(|c| c.is_alphabetic() || c == '_');
    if first_ok && chars.all(|c| c.is_alphanumeric() || matches!(c, '_' | '-' | '.')) {
        Ok(())
    } else {
        Err(XmlError(format!("`{name}` is not an XML name")))
    }
}

fn write_element(writer: &mut Writer<Vec<u8>>, name: &str, value: &Value) -> Result<(), XmlError> {
    if !value.is_null() && !value.is_array() {
        check_name(name)?;
    }
    match value {
        Value::Null => Ok(()),
        Value::Array(items) => items
            .iter()
            .try_for_each(|item| write_element(writer, name, item)),
        Value::Object(fields) => {
            let mut start = BytesStart::new(name);
            let mut text = None;
            for (key, field) in fields {
                if let Some(attribute) = key.strip_prefix('@') {
                    if let Some(scalar) = scalar_text(field) {
                        check_name(attribute)?;
                        start.push_attribute((attribute, scalar.as_str()));
                    }
                } else if key == "$" {
                    text = scalar_text(field);
                }
            }
            write_xml(writer, |w| w.write_event(Event::Start(start)))?;
            if let Some(text) = text {
                write_xml(writer, |w| {
                    w.write_event(Event::Text(BytesText::new(&text)))
                })?;
            }
            for (key, field) in fields {
                if !key.starts_with('@') && key != "$" {
                    write_element(writer, key, field)?;
                }
            }
            write_xml(writer, |w| w.write_event(Event::End(BytesEnd::new(name))))
        }
        scalar => {
            let text = scalar_text(scalar).unwrap_or_default();
            write_xml(writer, |w| {
                w.write_event(Event::Start(BytesStart::new(name)))
            })?;
            write_xml(writer, |w| {
                w.write_event(Event::Text(BytesText::new(&text)))
            })?;
            write_xml(writer, |w| w.write_event(Event::End(BytesEnd::new(name))))
        }
    }
}

fn scalar_text(value: &Value) -> Option<String> {
    match value {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        Value::Null | Value::Array(_) | Value::Object(_) => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn attributes_become_at_keys_and_children_become_fields() {
        let xml = r#"<event id="0" type="state"><time>2017-02-27T06:24:15.424-05:00</time><state>waiting</state></event>"#;
        assert_eq!(
            xml_to_value(xml).unwrap(),
            json!({"event":{"@id":"0","@type":"state","time":"2017-02-27T06:24:15.424-05:00","state":"waiting"}})
        );
    }

    #[test]
    fn one_child_is_an_object_and_several_are_an_array() {
        let one = xml_to_value(r#"<events><event id="1" type="line"/></events>"#).unwrap();
        assert_eq!(one, json!({"events":{"event":{"@id":"1","@type":"line"}}}));
        let two =
            xml_to_value(r#"<events><event id="1"/><link rel="next"/><event id="2"/></events>"#)
                .unwrap();
        assert_eq!(
            two,
            json!({"events":{"event":[{"@id":"1"},{"@id":"2"}],"link":{"@rel":"next"}}})
        );
    }

    #[test]
    fn text_beside_attributes_is_dollar_and_empty_elements_are_empty_strings() {
        let value = xml_to_value(r#"<survey><x id="1">abc</x><title/></survey>"#).unwrap();
        assert_eq!(
            value,
            json!({"survey":{"x":{"@id":"1","$":"abc"},"title":""}})
        );
    }

    #[test]
    fn entities_and_cdata_are_decoded_and_whitespace_inside_text_kept() {
        let xml =
            "<line><text>&lt;div&gt;a  &amp;&#233;</text><raw><![CDATA[<b>x</b>]]></raw></line>";
        assert_eq!(
            xml_to_value(xml).unwrap(),
            json!({"line":{"text":"<div>a  &é","raw":"<b>x</b>"}})
        );
    }

    #[test]
    fn malformed_documents_are_errors() {
        assert!(xml_to_value("<a><b></a>").is_err());
        assert!(xml_to_value("<a>").is_err());
        assert!(xml_to_value("").is_err());
        assert!(xml_to_value("<a/><b/>").is_err());
        assert!(xml_to_value("text").is_err());
    }

    #[test]
    fn writing_maps_at_keys_to_attributes_and_arrays_to_repeats() {
        let body = json!({"request":{"skill":"Sales","maxWaitTime":600,
            "preChatLines":{"line":["a & b","c"]},
            "survey":{"@id":"40216","question":[{"@id":"1","answer":["x","y"]}]},
            "missing":null}});
        let xml = value_to_xml(&body).unwrap();
        assert_eq!(
            xml,
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?><request><skill>Sales</skill>\
             <maxWaitTime>600</maxWaitTime><preChatLines><line>a &amp; b</line><line>c</line>\
             </preChatLines><survey id=\"40216\"><question id=\"1\"><answer>x</answer>\
             <answer>y</answer></question></survey></request>"
        );
    }

    #[test]
    fn writing_then_reading_gives_the_service_shape() {
        let body = json!({"event":{"@type":"line","text":"<b>hi</b>"}});
        let xml = value_to_xml(&body).unwrap();
        assert_eq!(xml_to_value(&xml).unwrap(), body);
    }

    #[test]
    fn writing_needs_a_single_root() {
        assert!(value_to_xml(&json!({"a":1,"b":2})).is_err());
        assert!(value_to_xml(&json!([1])).is_err());
    }
}
