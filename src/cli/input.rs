//! The command line's side of the start layer: its flags turned into the layer the start adds
//! up from, and the start's input errors said in the command line's words (its flags).

use super::args::{AuthArgs, ConnectionArgs, RequestFields, TuiArgs};
use super::run::Failure;
use crate::api::validate::Field;
use crate::secret::Secret;
use crate::start::{
    AuthSpec, ConnectionKey, ConnectionSpec, InputError, Launch, RequestSpec, StartSpec,
};

impl ConnectionArgs {
    /// The flags (and their environment variables) as the start's top layer.
    pub fn spec(&self) -> ConnectionSpec {
        ConnectionSpec {
            base_url: self.base_url.clone(),
            domain: self.domain.clone(),
            csds_url: self.csds_url.clone(),
            account: self.account.clone(),
            app_key: self.app_key.as_deref().map(Secret::new),
            app_key_in: self.app_key_in.map(Into::into),
            format: self.format.map(Into::into),
            http_timeout: self.http_timeout,
            send_key_to: self.send_key_to.clone(),
        }
    }
}

impl RequestFields {
    /// The request flags as the start's top layer; a `--survey` that is not `ID=ANSWER` is a
    /// usage error naming it.
    pub fn spec(&self) -> Result<RequestSpec, Failure> {
        let mut survey = Vec::new();
        for entry in &self.survey {
            let Some((id, answer)) = entry.split_once('=') else {
                return Err(Failure::usage(format!(
                    "--survey `{entry}`: write QUESTION_ID=ANSWER"
                )));
            };
            if id.trim().is_empty() {
                return Err(Failure::usage(format!(
                    "--survey `{entry}`: the question id is missing"
                )));
            }
            survey.push((id.trim().to_string(), answer.to_string()));
        }
        Ok(RequestSpec {
            skill: self.skill.clone(),
            max_wait_time: self.max_wait_time.clone(),
            visitor_ip: self.visitor_ip.clone(),
            chat_referrer: self.chat_referrer.clone(),
            user_agent: self.user_agent.clone(),
            visitor_id: self.visitor_id.clone(),
            pre_chat_lines: self.pre_chat_lines.clone(),
            survey,
            engagement_id: self.engagement_id.clone(),
            campaign_id: self.campaign_id.clone(),
            language: self.language.clone(),
            participant_id: self.participant_id.clone(),
            conversation_id: self.conversation_id.clone(),
            interaction_timeout: self.interaction_timeout.clone(),
            le_visitor_id: self.le_visitor_id.clone(),
            le_session_id: self.le_session_id.clone(),
            le_context_id: self.le_context_id.clone(),
        })
    }
}

impl AuthArgs {
    /// The authenticated flow's flags as the start's top layer.
    pub fn auth_spec(&self) -> AuthSpec {
        AuthSpec {
            sso_key: self.sso_key.as_deref().map(Secret::new),
            auth_conn_id: self.auth_conn_id.clone(),
            redirect_uri: self.redirect_uri.clone(),
        }
    }
}

/// The connection and request flags as one layer.
pub fn flags(connection: &ConnectionArgs, fields: &RequestFields) -> Result<StartSpec, Failure> {
    Ok(StartSpec {
        connection: connection.spec(),
        request: fields.spec()?,
        auth: AuthSpec::default(),
        visitor: crate::start::VisitorSpec::default(),
    })
}

/// How the console starts: `chatstart tui FLAGS`, or with no command the same flags read from
/// their environment variables only.
pub fn launch(cli: &super::Cli) -> Launch {
    let args = match &cli.command {
        Some(super::Command::Tui(args)) => args.clone(),
        _ => tui_args_from_env(),
    };
    let connection = &args.connection;
    let unconfigured = connection.base_url.is_none()
        && connection.domain.is_none()
        && connection.account.is_none()
        && connection.app_key.is_none();
    let (request, mut flag_problems) = match args.fields.spec() {
        Ok(request) => (request, Vec::new()),
        Err(failure) => (RequestSpec::default(), vec![failure.message]),
    };
    if let Some(Err(problem)) = connection.http_timeout.map(crate::api::validate::interval) {
        flag_problems.push(format!(
            "--http-timeout (or CHATSTART_HTTP_TIMEOUT): {problem}; the default is used"
        ));
    }
    Launch {
        flags: StartSpec {
            connection: connection.spec(),
            request,
            auth: AuthSpec {
                sso_key: std::env::var(SSO_KEY_ENV)
                    .ok()
                    .filter(|v| !v.is_empty())
                    .map(Secret::new),
                ..AuthSpec::default()
            },
            visitor: args.visitor.spec(),
        },
        flag_problems,
        profile: cli.profile.clone(),
        config: cli.config.clone(),
        log_file: cli.log_file.clone(),
        unconfigured,
        no_journal: cli.no_journal,
    }
}

/// Environment variable read for the SSO key, as `chatstart auth` reads it.
pub const SSO_KEY_ENV: &str = "CHATSTART_SSO_KEY";

