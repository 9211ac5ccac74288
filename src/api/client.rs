//! The HTTP client: one async fn per endpoint. Knows nothing of any UI.
//!
//! Chat-creating POSTs are sent once and never retried here or anywhere else; GETs are retried
//! only by their callers (the session tracker), which decide the policy.

use std::sync::Arc;
use std::time::{Duration, Instant};

use reqwest::header::{ACCEPT, AUTHORIZATION, CONTENT_TYPE, HeaderMap, LOCATION, RETRY_AFTER};
use reqwest::{Method, Url};
use serde_json::Value;
use tokio::sync::OnceCell;

use super::error::{self, ApiError, NetworkFailure, Operation};
use super::exchange::{Exchange, ExchangeObserver};
use super::format::{self, Format};
use super::key_scope::{AllowedHost, KeyScope};
use super::links::{self, AppKeyPlacement};
use super::model::{
    Availability, ChatResource, EstimatedWait, Info, Survey, available_slots_from_document,
};
use super::request::{self, ChatRequest};
use super::validate;
use crate::secret::Secret;

/// Default seconds to wait for a whole answer.
pub const DEFAULT_HTTP_TIMEOUT: Duration = Duration::from_secs(30);
/// Default seconds to wait for a connection.
pub const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_secs(10);
/// Default CSDS service.
pub const DEFAULT_CSDS_URL: &str = "https://api.liveperson.net";
/// Bodies larger than this are refused rather than read into memory.
const MAX_BODY_BYTES: usize = 16 * 1024 * 1024;
/// GET redirects followed by hand (POSTs are never redirected, Q24).
const MAX_REDIRECTS: usize = 5;
/// The header that turns a POST into the PUT this API means (§1.4).
const METHOD_OVERRIDE: &str = "X-HTTP-Method-Override";

/// Who is asking, in every request.
const USER_AGENT: &str = concat!("chatstart/", env!("CARGO_PKG_VERSION"));

/// Where the account's API lives.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Endpoint {
    /// A base URL: `https://{domain}` or `http://127.0.0.1:PORT`.
    BaseUrl(String),
    /// A bare domain, reached over https.
    Domain(String),
    /// Found through the CSDS base-URI service (spec §2.1); the domain takes its scheme.
    Discover { csds_url: String },
}

/// How to reach and authenticate with the service.
#[derive(Debug, Clone)]
pub struct ClientConfig {
    pub endpoint: Endpoint,
    pub account: String,
    pub app_key: Secret,
    pub app_key_in: AppKeyPlacement,
    pub format: Format,
    pub http_timeout: Duration,
    pub connect_timeout: Duration,
    /// Hosts the appKey may go to besides the service, the hosts it names and LivePerson's
    /// own domains (see [`super::key_scope`]).
    pub send_key_to: Vec<AllowedHost>,
    /// The endpoint was read off a session URI the user gave, not configured: its host gets
    /// the appKey only when the scope allows it otherwise (LivePerson's, allowed, or named by
    /// the service — a URI in the history).
    pub endpoint_from_link: bool,
}

impl ClientConfig {
    pub fn new(endpoint: Endpoint, account: impl Into<String>, app_key: Secret) -> Self {
        Self {
            endpoint,
            account: account.into().trim().to_string(),
            app_key: Secret::new(app_key.expose().trim()),
            app_key_in: AppKeyPlacement::Header,
            format: Format::Json,
            http_timeout: DEFAULT_HTTP_TIMEOUT,
            connect_timeout: DEFAULT_CONNECT_TIMEOUT,
            send_key_to: Vec::new(),
            endpoint_from_link: false,
        }
    }
}

/// A successful answer, read whole.
#[derive(Debug, Clone)]
pub struct Answer {
    pub status: u16,
    pub url: Url,
    pub headers: HeaderMap,
    pub body: String,
}

impl Answer {
    /// The `Location` header (any case), resolved against the request URL only when relative,
    /// never with an appKey in it (see [`links::without_app_key`]).
    pub fn location(&self) -> Option<Url> {
        let value = self.headers.get(LOCATION)?.to_str().ok()?.trim();
        let url = Url::parse(value).or_else(|_| self.url.join(value)).ok()?;
        Some(links::without_app_key(url))
    }

    fn headers_summary(&self) -> String {
        summarise_headers(&self.headers)
    }
}

fn summarise_headers(headers: &HeaderMap) -> String {
    let text: Vec<String> = headers
        .iter()
        .map(|(k, v)| format!("{k}: {}", v.to_str().unwrap_or("?")))
        .collect();
    if text.is_empty() {
        "none".into()
    } else {
        text.join(", ")
    }
}

/// The client. Cheap to clone: clones share one connection pool.
#[derive(Clone)]
pub struct ChatApi {
    inner: Arc<Inner>,
    /// Where this clone also hands its exchanges: the journal of the one chat it works for
    /// (see [`ChatApi::journaled`]). Clones made from it keep it.
    journal: Option<ExchangeObserver>,
}

