//! The SSO key inspector: when the key is a JWT, read its header and claims (the signature is not
//! verified: that is the identity provider's job) and say plainly whether it has expired, is not
//! yet valid, or is not well formed. The key itself is never part of what is shown.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use base64::Engine;
use serde_json::{Map, Value, json};

/// The registered claims shown, as the token gives them (RFC 7519 §4.1).
const SHOWN_CLAIMS: [&str; 6] = ["iss", "sub", "aud", "exp", "nbf", "iat"];
/// The claims that must be a NumericDate: a number of seconds since 1970 (RFC 7519 §2).
const TIME_CLAIMS: [&str; 3] = ["exp", "nbf", "iat"];

/// What the inspection found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    /// Inside its validity window (or it has none).
    Valid {
        expires_in: Option<Duration>,
    },
    Expired {
        ago: Duration,
    },
    NotYetValid {
        starts_in: Duration,
    },
    /// A time claim that is not a number (the warnings say which): its validity cannot be
    /// told, and a validator reading it as a NumericDate refuses the key.
    BadClaims,
    /// Not three dot-separated parts: an opaque key (an OAuth code), nothing to inspect.
    Opaque,
    /// Looks like a JWT but cannot be read: often a character lost in copy-and-paste.
    Malformed(String),
}

/// The readable parts of a JWT.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Inspection {
    pub algorithm: Option<String>,
    pub issuer: Option<String>,
    pub subject: Option<String>,
    pub audience: Vec<String>,
    pub expires: Option<u64>,
    pub not_before: Option<u64>,
    pub issued_at: Option<u64>,
    /// The claims of `SHOWN_CLAIMS` the token has, as it gives them.
    pub claims: Map<String, Value>,
    /// What is wrong with the claims, one sentence each.
    pub warnings: Vec<String>,
    pub verdict: Verdict,
}

impl Inspection {
    fn verdict_only(verdict: Verdict) -> Self {
        Self {
            algorithm: None,
            issuer: None,
            subject: None,
            audience: Vec::new(),
            expires: None,
            not_before: None,
            issued_at: None,
            claims: Map::new(),
            warnings: Vec::new(),
            verdict,
        }
    }

    /// Whether the key looks usable now.
    pub fn is_usable(&self) -> bool {
        matches!(self.verdict, Verdict::Valid { .. } | Verdict::Opaque)
    }

    /// A line a person reads first: the verdict.
    pub fn headline(&self) -> String {
        match &self.verdict {
            Verdict::Valid {
                expires_in: Some(left),
            } => format!("valid JWT, expires in {}", human(*left)),
            Verdict::Valid { expires_in: None } => "valid JWT, no expiry".into(),
            Verdict::Expired { ago } => format!(
                "EXPIRED {} ago: the identity provider will refuse it",
                human(*ago)
            ),
            Verdict::NotYetValid { starts_in } => {
                format!("NOT YET VALID: starts in {}", human(*starts_in))
            }
            Verdict::BadClaims => format!(
                "BAD CLAIM: {}; the identity provider or LivePerson will likely refuse the key",
                self.warnings.join("; ")
            ),
            Verdict::Opaque => {
                "not a JWT (an opaque key, such as an OAuth code): nothing to inspect".into()
            }
            Verdict::Malformed(why) => format!("NOT A WELL-FORMED JWT: {why}"),
        }
    }

    /// The claims, one per line, for people.
    pub fn lines(&self) -> Vec<String> {
        let mut lines = vec![self.headline()];
        let time = |t: u64| {
            humantime::format_rfc3339_seconds(UNIX_EPOCH + Duration::from_secs(t)).to_string()
        };
        let mut add = |name: &str, value: Option<String>| {
            if let Some(value) = value {
                lines.push(format!("  {name:<10} {value}"));
            }
        };
        add("algorithm", self.algorithm.clone());
        add("issuer", self.issuer.clone());
        add("subject", self.subject.clone());
        add(
            "audience",
            (!self.audience.is_empty()).then(|| self.audience.join(", ")),
        );
        add("issued", self.issued_at.map(time));
        add("not before", self.not_before.map(time));
        add("expires", self.expires.map(time));
        if self.verdict != Verdict::BadClaims {
            for warning in &self.warnings {
                lines.push(format!("  {:<10} {warning}", "warning"));
            }
        }
        lines
    }

