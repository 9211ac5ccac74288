//! The typed models read the spec's own example documents, in JSON and in XML, in every shape
//! the service's mapping produces (spec §3.1, Q1–Q3).

use chatstart::api::format::decode;
use chatstart::api::model::{
    Availability, ChatResource, ChatState, ErrorDocument, EstimatedWait, EventKind, EventsDocument,
    Info, LineSource, QuestionKind, Survey, ValidationType, available_slots_from_document,
};

const CHAT_JSON: &str = r#"{"chat":{
  "link":[
    {"@href":"https://h.example/api/account/1/chat/C","@rel":"self"},
    {"@href":"https://h.example/api/account/1/chat/C/events","@rel":"events"},
    {"@href":"https://h.example/api/account/1/chat/C/info","@rel":"info"},
    {"@href":"https://h.example/api/account/1/chat/C?from=4","@rel":"next"}],
  "events":{
    "link":[{"@href":"https://h.example/api/account/1/chat/C/events","@rel":"self"},
            {"@href":"https://h.example/api/account/1/chat/C/events?from=4","@rel":"next"}],
    "event":[
      {"@id":"0","@type":"state","time":"2017-02-27T06:24:15.424-05:00","state":"waiting"},
      {"@id":"1","@type":"line","time":"2017-02-27T06:24:15.425-05:00","textType":"plain",
       "text":"Thank you for choosing to chat with us.  An agent will be with you shortly.","by":"info","source":"system",
       "systemMessageId":4,"subType":"REGULAR"},
      {"@id":"2","@type":"state","time":"2017-02-27T06:24:21.930-05:00","state":"chatting"},
      {"@id":"3","@type":"line","textType":"html","text":"<div dir=\"ltr\">Hi &amp; <b>welcome</b>&hellip;</div>",
       "by":"Natalie","source":"agent"}]},
  "info":{"link":[{"href":"https://h.example/api/account/1/chat/C/info","rel":"self"}],
    "state":"chatting","chatSessionKey":"C","skillName":"Sales","skillId":25975313,
    "agentName":"Natalie","agentId":25025413,"chatTimeout":"40","visitorId":1214701440733986123,
    "visitorName":"You","rtSessionId":4294967522}}}"#;

const CHAT_XML: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<chat>
  <link href="https://h.example/api/account/1/chat/C" rel="self"/>
  <link href="https://h.example/api/account/1/chat/C/events" rel="events"/>
  <link href="https://h.example/api/account/1/chat/C?from=2" rel="next"/>
  <events>
    <link href="https://h.example/api/account/1/chat/C/events?from=2" rel="next"/>
    <event id="1" type="line"><time>t</time><textType>plain</textType><text>Please wait for a site operator to respond.</text>
      <by>info</by><source>system</source><systemMessageId>4</systemMessageId><subType>REGULAR</subType></event>
  </events>
  <info><link href="https://h.example/api/account/1/chat/C/info" rel="self"/><state>waiting</state><chatTimeout>40</chatTimeout></info>
</chat>"#;

#[test]
fn the_chat_resource_reads_links_events_and_info() {
    let chat = ChatResource::from_document(&decode(CHAT_JSON).unwrap()).unwrap();
    assert_eq!(
        chat.links.get("events"),
        Some("https://h.example/api/account/1/chat/C/events")
    );
    assert_eq!(
        chat.next_link(),
        Some("https://h.example/api/account/1/chat/C?from=4"),
        "chat-level next"
    );
    assert_eq!(chat.events.len(), 4);
    assert_eq!(chat.events[0].kind, EventKind::State(ChatState::Waiting));
    let EventKind::Line(system) = &chat.events[1].kind else {
        panic!("a line")
    };
    assert_eq!(system.system_message_id, Some(4));
    assert_eq!(system.source, LineSource::System);
    assert!(system.text.contains("us.  An"), "whitespace kept verbatim");
    let EventKind::Line(agent) = &chat.events[3].kind else {
        panic!("a line")
    };
    assert_eq!(
        agent.text, "<div dir=\"ltr\">Hi &amp; <b>welcome</b>&hellip;</div>",
        "raw kept"
    );
    assert_eq!(agent.plain_text(), "Hi & welcome…");
    let info = chat.info.unwrap();
    assert_eq!(info.agent_name.as_deref(), Some("Natalie"));
    assert_eq!(info.chat_timeout, Some(40), "a string scalar");
    assert_eq!(
        info.visitor_id.as_deref(),
        Some("1214701440733986123"),
        "ids never through a float"
    );
    assert_eq!(
        info.links.get("self"),
        Some("https://h.example/api/account/1/chat/C/info"),
        "href without @"
    );
}