struct Inner {
    /// Each built on first use. The https client loads the system's trust store when built
    /// (a hundred and more certificate files, about 1 MB of an idle console), work the first
    /// frame should not wait for and plain HTTP (the emulator, a local proxy) never needs.
    plain: std::sync::OnceLock<Result<reqwest::Client, String>>,
    secure: std::sync::OnceLock<Result<reqwest::Client, String>>,
    config: ClientConfig,
    base: OnceCell<Url>,
    observer: Option<ExchangeObserver>,
    /// Where the appKey may go; grows as the service names hosts in its answers.
    key_scope: KeyScope,
}

impl std::fmt::Debug for ChatApi {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ChatApi")
            .field("config", &self.inner.config)
            .finish()
    }
}

/// Installs the TLS provider reqwest is built against; safe to call any number of times.
pub fn install_tls_provider() {
    let _ = rustls::crypto::ring::default_provider().install_default();
}

impl ChatApi {
    /// Checks the connection settings (V1, V2, the URL); the HTTP client itself is built on the
    /// first request.
    pub fn new(config: ClientConfig) -> Result<Self, ApiError> {
        Self::with_observer(config, None)
    }

    pub fn with_observer(
        config: ClientConfig,
        observer: Option<ExchangeObserver>,
    ) -> Result<Self, ApiError> {
        let mut errors = validate::ValidationErrors::default();
        if let Some(message) = validate::account(&config.account) {
            errors.0.push(validate::Invalid {
                field: validate::Field::Account,
                message,
            });
        }
        if let Some(message) = validate::app_key(config.app_key.expose()) {
            errors.0.push(validate::Invalid {
                field: validate::Field::AppKey,
                message,
            });
        }
        errors.into_result()?;
        let base = OnceCell::new();
        let key_scope = KeyScope::new(config.send_key_to.clone());
        match &config.endpoint {
            Endpoint::BaseUrl(url) => {
                let url = parse_base(url)?;
                if !config.endpoint_from_link {
                    key_scope.trust(&url);
                }
                let _ = base.set(url);
            }
            Endpoint::Domain(domain) => {
                if let Some(problem) = validate::domain(domain) {
                    return Err(ApiError::Config(problem));
                }
                let url = parse_base(&format!("https://{}", domain.trim()))?;
                key_scope.trust(&url);
                let _ = base.set(url);
            }
            Endpoint::Discover { csds_url } => {
                parse_base(csds_url)?;
            }
        }
        Ok(Self {
            inner: Arc::new(Inner {
                plain: std::sync::OnceLock::new(),
                secure: std::sync::OnceLock::new(),
                config,
                base,
                observer,
                key_scope,
            }),
            journal: None,
        })
    }

    /// The same client (its connection pool, its appKey scope, its observer) that also hands
    /// every exchange to `journal`: the record of one chat, kept apart from the others a
    /// shared client makes at the same time.
    #[must_use]
    pub fn journaled(&self, journal: Option<ExchangeObserver>) -> Self {
        Self {
            inner: Arc::clone(&self.inner),
            journal: journal.or_else(|| self.journal.clone()),
        }
    }

    /// The shared HTTP client for this URL's scheme, built on first use.
    fn http(&self, url: &Url) -> Result<&reqwest::Client, ApiError> {
        let secure = url.scheme() != "http";
        let client = if secure {
            &self.inner.secure
        } else {
            &self.inner.plain
        };
        client
            .get_or_init(|| self.build_http(secure))
            .as_ref()
            .map_err(|message| ApiError::Config(message.clone()))
    }

    fn build_http(&self, secure: bool) -> Result<reqwest::Client, String> {
        let config = &self.inner.config;
        install_tls_provider();
        let builder = reqwest::Client::builder()
            .timeout(config.http_timeout)
            .connect_timeout(self.effective_connect_timeout())
            .redirect(reqwest::redirect::Policy::none())
            .user_agent(USER_AGENT);
        // The plain client is only given http:// URLs, so it never makes a TLS handshake and
        // needs no root to trust; only the https client reads the system's trust store.
        let builder = if secure {
            builder
        } else {
            builder.tls_certs_only(Vec::<reqwest::Certificate>::new())
        };
        builder
            .build()
            .map_err(|e| format!("cannot build the HTTP client: {e}"))
    }

    /// The connect timeout, kept under the request timeout: when the whole-request timeout
    /// fired first, a connection that never opened (nothing sent) would read as a request sent
    /// and unanswered — and, for a chat request, as one that may have created a chat.
    fn effective_connect_timeout(&self) -> Duration {
        let config = &self.inner.config;
        config.connect_timeout.min(config.http_timeout.mul_f64(0.9))
    }

    pub fn config(&self) -> &ClientConfig {
        &self.inner.config
    }

    pub fn format(&self) -> Format {
        self.inner.config.format
    }

