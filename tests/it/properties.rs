//! Property tests (issue 6, "bad input"): the XML ⇄ JSON mapping and the request bodies round
//! trip; the validation functions accept and refuse by the spec's rules (§4) and never panic; and
//! every response parser survives arbitrary bytes, arbitrary JSON trees and arbitrary XML without
//! a panic. Case counts are bounded so the whole file runs in seconds.

use chatstart::api::error::{Operation, from_status};
use chatstart::api::format::{self, Format};
use chatstart::api::model::{
    AuthIds, Availability, ChatResource, ErrorDocument, EstimatedWait, EventsDocument, Info,
    Survey, available_slots_from_document, html_to_text,
};
use chatstart::api::value::{list_field, text_field};
use chatstart::api::{ChatRequest, validate};
use chatstart::xmljson::{value_to_xml, xml_to_value};
use proptest::prelude::*;
use proptest::test_runner::FileFailurePersistence;

/// `count` cases a property; the seeds of failures found are kept next to this file
/// (`properties.proptest-regressions`), where proptest replays them first. Its default would
/// look beside the test binary's `main.rs` instead.
fn cases(count: u32) -> ProptestConfig {
    ProptestConfig {
        failure_persistence: Some(Box::new(FileFailurePersistence::WithSource(
            "proptest-regressions",
        ))),
        ..ProptestConfig::with_cases(count)
    }
}
use serde_json::{Map, Value};

// --- Generators --------------------------------------------------------------------------------

/// An XML name that survives the mapping: no namespace prefix, not reserved (`xml…`).
fn name() -> impl Strategy<Value = String> {
    "[a-wyzA-WYZ][a-zA-Z0-9_-]{0,6}"
}

/// Text XML 1.0 can carry: printable characters (with markup characters and non-ASCII), spaces,
/// tabs and newlines, but no other control characters and no CR (XML normalises line ends).
fn text() -> impl Strategy<Value = String> {
    "[ -~\t\néü€☃<>&\"']{0,12}"
}

/// Attribute values: XML normalises tabs and newlines inside them to spaces.
fn attribute_value() -> impl Strategy<Value = String> {
    "[ -~éü€<>&\"']{0,12}"
}

/// A tree in the service's mapping, in the canonical form the reader produces: an element is
/// its text, or an object with `@` attributes, a non-blank `$` text only beside attributes or
/// children, and children that are single elements or arrays of two or more.
fn element() -> impl Strategy<Value = Value> {
    let leaf = text().prop_map(Value::String);
    leaf.prop_recursive(4, 32, 4, |inner| {
        (
            prop::collection::btree_map(name(), attribute_value(), 0..3),
            prop::collection::btree_map(
                name(),
                prop_oneof![
                    3 => inner.clone(),
                    1 => prop::collection::vec(inner, 2..4).prop_map(Value::Array),
                ],
                0..4,
            ),
            proptest::option::of("[a-zA-Z0-9][ -~]{0,8}"),
        )
            .prop_map(|(attributes, children, body)| {
                let mut object = Map::new();
                for (key, value) in attributes {
                    object.insert(format!("@{key}"), Value::String(value));
                }
                for (key, value) in children {
                    object.insert(key, value);
                }
                if object.is_empty() {
                    return Value::String(body.unwrap_or_default());
                }
                if let Some(body) = body {
                    object.insert("$".into(), Value::String(body));
                }
                Value::Object(object)
            })
    })
}

fn document() -> impl Strategy<Value = Value> {
    (name(), element()).prop_map(|(root, element)| {
        let mut object = Map::new();
        object.insert(root, element);
        Value::Object(object)
    })
}

