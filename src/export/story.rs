//! What a journal says happened in a chat, read once for the transcript and the summary: the
//! events the service gave (each once, however many polls repeated it), what the visitor did
//! (a name, a survey, a transcript, the end), the pre-chat lines and answers sent, and the ids
//! the request and the chat's info carry. Bodies are read with the client's own models, so a
//! JSON chat and an XML one tell the same story. No I/O.

use std::collections::{HashMap, HashSet};
use std::time::SystemTime;

use serde_json::Value;

use super::clock;
use crate::api::Operation;
use crate::api::format::decode;
use crate::api::model::{ChatResource, ChatState, Event, EventKind, Info, LineSource, Survey};
use crate::api::value::{field, list_field, text, text_field};
use crate::history::SessionRecord;
use crate::journal::Entry;

/// When something happened.
#[derive(Debug, Clone, PartialEq)]
pub enum When {
    /// An event's time as the service wrote it (its own clock and offset), and that instant.
    Server {
        given: String,
        at: Option<SystemTime>,
    },
    /// When this machine sent the request (the visitor's own actions).
    Sent(SystemTime),
    /// The event carried no time.
    Unknown,
}

impl When {
    pub fn instant(&self) -> Option<SystemTime> {
        match self {
            Self::Server { at, .. } => *at,
            Self::Sent(at) => Some(*at),
            Self::Unknown => None,
        }
    }
}

/// Who wrote a line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Author {
    Visitor,
    /// The agent, by the name the line gives (or the chat's info, or none).
    Agent(Option<String>),
    /// The service, with the system message id when the line has one.
    System(Option<i64>),
    /// A source this tool does not know, as given.
    Other(String),
}

/// A question of a survey and what was answered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Answered {
    pub question_id: String,
    /// The question's label, when the survey was read in the same journal.
    pub label: Option<String>,
    pub answers: Vec<String>,
}

/// A survey's answers as sent.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct SurveyAnswers {
    pub survey_id: Option<String>,
    pub questions: Vec<Answered>,
}

/// One thing of the chat's story.
#[derive(Debug, Clone, PartialEq)]
pub enum What {
    State(ChatState),
    Line {
        author: Author,
        /// As a person reads it: HTML rendered, an empty system line's meaning given.
        text: String,
        /// The visitor's own pre-chat line echoed back (system message 0).
        pre_chat_echo: bool,
        /// Meant for agents only (`ONLY_TO_REP`): the service should not have shown it.
        agents_only: bool,
    },
    /// A URL the agent pushed.
    Url(String),
    /// An account-to-account transfer offered (never followed).
    Transfer {
        domain: Option<String>,
        skill: Option<String>,
    },
    /// An event of a type this tool does not read.
    OtherEvent(String),
    /// The visitor's name set (or refused, with why).
    VisitorNamed {
        name: String,
        refused: Option<String>,
    },
    /// The transcript asked for by e-mail.
    TranscriptRequested {
        email: String,
        subject: Option<String>,
        refused: Option<String>,
    },
    /// The exit survey's answers submitted.
    ExitSurvey {
        answers: SurveyAnswers,
        refused: Option<String>,
    },
    /// A line the visitor sent that the service did not take.
    LineNotTaken {
        text: String,
        why: String,
    },
    /// The visitor ended the chat (our end call).
    VisitorEnded {
        refused: Option<String>,
    },
}

/// A thing of the story and when.
#[derive(Debug, Clone, PartialEq)]
pub struct Item {
    pub when: When,
    pub what: What,
}

/// The chat's ids, from the chat request sent and the info the service gave.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Ids {
    pub rt_session_id: Option<String>,
    pub visitor_id: Option<String>,
    pub visitor_session_id: Option<String>,
    pub le_visitor_id: Option<String>,
    pub le_session_id: Option<String>,
    pub le_context_id: Option<String>,
    pub engagement_id: Option<String>,
    pub campaign_id: Option<String>,
    pub skill_name: Option<String>,
    pub skill_id: Option<String>,
    pub agent_name: Option<String>,
    pub agent_id: Option<String>,
    pub chat_session_key: Option<String>,
    pub start_time: Option<String>,
}

/// Everything the journal tells, in the order the exchanges revealed it.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Story {
    pub items: Vec<Item>,
    pub pre_chat_lines: Vec<String>,
    pub pre_chat_survey: Option<SurveyAnswers>,
    pub ids: Ids,
    /// When the chat request went out (this machine's clock).
    pub requested: Option<SystemTime>,
    pub exchanges: usize,
    /// Exchanges with no answer or an error status.
    pub failed: usize,
    /// Answers that could not be read, said in the notes.
    pub unreadable: Vec<String>,
}