    /// The account's base URL, discovering it through CSDS on first use.
    pub async fn base_url(&self) -> Result<Url, ApiError> {
        self.inner
            .base
            .get_or_try_init(|| async {
                // CSDS named it: the discovered domain is the service.
                let base = self.discover().await?;
                self.inner.key_scope.trust(&base);
                Ok(base)
            })
            .await
            .cloned()
    }

    /// The service named `href` (a session URI kept in the history was the Location of its
    /// answer; a burst's chats were): the appKey may go to its origin. Text that is no
    /// http(s) URL changes nothing.
    pub fn named_by_service(&self, href: &str) {
        if let Ok(url) = Url::parse(href.trim()) {
            if matches!(url.scheme(), "http" | "https") {
                self.inner.key_scope.trust(&url);
            }
        }
    }

    /// Whether the appKey may go to `href`: the one check every call carrying it passes
    /// (see [`super::key_scope`]); an error naming the host when it may not.
    pub fn check_key_destination(&self, operation: Operation, href: &str) -> Result<(), ApiError> {
        let url = links::prepare(href, None, None).map_err(ApiError::Config)?;
        self.key_may_go_to(operation, &url)
    }

    fn key_may_go_to(&self, operation: Operation, url: &Url) -> Result<(), ApiError> {
        if self.inner.key_scope.allows(url) {
            Ok(())
        } else {
            Err(ApiError::ForeignHost {
                operation,
                host: super::key_scope::host_of(url),
                redirected_by: None,
            })
        }
    }

    async fn discover(&self) -> Result<Url, ApiError> {
        let Endpoint::Discover { csds_url } = &self.inner.config.endpoint else {
            return Err(ApiError::Config("no base URL configured".into()));
        };
        let csds = parse_base(csds_url)?;
        let account = &self.inner.config.account;
        // The service's own path first; a CSDS that serves only the all-services list (spec
        // §2.1) answers it with a 404, and the list is asked for then.
        let answer = match self
            .csds_get(
                &csds,
                &format!("api/account/{account}/service/conversationVep/baseURI.json"),
            )
            .await
        {
            Err(ApiError::Status { status: 404, .. }) => {
                self.csds_get(
                    &csds,
                    &format!("api/account/{account}/service/baseURI.json"),
                )
                .await?
            }
            other => other?,
        };
        let document = parse_body(Operation::Discovery, &answer)?;
        let host = discovered_host(&document).ok_or_else(|| ApiError::BadBody {
            operation: Operation::Discovery,
            status: answer.status,
            detail: "no baseURI for service conversationVep".into(),
            body_start: error::body_start(&answer.body),
        })?;
        // A bare host takes the CSDS URL's scheme; a value that already has one keeps it.
        if host.contains("://") {
            parse_base(&host)
        } else {
            parse_base(&format!("{}://{host}", csds.scheme()))
        }
    }

    async fn csds_get(&self, csds: &Url, path: &str) -> Result<Answer, ApiError> {
        let mut url = csds
            .join(path)
            .map_err(|e| ApiError::Config(format!("bad CSDS URL: {e}")))?;
        url.query_pairs_mut().append_pair("version", "1.0");
        self.call(Operation::Discovery, Method::GET, url, None, None)
            .await
    }

    /// A URL of the fixed API templates (`/api/account/{acc}/chat/…`), query filled in.
    pub(super) async fn api_url(
        &self,
        path: &str,
        query: &[(&str, &str)],
    ) -> Result<Url, ApiError> {
        let base = self.base_url().await?;
        let account = &self.inner.config.account;
        let mut url = base
            .join(&format!("api/account/{account}/{path}"))
            .map_err(|e| ApiError::Config(format!("bad base URL: {e}")))?;
        {
            let mut pairs = url.query_pairs_mut();
            pairs.append_pair("v", "1").append_pair("NC", "true");
            for (key, value) in query.iter().filter(|(_, v)| !v.trim().is_empty()) {
                pairs.append_pair(key, value.trim());
            }
        }
        self.prepare(url.as_str(), None)
    }

    /// A server link made ready to call (Q5, Q6).
    pub fn prepare(&self, href: &str, base: Option<&Url>) -> Result<Url, ApiError> {
        let key = (self.inner.config.app_key_in == AppKeyPlacement::Query)
            .then(|| self.inner.config.app_key.expose());
        links::prepare(href, base, key).map_err(ApiError::Config)
    }

    /// GET availability (spec §2.3).
    pub async fn availability(
        &self,
        skill: &str,
        max_wait_time: &str,
    ) -> Result<Availability, ApiError> {
        check_max_wait(max_wait_time)?;
        let url = self
            .api_url(
                "chat/availability",
                &[("skill", skill), ("maxWaitTime", max_wait_time)],
            )
            .await?;
        let answer = self.get(Operation::Availability, url).await?;
        let document = parse_body(Operation::Availability, &answer)?;
        Availability::from_document(&document)
            .map_err(|e| model_error(Operation::Availability, &answer, e))
    }

