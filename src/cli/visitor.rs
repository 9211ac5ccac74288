//! The visitor's whole chat on the command line: the name set right after the chat is created,
//! the transcript by e-mail, the exit survey and the offline survey (spec §2.7, §2.14–§2.18).

use serde_json::json;

use super::args::{ExitSurveyArgs, OfflineSurveyArgs, TranscriptArgs};
use super::context::Context;
use super::exit;
use super::print::{Output, Printer, note};
use super::run::{Failure, Outcome, connect, connect_to_chat, parse_uri, remember};
use crate::api::error::CallFailure;
use crate::api::model::{Survey, VisitorLinks};
use crate::api::validate::{self, Field, ValidationErrors};
use crate::api::{ApiError, ChatApi, SurveyAnswer, TranscriptRequest, TranscriptSent};
use crate::history::{
    History, OfflineSurveyRecord, TranscriptLink, VisitorAction, answered_questions,
};

/// The visitor's name of a start (`--visitor-name` over the history record over the
/// profile's `visitor_name`), checked before anything is sent: a name the service could not
/// take is refused (exit 2).
pub fn visitor_name(spec: &crate::start::VisitorSpec) -> Result<Option<String>, Failure> {
    spec.checked_name()
        .map_err(|problem| Failure::usage(format!("--visitor-name: {problem}")))
}

/// Sets the visitor's name of the chat just created at `uri`, when the chat is not followed:
/// the chat is read once for its `visitor-name` link, then the name is set there. A refusal is
/// said as a warning; the chat goes on without the name (exit 0).
pub async fn name_without_following(
    api: &ChatApi,
    uri: &str,
    name: &str,
    printer: &mut Printer<std::io::Stdout>,
    history: Option<&History>,
) {
    let result = match api.visitor_links(uri).await {
        Ok(VisitorLinks {
            visitor_name: Some(href),
            ..
        }) => api
            .set_visitor_name(&href, name)
            .await
            .map_err(CallFailure::from),
        Ok(_) => Err(CallFailure::not_sent(
            "the chat's info has no `visitor-name` link",
        )),
        Err(error) => Err(CallFailure::from(error)),
    };
    named(uri, name, &result, printer, history);
}

/// Says how setting the visitor's name went, and records it when the service took it — or may
/// have: a request that went out without an answer is kept as unknown.
pub fn named(
    uri: &str,
    name: &str,
    result: &Result<(), CallFailure>,
    printer: &mut Printer<std::io::Stdout>,
    history: Option<&History>,
) {
    if let Some(history) = history {
        let action = VisitorAction::Named {
            name: name.to_string(),
        };
        match result {
            Ok(()) => remember(history.visitor(uri, action)),
            Err(failure) if failure.outcome_unknown => {
                remember(history.visitor_unknown(uri, action));
            }
            Err(_) => {}
        }
    }
    if let Some(said) = printer.visitor_named(name, result) {
        note(said);
    }
}

/// `--answer QUESTION_ID=ANSWER` flags grouped by question; one that is not `ID=ANSWER` is a
/// usage error naming it.
pub fn answer_flags(written: &[String]) -> Result<Vec<SurveyAnswer>, Failure> {
    let mut pairs = Vec::new();
    for entry in written {
        let Some((id, answer)) = entry.split_once('=') else {
            return Err(Failure::usage(format!(
                "--answer `{entry}`: write QUESTION_ID=ANSWER"
            )));
        };
        if id.trim().is_empty() {
            return Err(Failure::usage(format!(
                "--answer `{entry}`: the question id is missing"
            )));
        }
        pairs.push((id.trim().to_string(), answer.to_string()));
    }
    Ok(crate::start::visitor::answers(&pairs))
}

/// Answers that do not fit the survey, or answer a question its logic hides (they would not
/// be sent), named by their `--answer` flags: nothing is sent.
fn check_answers(answers: &[SurveyAnswer], survey: &Survey) -> Result<(), Failure> {
    let errors = validate::answers_to_send(answers, survey);
    if errors.0.is_empty() {
        return Ok(());
    }
    Err(Failure::usage(answer_problems(&errors)))
}

/// Validation errors of answers in the words of `--answer`.
fn answer_problems(errors: &ValidationErrors) -> String {
    let lines: Vec<String> = errors
        .0
        .iter()
        .map(|e| match &e.field {
            Field::SurveyAnswer(id) => format!("--answer {id}=…: {}", e.message),
            other => format!("{}: {}", super::input::flag(other), e.message),
        })
        .collect();
    match lines.as_slice() {
        [one] => one.clone(),
        many => format!("\n  {}", many.join("\n  ")),
    }
}

