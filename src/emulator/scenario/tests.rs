//! The scenario's parsing and checks.

use super::*;

#[test]
fn a_skill_reroutes_one_hop_to_an_existing_skill() {
    let scenario = Scenario::from_toml(
        "[[skills]]\nname = \"A\"\nreroute_to = \"B\"\n[[skills]]\nname = \"B\"\nagent_name = \"x\"\n",
    )
    .unwrap();
    let (skill, rerouted) = scenario.route(Some("A"));
    assert_eq!(
        (skill.map(|s| s.name.as_str()), rerouted),
        (Some("B"), true)
    );
    assert!(!scenario.route(Some("B")).1);
    let unknown = Scenario::from_toml("[[skills]]\nname = \"A\"\nreroute_to = \"Z\"\n");
    assert!(unknown.unwrap_err().to_string().contains("not a skill"));
    let twice = "[[skills]]\nname = \"A\"\nreroute_to = \"B\"\n[[skills]]\nname = \"B\"\nreroute_to = \"A\"\n";
    assert!(
        Scenario::from_toml(twice)
            .unwrap_err()
            .to_string()
            .contains("one hop")
    );
}

#[test]
fn the_demo_scenario_parses_and_has_its_skills() {
    let text = include_str!("../../../assets/scenario.toml");
    let scenario = Scenario::from_toml(text).expect("demo scenario");
    assert!(
        scenario
            .skill("Sales")
            .and_then(|s| s.agent_name.clone())
            .is_some()
    );
    assert!(scenario.skill("Billing").is_some());
    assert!(
        scenario
            .skill("Tech")
            .is_some_and(|s| s.agent_name.is_none())
    );
    let survey = scenario.survey.as_ref().expect("survey");
    assert!((4..=5).contains(&survey.questions.len()));
    assert!(scenario.skill("Sales").is_some_and(|s| {
        s.exit_survey
            && s.greeting_by_name
                .as_deref()
                .is_some_and(|g| g.contains("{name}"))
    }));
    assert!(scenario.skill("Billing").is_some_and(|s| !s.exit_survey));
    let exit = scenario.exit_survey.expect("exit survey");
    let kinds: Vec<&str> = exit.questions.iter().map(|q| q.kind.as_str()).collect();
    for kind in ["Radio Button", "Checkbox", "Text Area", "Text Field"] {
        assert!(kinds.contains(&kind), "{kinds:?}");
    }
    assert!(
        exit.questions[0]
            .entries
            .iter()
            .all(|e| e.display_value.is_some())
    );
    let offline = scenario.offline_survey.expect("offline survey");
    assert_eq!(offline.questions.iter().filter(|q| q.mandatory).count(), 2);
}

#[test]
fn an_empty_scenario_has_defaults() {
    let scenario = Scenario::from_toml("").expect("empty");
    assert_eq!(scenario.account, "12345678");
    assert_eq!(scenario.ended_chat_ttl_secs, 600);
    assert_eq!(scenario.auth_response, AuthResponse::Seed);
}

#[test]
fn errors_name_the_line_and_the_field() {
    let err = Scenario::from_toml("account = \"1\"\ncaptcha = \"yes\"\n").unwrap_err();
    let text = err.to_string();
    assert!(text.contains("line 2"), "{text}");
    assert!(text.contains("captcha"), "{text}");
    let err = Scenario::from_toml("[[skills]]\nname = \"A\"\nagnet_name = \"x\"\n").unwrap_err();
    assert!(err.to_string().contains("agnet_name"), "{err}");
    let err =
        Scenario::from_toml("[survey]\n[[survey.questions]]\ntype = \"Combo\"\n").unwrap_err();
    assert!(err.to_string().contains("Combo"), "{err}");
}

#[test]
fn every_known_skill_has_an_id_other_than_the_unknown_skills_0() {
    let scenario = Scenario::from_toml(
        "account = 12345678\n[[skills]]\nname = \"A\"\n[[skills]]\nname = \"B\"\nid = 7\n[[skills]]\nname = \"C\"\nid = 0\n",
    )
    .unwrap();
    assert_eq!(scenario.account, "12345678");
    let ids: Vec<u64> = scenario.skills.iter().map(|s| s.id).collect();
    assert_eq!(ids, [8, 7, 9]);
}