#[test]
fn xml_gives_the_same_model_with_one_event_as_an_object() {
    let chat = ChatResource::from_document(&decode(CHAT_XML).unwrap()).unwrap();
    assert_eq!(chat.events.len(), 1, "a single <event> is one event");
    assert_eq!(chat.events[0].id, Some(1));
    let EventKind::Line(line) = &chat.events[0].kind else {
        panic!("a line")
    };
    assert_eq!(line.system_message_id, Some(4));
    assert_eq!(
        chat.next_link(),
        Some("https://h.example/api/account/1/chat/C?from=2")
    );
    assert_eq!(chat.info.unwrap().state, Some(ChatState::Waiting));
}

#[test]
fn nothing_new_means_no_event_key_and_a_single_link_is_an_object() {
    let doc = decode(r#"{"chat":{"link":{"@href":"https://h/c?from=9","@rel":"next"},"events":{"link":{"@href":"https://h/e?from=9","@rel":"next"}}}}"#).unwrap();
    let chat = ChatResource::from_document(&doc).unwrap();
    assert!(chat.events.is_empty());
    assert_eq!(chat.next_link(), Some("https://h/c?from=9"));
    assert!(chat.info.is_none());
}

#[test]
fn unknown_events_are_kept_and_ids_may_be_numbers() {
    let doc = decode(r#"{"events":{"event":[
        {"@id":"14","@type":"line-status","metadata":[],"source":"visitor","lineStatus":"ACCEPT","refSequenceId":"11"},
        {"id":15,"type":"collaboration","x":{"$":"y"}},
        {"@id":"16","@type":"url","url":"https://brand.example/offer"},
        {"@id":"x","@type":"state","state":"ended"}]}}"#).unwrap();
    let events = EventsDocument::from_document(&doc).unwrap().events;
    assert_eq!(events.len(), 4);
    assert!(
        matches!(&events[0].kind, EventKind::LineStatus { status: Some(s), .. } if s == "ACCEPT")
    );
    assert_eq!(events[1].id, Some(15));
    assert_eq!(
        events[1].kind,
        EventKind::Other {
            type_name: "collaboration".into()
        }
    );
    assert_eq!(
        events[1].raw.as_ref().map(|raw| raw["x"]["$"].clone()),
        Some(serde_json::json!("y")),
        "an unknown type keeps its raw object"
    );
    assert!(
        events[0].raw.is_none() && events[2].raw.is_none(),
        "known types are read whole"
    );
    assert!(matches!(&events[2].kind, EventKind::Url { url: Some(u) } if u.contains("offer")));
    assert_eq!(events[3].id, None, "a non-numeric id is no id");
    assert_eq!(events[3].kind, EventKind::State(ChatState::Ended));
}

#[test]
fn text_beside_attributes_is_read_as_the_scalar() {
    let doc = decode(r#"<events><event id="3" type="line"><text lang="en">hello</text><systemMessageId>0</systemMessageId><source>system</source></event></events>"#).unwrap();
    let events = EventsDocument::from_document(&doc).unwrap().events;
    let EventKind::Line(line) = &events[0].kind else {
        panic!("a line")
    };
    assert_eq!(line.text, "hello");
    assert!(line.is_pre_chat_echo());
}

const SURVEY_JSON: &str = r#"{"survey":{
  "id":"40216","title":"","header":"Please tell us a bit about yourself",
  "questions":{"question":[
    {"id":"16314710","logicId":"5","order":"1","mandatory":"true","type":"Text Field",
     "validationType":"alpha_numeric","label":"Your name?","lastKnownValue":"John"},
    {"id":"12786273","logicId":"4","order":"0","mandatory":"true","type":"Dropdown Box",
     "validationType":"alpha_numeric","label":"Which team do you need?",
     "entry":[{"value":"CATS","checked":"false","logic":{"showLogicId":"5"}},
              {"value":"DOGS","checked":"false"}]}]}}}"#;