    /// GET available slots (spec §2.4): `None` means unlimited.
    pub async fn available_slots(
        &self,
        skill: &str,
        max_wait_time: &str,
    ) -> Result<Option<u64>, ApiError> {
        check_max_wait(max_wait_time)?;
        let url = self
            .api_url(
                "chat/availableSlots",
                &[("skill", skill), ("maxWaitTime", max_wait_time)],
            )
            .await?;
        let answer = self.get(Operation::AvailableSlots, url).await?;
        let document = parse_body(Operation::AvailableSlots, &answer)?;
        available_slots_from_document(&document)
            .map_err(|e| model_error(Operation::AvailableSlots, &answer, e))
    }

    /// GET estimated wait time (spec §2.5).
    pub async fn estimated_wait(&self, skill: &str) -> Result<EstimatedWait, ApiError> {
        let url = self
            .api_url("chat/estimatedWaitTime", &[("skill", skill)])
            .await?;
        let answer = self.get(Operation::EstimatedWait, url).await?;
        let document = parse_body(Operation::EstimatedWait, &answer)?;
        EstimatedWait::from_document(&document)
            .map_err(|e| model_error(Operation::EstimatedWait, &answer, e))
    }

    /// GET the pre-chat survey (spec §2.6). `None` when the account has none: a 404 or 204, an
    /// empty body, or a survey without questions.
    pub async fn survey(&self, request: &ChatRequest) -> Result<Option<Survey>, ApiError> {
        let url = self
            .api_url(
                "chat/preSurvey",
                &[
                    ("skill", &request.skill),
                    ("visitorIp", &request.visitor_ip),
                    ("userAgent", &request.user_agent),
                    ("visitorId", &request.visitor_id),
                ],
            )
            .await?;
        self.optional_survey(Operation::Survey, url).await
    }

    /// POST chat/request (spec §2.9): validated first, sent exactly once, never retried. The
    /// session URI is the `Location` of a 200 or 201.
    pub async fn request_chat(
        &self,
        request: &ChatRequest,
        survey: Option<&Survey>,
    ) -> Result<Url, ApiError> {
        validate::chat_request(request, survey).into_result()?;
        let url = self.api_url("chat/request", &[]).await?;
        let body = request.body(survey, self.format());
        let answer = self.post(Operation::ChatRequest, url, &body).await?;
        answer.location().ok_or_else(|| ApiError::NoLocation {
            operation: Operation::ChatRequest,
            status: answer.status,
            headers: answer.headers_summary(),
            body_start: error::body_start(&answer.body),
        })
    }

    /// POST conversation.json (spec §2.8), sent exactly once. The answer is read by the
    /// three-way rule in [`super::auth`].
    pub async fn authenticate(
        &self,
        auth: &request::AuthRequest,
        request: &ChatRequest,
    ) -> Result<Answer, ApiError> {
        validate::auth_request(auth, request).into_result()?;
        let url = self.api_url("conversation.json", &[]).await?;
        let body = auth.body(request);
        let answer = self
            .call(
                Operation::Authenticate,
                Method::POST,
                url,
                Some(&body),
                Some(&auth.sso_key),
            )
            .await?;
        if (300..400).contains(&answer.status) {
            return Err(error::from_status(
                Operation::Authenticate,
                answer.status,
                &answer.body,
                None,
            ));
        }
        Ok(answer)
    }

    /// GET a chat-session URI or its `next` link (spec §2.10).
    pub async fn chat(&self, href: &str) -> Result<ChatResource, ApiError> {
        let url = self.prepare(href, None)?;
        let answer = self.get(Operation::Session, url).await?;
        let document = parse_body(Operation::Session, &answer)?;
        let mut chat = ChatResource::from_document(&document)
            .map_err(|e| model_error(Operation::Session, &answer, e))?;
        chat.resolve_links(&answer.url);
        let info_links = chat.info.iter().flat_map(|info| info.links.0.iter());
        let links = chat
            .links
            .0
            .iter()
            .chain(&chat.events_links.0)
            .chain(info_links);
        self.inner
            .key_scope
            .trust_links(&answer.url, links.map(|link| link.href.as_str()));
        Ok(chat)
    }

    /// GET chat information (spec §2.13), from the `info` link.
    pub async fn info(&self, href: &str) -> Result<Info, ApiError> {
        let url = self.prepare(href, None)?;
        let answer = self.get(Operation::Info, url).await?;
        let document = parse_body(Operation::Info, &answer)?;
        let mut info =
            Info::from_document(&document).map_err(|e| model_error(Operation::Info, &answer, e))?;
        info.links.resolve_against(&answer.url);
        self.inner.key_scope.trust_links(
            &answer.url,
            info.links.0.iter().map(|link| link.href.as_str()),
        );
        Ok(info)
    }

