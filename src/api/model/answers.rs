//! Small answers: availability, slots, estimated wait, error documents, authentication ids.

use serde_json::Value;

use super::{ModelError, root};
use crate::api::value::{bool_field, field, int_field, list_field, text, text_field};

/// Availability answer: one flag, or one per skill when several were asked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Availability {
    Single(bool),
    PerSkill(Vec<(String, bool)>),
}

impl Availability {
    pub fn from_document(document: &Value) -> Result<Self, ModelError> {
        let value = root(document, "availability")?;
        if let Some(flag) = text(value)
            .as_deref()
            .and_then(crate::api::value::parse_bool)
        {
            return Ok(Self::Single(flag));
        }
        let per_skill = field(value, "AvailabilityForSkills")
            .map(|skills| list_field(skills, "skillAvailability"))
            .unwrap_or_default();
        if per_skill.is_empty() {
            return Err(ModelError::new("availability", "neither a flag nor skills"));
        }
        Ok(Self::PerSkill(
            per_skill
                .into_iter()
                .map(|entry| {
                    (
                        text_field(entry, "skill").unwrap_or_default(),
                        bool_field(entry, "isAvailable").unwrap_or(false),
                    )
                })
                .collect(),
        ))
    }

    /// True when any asked skill is available.
    pub fn any(&self) -> bool {
        match self {
            Self::Single(flag) => *flag,
            Self::PerSkill(skills) => skills.iter().any(|(_, available)| *available),
        }
    }
}

fn scalar_document(document: &Value, name: &'static str) -> Result<i64, ModelError> {
    let value = root(document, name)?;
    text(value)
        .and_then(|t| t.trim().parse::<i64>().ok())
        .ok_or_else(|| ModelError::new(name, "not a whole number"))
}

/// Number of chats that can start now; `None` means unlimited (`-1`).
pub fn available_slots_from_document(document: &Value) -> Result<Option<u64>, ModelError> {
    let slots = scalar_document(document, "availableSlots")?;
    Ok(u64::try_from(slots).ok())
}

/// Estimated wait before an agent accepts (spec §2.5).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EstimatedWait {
    /// `0`: an agent can take the chat now.
    Now,
    /// `-1`: no agent online, or the service is unavailable.
    NoAgents,
    /// `-2`: the service is up but has too little data to predict.
    NoData,
    Seconds(u64),
    /// Any other negative value.
    Unknown(i64),
}

impl EstimatedWait {
    pub fn from_seconds(seconds: i64) -> Self {
        match seconds {
            0 => Self::Now,
            -1 => Self::NoAgents,
            -2 => Self::NoData,
            s => u64::try_from(s).map_or(Self::Unknown(s), Self::Seconds),
        }
    }

    pub fn from_document(document: &Value) -> Result<Self, ModelError> {
        scalar_document(document, "estimatedWaitTime").map(Self::from_seconds)
    }
}

impl std::fmt::Display for EstimatedWait {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Now => f.write_str("an agent can take the chat now"),
            Self::NoAgents => f.write_str("no agent online"),
            Self::NoData => f.write_str("not enough data to estimate"),
            Self::Seconds(s) if *s < 60 => write!(f, "about {s} s"),
            Self::Seconds(s) => write!(f, "about {} min {} s", s / 60, s % 60),
            Self::Unknown(s) => write!(f, "unknown ({s})"),
        }
    }
}

/// The error document of the service: `{"error":{"time","message","reason","internalCode"}}`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ErrorDocument {
    pub time: Option<String>,
    pub message: Option<String>,
    pub reason: Option<String>,
    pub internal_code: Option<i64>,
}

impl ErrorDocument {
    pub fn from_document(document: &Value) -> Option<Self> {
        let error = document.get("error")?;
        if let Some(message) = text(error).filter(|_| !error.is_object()) {
            return Some(Self {
                message: Some(message),
                ..Self::default()
            });
        }
        Some(Self {
            time: text_field(error, "time"),
            message: text_field(error, "message"),
            reason: text_field(error, "reason"),
            internal_code: int_field(error, "internalCode"),
        })
    }
}

/// The body of a Visitor Authentication answer, when it has one (legacy shape, spec §2.8).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuthIds {
    pub conversation_id: String,
    pub participant_id: Option<String>,
}

impl AuthIds {
    /// Finds `conversationId` (and `participantId`) at the top level or under one wrapper.
    pub fn from_document(document: &Value) -> Option<Self> {
        let candidates = std::iter::once(document).chain(
            document
                .as_object()
                .into_iter()
                .flat_map(|map| map.values())
                .filter(|v| v.is_object()),
        );
        for object in candidates {
            if let Some(conversation_id) =
                text_field(object, "conversationId").filter(|id| !id.is_empty())
            {
                return Some(Self {
                    conversation_id,
                    participant_id: text_field(object, "participantId").filter(|id| !id.is_empty()),
                });
            }
        }
        None
    }
}
