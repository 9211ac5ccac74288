//! How check results are reported: a line per case for people, JSON Lines, and JUnit XML for CI.

use serde_json::{Value, json};

use super::run::CaseResult;
use crate::plural::count;

/// The figures of a whole run.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct Totals {
    pub cases: usize,
    pub passed: usize,
    pub failed: usize,
    pub errors: usize,
    /// Cases the run was interrupted before they had a verdict (not failures).
    pub interrupted: usize,
    pub duration_ms: u64,
}

impl Totals {
    pub fn of(results: &[CaseResult], duration_ms: u64) -> Self {
        let judged = || results.iter().filter(|r| !r.interrupted);
        Self {
            cases: results.len(),
            passed: judged().filter(|r| r.passed).count(),
            failed: judged().filter(|r| r.failure.is_some()).count(),
            errors: judged()
                .filter(|r| r.error.is_some() && r.failure.is_none() && !r.passed)
                .count(),
            interrupted: results.iter().filter(|r| r.interrupted).count(),
            duration_ms,
        }
    }
}

fn case_name(result: &CaseResult, repeats: bool) -> String {
    if repeats {
        format!("{} #{}", result.name, result.repeat)
    } else {
        result.name.clone()
    }
}

fn seconds(ms: u64) -> String {
    format!("{:.1} s", ms as f64 / 1000.0)
}

fn verdict(result: &CaseResult) -> &'static str {
    match (result.passed, &result.failure) {
        _ if result.interrupted => "STOP ",
        (true, _) => "PASS ",
        (false, Some(_)) => "FAIL ",
        (false, None) => "ERROR",
    }
}

/// One line for people: verdict, name, timings, and the reason when it failed.
pub fn text_line(result: &CaseResult, repeats: bool) -> String {
    let verdict = verdict(result);
    let mut timings = Vec::new();
    if let Some(ms) = result.time_to_queue_ms {
        timings.push(format!("queued {ms} ms"));
    }
    if let Some(ms) = result.time_to_accept_ms {
        timings.push(format!("accepted {}", seconds(ms)));
    }
    timings.push(format!("took {}", seconds(result.duration_ms)));
    let mut line = format!(
        "{verdict} {}  ({})",
        case_name(result, repeats),
        timings.join(" · ")
    );
    if let Some(reason) = result.failure.as_ref().or(result.error.as_ref()) {
        line.push_str(&format!("\n      {reason}"));
    }
    for (label, text) in explanation(result) {
        line.push_str(&format!("\n      {label}: {text}"));
    }
    for outcome in visitor_outcomes(result) {
        line.push_str(&format!("\n      {outcome}"));
    }
    if result.left_open {
        if let Some(uri) = &result.uri {
            line.push_str(&format!("\n      left open: {uri}"));
        }
    }
    line
}

/// What the visitor's parts of the case came to, one line each: the name set, the transcript
/// asked for, the exit and offline surveys.
pub fn visitor_outcomes(result: &CaseResult) -> Vec<String> {
    let mut lines = Vec::new();
    if let Some(name) = &result.visitor_name {
        lines.push(format!("visitor name set: {name}"));
    }
    if let Some(transcript) = &result.transcript {
        lines.push(transcript.describe());
    }
    if let Some(survey) = &result.exit_survey {
        lines.push(survey.describe("exit survey"));
    }
    if let Some(survey) = &result.offline_survey {
        lines.push(survey.describe("offline survey"));
    }
    lines
}

/// The why and next step of an error, labelled, when it is a known one.
fn explanation(result: &CaseResult) -> Vec<(&'static str, &str)> {
    [("why", &result.why), ("next", &result.next)]
        .into_iter()
        .filter_map(|(label, text)| text.as_deref().map(|t| (label, t)))
        .collect()
}

/// The verdicts again in file order, for runs whose lines came as the cases finished.
pub fn text_recap(results: &[CaseResult], repeats: bool) -> String {
    let mut recap = String::from("in file order:\n");
    for result in results {
        recap.push_str(&format!(
            "  {} {}\n",
            verdict(result),
            case_name(result, repeats)
        ));
    }
    recap
}

