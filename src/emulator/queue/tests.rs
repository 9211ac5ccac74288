//! The chat simulation, on a simulated clock.

use super::*;

fn sales() -> Skill {
    Skill {
        name: "Sales".into(),
        id: 7,
        agent_name: Some("Natalie".into()),
        agent_id: 9,
        accept_after_ms: 1000,
        greeting: Some("<b>hi</b>".into()),
        replies: vec!["r1".into(), "r2".into()],
        reply_after_ms: 500,
        ..Skill::default()
    }
}

fn params(timeout: u64) -> ChatParams {
    ChatParams {
        skill: Some("Sales".into()),
        chat_timeout_secs: timeout,
        pre_chat_lines: vec!["order 1".into()],
        ..ChatParams::default()
    }
}

fn system_ids(chat: &Chat) -> Vec<u32> {
    chat.view(0)
        .events
        .iter()
        .filter_map(|e| match &e.kind {
            EventKind::Line(l) => l.system_message_id,
            EventKind::State(_) => None,
        })
        .collect()
}

#[test]
fn a_chat_waits_then_is_accepted_with_greeting_and_replies() {
    let t0 = Instant::now();
    let skill = sales();
    let mut chat = Chat::new("c".into(), params(40), Some(&skill), t0);
    assert_eq!(chat.state(), ChatState::Waiting);
    assert_eq!(system_ids(&chat), vec![4, 0]);
    assert!(chat.view(0).info.agent.is_none());
    assert_eq!(chat.add_visitor_line("hi", t0), Err(LineRefused::NotInChat));
    chat.touch(t0 + Duration::from_millis(1200));
    assert_eq!(chat.state(), ChatState::Chatting);
    assert_eq!(system_ids(&chat), vec![4, 0, 3]);
    assert_eq!(chat.view(0).info.agent, Some(("Natalie".into(), 9)));
    let id = chat
        .add_visitor_line("question", t0 + Duration::from_millis(1300))
        .expect("line");
    assert_eq!(chat.view(0).info.agent_typing, "typing");
    chat.touch(t0 + Duration::from_millis(1900));
    let view = chat.view(id + 1);
    assert_eq!(view.events.len(), 1);
    assert!(
        matches!(&view.events[0].kind, EventKind::Line(l) if l.text == "r1" && l.source == "agent")
    );
    assert_eq!(view.next_from, id + 2);
    assert_eq!(chat.view(id + 2).next_from, id + 2);
}

#[test]
fn an_idle_chat_ends_with_system_message_6_at_the_idle_moment() {
    let t0 = Instant::now();
    let skill = sales();
    let mut chat = Chat::new("c".into(), params(2), Some(&skill), t0);
    chat.touch(t0 + Duration::from_secs(10));
    assert_eq!(chat.state(), ChatState::Ended);
    // Accepted at 1 s, then idle from t0 (the last touch) until 2 s.
    assert_eq!(system_ids(&chat), vec![4, 0, 3, 6]);
    assert!(!chat.expired(t0 + Duration::from_secs(10), Duration::from_secs(600)));
    assert!(chat.expired(t0 + Duration::from_secs(603), Duration::from_secs(600)));
}

#[test]
fn no_agent_means_busy_after_max_wait() {
    let t0 = Instant::now();
    let p = ChatParams {
        skill: Some("Nobody".into()),
        max_wait_secs: Some(1),
        chat_timeout_secs: 40,
        ..ChatParams::default()
    };
    let mut chat = Chat::new("c".into(), p, None, t0);
    chat.touch(t0 + Duration::from_millis(500));
    assert_eq!(chat.state(), ChatState::Waiting);
    chat.touch(t0 + Duration::from_millis(1500));
    assert_eq!(chat.state(), ChatState::Ended);
    assert_eq!(system_ids(&chat), vec![4, 2]);
    assert_eq!(chat.add_visitor_line("x", t0), Err(LineRefused::NotActive));
}

#[test]
fn ids_have_the_documented_forms() {
    let id = new_chat_id();
    assert!(
        id.starts_with('H') && id.contains('-') && id.contains('K'),
        "{id}"
    );
    assert_eq!(new_uuid().len(), 36);
}

fn agent_texts(chat: &Chat) -> Vec<String> {
    chat.view(0)
        .events
        .iter()
        .filter_map(|e| match &e.kind {
            EventKind::Line(l) if l.source == "agent" => Some(l.text.clone()),
            _ => None,
        })
        .collect()
}

#[test]
fn a_name_set_before_the_agent_accepts_is_in_the_greeting_escaped() {
    let t0 = Instant::now();
    let skill = Skill {
        greeting_by_name: Some("<p>Hi {name}!</p>".into()),
        ..sales()
    };
    let mut named = Chat::new("c".into(), params(40), Some(&skill), t0);
    named.set_visitor_name("Ann <&>");
    named.touch(t0 + Duration::from_millis(1200));
    assert_eq!(agent_texts(&named), ["<p>Hi Ann &lt;&amp;&gt;!</p>"]);
    let mut late = Chat::new("c".into(), params(40), Some(&skill), t0);
    late.touch(t0 + Duration::from_millis(1200));
    late.set_visitor_name("Ann");
    assert_eq!(agent_texts(&late), ["<b>hi</b>"]);
    let id = late
        .add_visitor_line("hello", t0 + Duration::from_millis(1300))
        .expect("line");
    assert!(matches!(&late.event(id).expect("line").kind, EventKind::Line(l) if l.by == "Ann"));
}

#[test]
fn the_agent_types_before_a_delayed_greeting_and_before_replies() {
    let t0 = Instant::now();
    let skill = Skill {
        greeting_after_ms: 2000,
        typing_before_ms: Some(300),
        ..sales()
    };
    let mut chat = Chat::new("c".into(), params(40), Some(&skill), t0);
    chat.touch(t0 + Duration::from_millis(1100));
    assert_eq!(chat.state(), ChatState::Chatting);
    assert_eq!(chat.view(0).info.agent_typing, "not-typing");
    assert!(agent_texts(&chat).is_empty());
    chat.touch(t0 + Duration::from_millis(2800));
    assert_eq!(chat.view(0).info.agent_typing, "typing");
    chat.touch(t0 + Duration::from_millis(3000));
    assert_eq!(chat.view(0).info.agent_typing, "not-typing");
    assert_eq!(agent_texts(&chat), ["<b>hi</b>"]);
    chat.add_visitor_line("q", t0 + Duration::from_millis(3000))
        .expect("line");
    chat.touch(t0 + Duration::from_millis(3100));
    assert_eq!(chat.view(0).info.agent_typing, "not-typing");
    chat.touch(t0 + Duration::from_millis(3300));
    assert_eq!(chat.view(0).info.agent_typing, "typing");
    chat.touch(t0 + Duration::from_millis(3500));
    assert_eq!(agent_texts(&chat), ["<b>hi</b>", "r1"]);
    // Without typing_before_ms the agent types for the whole wait.
    let skill = Skill {
        greeting_after_ms: 2000,
        ..sales()
    };
    let mut chat = Chat::new("c".into(), params(40), Some(&skill), t0);
    chat.touch(t0 + Duration::from_millis(1000));
    assert_eq!(chat.view(0).info.agent_typing, "typing");
}