    /// POST a line to the `events` link (spec §2.12). Not retried: a retry could duplicate it.
    pub async fn add_line(&self, events_href: &str, text: &str) -> Result<(), ApiError> {
        if let Some(message) = validate::line(text) {
            return Err(ApiError::Invalid(validate::ValidationErrors(vec![
                validate::Invalid {
                    field: validate::Field::LineText,
                    message,
                },
            ])));
        }
        let url = self.prepare(events_href, None)?;
        self.post(Operation::AddLine, url, &request::line_event(text))
            .await
            .map(drop)
    }

    /// POST the end of the chat to the `events` link (spec §2.12).
    pub async fn end_chat(&self, events_href: &str) -> Result<(), ApiError> {
        let url = self.prepare(events_href, None)?;
        self.post(Operation::EndChat, url, &request::end_event())
            .await
            .map(drop)
    }

    /// Ends the chat at `session_uri` unless it is over already: reads it, and posts the end
    /// to its `events` link only while it is not ended (a server may refuse a second end,
    /// §2.12). True when an end was sent.
    pub async fn end_session(&self, session_uri: &str) -> Result<bool, ApiError> {
        let chat = self.chat(session_uri).await?;
        if chat.has_ended() {
            return Ok(false);
        }
        self.end_chat(&Self::events_link_of(&chat)?).await?;
        Ok(true)
    }

    /// The `events` link of a chat: from its resource, as given (never rebuilt from parts).
    pub async fn events_link(&self, session_uri: &str) -> Result<String, ApiError> {
        let chat = self.chat(session_uri).await?;
        Self::events_link_of(&chat)
    }

    /// The `events` link of a chat already read, or the error that says it has none.
    pub fn events_link_of(chat: &ChatResource) -> Result<String, ApiError> {
        chat.events_link()
            .map(str::to_string)
            .ok_or_else(|| ApiError::BadBody {
                operation: Operation::Session,
                status: 200,
                detail: "the chat has no `events` link".into(),
                body_start: String::new(),
            })
    }

    pub(super) async fn get(&self, operation: Operation, url: Url) -> Result<Answer, ApiError> {
        let mut url = url;
        for _ in 0..=MAX_REDIRECTS {
            let answer = self
                .call(operation, Method::GET, url.clone(), None, None)
                .await?;
            if !(300..400).contains(&answer.status) {
                return Ok(answer);
            }
            let Some(next) = answer.location() else {
                return Err(ApiError::NoLocation {
                    operation,
                    status: answer.status,
                    headers: answer.headers_summary(),
                    body_start: error::body_start(&answer.body),
                });
            };
            url = self.prepare(next.as_str(), None)?;
            // Said as a redirect: the user never named that host.
            if let Err(ApiError::ForeignHost {
                operation, host, ..
            }) = self.key_may_go_to(operation, &url)
            {
                return Err(ApiError::ForeignHost {
                    operation,
                    host,
                    redirected_by: Some(super::key_scope::host_of(&answer.url)),
                });
            }
        }
        Err(ApiError::Config(format!(
            "{operation}: more than {MAX_REDIRECTS} redirects"
        )))
    }

    /// POSTs `body`; a 3xx is refused, never followed (Q24).
    pub(super) async fn post(
        &self,
        operation: Operation,
        url: Url,
        body: &Value,
    ) -> Result<Answer, ApiError> {
        self.send_body(operation, Method::POST, url, body).await
    }

    /// "PUTs" `body`: a POST with `X-HTTP-Method-Override: PUT` (§1.4). Any 2xx is success,
    /// with or without a body (Q31–Q33); a 3xx is refused, never followed.
    pub(super) async fn put(
        &self,
        operation: Operation,
        url: Url,
        body: &Value,
    ) -> Result<Answer, ApiError> {
        self.send_body(operation, Method::PUT, url, body).await
    }

    async fn send_body(
        &self,
        operation: Operation,
        method: Method,
        url: Url,
        body: &Value,
    ) -> Result<Answer, ApiError> {
        let answer = self.call(operation, method, url, Some(body), None).await?;
        if (300..400).contains(&answer.status) {
            // Following would turn the POST into a GET or send it twice (Q24).
            let to = answer
                .location()
                .map_or_else(|| "no Location".to_string(), |url| url.to_string());
            let said = format!(
                "a redirect (to {to}), not followed: a POST is never sent again, to the same place or another; if the service moved, give its new address as the base URL{}",
                if answer.body.trim().is_empty() {
                    String::new()
                } else {
                    format!(" — it said: {}", error::body_start(&answer.body))
                }
            );
            return Err(error::from_status(operation, answer.status, &said, None));
        }
        Ok(answer)
    }