/// `chatstart transcript URI --email ADDR [--subject TEXT] [--timezone-offset ±HH:MM|auto]`.
pub async fn transcript(ctx: &Context, args: TranscriptArgs) -> Outcome {
    // Everything the person typed is checked before anything is sent (V17).
    if let Some(problem) = validate::transcript_email(&args.email) {
        return Err(Failure::usage(format!("--email: {problem}")));
    }
    let timezone_offset_ms = args
        .timezone_offset
        .as_deref()
        .map(crate::start::visitor::timezone_offset)
        .transpose()
        .map_err(|problem| Failure::usage(format!("--timezone-offset: {problem}")))?;
    if let Some(problem) = args
        .subject
        .as_deref()
        .and_then(validate::transcript_subject)
    {
        return Err(Failure::usage(format!("--subject: {problem}")));
    }
    let uri = parse_uri(&args.uri)?;
    let api = connect_to_chat(ctx, &ctx.connection(&args.connection)?, &uri)?;
    let links = api.visitor_links(uri.as_str()).await?;
    let request = TranscriptRequest {
        email: args.email.trim().to_string(),
        subject: args.subject.clone().filter(|s| !s.trim().is_empty()),
        timezone_offset_ms,
    };
    let sent = match api.request_transcript(&links, &request).await {
        Ok(sent) => sent,
        Err(error) if error.may_have_taken_effect() => {
            if let (Some(history), Some(sent)) = (
                &ctx.history,
                crate::history::transcript_link(&links, request.subject.is_some()),
            ) {
                remember(
                    history
                        .visitor_unknown(uri.as_str(), VisitorAction::transcript(&request, sent)),
                );
            }
            return Err(outcome_unknown(
                error,
                "the transcript may have been requested",
            ));
        }
        Err(error) => return Err(error.into()),
    };
    let link = TranscriptLink::from(sent);
    let href = match link {
        TranscriptLink::WithSubject => links.transcript_with_subject.as_deref(),
        TranscriptLink::Plain => links.transcript.as_deref(),
    }
    .map(crate::api::links::redact_text_url)
    .unwrap_or_default();
    if let Some(history) = &ctx.history {
        remember(history.visitor(uri.as_str(), VisitorAction::transcript(&request, sent)));
    }
    let dropped = sent == TranscriptSent::SubjectDropped;
    let mut text = format!(
        "transcript requested for {}: the service took it at {} ({href})",
        request.email,
        link.rel()
    );
    if let Some(offset) = timezone_offset_ms {
        text.push_str(&format!("; times labelled {}", offset_label(offset)));
    }
    if dropped {
        text.push_str(
            "\nnote: the chat has no transcript-with-subject-request link, so the subject was \
             not sent",
        );
    }
    Output::new(args.output).emit(
        text,
        &json!({"type": "transcript", "uri": crate::api::links::redact_url(&uri),
                "email": request.email, "subject": request.subject, "link": link.rel(),
                "href": href, "subjectDropped": dropped,
                "timezoneOffsetMs": timezone_offset_ms}),
    );
    Ok(exit::OK)
}

/// `-7200000` → `GMT-02:00`.
fn offset_label(milliseconds: i64) -> String {
    let minutes = milliseconds / 60_000;
    let sign = if minutes < 0 { '-' } else { '+' };
    let minutes = minutes.abs();
    format!("GMT{sign}{:02}:{:02}", minutes / 60, minutes % 60)
}