    /// The inspection as one JSON object: the verdict, the shown claims as given, warnings.
    /// Built from the decoded header and claims only: never the key or its signature.
    pub fn to_json(&self) -> Value {
        let (verdict, seconds) = match &self.verdict {
            Verdict::Valid { expires_in } => ("valid", expires_in.map(|d| ("expires_in_secs", d))),
            Verdict::Expired { ago } => ("expired", Some(("expired_secs_ago", *ago))),
            Verdict::NotYetValid { starts_in } => {
                ("not_yet_valid", Some(("starts_in_secs", *starts_in)))
            }
            Verdict::BadClaims => ("bad_claims", None),
            Verdict::Opaque => ("opaque", None),
            Verdict::Malformed(_) => ("malformed", None),
        };
        let mut warnings = Vec::new();
        if matches!(
            self.verdict,
            Verdict::Expired { .. } | Verdict::NotYetValid { .. } | Verdict::Malformed(_)
        ) {
            warnings.push(self.headline());
        }
        warnings.extend(self.warnings.iter().cloned());
        let mut object = json!({
            "verdict": verdict,
            "usable": self.is_usable(),
            "summary": self.headline(),
        });
        if let Some(algorithm) = &self.algorithm {
            object["algorithm"] = json!(algorithm);
        }
        if let Some((name, duration)) = seconds {
            object[name] = json!(duration.as_secs());
        }
        if !matches!(self.verdict, Verdict::Opaque | Verdict::Malformed(_)) {
            object["claims"] = Value::Object(self.claims.clone());
        }
        object["warnings"] = json!(warnings);
        object
    }
}

fn human(duration: Duration) -> String {
    let seconds = duration.as_secs();
    match seconds {
        0..60 => format!("{seconds} s"),
        60..3600 => format!("{} min", seconds / 60),
        3600..86_400 => format!("{} h {} min", seconds / 3600, seconds % 3600 / 60),
        _ => crate::plural::count(
            usize::try_from(seconds / 86_400).unwrap_or(usize::MAX),
            "day",
            "days",
        ),
    }
}