    /// Sends one request and reads the whole answer. Error statuses become [`ApiError::Status`];
    /// 3xx answers are returned for the caller to handle. `body_secret` is masked in the record
    /// of the exchange (the SSO key of the auth call).
    async fn call(
        &self,
        operation: Operation,
        method: Method,
        url: Url,
        body: Option<&Value>,
        body_secret: Option<&Secret>,
    ) -> Result<Answer, ApiError> {
        // CSDS is a public lookup: the appKey is not sent there.
        let authenticated = operation != Operation::Discovery;
        if authenticated {
            self.key_may_go_to(operation, &url)?;
        }
        let config = &self.inner.config;
        // The auth call goes as documented, JSON to `conversation.json` (§2.8), whatever the
        // format of the others: the suffix selects JSON, so an XML body there would be refused.
        // The transcript request is documented in JSON only (§2.18): its body has two roots,
        // which no XML document can hold.
        let format = if matches!(operation, Operation::Authenticate | Operation::Transcript) {
            Format::Json
        } else {
            config.format
        };
        // Every "PUT" of this API goes as a POST that says it means PUT (§1.4, Q15).
        let (method, method_override) = if method == Method::PUT {
            (Method::POST, Some("PUT"))
        } else {
            (method, None)
        };
        let mut builder = self
            .http(&url)?
            .request(method.clone(), url.clone())
            .header(ACCEPT, format.mime());
        let mut sent_headers = vec![
            ("Accept".to_string(), format.mime().to_string()),
            ("User-Agent".to_string(), USER_AGENT.to_string()),
        ];
        if let Some(meant) = method_override {
            builder = builder.header(METHOD_OVERRIDE, meant);
            sent_headers.push((METHOD_OVERRIDE.into(), meant.into()));
        }
        if authenticated && config.app_key_in == AppKeyPlacement::Header {
            let value = format!("LivePerson appKey={}", config.app_key.expose());
            builder = builder.header(AUTHORIZATION, value);
            sent_headers.push((
                "Authorization".into(),
                format!("LivePerson appKey={}", crate::secret::MASK),
            ));
        }
        let encoded = body.map(|b| format.encode(b));
        if let Some(encoded) = &encoded {
            builder = builder
                .header(CONTENT_TYPE, format.content_type())
                .body(encoded.clone());
            sent_headers.push(("Content-Type".into(), format.content_type().into()));
        }
        // The appKey, and the SSO key of the auth call, are masked in everything that leaves
        // here as text: a server may echo the request in its answer or its error message.
        let mask = |text: &str| {
            let text = self.redact(text);
            body_secret.map_or_else(|| text.clone(), |secret| secret.redact(&text))
        };
        let started_at = std::time::SystemTime::now();
        let started = Instant::now();
        let result = self.read(builder).await;
        // Only when someone reads the record (the inspector, the log) is it built: masking
        // copies and scans both bodies, work a burst of a thousand chats would pay for nothing.
        let recording = self.inner.observer.is_some()
            || self.journal.is_some()
            || tracing::enabled!(target: "chatstart::http", tracing::Level::INFO);
        let mut exchange = recording.then(|| Exchange {
            operation,
            started: started_at,
            method: method.to_string(),
            url: mask(&links::redact_url(&url)),
            request_headers: sent_headers,
            request_body: encoded.as_deref().map(mask),
            status: None,
            response_headers: Vec::new(),
            response_body: None,
            elapsed: started.elapsed(),
            error: None,
        });
        let outcome = match result {
            Ok((status, _, None)) => Err(ApiError::BadBody {
                operation,
                status,
                detail: format!(
                    "the answer is larger than {} MiB, far more than any answer of this API; it was not read",
                    MAX_BODY_BYTES >> 20
                ),
                body_start: String::new(),
            }),
            Ok((status, headers, Some(body))) => {
                if let Some(exchange) = exchange.as_mut() {
                    exchange.status = Some(status);
                    exchange.response_headers = headers
                        .iter()
                        .map(|(k, v)| (k.to_string(), mask(v.to_str().unwrap_or("?"))))
                        .collect();
                    exchange.response_body = Some(mask(&body));
                }
                if status >= 400 {
                    let retry_after = headers
                        .get(RETRY_AFTER)
                        .and_then(|v| v.to_str().ok())
                        .and_then(|v| v.trim().parse::<u64>().ok())
                        .map(Duration::from_secs);
                    Err(error::from_status(
                        operation,
                        status,
                        &mask(&body),
                        retry_after,
                    ))
                } else {
                    // The Location of a created resource (a chat) is a host the service named.
                    // A redirect's is not: whatever sits on the way (a proxy, a captive portal)
                    // can answer one, so its host gets the key only if it may have it anyway.
                    if (200..300).contains(&status) {
                        if let Some(location) = headers.get(LOCATION).and_then(|v| v.to_str().ok())
                        {
                            self.inner.key_scope.trust_links(&url, [location]);
                        }
                    }
                    // An answer read for a secret-bearing call can end up quoted in an
                    // error (`body_start`), so it is masked too.
                    let body = if body_secret.is_some() {
                        mask(&body)
                    } else {
                        body
                    };
                    Ok(Answer {
                        status,
                        url,
                        headers,
                        body,
                    })
                }
            }
            Err(failure) => {
                let error = self.network_error(operation, &failure);
                if let Some(exchange) = exchange.as_mut() {
                    exchange.error = Some(error.to_string());
                }
                Err(error)
            }
        };
        if let Some(exchange) = &exchange {
            self.record(exchange);
        }
        outcome
    }