impl Story {
    /// The story of the exchanges `entries` (oldest first), with `record` filling what they
    /// do not say (the request as the history kept it).
    pub fn read(entries: &[Entry], record: &SessionRecord) -> Self {
        let mut reader = Reader::default();
        for entry in entries {
            reader.exchange(entry);
        }
        let mut story = reader.story;
        story.fill_from_record(record);
        story
    }

    /// The first time the chat was seen in `state`, by the service's clock when it said.
    pub fn first_state(&self, state: &ChatState) -> Option<&Item> {
        self.items
            .iter()
            .find(|item| matches!(&item.what, What::State(s) if s == state))
    }

    /// Our end call that the service took, if there was one.
    pub fn visitor_ended(&self) -> Option<&Item> {
        self.items
            .iter()
            .find(|item| matches!(&item.what, What::VisitorEnded { refused: None }))
    }

    /// Whether a system line says `id` (§3.4).
    pub fn has_system_message(&self, id: i64) -> bool {
        self.items.iter().any(|item| {
            matches!(&item.what, What::Line { author: Author::System(Some(said)), .. } if *said == id)
        })
    }

    fn fill_from_record(&mut self, record: &SessionRecord) {
        let request = &record.request;
        if self.pre_chat_lines.is_empty() {
            self.pre_chat_lines = request
                .pre_chat_lines
                .iter()
                .map(|line| line.trim().to_string())
                .filter(|line| !line.is_empty())
                .collect();
        }
        if self.pre_chat_survey.is_none() && !request.survey_answers.is_empty() {
            self.pre_chat_survey = Some(SurveyAnswers {
                survey_id: None,
                questions: request
                    .survey_answers
                    .iter()
                    .map(|answer| Answered {
                        question_id: answer.question_id.clone(),
                        label: None,
                        answers: answer.values.clone(),
                    })
                    .collect(),
            });
        }
        let ids = &mut self.ids;
        for (slot, kept) in [
            (&mut ids.le_visitor_id, &request.le_visitor_id),
            (&mut ids.le_session_id, &request.le_session_id),
            (&mut ids.le_context_id, &request.le_context_id),
            (&mut ids.engagement_id, &request.engagement_id),
            (&mut ids.campaign_id, &request.campaign_id),
            (&mut ids.visitor_id, &request.visitor_id),
        ] {
            if slot.is_none() && !kept.trim().is_empty() {
                *slot = Some(kept.trim().to_string());
            }
        }
    }
}

#[derive(Default)]
struct Reader {
    story: Story,
    seen_ids: HashSet<u64>,
    /// Events without an id, deduplicated by what they are.
    seen_unnumbered: Vec<(Option<String>, EventKind)>,
    /// Survey questions' labels by survey kind (pre-chat, exit) and question id.
    pre_chat_labels: HashMap<String, String>,
    exit_survey: Option<Survey>,
}

fn succeeded(entry: &Entry) -> bool {
    entry
        .status
        .is_some_and(|status| (200..300).contains(&status))
}

/// Why an exchange was not taken: its status, or its error.
fn refusal(entry: &Entry) -> Option<String> {
    if succeeded(entry) {
        return None;
    }
    Some(match (entry.status, &entry.error) {
        (Some(status), _) => format!("the service answered {status}"),
        (None, Some(error)) => format!("no answer: {error}"),
        (None, None) => "no answer".into(),
    })
}

fn body_document(body: Option<&str>) -> Option<Value> {
    body.filter(|b| !b.trim().is_empty())
        .and_then(|b| decode(b).ok())
}

impl Reader {
    fn exchange(&mut self, entry: &Entry) {
        self.story.exchanges += 1;
        if !succeeded(entry) {
            self.story.failed += 1;
        }
        let sent = entry.started_at();
        match entry.operation {
            Operation::ChatRequest => {
                if self.story.requested.is_none() {
                    self.story.requested = sent;
                }
                if let Some(document) = body_document(entry.request_body.as_deref()) {
                    self.chat_request(&document);
                }
            }
            Operation::Survey => {
                if let Some(survey) = self.survey_of(entry) {
                    self.pre_chat_labels = survey
                        .questions
                        .into_iter()
                        .map(|q| (q.id, q.label))
                        .collect();
                    self.label_pre_chat_answers();
                }
            }
            Operation::ExitSurvey => {
                if let Some(survey) = self.survey_of(entry) {
                    self.exit_survey = Some(survey);
                }
            }
            Operation::Session | Operation::Info => self.chat_answer(entry),
            _ => self.visitor_action(entry, sent),
        }
    }