/// The summary line for people.
pub fn text_summary(totals: &Totals) -> String {
    let interrupted = if totals.interrupted > 0 {
        format!(" · {} interrupted", totals.interrupted)
    } else {
        String::new()
    };
    format!(
        "{} of {} passed · {} failed · {}{interrupted} · {}",
        totals.passed,
        count(totals.cases, "case", "cases"),
        totals.failed,
        count(totals.errors, "error", "errors"),
        seconds(totals.duration_ms)
    )
}

/// One JSON line per case.
pub fn json_line(result: &CaseResult) -> Value {
    json!({"type": "case", "case": result})
}

pub fn json_summary(totals: &Totals) -> Value {
    json!({"type": "summary", "summary": totals})
}

/// A JUnit XML report: one test case per case run, failures and errors with their reason.
pub fn junit(results: &[CaseResult], totals: &Totals, repeats: bool) -> String {
    let cases: Vec<Value> = results
        .iter()
        .map(|result| {
            let mut case = json!({
                "@name": case_name(result, repeats),
                "@classname": "chatstart.check",
                "@time": format!("{:.3}", result.duration_ms as f64 / 1000.0),
            });
            let lines = result.agent_lines.join("\n");
            if result.interrupted {
                let why = result.error.as_deref().unwrap_or("interrupted");
                case["skipped"] = json!({"@message": why});
            } else if let Some(failure) = &result.failure {
                case["failure"] = json!({"@message": failure, "@type": "expectation", "$": lines});
            } else if let Some(error) = &result.error.as_ref().filter(|_| !result.passed) {
                // The message is the error; the why and the next step are its text, one a line.
                let explained: Vec<String> = explanation(result)
                    .into_iter()
                    .map(|(label, text)| format!("{label}: {text}"))
                    .collect();
                case["error"] = json!({"@message": error, "@type": "api"});
                if !explained.is_empty() {
                    case["error"]["$"] = json!(explained.join("\n"));
                }
            }
            let outcomes = visitor_outcomes(result);
            let out: Vec<&str> = result
                .uri
                .iter()
                .map(String::as_str)
                .chain(outcomes.iter().map(String::as_str))
                .chain((!lines.is_empty()).then_some(lines.as_str()))
                .collect();
            if result.uri.is_some() || !outcomes.is_empty() {
                case["system-out"] = json!(out.join("\n"));
            }
            case
        })
        .collect();
    let document = json!({"testsuites": {
        "@name": "chatstart check",
        "@tests": totals.cases,
        "@failures": totals.failed,
        "@errors": totals.errors,
        "@skipped": totals.interrupted,
        "@time": format!("{:.3}", totals.duration_ms as f64 / 1000.0),
        "testsuite": {
            "@name": "chatstart check",
            "@tests": totals.cases,
            "@failures": totals.failed,
            "@errors": totals.errors,
            "@skipped": totals.interrupted,
            "@time": format!("{:.3}", totals.duration_ms as f64 / 1000.0),
            "testcase": cases,
        }
    }});
    let mut document = document;
    xml_safe(&mut document);
    crate::xmljson::value_to_xml(&document).unwrap_or_default()
}

/// Every text of the report as XML 1.0 can hold it: a control character (an agent line or a
/// case name may carry ESC or NUL) is written as its `\u{1b}` escape, as the terminal gets it;
/// raw, it would make the whole file unreadable to a CI server.
fn xml_safe(value: &mut Value) {
    match value {
        Value::String(text) => {
            let not_xml = |c: char| matches!(c, '\u{fffe}' | '\u{ffff}');
            let safe = crate::terminal_text::terminal_safe(text);
            *text = crate::terminal_text::escaped(&safe, not_xml).into_owned();
        }
        Value::Array(items) => items.iter_mut().for_each(xml_safe),
        Value::Object(fields) => fields.values_mut().for_each(xml_safe),
        _ => {}
    }
}