#[test]
fn the_survey_reads_questions_in_order_with_logic() {
    let survey = Survey::from_document(&decode(SURVEY_JSON).unwrap()).unwrap();
    assert_eq!(survey.id, "40216");
    let ids: Vec<&str> = survey.questions.iter().map(|q| q.id.as_str()).collect();
    assert_eq!(ids, ["12786273", "16314710"], "by ascending order");
    let team = &survey.questions[0];
    assert_eq!(team.kind, QuestionKind::Dropdown);
    assert!(team.mandatory);
    assert_eq!(team.entries[0].show_logic_ids, ["5"]);
    assert_eq!(
        survey.questions[1].last_known_value.as_deref(),
        Some("John")
    );
    assert_eq!(survey.questions[1].validation, ValidationType::AlphaNumeric);
    let hidden = survey.visible_questions(|_| Vec::new());
    assert_eq!(hidden.len(), 1, "the name question waits for CATS");
    let shown = survey.visible_questions(|id| {
        if id == "12786273" {
            vec!["CATS".into()]
        } else {
            vec![]
        }
    });
    assert_eq!(shown.len(), 2);
}

#[test]
fn a_single_question_is_an_object_and_xml_surveys_read_the_same() {
    let doc = decode(r#"{"survey":{"id":361346,"questions":{"question":{"id":4991310,"type":"Checkbox","mandatory":false,
        "entry":{"value":"only","displayValue":"Only one"}}}}}"#).unwrap();
    let survey = Survey::from_document(&doc).unwrap();
    assert_eq!(survey.questions.len(), 1);
    assert_eq!(survey.questions[0].entries[0].shown_text(), "Only one");
    assert!(survey.questions[0].kind.is_multi_choice());

    let xml = "<survey><id>40216</id><questions><question><id>1</id><type>Radio Button</type><mandatory>true</mandatory>\
        <entry><value>A</value><logic><showLogicId>5</showLogicId><showLogicId>6</showLogicId></logic></entry>\
        <entry><value>B</value></entry></question></questions></survey>";
    let survey = Survey::from_document(&decode(xml).unwrap()).unwrap();
    assert_eq!(survey.questions[0].entries[0].show_logic_ids, ["5", "6"]);
    assert!(survey.questions[0].kind.is_single_choice());
}