#[test]
fn numbers_that_would_overflow_the_clock_are_refused() {
    for (text, named) in [
        (
            "[[skills]]\nname = \"A\"\naccept_after_ms = 18446744073709551615\n",
            "accept_after_ms",
        ),
        (
            "[[skills]]\nname = \"A\"\nreply_after_ms = 99999999999999\n",
            "reply_after_ms",
        ),
        (
            "[[skills]]\nname = \"A\"\nend_after_ms = 99999999999999\n",
            "end_after_ms",
        ),
        ("[[skills]]\nname = \"A\"\nslots = -5\n", "slots"),
        (
            "[[skills]]\nname = \"A\"\nestimated_wait_secs = -3\n",
            "estimated_wait_secs",
        ),
        ("ended_chat_ttl_secs = 99999999999\n", "ended_chat_ttl_secs"),
        (
            "default_chat_timeout_secs = 0\n",
            "default_chat_timeout_secs",
        ),
        (
            "[[skills]]\nname = \"A\"\naccept_after_ms = -1\n",
            "accept_after_ms",
        ),
    ] {
        let error = Scenario::from_toml(text).unwrap_err().to_string();
        assert!(error.contains(named), "{text}: {error}");
    }
}

#[test]
fn load_names_the_file() {
    let err = Scenario::load(Path::new("/nonexistent/scenario.toml")).unwrap_err();
    assert!(
        err.to_string().contains("/nonexistent/scenario.toml"),
        "{err}"
    );
}

#[test]
fn the_visitor_pages_keys_are_read_and_checked() {
    let scenario = Scenario::from_toml(
        "no_exit_survey = \"404\"\nvisitor_name_status = 201\n[[skills]]\nname = \"A\"\nexit_survey = false\ngreeting_by_name = \"Hi {name}\"\ngreeting_after_ms = 1500\ntyping_before_ms = 500\n[exit_survey]\nid = 3\n[[exit_survey.questions]]\nid = 9\ntype = \"Radio Button\"\nentries = [{ value = \"10 Extremely Likely\", display_value = \"10\" }]\n[offline_survey]\nid = 4\n",
    )
    .expect("valid");
    assert_eq!(scenario.no_exit_survey, NoExitSurvey::NotFound);
    assert_eq!(scenario.visitor_name_status, 201);
    let skill = &scenario.skills[0];
    assert!(!skill.exit_survey);
    assert_eq!(
        (skill.greeting_after_ms, skill.typing_before_ms),
        (1500, Some(500))
    );
    let exit = scenario.exit_survey.expect("exit survey");
    assert_eq!(
        exit.questions[0].entries[0].display_value.as_deref(),
        Some("10")
    );
    assert_eq!(scenario.offline_survey.map(|s| s.id), Some(4));
    let defaults = Scenario::from_toml("[[skills]]\nname = \"A\"\n").expect("defaults");
    assert_eq!(defaults.no_exit_survey, NoExitSurvey::Empty);
    assert_eq!(defaults.visitor_name_status, 200);
    assert!(defaults.skills[0].exit_survey);
    for (text, named) in [
        ("visitor_name_status = 204\n", "visitor_name_status"),
        ("no_exit_survey = \"gone\"\n", "no_exit_survey"),
        (
            "[exit_survey]\n[[exit_survey.questions]]\ntype = \"Text Area\"\n",
            "exit_survey: question 1 has no id",
        ),
        (
            "[offline_survey]\n[[offline_survey.questions]]\nid = 1\ntype = \"Checkbox\"\n",
            "offline_survey: question 1: a \"Checkbox\" needs entries",
        ),
        (
            "[survey]\n[[survey.questions]]\nid = 1\ntype = \"Text Area\"\n[[survey.questions]]\nid = 1\ntype = \"Text Area\"\n",
            "question id 1 is used twice",
        ),
        (
            "[[skills]]\nname = \"A\"\ngreeting_after_ms = 99999999999999\n",
            "greeting_after_ms",
        ),
    ] {
        let error = Scenario::from_toml(text).unwrap_err().to_string();
        assert!(error.contains(named), "{text}: {error}");
    }
}
