//! The visitor's calls as effects: the typing status and its idle timer, the exit survey read
//! and submitted, the transcript asked for, the offline survey read and submitted (the history
//! keeps it once the service took it). Each answer comes back as a `VisitorOutcome`.

use crate::api::ApiError;
use crate::api::error::CallFailure;
use crate::tui::effects::{EffectRunner, describe};
use crate::tui::msg::{Effect, Msg, StoreOutcome, VisitorOutcome};

/// A call's failure in the console's words, and whether the service may have taken it all the
/// same (its answer was lost after the request went out).
fn failure(error: &ApiError) -> Box<CallFailure> {
    Box::new(CallFailure {
        message: describe(error),
        ..CallFailure::from(error)
    })
}

impl EffectRunner {
    /// Starts a visitor effect; the calls of a chat go through its session's client (so the
    /// inspector shows them), the offline survey's through one of its own.
    pub(super) fn visitor(&mut self, effect: Effect) {
        match effect {
            Effect::SetTyping { id, href, typing } => {
                self.with_api(id, move |api, messages| async move {
                    let result = api.set_visitor_typing(&href, typing).await;
                    let _ = messages.send(Msg::from(VisitorOutcome::TypingTold {
                        id,
                        typing,
                        result: result.map_err(|e| describe(&e)),
                    }));
                });
            }
            Effect::TypingIdleAfter {
                id,
                generation,
                after,
            } => {
                let messages = self.messages.clone();
                tokio::spawn(async move {
                    tokio::time::sleep(after).await;
                    let _ = messages.send(Msg::from(VisitorOutcome::TypingIdle { id, generation }));
                });
            }
            Effect::LoadExitSurvey { id, href } => {
                self.with_api(id, move |api, messages| async move {
                    let result = api.exit_survey(&href).await;
                    let _ = messages.send(Msg::from(VisitorOutcome::ExitSurveyLoaded {
                        id,
                        result: result.map_err(|e| describe(&e)),
                    }));
                });
            }
            Effect::SubmitExitSurvey {
                id,
                uri,
                href,
                survey,
                answers,
            } => {
                self.with_api(id, move |api, messages| async move {
                    let result = api.submit_exit_survey(&href, &survey, &answers).await;
                    let _ = messages.send(Msg::from(VisitorOutcome::ExitSurveySubmitted {
                        id,
                        uri,
                        survey,
                        answers,
                        result: result.map_err(|e| failure(&e)),
                    }));
                });
            }
            Effect::RequestTranscript {
                id,
                links,
                mut transcript,
                ..
            } => {
                // This machine's zone, read here: `update` reads no clock.
                if transcript.timezone_offset_ms.is_none() {
                    transcript.timezone_offset_ms =
                        crate::start::visitor::timezone_offset("auto").ok();
                }
                self.with_api(id, move |api, messages| async move {
                    let result = api.request_transcript(&links, &transcript).await;
                    let _ = messages.send(Msg::from(VisitorOutcome::TranscriptSent {
                        id,
                        transcript,
                        result: result.map_err(|e| failure(&e)),
                    }));
                });
            }
            Effect::LoadOfflineSurvey {
                connection,
                request,
            } => {
                let messages = self.messages.clone();
                match connection.api(None) {
                    Ok(api) => {
                        tokio::spawn(async move {
                            let result = api.offline_survey(&request).await;
                            let _ = messages.send(Msg::from(VisitorOutcome::OfflineSurveyLoaded {
                                request: Box::new(request),
                                result: result.map_err(|e| describe(&e)),
                            }));
                        });
                    }
                    Err(error) => {
                        let _ = messages.send(Msg::from(VisitorOutcome::OfflineSurveyLoaded {
                            request: Box::new(request),
                            result: Err(crate::tui::errors::short(&error)),
                        }));
                    }
                }
            }
            Effect::SubmitOfflineSurvey {
                connection,
                request,
                survey,
                answers,
                profile,
            } => {
                let messages = self.messages.clone();
                let history = self.store.history.clone();
                match connection.api(None) {
                    Ok(api) => {
                        tokio::spawn(async move {
                            let result =
                                api.submit_offline_survey(&request, &survey, &answers).await;
                            let result = result.map_err(|e| failure(&e));
                            // Kept when taken, and as unknown when its answer was lost.
                            let kept = match &result {
                                Ok(()) => Some(false),
                                Err(failure) if failure.outcome_unknown => Some(true),
                                Err(_) => None,
                            };
                            if let (Some(unknown), Some(history)) = (kept, &history) {
                                let record = crate::history::OfflineSurveyRecord::submitted(
                                    profile.as_deref(),
                                    api.config(),
                                    request.skill.trim(),
                                    &survey,
                                    &answers,
                                );
                                let record = if unknown { record.unknown() } else { record };
                                if let Err(error) = history.offline_survey(record) {
                                    let _ = messages.send(Msg::from(StoreOutcome::Failed(
                                        format!("could not write the history: {error}"),
                                    )));
                                }
                            }
                            let _ = messages
                                .send(Msg::from(VisitorOutcome::OfflineSurveySubmitted { result }));
                        });
                    }
                    Err(error) => {
                        let _ = messages.send(Msg::from(VisitorOutcome::OfflineSurveySubmitted {
                            result: Err(Box::new(CallFailure::not_sent(
                                crate::tui::errors::short(&error),
                            ))),
                        }));
                    }
                }
            }
            // `run` sends only the visitor's effects here.
            _ => {}
        }
    }
}