/// `chatstart` with no command: the console's flags from their environment variables only
/// (`CHATSTART_ACCOUNT`, `CHATSTART_APP_KEY`, …), as `chatstart tui` would read them.
fn tui_args_from_env() -> TuiArgs {
    use clap::{Args, FromArgMatches};
    let command = TuiArgs::augment_args(clap::Command::new("chatstart"));
    command
        .try_get_matches_from(["chatstart"])
        .ok()
        .and_then(|matches| TuiArgs::from_arg_matches(&matches).ok())
        .unwrap_or_else(|| TuiArgs {
            connection: ConnectionArgs::default(),
            fields: RequestFields::default(),
            visitor: super::args::VisitorArgs::default(),
        })
}

/// The command-line flag that sets a field.
pub fn flag(field: &Field) -> String {
    match field {
        Field::Connection => "--base-url/--domain".into(),
        Field::Account => "--account".into(),
        Field::AppKey => "--app-key".into(),
        Field::Skill => "--skill".into(),
        Field::MaxWaitTime => "--max-wait-time".into(),
        Field::VisitorIp => "--visitor-ip".into(),
        Field::ChatReferrer => "--chat-referrer".into(),
        Field::UserAgent => "--user-agent".into(),
        Field::VisitorId => "--visitor-id".into(),
        Field::PreChatLine(index) => format!("--pre-chat-line #{}", index + 1),
        Field::SurveyAnswer(id) => format!("--survey {id}=…"),
        Field::EngagementId => "--engagement-id".into(),
        Field::CampaignId => "--campaign-id".into(),
        Field::Language => "--language".into(),
        Field::ParticipantId => "--participant-id".into(),
        Field::ConversationId => "--conversation-id".into(),
        Field::InteractionTimeout => "--interaction-timeout".into(),
        Field::LeVisitorId => "--le-visitor-id".into(),
        Field::LeSessionId => "--le-session-id".into(),
        Field::LeContextId => "--le-context-id".into(),
        Field::SsoKey => "--sso-key".into(),
        Field::AuthChatConnId => "--auth-conn-id".into(),
        Field::RedirectUri => "--redirect-uri".into(),
        Field::LineText => "TEXT".into(),
        Field::VisitorName => "--visitor-name".into(),
        Field::TranscriptEmail => "--email".into(),
    }
}

/// The flag of a connection value.
fn connection_flag(key: ConnectionKey) -> &'static str {
    match key {
        ConnectionKey::BaseUrl => "--base-url",
        ConnectionKey::Domain => "--domain",
        ConnectionKey::CsdsUrl => "--csds-url",
        ConnectionKey::HttpTimeout => "--http-timeout",
    }
}

/// An input error in the command line's words.
pub fn say(error: &InputError) -> String {
    match error {
        InputError::BothEndpoints => {
            "--base-url and --domain both say where the API is; give one".into()
        }
        InputError::NoEndpoint => "say where the API is: --base-url URL, --domain HOST, or \
                                   --account ID alone to discover it"
            .into(),
        InputError::NoAccount => "--account is required".into(),
        InputError::NoAppKey => "the appKey is required: --app-key KEY or CHATSTART_APP_KEY".into(),
        InputError::Connection { key, message } => {
            format!("{}: {message}", connection_flag(*key))
        }
        InputError::Field(invalid) => format!("{}: {}", flag(&invalid.field), invalid.message),
        InputError::Secret { .. } | InputError::Other(_) => error.to_string(),
    }
}

impl From<InputError> for Failure {
    fn from(error: InputError) -> Self {
        Failure::usage(say(&error))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::ApiError;
    use crate::api::validate::{Invalid, ValidationErrors};

    #[test]
    fn the_console_takes_the_visitor_name_flag_into_its_form() {
        use clap::Parser;
        let cli = crate::cli::Cli::parse_from([
            "chatstart",
            "tui",
            "--base-url",
            "http://127.0.0.1:1",
            "--visitor-name",
            "Zed",
        ]);
        let launch = launch(&cli);
        assert_eq!(launch.flags.visitor.name.as_deref(), Some("Zed"));
    }

    #[test]
    fn invalid_values_and_connection_problems_are_named_by_their_flags() {
        let error = ApiError::Invalid(ValidationErrors(vec![Invalid {
            field: Field::MaxWaitTime,
            message: "`90000` is more than 86400".into(),
        }]));
        assert_eq!(
            Failure::from(error).message,
            "--max-wait-time: `90000` is more than 86400"
        );
        let error = InputError::Connection {
            key: ConnectionKey::BaseUrl,
            message: "has no scheme".into(),
        };
        assert_eq!(say(&error), "--base-url: has no scheme");
        assert_eq!(
            say(&InputError::BothEndpoints),
            "--base-url and --domain both say where the API is; give one"
        );
    }

    #[test]
    fn a_survey_flag_that_is_not_id_equals_answer_is_refused_naming_it() {
        let fields = RequestFields {
            survey: vec!["12=CATS".into(), "DOGS".into()],
            ..RequestFields::default()
        };
        let failure = fields.spec().expect_err("refused");
        assert_eq!(failure.message, "--survey `DOGS`: write QUESTION_ID=ANSWER");
    }
}