/// `chatstart exit-survey URI [--answer QID=ANSWER…]`: prints the chat's exit survey, or says
/// there is none (Q30: the link is there either way); with answers, submits them once they fit.
pub async fn exit_survey(ctx: &Context, args: ExitSurveyArgs) -> Outcome {
    let answers = answer_flags(&args.answers)?;
    let uri = parse_uri(&args.uri)?;
    let api = connect_to_chat(ctx, &ctx.connection(&args.connection)?, &uri)?;
    let output = Output::new(args.output);
    let shown_uri = crate::api::links::redact_url(&uri);
    // One read gives the links and the state (its info, else its last state event).
    let chat = api.chat(uri.as_str()).await?;
    let links = chat.visitor_links();
    let state = chat
        .info
        .as_ref()
        .and_then(|info| info.state.clone())
        .or_else(|| {
            chat.events
                .iter()
                .rev()
                .find_map(|event| match &event.kind {
                    crate::api::model::EventKind::State(state) => Some(state.clone()),
                    _ => None,
                })
        });
    let survey = match &links.exit_survey {
        Some(href) => api.exit_survey(href).await?,
        None => None,
    };
    let Some(survey) = survey else {
        let why = if links.exit_survey.is_some() {
            "the service has none for this chat"
        } else {
            "the chat has no exit-survey link"
        };
        if !answers.is_empty() {
            return Err(Failure::usage(format!(
                "no exit survey to answer: {why}; nothing was sent"
            )));
        }
        output.emit(
            format!("no exit survey: {why}"),
            &json!({"type": "exitSurvey", "uri": shown_uri, "survey": null}),
        );
        return Ok(exit::OK);
    };
    if answers.is_empty() {
        output.emit(
            super::survey::to_text_for(&survey, "exit survey", "--answer").trim_end(),
            &json!({"type": "exitSurvey", "uri": shown_uri,
                    "survey": super::survey::body(&survey)}),
        );
        return Ok(exit::OK);
    }
    check_answers(&answers, &survey)?;
    // The service refuses a submission while the chat waits for an agent: said before sending.
    if state == Some(crate::api::model::ChatState::Waiting) {
        let shown = crate::api::links::redact_text_url(uri.as_str());
        return Err(Failure {
            hint: Some(format!(
                "end it first with `chatstart end {shown}`, as a visitor leaves, then submit"
            )),
            ..Failure::usage(
                "the chat is still waiting for an agent, and the exit survey is for after the \
                 end; nothing was sent",
            )
        });
    }
    let href = links.exit_survey.as_deref().unwrap_or_default();
    match api.submit_exit_survey(href, &survey, &answers).await {
        Ok(()) => {}
        Err(error) if error.may_have_taken_effect() => {
            if let Some(history) = &ctx.history {
                remember(
                    history.visitor_unknown(
                        uri.as_str(),
                        VisitorAction::exit_survey(&survey, &answers),
                    ),
                );
            }
            return Err(outcome_unknown(
                error,
                "the exit survey may have been submitted",
            ));
        }
        Err(error) => return Err(answer_failure(error)),
    }
    let questions = answered_questions(&survey, &answers);
    if let Some(history) = &ctx.history {
        remember(history.visitor(uri.as_str(), VisitorAction::exit_survey(&survey, &answers)));
    }
    output.emit(
        format!(
            "exit survey {} submitted: {} answered ({})",
            survey.id,
            crate::plural::count(questions.len(), "question", "questions"),
            questions.join(", ")
        ),
        &json!({"type": "exitSurveySubmitted", "uri": shown_uri, "surveyId": survey.id,
                "questions": questions}),
    );
    Ok(exit::OK)
}

/// A visitor's call whose request went out and whose answer was lost
/// ([`ApiError::may_have_taken_effect`]): said as what may have happened (`what`), with the
/// error and its explanation; exit 4 as any network failure.
fn outcome_unknown(error: ApiError, what: &str) -> Failure {
    let mut failure = Failure::from(error);
    failure.message = format!(
        "{what}: the request went out and no answer came ({})",
        failure.message
    );
    failure
}

/// An error of a submission: invalid answers in the words of `--answer`, the rest as usual.
fn answer_failure(error: ApiError) -> Failure {
    match &error {
        ApiError::Invalid(errors) => Failure::usage(answer_problems(errors)),
        _ => Failure::from(error),
    }
}