#[test]
fn scalar_answers_read_from_numbers_strings_and_xml() {
    assert_eq!(
        Availability::from_document(&decode(r#"{"availability":true}"#).unwrap()),
        Ok(Availability::Single(true))
    );
    assert_eq!(
        Availability::from_document(&decode(r#"{"availability":"false"}"#).unwrap()),
        Ok(Availability::Single(false))
    );
    assert_eq!(
        Availability::from_document(&decode("<availability>true</availability>").unwrap()),
        Ok(Availability::Single(true))
    );
    let multi = decode(r#"{"availability":{"AvailabilityForSkills":{"skillAvailability":[{"skill":"Sales","isAvailable":true},{"skill":"Billing","isAvailable":"false"}]}}}"#).unwrap();
    assert_eq!(
        Availability::from_document(&multi),
        Ok(Availability::PerSkill(vec![
            ("Sales".into(), true),
            ("Billing".into(), false)
        ]))
    );
    let wait = |text: &str| EstimatedWait::from_document(&decode(text).unwrap()).unwrap();
    assert_eq!(wait(r#"{"estimatedWaitTime":0}"#), EstimatedWait::Now);
    assert_eq!(wait(r#"{"estimatedWaitTime":-1}"#), EstimatedWait::NoAgents);
    assert_eq!(wait(r#"{"estimatedWaitTime":"-2"}"#), EstimatedWait::NoData);
    assert_eq!(
        wait("<estimatedWaitTime>95</estimatedWaitTime>"),
        EstimatedWait::Seconds(95)
    );
    let slots = |text: &str| available_slots_from_document(&decode(text).unwrap()).unwrap();
    assert_eq!(slots(r#"{"availableSlots":1}"#), Some(1));
    assert_eq!(slots(r#"{"availableSlots":-1}"#), None, "unlimited");
}

#[test]
fn error_documents_and_info_read_in_both_formats() {
    let json = ErrorDocument::from_document(
        &decode(r#"{"error":{"time":"t","message":"Bad captcha","internalCode":"10"}}"#).unwrap(),
    )
    .unwrap();
    assert_eq!(
        (json.message.as_deref(), json.internal_code),
        (Some("Bad captcha"), Some(10))
    );
    let info = Info::from_document(
        &decode("<info><state>waiting</state><agentName></agentName></info>").unwrap(),
    )
    .unwrap();
    assert_eq!(info.state, Some(ChatState::Waiting));
    assert_eq!(info.agent_name, None, "an empty agent name is no agent");
}

#[test]
fn documents_of_the_wrong_kind_are_typed_errors() {
    assert!(ChatResource::from_document(&decode(r#"{"session":{}}"#).unwrap()).is_err());
    // The answer of an events-level `next` link (a server that gives no chat-level one) is
    // read as the events it holds, with no info.
    let events = ChatResource::from_document(
        &decode(r#"{"events":{"link":{"@href":"https://h/e?from=3","@rel":"next"},"event":{"@id":"2","@type":"state","state":"chatting"}}}"#)
            .unwrap(),
    )
    .expect("an events document");
    assert_eq!(events.events.len(), 1);
    assert_eq!(events.next_link(), Some("https://h/e?from=3"));
    assert!(events.info.is_none());
    assert!(ChatResource::from_document(&decode(r#"{"chat":"x"}"#).unwrap()).is_err());
    assert!(
        Survey::from_document(&decode(r#"{"survey":{"questions":{}}}"#).unwrap()).is_err(),
        "no id"
    );
    assert!(
        EstimatedWait::from_document(&decode(r#"{"estimatedWaitTime":"soon"}"#).unwrap()).is_err()
    );
    assert!(decode("{not json").is_err() && decode("<a><b></a>").is_err());
}

#[test]
fn a_chat_already_chatting_has_reached_waiting_but_not_the_other_way() {
    use chatstart::api::model::ChatState::{Chatting, Ended, Waiting};
    assert!(Waiting.has_reached(&Waiting));
    assert!(
        Chatting.has_reached(&Waiting),
        "an agent accepted before the first poll"
    );
    assert!(Chatting.has_reached(&Chatting));
    assert!(!Waiting.has_reached(&Chatting));
    assert!(
        !Ended.has_reached(&Chatting),
        "ended without an agent is not accepted"
    );
    assert!(!Ended.has_reached(&Waiting));
    assert!(Ended.has_reached(&Ended));
}

#[test]
fn an_empty_system_line_says_what_its_id_means() {
    let document = serde_json::json!({"events": {"event": [
        {"@id": "7", "@type": "line", "by": "info", "source": "system", "text": "",
         "textType": "plain", "systemMessageId": "23"},
        {"@id": "8", "@type": "line", "by": "info", "source": "system", "text": "",
         "textType": "plain", "systemMessageId": "99"},
        {"@id": "9", "@type": "line", "by": "Bob", "source": "agent", "text": "",
         "textType": "plain"}
    ]}});
    let events = chatstart::api::model::EventsDocument::from_document(&document)
        .unwrap()
        .events;
    let texts: Vec<String> = events
        .iter()
        .map(|event| match &event.kind {
            EventKind::Line(line) => line.plain_text(),
            other => panic!("{other:?}"),
        })
        .collect();
    assert_eq!(texts, ["(the chat was requeued by the system)", "", ""]);
}