    async fn read(
        &self,
        builder: reqwest::RequestBuilder,
    ) -> Result<(u16, HeaderMap, Option<String>), reqwest::Error> {
        let mut response = builder.send().await?;
        let status = response.status().as_u16();
        let headers = response.headers().clone();
        let mut bytes = Vec::new();
        while let Some(chunk) = response.chunk().await? {
            if bytes.len() + chunk.len() > MAX_BODY_BYTES {
                return Ok((status, headers, None));
            }
            bytes.extend_from_slice(&chunk);
        }
        // Valid UTF-8 (every answer of this API) is taken as is, without a copy.
        let text = String::from_utf8(bytes)
            .unwrap_or_else(|invalid| String::from_utf8_lossy(invalid.as_bytes()).into_owned());
        Ok((status, headers, Some(text)))
    }

    fn network_error(&self, operation: Operation, failure: &reqwest::Error) -> ApiError {
        let kind = if failure.is_connect() && failure.is_timeout() {
            NetworkFailure::ConnectTimeout
        } else if failure.is_connect() {
            NetworkFailure::Connect
        } else if failure.is_timeout() {
            NetworkFailure::Timeout
        } else {
            NetworkFailure::Dropped
        };
        // The URL may carry the appKey: describe the failure without it.
        let mut detail = Vec::new();
        let mut source: Option<&dyn std::error::Error> = Some(failure);
        while let Some(error) = source {
            let text = error.to_string();
            if !text.contains("http") || detail.is_empty() {
                detail.push(self.redact(&text));
            }
            source = error.source();
        }
        detail.retain(|d| !d.starts_with("error sending request for url"));
        ApiError::Network {
            operation,
            failure: kind,
            detail: detail.join(": "),
            timeout: if kind == NetworkFailure::ConnectTimeout {
                self.effective_connect_timeout()
            } else {
                self.inner.config.http_timeout
            },
        }
    }

    /// Masks the appKey wherever it appears in text about to leave the client.
    pub fn redact(&self, text: &str) -> String {
        self.inner.config.app_key.redact(text)
    }

    fn record(&self, exchange: &Exchange) {
        tracing::info!(
            target: "chatstart::http",
            method = %exchange.method,
            url = %exchange.url,
            status = exchange.status,
            elapsed_ms = exchange.elapsed.as_millis() as u64,
            error = exchange.error.as_deref(),
            request_body = exchange.request_body.as_deref(),
            response_body = exchange.response_body.as_deref(),
            "http exchange"
        );
        if let Some(observer) = &self.inner.observer {
            observer(exchange);
        }
        if let Some(journal) = &self.journal {
            journal(exchange);
        }
    }
}

fn parse_base(text: &str) -> Result<Url, ApiError> {
    let text = text.trim();
    if let Some(problem) = validate::base_url(text) {
        return Err(ApiError::Config(problem));
    }
    let mut url =
        Url::parse(text).map_err(|e| ApiError::Config(format!("`{text}` is not a URL: {e}")))?;
    if !matches!(url.scheme(), "http" | "https") || url.host().is_none() {
        return Err(ApiError::Config(format!(
            "`{text}` is not an http(s) URL with a host"
        )));
    }
    links::refuse_user_info(&url).map_err(ApiError::Config)?;
    if !url.path().ends_with('/') {
        let path = format!("{}/", url.path());
        url.set_path(&path);
    }
    url.set_query(None);
    Ok(url)
}

fn discovered_host(document: &Value) -> Option<String> {
    use super::value::{list_field, text_field};
    if let Some(host) = text_field(document, "baseURI") {
        return Some(host);
    }
    let all = document.get("baseURIs")?;
    list(all)
        .into_iter()
        .chain(list_field(all, "baseURI"))
        .find(|entry| text_field(entry, "service").as_deref() == Some("conversationVep"))
        .and_then(|entry| text_field(entry, "baseURI"))
}

fn list(value: &Value) -> Vec<&Value> {
    super::value::list(Some(value))
        .into_iter()
        .filter(|v| v.is_object())
        .collect()
}

fn check_max_wait(max_wait_time: &str) -> Result<(), ApiError> {
    match validate::max_wait_time(max_wait_time) {
        Some(message) => Err(ApiError::Invalid(validate::ValidationErrors(vec![
            validate::Invalid {
                field: validate::Field::MaxWaitTime,
                message,
            },
        ]))),
        None => Ok(()),
    }
}

pub(super) fn parse_body(operation: Operation, answer: &Answer) -> Result<Value, ApiError> {
    format::decode(&answer.body).map_err(|detail| ApiError::BadBody {
        operation,
        status: answer.status,
        detail,
        body_start: error::body_start(&answer.body),
    })
}