    fn survey_of(&mut self, entry: &Entry) -> Option<Survey> {
        if !succeeded(entry) {
            return None;
        }
        Survey::from_document(&body_document(entry.response_body.as_deref())?).ok()
    }

    fn chat_request(&mut self, document: &Value) {
        let Some(request) = field(document, "request") else {
            return;
        };
        let lines: Vec<String> = field(request, "preChatLines")
            .map(|lines| {
                list_field(lines, "line")
                    .into_iter()
                    .filter_map(text)
                    .collect()
            })
            .unwrap_or_default();
        if !lines.is_empty() {
            self.story.pre_chat_lines = lines;
        }
        if let Some(survey) = field(request, "survey") {
            self.story.pre_chat_survey = Some(survey_answers(survey, |_| None));
            self.label_pre_chat_answers();
        }
        let ids = &mut self.story.ids;
        for (slot, name) in [
            (&mut ids.le_visitor_id, "LETagVisitorId"),
            (&mut ids.le_session_id, "LETagSessionId"),
            (&mut ids.le_context_id, "LETagContextId"),
            (&mut ids.visitor_session_id, "visitorSessionId"),
            (&mut ids.engagement_id, "engagementId"),
            (&mut ids.campaign_id, "campaignId"),
            (&mut ids.visitor_id, "visitorId"),
        ] {
            if let Some(value) = text_field(request, name).filter(|v| !v.trim().is_empty()) {
                *slot = Some(value);
            }
        }
    }

    fn label_pre_chat_answers(&mut self) {
        if let Some(survey) = &mut self.story.pre_chat_survey {
            for question in &mut survey.questions {
                if question.label.is_none() {
                    question.label = self.pre_chat_labels.get(&question.question_id).cloned();
                }
            }
        }
    }

    /// A chat read (session, poll or info): its new events, and the ids its info gives.
    fn chat_answer(&mut self, entry: &Entry) {
        if !succeeded(entry) {
            return;
        }
        let Some(body) = entry
            .response_body
            .as_deref()
            .filter(|b| !b.trim().is_empty())
        else {
            return;
        };
        let read = decode(body).and_then(|document| {
            if entry.operation == Operation::Info {
                Info::from_document(&document)
                    .map(|info| (Vec::new(), Some(info)))
                    .map_err(|e| e.to_string())
            } else {
                ChatResource::from_document(&document)
                    .map(|chat| (chat.events, chat.info))
                    .map_err(|e| e.to_string())
            }
        });
        match read {
            Ok((events, info)) => {
                if let Some(info) = info {
                    self.info(info);
                }
                for event in events {
                    self.event(event);
                }
            }
            Err(problem) => self.story.unreadable.push(format!(
                "the {} answer of {} could not be read ({problem})",
                entry.operation.describe(),
                entry.started
            )),
        }
    }

    fn info(&mut self, info: Info) {
        let ids = &mut self.story.ids;
        for (slot, value) in [
            (&mut ids.rt_session_id, info.rt_session_id),
            (&mut ids.visitor_id, info.visitor_id),
            (&mut ids.skill_name, info.skill_name),
            (&mut ids.skill_id, info.skill_id),
            (&mut ids.agent_name, info.agent_name),
            (&mut ids.agent_id, info.agent_id),
            (&mut ids.chat_session_key, info.chat_session_key),
            (&mut ids.start_time, info.start_time),
        ] {
            // The service's latest word wins: an agent's name arrives once one accepts.
            if let Some(value) = value.filter(|v| !v.trim().is_empty()) {
                *slot = Some(value);
            }
        }
    }