#[cfg(test)]
mod junit_tests {
    use super::*;

    #[test]
    fn control_characters_from_the_server_leave_the_report_readable_xml() {
        let result = CaseResult {
            name: "case\u{7}one".into(),
            repeat: 1,
            passed: false,
            failure: Some("expected Sales; the agent said \u{1b}]0;owned\u{7}".into()),
            agent_lines: vec!["hi\u{0}there\r\nsecond line\u{ffff}".into()],
            uri: Some("http://127.0.0.1:8480/api/account/1/chat/A".into()),
            ..CaseResult::default()
        };
        let totals = Totals::of(std::slice::from_ref(&result), 10);
        let xml = junit(&[result], &totals, false);
        let allowed = |c: char| {
            matches!(c, '\t' | '\n' | '\r' | '\u{20}'..='\u{d7ff}' | '\u{e000}'..='\u{fffd}')
                || c >= '\u{10000}'
        };
        assert!(xml.chars().all(allowed), "{xml:?}");
        // A real XML parser reads it, and the text says what was there.
        let mut reader = quick_xml::Reader::from_str(&xml);
        loop {
            match reader.read_event() {
                Ok(quick_xml::events::Event::Eof) => break,
                Ok(_) => {}
                Err(error) => panic!("not XML: {error}: {xml}"),
            }
        }
        assert!(
            xml.contains("case\\u{7}one") && xml.contains("\\u{1b}]0;owned"),
            "{xml}"
        );
        assert!(
            xml.contains("hi\\u{0}there") && xml.contains("\\u{ffff}"),
            "{xml}"
        );
    }
    #[test]
    fn the_visitors_outcomes_are_in_the_line_the_json_and_the_junit_report() {
        use crate::check::run::{SurveyOutcome, TranscriptOutcome};
        let result = CaseResult {
            name: "sales".into(),
            repeat: 1,
            passed: true,
            uri: Some("http://127.0.0.1:8480/api/account/1/chat/A".into()),
            visitor_name: Some("Zoë".into()),
            transcript: Some(TranscriptOutcome {
                email: "qa@example.com".into(),
                subject: Some("Our chat".into()),
                link: "transcript-with-subject-request".into(),
                subject_dropped: false,
                outcome: crate::history::Outcome::Taken,
            }),
            exit_survey: Some(SurveyOutcome {
                survey_id: Some("361348".into()),
                submitted: true,
                questions: vec!["4991315".into(), "4991316".into()],
                outcome: crate::history::Outcome::Taken,
            }),
            ..CaseResult::default()
        };
        let text = text_line(&result, false);
        assert!(text.starts_with("PASS  sales"), "{text}");
        for said in [
            "\n      visitor name set: Zoë",
            "\n      transcript to qa@example.com via transcript-with-subject-request",
            "\n      exit survey 361348 submitted (questions 4991315, 4991316)",
        ] {
            assert!(text.contains(said), "{said}: {text}");
        }
        let json = json_line(&result);
        assert_eq!(json["case"]["visitor_name"], "Zoë");
        assert_eq!(
            json["case"]["transcript"]["link"],
            "transcript-with-subject-request"
        );
        assert_eq!(json["case"]["exit_survey"]["survey_id"], "361348");
        assert_eq!(json["case"]["exit_survey"]["submitted"], true);
        let offline = CaseResult {
            name: "after hours".into(),
            repeat: 1,
            passed: false,
            failure: Some("expected an offline survey to submit; the service has none".into()),
            offline_survey: Some(SurveyOutcome::default()),
            ..CaseResult::default()
        };
        assert!(text_line(&offline, false).contains("\n      no offline survey"));
        let results = [result, offline];
        let xml = junit(&results, &Totals::of(&results, 10), false);
        assert!(
            xml.contains("exit survey 361348 submitted (questions 4991315, 4991316)"),
            "{xml}"
        );
        assert!(
            xml.contains("<system-out>no offline survey</system-out>"),
            "{xml}"
        );
    }
}