/// Any JSON value, with keys the parsers look for mixed in so generated trees reach past the
/// first lookup.
fn any_json() -> impl Strategy<Value = Value> {
    let key = prop_oneof![
        4 => "[a-z@$]{0,6}",
        1 => Just("@id".to_string()),
        1 => Just("@type".to_string()),
        1 => Just("@rel".to_string()),
        1 => Just("@href".to_string()),
        1 => Just("event".to_string()),
        1 => Just("events".to_string()),
        1 => Just("link".to_string()),
        1 => Just("info".to_string()),
        1 => Just("state".to_string()),
        1 => Just("text".to_string()),
        1 => Just("question".to_string()),
        1 => Just("entry".to_string()),
        1 => Just("skill".to_string()),
        1 => Just("availability".to_string()),
        1 => Just("chatTimeout".to_string()),
        1 => Just("systemMessageId".to_string()),
        1 => Just("message".to_string()),
        1 => Just("internalCode".to_string()),
        1 => Just("conversationId".to_string()),
    ];
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        any::<f64>().prop_map(Value::from),
        any::<u64>().prop_map(Value::from),
        ".{0,10}".prop_map(Value::String),
        "-?[0-9]{1,25}".prop_map(Value::String),
    ];
    leaf.prop_recursive(5, 48, 5, move |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
            prop::collection::btree_map(key.clone(), inner, 0..5)
                .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

/// The roots the parsers expect, so that an arbitrary tree sits where they look.
const ROOTS: [&str; 10] = [
    "chat",
    "events",
    "info",
    "survey",
    "availability",
    "AvailabilityForSkills",
    "availableSlots",
    "estimatedWaitTime",
    "error",
    "conversation",
];

/// Runs every response parser on a document. Results are ignored: the property is "no panic".
fn parse_everything(document: &Value) {
    let _ = ChatResource::from_document(document).map(|c| {
        let _ = c.next_link();
        for event in &c.events {
            if let chatstart::api::model::EventKind::Line(line) = &event.kind {
                let _ = line.plain_text();
                let _ = line.is_pre_chat_echo();
            }
        }
    });
    let _ = EventsDocument::from_document(document);
    let _ = Info::from_document(document);
    let _ = Survey::from_document(document).map(|s| {
        let _ = s.visible_questions(|_| Vec::new());
    });
    let _ = Availability::from_document(document).map(|a| a.any());
    let _ = EstimatedWait::from_document(document).map(|w| w.to_string());
    let _ = available_slots_from_document(document);
    let _ = ErrorDocument::from_document(document);
    let _ = AuthIds::from_document(document);
}

/// Feeds a body through the path an HTTP answer takes: decode, then every parser, and the error
/// reader for every kind of status.
fn answer_with(body: &str) {
    if let Ok(document) = format::decode(body) {
        parse_everything(&document);
    }
    for status in [200, 201, 400, 401, 404, 429, 500, 503] {
        let error = from_status(Operation::Session, status, body, None);
        let _ = (error.to_string(), error.hint(), error.kind());
    }
}

// --- Round trips -------------------------------------------------------------------------------

proptest! {
    #![proptest_config(cases(256))]

    /// The XML writer and reader are inverse on the service's mapping.
    #[test]
    fn xml_written_from_a_tree_reads_back_as_the_same_tree(document in document()) {
        let xml = value_to_xml(&document).expect("one root always writes");
        let back = xml_to_value(&xml).map_err(|e| TestCaseError::fail(format!("{e}: {xml}")))?;
        prop_assert_eq!(back, document, "{}", xml);
    }

    /// Any JSON value either refuses to become XML with a typed error, or becomes XML the reader
    /// reads without error.
    #[test]
    fn any_json_value_becomes_readable_xml_or_a_typed_error(value in any_json()) {
        if let Ok(xml) = value_to_xml(&value) {
            prop_assert!(xml_to_value(&xml).is_ok(), "{}", xml);
        }
    }
}

/// A request made of valid values (the spec's §4 rules).
fn valid_request() -> impl Strategy<Value = ChatRequest> {
    (
        (
            "[A-Za-z][A-Za-z0-9 _-]{0,10}",
            prop_oneof![
                Just(String::new()),
                (0u32..=86_400).prop_map(|n| n.to_string())
            ],
            prop_oneof![
                Just(String::new()),
                any::<std::net::Ipv4Addr>().prop_map(|ip| ip.to_string()),
                any::<std::net::Ipv6Addr>().prop_map(|ip| ip.to_string()),
            ],
            prop_oneof![Just(String::new()), "[0-9]{1,19}"],
            prop::collection::vec("[ -~éü€<>&]{0,10}[!-~]", 0..3),
        ),
        (
            prop_oneof![Just(String::new()), "[0-9]{1,12}"],
            prop_oneof![Just(String::new()), "[0-9]{1,12}"],
            prop_oneof![Just(String::new()), "[a-z]{2,3}(-[A-Z]{2})?"],
            prop_oneof![
                Just(String::new()),
                (1u32..=86_400).prop_map(|n| n.to_string())
            ],
            prop_oneof![Just(String::new()), "[0-9]{1,12}"],
            "[ -~]{0,20}",
        ),
    )
        .prop_map(
            |(
                (skill, max_wait_time, visitor_ip, visitor_id, pre_chat_lines),
                (
                    engagement_id,
                    campaign_id,
                    language,
                    interaction_timeout,
                    le_context_id,
                    referrer,
                ),
            )| ChatRequest {
                skill,
                max_wait_time,
                visitor_ip,
                visitor_id,
                pre_chat_lines,
                engagement_id,
                campaign_id,
                language,
                interaction_timeout,
                le_context_id,
                chat_referrer: referrer,
                ..ChatRequest::default()
            },
        )
}

/// Fields the body carries as JSON numbers.
const NUMERIC: [&str; 5] = [
    "maxWaitTime",
    "visitorId",
    "engagementId",
    "campaignId",
    "interactionTimeout",
];

/// The text a body field should read back as.
fn expected_fields(request: &ChatRequest) -> Vec<(&'static str, String)> {
    [
        ("skill", &request.skill),
        ("maxWaitTime", &request.max_wait_time),
        ("visitorIp", &request.visitor_ip),
        ("visitorId", &request.visitor_id),
        ("engagementId", &request.engagement_id),
        ("campaignId", &request.campaign_id),
        ("language", &request.language),
        ("interactionTimeout", &request.interaction_timeout),
        ("LETagContextId", &request.le_context_id),
        ("chatReferrer", &request.chat_referrer),
    ]
    .into_iter()
    .filter(|(_, value)| !value.trim().is_empty())
    .map(|(key, value)| (key, value.trim().to_string()))
    .collect()
}

proptest! {
    #![proptest_config(cases(128))]

    /// A valid request passes validation, and its body, written in either format, reads back with
    /// every field and pre-chat line as given.
    #[test]
    fn valid_chat_requests_validate_and_their_bodies_read_back(request in valid_request()) {
        let errors = validate::chat_request(&request, None);
        prop_assert!(errors.is_empty(), "{:?} refused: {}", request, errors);
        for format in [Format::Json, Format::Xml] {
            let body = request.body(None, format);
            let wire = format.encode(&body);
            let back = format::decode(&wire)
                .map_err(|e| TestCaseError::fail(format!("{format}: {e}: {wire}")))?;
            if format == Format::Json {
                prop_assert_eq!(&back, &body);
            }
            let read = back.get("request").expect("the request wrapper");
            for (key, value) in expected_fields(&request) {
                let got = text_field(read, key);
                if NUMERIC.contains(&key) {
                    // Sent as JSON numbers (V8): the number survives, leading zeros do not.
                    let number = |text: &str| text.parse::<u64>().ok();
                    prop_assert_eq!(got.as_deref().and_then(number), number(&value), "{} in {}", key, wire);
                } else {
                    prop_assert_eq!(got, Some(value), "{} in {}", key, wire);
                }
            }
            let lines: Vec<String> = read
                .get("preChatLines")
                .map(|lines| list_field(lines, "line"))
                .unwrap_or_default()
                .into_iter()
                .filter_map(|line| line.as_str().map(str::to_string))
                .collect();
            let sent: Vec<String> = request
                .pre_chat_lines
                .iter()
                .map(|l| l.trim().to_string())
                .filter(|l| !l.is_empty())
                .collect();
            prop_assert_eq!(lines, sent, "{}", wire);
        }
    }
}

// --- Validation rules (§4) ---------------------------------------------------------------------

fn digits_only(value: &str) -> bool {
    !value.is_empty() && value.bytes().all(|b| b.is_ascii_digit())
}

proptest! {
    #![proptest_config(cases(512))]

    /// V1: an account id is accepted exactly when it is digits (spaces around are trimmed).
    #[test]
    fn v1_account_is_digits(value in "[ 0-9a-z-]{0,8}|[0-9]{1,12}") {
        prop_assert_eq!(validate::account(&value).is_none(), digits_only(value.trim()));
    }

    /// V2: an appKey is accepted exactly when non-empty without whitespace inside.
    #[test]
    fn v2_app_key_has_no_whitespace(value in "[ \ta-f0-9]{0,10}") {
        let trimmed = value.trim();
        let ok = !trimmed.is_empty() && !trimmed.contains(char::is_whitespace);
        prop_assert_eq!(validate::app_key(&value).is_none(), ok);
    }

    /// V3: whole seconds from 0 to 86400 (empty means "not given").
    #[test]
    fn v3_max_wait_time_is_0_to_86400(value in "[0-9]{0,7}|-?[0-9a-z.]{1,6}") {
        let trimmed = value.trim();
        let ok = trimmed.is_empty()
            || digits_only(trimmed) && trimmed.parse::<u64>().is_ok_and(|n| n <= 86_400);
        prop_assert_eq!(validate::max_wait_time(&value).is_none(), ok);
    }

    /// V5, V8, V9: ids are digits (at most 19, so they fit the service's longs).
    #[test]
    fn v5_v8_v9_ids_are_digits(value in "[0-9]{0,22}|[0-9a-z .+-]{1,8}") {
        let trimmed = value.trim();
        let ok = trimmed.is_empty() || digits_only(trimmed) && trimmed.len() <= 19;
        prop_assert_eq!(validate::digits(&value, "id").is_none(), ok);
    }

    /// V6: an IPv4 or IPv6 address, as the standard library reads them.
    #[test]
    fn v6_visitor_ip_parses(value in "[0-9a-f.:]{0,20}") {
        let trimmed = value.trim();
        let ok = trimmed.is_empty() || trimmed.parse::<std::net::IpAddr>().is_ok();
        prop_assert_eq!(validate::visitor_ip(&value).is_none(), ok);
    }

    /// V7: a positive whole number of seconds, at most a day (docs/api-choices.md).
    #[test]
    fn v7_interaction_timeout_is_positive(value in "[0-9]{0,6}|-?[0-9a-z.]{1,5}") {
        let trimmed = value.trim();
        let ok = trimmed.is_empty()
            || digits_only(trimmed)
                && trimmed.parse::<u64>().is_ok_and(|n| n > 0 && n <= 86_400);
        prop_assert_eq!(validate::interaction_timeout(&value).is_none(), ok);
    }

    /// V10: language tags are accepted; anything with a space, a digit first or an empty part
    /// is refused.
    #[test]
    fn v10_language_tags(
        good in "[a-z]{2,3}(-[A-Za-z0-9]{2,8}){0,2}",
        bad in "[a-z]{2} [a-z]{2}|[0-9][a-z]{1,3}|[a-z]{2}--[A-Z]{2}|[a-z]{4,6}|[a-z]{2}-",
    ) {
        prop_assert!(validate::language(&good).is_none(), "{}", good);
        prop_assert!(validate::language(&bad).is_some(), "{}", bad);
    }

    /// V12: redirectUri is an absolute http(s) URL when given.
    #[test]
    fn v12_redirect_uri_is_absolute(
        host in "[a-z]{1,8}(\\.[a-z]{2,3})?",
        path in "(/[a-z0-9]{0,5}){0,3}",
        relative in "/?[a-z0-9/]{0,10}",
    ) {
        let absolute = format!("https://{host}{path}");
        prop_assert!(validate::absolute_url(&absolute).is_none(), "{}", absolute);
        prop_assert!(
            validate::absolute_url(&relative).is_some() || relative.trim().is_empty(),
            "{}", relative
        );
        let ftp = format!("ftp://{host}");
        prop_assert!(validate::absolute_url(&ftp).is_some(), "{}", ftp);
    }

    /// V14 (e-mail questions): ordinary addresses pass; no `@`, no dot in the domain or a
    /// one-letter top-level domain fail.
    #[test]
    fn v14_email_addresses(
        local in "[a-z0-9._+-]{1,8}",
        domain in "[a-z0-9-]{1,8}",
        tld in "[a-z]{2,4}",
    ) {
        let good = format!("{local}@{domain}.{tld}");
        prop_assert!(validate::email(&good), "{}", good);
        for bad in [
            format!("{local}{domain}.{tld}"),
            format!("{local}@{domain}"),
            format!("{local}@{domain}.x"),
        ] {
            prop_assert!(!validate::email(&bad), "{}", bad);
        }
    }

    /// Validation of a whole request never panics, and each bad field is named by its own error.
    #[test]
    fn chat_request_validation_names_each_bad_field(
        fields in prop::collection::vec(".{0,12}", 10),
    ) {
        let request = ChatRequest {
            max_wait_time: fields[0].clone(),
            visitor_ip: fields[1].clone(),
            visitor_id: fields[2].clone(),
            engagement_id: fields[3].clone(),
            campaign_id: fields[4].clone(),
            language: fields[5].clone(),
            interaction_timeout: fields[6].clone(),
            le_context_id: fields[7].clone(),
            pre_chat_lines: vec![fields[8].clone(), fields[9].clone()],
            ..ChatRequest::default()
        };
        let errors = validate::chat_request(&request, None);
        let expected = [
            validate::max_wait_time(&fields[0]),
            validate::visitor_ip(&fields[1]),
            validate::digits(&fields[2], "visitor id"),
            validate::digits(&fields[3], "engagement id"),
            validate::digits(&fields[4], "campaign id"),
            validate::language(&fields[5]),
            validate::interaction_timeout(&fields[6]),
            validate::digits(&fields[7], "LETagContextId"),
        ]
        .iter()
        .filter(|problem| problem.is_some())
        .count()
            + fields[8..]
                .iter()
                .filter(|l| l.trim().is_empty() || validate::single_line(l).is_some())
                .count();
        prop_assert_eq!(errors.0.len(), expected, "{}", errors);
        let _ = errors.to_string();
    }
}

// --- No panic on any server answer -------------------------------------------------------------

proptest! {
    #![proptest_config(cases(512))]

    /// Arbitrary bytes (read as the client reads a body: lossy UTF-8).
    #[test]
    fn parsers_survive_arbitrary_bytes(bytes in prop::collection::vec(any::<u8>(), 0..256)) {
        answer_with(&String::from_utf8_lossy(&bytes));
    }

    /// Arbitrary text that looks like markup or JSON, and HTML for the line reader.
    #[test]
    fn parsers_survive_markup_like_text(text in "[<>/=\"'&;#!?a-z0-9 {}\\[\\]:,.\\\\-]{0,120}") {
        answer_with(&text);
        let _ = html_to_text(&text);
    }

    /// Arbitrary JSON trees, under every root a parser expects and bare, as JSON and as XML.
    #[test]
    fn parsers_survive_arbitrary_json_trees(tree in any_json()) {
        parse_everything(&tree);
        for root in ROOTS {
            let mut object = Map::new();
            object.insert(root.to_string(), tree.clone());
            let document = Value::Object(object);
            parse_everything(&document);
            answer_with(&document.to_string());
            if let Ok(xml) = value_to_xml(&document) {
                answer_with(&xml);
            }
        }
    }

    /// Well-formed XML cut anywhere, and canonical trees under every root.
    #[test]
    fn parsers_survive_arbitrary_and_truncated_xml(document in document(), cut in any::<prop::sample::Index>()) {
        let xml = value_to_xml(&document).expect("one root");
        answer_with(&xml);
        let mut at = cut.index(xml.len() + 1);
        while !xml.is_char_boundary(at) {
            at -= 1;
        }
        answer_with(&xml[..at]);
        for root in ROOTS {
            let inner = document.as_object().and_then(|o| o.values().next()).cloned().unwrap_or_default();
            let mut object = Map::new();
            object.insert(root.to_string(), inner);
            parse_everything(&Value::Object(object));
        }
    }

    /// HTML from agents: any text becomes text without a panic, and plain text without markup
    /// characters is left as it is (modulo whitespace).
    #[test]
    fn html_to_text_never_panics_and_keeps_plain_words(html in ".{0,80}", plain in "[a-zA-Z0-9]{1,20}") {
        let _ = html_to_text(&html);
        let text = html_to_text(&plain);
        prop_assert_eq!(text.trim(), plain.as_str());
    }
}