    fn event(&mut self, event: Event) {
        let first_time = match event.id {
            Some(id) => self.seen_ids.insert(id),
            None => {
                let key = (event.time.clone(), event.kind.clone());
                let new = !self.seen_unnumbered.contains(&key);
                if new {
                    self.seen_unnumbered.push(key);
                }
                new
            }
        };
        if !first_time {
            return;
        }
        let what = match event.kind {
            EventKind::State(state) => What::State(state),
            EventKind::Line(line) => What::Line {
                text: line.plain_text(),
                pre_chat_echo: line.is_pre_chat_echo(),
                agents_only: line.is_agents_only(),
                author: match &line.source {
                    LineSource::Visitor => Author::Visitor,
                    LineSource::Agent => Author::Agent(
                        Some(line.by.trim().to_string())
                            .filter(|by| !by.is_empty())
                            .or_else(|| self.story.ids.agent_name.clone()),
                    ),
                    LineSource::System => Author::System(line.system_message_id),
                    LineSource::Other(other) => Author::Other(other.clone()),
                },
            },
            // An acknowledgement of a line is not a line (§3.3).
            EventKind::LineStatus { .. } => return,
            EventKind::Url { url } => What::Url(url.unwrap_or_default()),
            EventKind::A2aTransfer { domain, skill, .. } => What::Transfer { domain, skill },
            // Typing comes and goes by the second: the transcript is what was said.
            EventKind::Other { type_name } if type_name.contains("typing") => return,
            EventKind::Other { type_name } => What::OtherEvent(type_name),
        };
        let when = match event.time {
            Some(given) => When::Server {
                at: clock::server_time(&given),
                given,
            },
            None => When::Unknown,
        };
        self.story.items.push(Item { when, what });
    }

    /// What the visitor did beyond starting the chat, from the request it sent.
    fn visitor_action(&mut self, entry: &Entry, sent: Option<SystemTime>) {
        let refused = refusal(entry);
        let body = body_document(entry.request_body.as_deref());
        let body_text = |name: &str| {
            body.as_ref()
                .and_then(|b| text_field(b, name))
                .unwrap_or_default()
        };
        let what = match entry.operation {
            Operation::VisitorName => What::VisitorNamed {
                name: body_text("visitorName"),
                refused,
            },
            Operation::Transcript => {
                // With a subject, the fields are wrapped in `transcriptRequest` (Q32).
                let fields = body
                    .as_ref()
                    .map(|b| field(b, "transcriptRequest").unwrap_or(b));
                let fields_text =
                    |name: &str| fields.and_then(|f| text_field(f, name)).unwrap_or_default();
                What::TranscriptRequested {
                    email: fields_text("email"),
                    subject: Some(fields_text("subject")).filter(|s| !s.trim().is_empty()),
                    refused,
                }
            }
            Operation::SubmitExitSurvey => {
                let survey = self.exit_survey.as_ref();
                let label = |id: &str| survey.and_then(|s| s.question(id)).map(|q| q.label.clone());
                let display = |id: &str, value: &str| {
                    survey
                        .and_then(|s| s.question(id))
                        .and_then(|q| q.entries.iter().find(|e| e.value == value))
                        .map(|e| e.shown_text().to_string())
                };
                let answers = body
                    .as_ref()
                    .and_then(|b| field(b, "survey"))
                    .map(|s| survey_answers(s, |id| label(id)))
                    .unwrap_or_default();
                let answers = SurveyAnswers {
                    questions: answers
                        .questions
                        .into_iter()
                        .map(|mut q| {
                            q.answers = q
                                .answers
                                .iter()
                                .map(|v| display(&q.question_id, v).unwrap_or_else(|| v.clone()))
                                .collect();
                            q
                        })
                        .collect(),
                    ..answers
                };
                What::ExitSurvey { answers, refused }
            }
            Operation::EndChat => What::VisitorEnded { refused },
            Operation::AddLine => match refused {
                // A line taken comes back in the next poll, with the service's time.
                None => return,
                Some(why) => What::LineNotTaken {
                    text: body
                        .as_ref()
                        .and_then(|b| field(b, "event"))
                        .and_then(|e| text_field(e, "text"))
                        .unwrap_or_default(),
                    why,
                },
            },
            // Typing, availability, the offline survey, authentication: not the conversation.
            _ => return,
        };
        self.story.items.push(Item {
            when: sent.map_or(When::Unknown, When::Sent),
            what,
        });
    }
}

/// `{"id":…,"question":[{"id":…,"answer":…}]}` (either format; `value` also read, §2.7).
fn survey_answers(survey: &Value, label: impl Fn(&str) -> Option<String>) -> SurveyAnswers {
    SurveyAnswers {
        survey_id: text_field(survey, "id"),
        questions: list_field(survey, "question")
            .into_iter()
            .filter_map(|question| {
                let id = text_field(question, "id")?;
                let mut answers: Vec<String> = list_field(question, "answer")
                    .into_iter()
                    .filter_map(text)
                    .collect();
                if answers.is_empty() {
                    answers = list_field(question, "value")
                        .into_iter()
                        .filter_map(text)
                        .collect();
                }
                Some(Answered {
                    label: label(&id),
                    question_id: id,
                    answers,
                })
            })
            .collect(),
    }
}
