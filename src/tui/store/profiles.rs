//! Profiles in the console: a profile (under the start's flags) turned into a form, and the form
//! turned back into a profile to save. Secrets never go into a profile: only where to get them
//! (`app_key_env`, …), and only when the form came from a profile that said so.

use crate::api::validate::Field;
use crate::config::Profile;
use crate::start::StartSpec;
use crate::tui::form::{Form, TextField};

/// A profile as a form.
#[derive(Debug, Clone)]
pub struct ProfileForm {
    pub form: Form,
    /// What could not be had (a secret's source failed), to show.
    pub problems: Vec<String>,
    /// Secrets to ask for in the console (`*_prompt = true`), in order.
    pub prompts: Vec<TextField>,
}

/// The form `chatstart --profile NAME tui FLAGS` starts with: the flags over the profile
/// ([`crate::start::layer`]), the secrets resolved from their sources (environment, command).
/// Prompt sources are not asked here: they are returned, for the console to ask with a masked
/// input.
pub fn form_from_profile(flags: &StartSpec, name: &str, profile: &Profile) -> ProfileForm {
    let mut problems = Vec::new();
    let mut prompts = Vec::new();
    let mut quiet = profile.clone();
    if quiet.app_key_prompt {
        quiet.app_key_prompt = false;
        if flags.connection.app_key.is_none() {
            prompts.push(TextField::AppKey);
        }
    }
    if quiet.sso_key_prompt {
        quiet.sso_key_prompt = false;
        if profile.auth && flags.auth.sso_key.is_none() {
            prompts.push(TextField::SsoKey);
        }
    }
    let none = StartSpec::default();
    let mut spec = match crate::start::layer(flags, None, Some((name, &quiet)), &none) {
        Ok(spec) => spec,
        Err(error) => {
            problems.push(error.to_string());
            // The rest of the profile still fills the form; the appKey is typed by hand.
            quiet.app_key_env = None;
            quiet.app_key_cmd = None;
            crate::start::layer(flags, None, Some((name, &quiet)), &none)
                .unwrap_or_else(|_| flags.clone())
        }
    };
    let (mut form, problem) = crate::tui::form::prefill::from_spec(&spec);
    problems.extend(problem);
    form.auth = profile.auth;
    form.set_text(
        TextField::AuthChatConnId,
        spec.auth.auth_conn_id.clone().unwrap_or_default(),
    );
    form.set_text(
        TextField::RedirectUri,
        spec.auth.redirect_uri.clone().unwrap_or_default(),
    );
    if profile.auth {
        match spec.auth.resolve_sso_key(Some((name, &quiet))) {
            Ok(()) => form.set_text(
                TextField::SsoKey,
                spec.auth
                    .sso_key
                    .as_ref()
                    .map(|key| key.expose().to_string())
                    .unwrap_or_default(),
            ),
            Err(error) => problems.push(error.to_string()),
        }
    }
    ProfileForm {
        form,
        problems,
        prompts,
    }
}

/// What saving says about the secrets it left out.
pub fn secrets_note(profile: &Profile) -> String {
    let mut sources = Vec::new();
    for (what, source) in [
        ("appKey", profile.app_key_source()),
        ("SSO key", profile.sso_key_source()),
    ] {
        if let Some(variable) = &source.env {
            sources.push(format!("{what} from ${variable}"));
        } else if let Some(command) = &source.cmd {
            sources.push(format!("{what} from `{command}`"));
        } else if source.prompt {
            sources.push(format!("{what} asked at start"));
        }
    }
    if sources.is_empty() {
        "no secret saved: add app_key_env = \"VARIABLE\" (or _cmd, _prompt) to the profile".into()
    } else {
        format!(
            "secrets not saved, only their sources: {}",
            sources.join(", ")
        )
    }
}

/// The form as a profile. Secret sources are copied from `from` (the profile the form came
/// from), never the secrets themselves.
pub fn profile_of(form: &Form, from: Option<&Profile>) -> Profile {
    let connection = crate::tui::connection::Connection::from_form(form);
    let text = |field| Some(form.text(field).trim().to_string()).filter(|t| !t.is_empty());
    let (base_url, domain) = match connection.endpoint() {
        crate::api::Endpoint::BaseUrl(url) => (Some(url), None),
        crate::api::Endpoint::Domain(domain) => (None, Some(domain)),
        crate::api::Endpoint::Discover { .. } => (None, None),
    };
    let mut profile = Profile {
        base_url,
        domain,
        account: text(TextField::Account),
        csds_url: from.and_then(|p| p.csds_url.clone()),
        app_key_in: Some(form.app_key_in),
        format: Some(form.format),
        http_timeout: form.http_timeout.map(|d| d.as_secs_f64()),
        send_key_to: form.send_key_to.clone(),
        auth: form.auth,
        auth_conn_id: text(TextField::AuthChatConnId),
        redirect_uri: text(TextField::RedirectUri),
        visitor_name: text(TextField::VisitorName),
        transcript_email: form.transcript_email.clone(),
        request: form.chat_request(),
        ..Profile::default()
    };
    // The survey as the form sends it, or none: when nobody answered anything, its own prefill
    // (a last known name, checked boxes) alone would make the profile send a partial survey,
    // refused for its unanswered mandatory questions; once someone answered, the prefilled
    // answers are part of what was sent, and leaving them out makes the same mistake.
    let given = |id: &str| {
        form.touched.contains(&Field::SurveyAnswer(id.to_string()))
            || from.is_some_and(|p| p.request.survey_answers.iter().any(|a| a.question_id == id))
    };
    let anything_given = profile.request.survey_answers.iter().any(|answer| {
        given(&answer.question_id)
            || form.survey.survey.is_none()
            || form.survey.prefill(&answer.question_id) != answer.values
    });
    if !anything_given {
        profile.request.survey_answers.clear();
    }
    if let Some(from) = from {
        profile.app_key_env.clone_from(&from.app_key_env);
        profile.app_key_cmd.clone_from(&from.app_key_cmd);
        profile.app_key_prompt = from.app_key_prompt;
        profile.sso_key_env.clone_from(&from.sso_key_env);
        profile.sso_key_cmd.clone_from(&from.sso_key_cmd);
        profile.sso_key_prompt = from.sso_key_prompt;
    }
    profile
}

/// A profile name that the config file can hold as a table key, or why not.
pub fn check_name(name: &str) -> Result<&str, String> {
    let name = name.trim();
    if name.is_empty() {
        return Err("type a name for the profile".into());
    }
    if !name
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
    {
        return Err(format!(
            "`{name}`: use letters, digits, `-`, `_` and `.` only"
        ));
    }
    Ok(name)
}