/// Inspects an SSO key at time `now`.
pub fn inspect(key: &str, now: SystemTime) -> Inspection {
    let key = key.trim();
    let parts: Vec<&str> = key.split('.').collect();
    // `eyJ` is base64 of `{"`: a key starting so was meant to be a JWT.
    let looks_like_jwt = key.starts_with("eyJ") || parts.len() > 1;
    if parts.len() != 3 {
        return Inspection::verdict_only(if looks_like_jwt {
            Verdict::Malformed(format!(
                "{} instead of 3 (cut short in copy-and-paste?)",
                crate::plural::count(parts.len(), "dot-separated part", "dot-separated parts")
            ))
        } else {
            Verdict::Opaque
        });
    }
    let decode = |part: &str, what: &str| -> Result<Value, Verdict> {
        let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode(part.trim_end_matches('='))
            .map_err(|_| {
                Verdict::Malformed(format!(
                    "the {what} is not valid base64url (a character lost in copy-and-paste?)"
                ))
            })?;
        serde_json::from_slice::<Value>(&bytes)
            .ok()
            .filter(Value::is_object)
            .ok_or_else(|| {
                Verdict::Malformed(format!(
                    "the {what} is not a JSON object (the key may be cut short)"
                ))
            })
    };
    let (header, claims) = match (decode(parts[0], "header"), decode(parts[1], "payload")) {
        (Ok(header), Ok(claims)) => (header, claims),
        (Err(verdict), _) | (_, Err(verdict)) => return Inspection::verdict_only(verdict),
    };
    if parts[2].is_empty() {
        return Inspection::verdict_only(Verdict::Malformed("the signature part is empty".into()));
    }
    let text = |v: &Value, name: &str| v.get(name).and_then(Value::as_str).map(str::to_string);
    let number = |name: &str| {
        claims
            .get(name)
            .and_then(|v| v.as_u64().or_else(|| v.as_f64().map(|f| f as u64)))
    };
    // A time claim given as anything but a number ("exp": "1800000000" is a common slip) used
    // to read as absent: "valid, no expiry" for a key a validator refuses.
    let warnings: Vec<String> = TIME_CLAIMS
        .iter()
        .filter_map(|name| {
            let value = claims.get(*name).filter(|v| !v.is_number())?;
            Some(format!(
                "`{name}` is {}, not a number (a NumericDate: seconds since 1970)",
                describe(value)
            ))
        })
        .collect();
    let audience = match claims.get("aud") {
        Some(Value::String(one)) => vec![one.clone()],
        Some(Value::Array(many)) => many
            .iter()
            .filter_map(Value::as_str)
            .map(str::to_string)
            .collect(),
        _ => Vec::new(),
    };
    let now_secs = now.duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs());
    let (expires, not_before) = (number("exp"), number("nbf"));
    let verdict = match (expires, not_before) {
        (Some(exp), _) if exp <= now_secs => Verdict::Expired {
            ago: Duration::from_secs(now_secs - exp),
        },
        (_, Some(nbf)) if nbf > now_secs => Verdict::NotYetValid {
            starts_in: Duration::from_secs(nbf - now_secs),
        },
        _ if !warnings.is_empty() => Verdict::BadClaims,
        (exp, _) => Verdict::Valid {
            expires_in: exp.map(|e| Duration::from_secs(e - now_secs)),
        },
    };
    let shown = SHOWN_CLAIMS
        .iter()
        .filter_map(|name| Some(((*name).to_string(), claims.get(*name)?.clone())))
        .collect();
    Inspection {
        algorithm: text(&header, "alg"),
        issuer: text(&claims, "iss"),
        subject: text(&claims, "sub"),
        audience,
        expires,
        not_before,
        issued_at: number("iat"),
        claims: shown,
        warnings,
        verdict,
    }
}