pub(super) fn model_error(
    operation: Operation,
    answer: &Answer,
    error: super::model::ModelError,
) -> ApiError {
    ApiError::BadBody {
        operation,
        status: answer.status,
        detail: error.to_string(),
        body_start: error::body_start(&answer.body),
    }
}

#[cfg(test)]
mod redirect_tests {
    use std::io::{BufRead, BufReader, Write};
    use std::net::TcpListener;
    use std::sync::{Arc, Mutex};

    use super::*;
    use crate::api::Endpoint;

    /// A server on loopback answering every request with `answer`; what it was sent, by request.
    fn serve(answer: String) -> (u16, Arc<Mutex<Vec<String>>>) {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
        let port = listener.local_addr().expect("address").port();
        let seen = Arc::new(Mutex::new(Vec::new()));
        let log = seen.clone();
        std::thread::spawn(move || {
            for mut stream in listener.incoming().flatten() {
                let mut head = String::new();
                let mut reader = BufReader::new(stream.try_clone().expect("clone"));
                while reader.read_line(&mut head).is_ok_and(|n| n > 2) {}
                log.lock().expect("log").push(head);
                let _ = stream.write_all(answer.as_bytes());
            }
        });
        (port, seen)
    }

    #[test]
    fn a_redirect_to_another_host_gets_no_app_key_and_is_refused_naming_it() {
        let body = r#"{"availability":true}"#;
        let (target, reached) = serve(format!(
            "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
            body.len()
        ));
        let (service, asked) = serve(format!(
            "HTTP/1.1 302 Found\r\nLocation: http://localhost:{target}/api/account/123/chat/availability?skill=Sales\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
        ));
        let runtime = tokio::runtime::Runtime::new().expect("runtime");
        let result = runtime.block_on(async {
            let config = ClientConfig::new(
                Endpoint::BaseUrl(format!("http://127.0.0.1:{service}")),
                "123",
                Secret::new("SECRET-key-4711"),
            );
            ChatApi::new(config)
                .expect("client")
                .availability("Sales", "")
                .await
        });
        assert_eq!(asked.lock().expect("log").len(), 1, "the service was asked");
        let Err(ApiError::ForeignHost { host, .. }) = &result else {
            panic!("refused before following: {result:?}");
        };
        assert_eq!(host, &format!("localhost:{target}"));
        let said = result.as_ref().unwrap_err().to_string();
        assert!(
            said.contains(&format!(
                "the answer of 127.0.0.1:{service} redirected there"
            )),
            "{said}"
        );
        assert!(
            reached.lock().expect("log").is_empty(),
            "nothing at all went to the redirect's host"
        );
    }

    #[test]
    fn a_chat_request_answered_with_a_redirect_is_not_sent_again_and_says_where_it_pointed() {
        let (service, asked) = serve(
            "HTTP/1.1 307 Temporary Redirect\r\nLocation: http://127.0.0.1:9/api/account/123/chat/request\r\nContent-Length: 0\r\nConnection: close\r\n\r\n".into(),
        );
        let runtime = tokio::runtime::Runtime::new().expect("runtime");
        let error = runtime.block_on(async {
            let config = ClientConfig::new(
                Endpoint::BaseUrl(format!("http://127.0.0.1:{service}")),
                "123",
                Secret::new("SECRET-key-4711"),
            );
            let request = crate::api::ChatRequest {
                skill: "Sales".into(),
                ..crate::api::ChatRequest::default()
            };
            ChatApi::new(config)
                .expect("client")
                .request_chat(&request, None)
                .await
                .unwrap_err()
        });
        let said = error.to_string();
        assert!(
            said.contains("307")
                && said.contains("a redirect (to http://127.0.0.1:9/api/account/123/chat/request)")
                && said.contains("never sent again"),
            "{said}"
        );
        assert_eq!(
            asked.lock().expect("log").len(),
            1,
            "one POST, not followed"
        );
    }

    #[test]
    fn a_redirect_within_the_service_is_followed() {
        let body = r#"{"availability":true}"#;
        let answer = format!(
            "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
            body.len()
        );
        let (service, asked) = serve(answer);
        let (front, _) = serve(format!(
            "HTTP/1.1 301 Moved\r\nLocation: http://127.0.0.1:{service}/api/account/123/chat/availability?skill=Sales\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
        ));
        let runtime = tokio::runtime::Runtime::new().expect("runtime");
        let available = runtime.block_on(async {
            let mut config = ClientConfig::new(
                Endpoint::BaseUrl(format!("http://127.0.0.1:{front}")),
                "123",
                Secret::new("SECRET-key-4711"),
            );
            config.send_key_to = vec![format!("127.0.0.1:{service}").parse().expect("host")];
            ChatApi::new(config)
                .expect("client")
                .availability("Sales", "")
                .await
        });
        assert!(available.is_ok(), "{available:?}");
        let asked = asked.lock().expect("log");
        assert_eq!(asked.len(), 1);
        assert!(
            asked[0].contains("SECRET-key-4711"),
            "the allowed host got the key"
        );
    }
}