/// `chatstart offline-survey [request flags] [--answer QID=ANSWER…]`: prints the offline survey
/// for the skill and visitor, or says there is none; with answers, submits them with the
/// visitor's fields inside `survey` (Q34).
pub async fn offline_survey(ctx: &Context, args: OfflineSurveyArgs) -> Outcome {
    for (given, flag) in [
        (!args.fields.survey.is_empty(), "--survey"),
        (!args.fields.pre_chat_lines.is_empty(), "--pre-chat-line"),
    ] {
        if given {
            return Err(Failure::usage(format!(
                "{flag} belongs to a chat request; the offline survey's answers are given with \
                 --answer QUESTION_ID=ANSWER"
            )));
        }
    }
    let answers = answer_flags(&args.answers)?;
    let start = ctx.layered(&super::input::flags(&args.connection, &args.fields)?)?;
    let mut request = start.request.chat_request()?;
    // The profile's pre-chat answers and lines are the chat request's, not this survey's.
    request.survey_answers.clear();
    request.pre_chat_lines.clear();
    validate::request_fields(&request)
        .into_result()
        .map_err(ApiError::from)?;
    let api = connect(&start.connection, None)?;
    let output = Output::new(args.output);
    let skill = request.skill.trim().to_string();
    let Some(survey) = api.offline_survey(&request).await? else {
        let whose = if skill.is_empty() {
            String::new()
        } else {
            format!(" for skill {skill}")
        };
        if !answers.is_empty() {
            return Err(Failure::usage(format!(
                "no offline survey{whose} to answer: the service has none; nothing was sent"
            )));
        }
        output.emit(
            format!("no offline survey{whose}: the service has none"),
            &json!({"type": "offlineSurvey", "skill": skill, "survey": null}),
        );
        return Ok(exit::OK);
    };
    if answers.is_empty() {
        output.emit(
            super::survey::to_text_for(&survey, "offline survey", "--answer").trim_end(),
            &json!({"type": "offlineSurvey", "skill": skill,
                    "survey": super::survey::body(&survey)}),
        );
        return Ok(exit::OK);
    }
    check_answers(&answers, &survey)?;
    // What a visitor gets when no agent can chat: said when one can (still submitted, as a
    // test of the form may want). Unknown when availability cannot be read.
    let available = api
        .availability(&request.skill, &request.max_wait_time)
        .await
        .ok()
        .map(|availability| availability.any());
    if available == Some(true) {
        let whose = if skill.is_empty() {
            "the account".to_string()
        } else {
            format!("skill {skill}")
        };
        note(format!(
            "note: availability is true for {whose}: an agent can take a chat now, and the \
             offline survey is what a visitor gets when none can; submitting it anyway"
        ));
    }
    let record =
        OfflineSurveyRecord::submitted(ctx.profile_name(), api.config(), &skill, &survey, &answers);
    match api.submit_offline_survey(&request, &survey, &answers).await {
        Ok(()) => {}
        Err(error) if error.may_have_taken_effect() => {
            if let Some(history) = &ctx.history {
                remember(history.offline_survey(record.unknown()));
            }
            return Err(outcome_unknown(
                error,
                "the offline survey may have been submitted",
            ));
        }
        Err(error) => return Err(answer_failure(error)),
    }
    let questions = record.questions.clone();
    if let Some(history) = &ctx.history {
        remember(history.offline_survey(record));
    }
    output.emit(
        format!(
            "offline survey {} submitted: {} answered ({})",
            survey.id,
            crate::plural::count(questions.len(), "question", "questions"),
            questions.join(", ")
        ),
        &json!({"type": "offlineSurveySubmitted", "skill": skill, "surveyId": survey.id,
                "questions": questions, "available": available}),
    );
    Ok(exit::OK)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cli::args::VisitorArgs;

    #[test]
    fn answers_are_id_equals_answer_grouped_by_question() {
        let answers = answer_flags(&["7=a".into(), "8=x=y".into(), "7=b".into()]).expect("ok");
        assert_eq!(answers[0].values, ["a", "b"]);
        assert_eq!(answers[1].values, ["x=y"]);
        let failure = answer_flags(&["nothing".into()]).expect_err("refused");
        assert_eq!(
            failure.message,
            "--answer `nothing`: write QUESTION_ID=ANSWER"
        );
        assert_eq!(failure.code, exit::USAGE);
        let failure = answer_flags(&[" =x".into()]).expect_err("refused");
        assert!(failure.message.contains("the question id is missing"));
    }

    #[test]
    fn offsets_are_labelled_as_the_mail_prints_them() {
        assert_eq!(offset_label(-7_200_000), "GMT-02:00");
        assert_eq!(offset_label(19_800_000), "GMT+05:30");
        assert_eq!(offset_label(0), "GMT+00:00");
    }

    #[test]
    fn a_name_the_service_could_not_take_is_refused_before_sending() {
        let args = |name: &str| {
            VisitorArgs {
                visitor_name: Some(name.into()),
            }
            .spec()
        };
        assert_eq!(
            visitor_name(&args(" Zoë ")).expect("ok"),
            Some("Zoë".into())
        );
        assert_eq!(
            visitor_name(&VisitorArgs::default().spec()).expect("ok"),
            None
        );
        let failure = visitor_name(&args("  ")).expect_err("empty");
        assert!(
            failure.message.starts_with("--visitor-name: "),
            "{}",
            failure.message
        );
        assert_eq!(failure.code, exit::USAGE);
        assert!(visitor_name(&args("a\u{1b}b")).is_err());
    }
}