/// A claim's value in a sentence, short.
fn describe(value: &Value) -> String {
    match value {
        Value::String(text) if text.chars().count() > 40 => {
            format!(
                "the string \"{}…\"",
                text.chars().take(40).collect::<String>()
            )
        }
        Value::String(text) => format!("the string \"{text}\""),
        Value::Array(_) => "a list".into(),
        Value::Object(_) => "an object".into(),
        other => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn token(claims: &str) -> String {
        let engine = base64::engine::general_purpose::URL_SAFE_NO_PAD;
        format!(
            "{}.{}.c2lnbmF0dXJl",
            engine.encode(r#"{"alg":"RS256","typ":"JWT"}"#),
            engine.encode(claims)
        )
    }

    const NOW: u64 = 1_800_000_000;

    fn at_now(key: &str) -> Inspection {
        inspect(key, UNIX_EPOCH + Duration::from_secs(NOW))
    }

    #[test]
    fn reads_the_claims_of_a_valid_token() {
        let key = token(&format!(
            r#"{{"iss":"https://idp.example","sub":"visitor-42","aud":["lp","chat"],"exp":{},"iat":{}}}"#,
            NOW + 3600,
            NOW - 60
        ));
        let inspection = at_now(&key);
        assert_eq!(
            inspection.verdict,
            Verdict::Valid {
                expires_in: Some(Duration::from_secs(3600))
            }
        );
        assert_eq!(inspection.issuer.as_deref(), Some("https://idp.example"));
        assert_eq!(inspection.audience, ["lp", "chat"]);
        let text = inspection.lines().join("\n");
        assert!(
            text.contains("expires in 1 h 0 min") && text.contains("visitor-42"),
            "{text}"
        );
        assert!(!text.contains(&key), "the key itself is never shown");
    }

    #[test]
    fn says_when_expired_or_not_yet_valid() {
        let expired = at_now(&token(&format!(r#"{{"exp":{}}}"#, NOW - 120)));
        assert_eq!(
            expired.verdict,
            Verdict::Expired {
                ago: Duration::from_secs(120)
            }
        );
        assert!(expired.headline().starts_with("EXPIRED 2 min ago"));
        assert!(!expired.is_usable());
        let early = at_now(&token(&format!(r#"{{"nbf":{},"aud":"lp"}}"#, NOW + 30)));
        assert_eq!(
            early.verdict,
            Verdict::NotYetValid {
                starts_in: Duration::from_secs(30)
            }
        );
    }

    #[test]
    fn malformed_and_opaque_keys() {
        let good = token(r#"{"sub":"x"}"#);
        for cut in [&good[..good.len() / 3], &good[..good.len() * 3 / 4]] {
            assert!(
                matches!(at_now(cut).verdict, Verdict::Malformed(_)),
                "{cut}: {:?}",
                at_now(cut)
            );
        }
        let mangled = good.replacen('e', "*", 1);
        assert!(matches!(at_now(&mangled).verdict, Verdict::Malformed(_)));
        assert_eq!(at_now("k12197").verdict, Verdict::Opaque);
        assert!(at_now("k12197").is_usable());
        assert!(matches!(at_now("a.b").verdict, Verdict::Malformed(_)));
    }

    #[test]
    fn a_time_claim_that_is_not_a_number_is_said_so() {
        let key = token(r#"{"sub":"v","exp":"1800003600","iat":1799999000}"#);
        let inspection = at_now(&key);
        assert_eq!(inspection.verdict, Verdict::BadClaims);
        assert!(!inspection.is_usable());
        assert_eq!(
            inspection.headline(),
            "BAD CLAIM: `exp` is the string \"1800003600\", not a number (a NumericDate: \
             seconds since 1970); the identity provider or LivePerson will likely refuse the key"
        );
        assert!(!inspection.headline().contains("no expiry"));
        let json = inspection.to_json();
        assert_eq!(json["verdict"], "bad_claims");
        assert_eq!(json["claims"]["exp"], "1800003600", "the claim as given");
        assert_eq!(json["warnings"].as_array().unwrap().len(), 1);
        // A bad claim beside a verdict of its own is a warning line.
        let expired = at_now(&token(&format!(r#"{{"exp":{},"nbf":true}}"#, NOW - 10)));
        assert!(matches!(expired.verdict, Verdict::Expired { .. }));
        let text = expired.lines().join("\n");
        assert!(
            text.contains("warning    `nbf` is true, not a number"),
            "{text}"
        );
        assert_eq!(expired.to_json()["warnings"].as_array().unwrap().len(), 2);
    }

    #[test]
    fn the_json_form_shows_claims_never_the_key() {
        let key = token(&format!(
            r#"{{"iss":"https://idp.example","sub":"visitor-42","aud":["lp"],"exp":{},"email":"a@b.example"}}"#,
            NOW + 60
        ));
        let json = at_now(&key).to_json();
        assert_eq!(json["verdict"], "valid");
        assert_eq!(json["usable"], true);
        assert_eq!(json["algorithm"], "RS256");
        assert_eq!(json["expires_in_secs"], 60);
        assert_eq!(
            json["claims"],
            serde_json::json!({"iss":"https://idp.example","sub":"visitor-42","aud":["lp"],"exp":NOW + 60})
        );
        assert_eq!(json["warnings"], serde_json::json!([]));
        let text = json.to_string();
        let signature = key.rsplit('.').next().unwrap();
        assert!(!text.contains(&key) && !text.contains(signature));
        let malformed = at_now("eyJhbGciOi.x").to_json();
        assert_eq!(malformed["verdict"], "malformed");
        assert!(malformed.get("claims").is_none());
        assert!(
            malformed["warnings"][0]
                .as_str()
                .unwrap()
                .starts_with("NOT A WELL-FORMED JWT")
        );
    }
}
