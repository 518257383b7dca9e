//! The registry client (wasm only): plans every request with the pure `registry` module,
//! sends it with `http` (the one I/O module), and verifies what comes back before anything is
//! shown. Modelled on go-containerregistry's `remote` + `transport`: ping-less, auth on demand
//! (a 401 names the realm), one retry, tokens cached per scope.
//!
//! Credentials live in this tab's memory only (a `Session`), are never logged or put in a URL,
//! go only to the registry and its token realm, and to a realm on another host only after the
//! person agreed.

use std::cell::RefCell;
use std::collections::{BTreeMap, BTreeSet};
use std::rc::Rc;

use thiserror::Error;

use crate::http::{self, HttpError, HttpRequest, HttpResponse};
use crate::oci::json;
use crate::oci::model::{Descriptor, Index};
use crate::oci::{Digest, Reference, Verifier, DEFAULT_MAX_BYTES};
use crate::registry::{
    basic_header, check_manifest_content_type, classify, next_url, parse_catalog, parse_challenges,
    parse_tag_list, parse_token_response, preferred, pull_scope, realm_host_differs, token_url,
    verify_manifest, BearerChallenge, Challenge, Credentials, Endpoint, ManifestRequest,
    RegistryError, TagList, Token, TokenCache, TokenKey, Verified, VerifiedBy, CATALOG_SCOPE,
};

/// Token responses and tag pages are small; anything bigger is hostile.
const SMALL_LIMIT: usize = 256 * 1024;
const TIMEOUT_SECONDS: u32 = 30;
const SCHEMA1_SIGNED: &str = "application/vnd.docker.distribution.manifest.v1+prettyjws";

#[derive(Clone, Debug, PartialEq, Eq, Error)]
pub enum ClientError {
    #[error(transparent)]
    Registry(#[from] RegistryError),
    /// Credentials would go to a token server on another host than the registry.
    #[error(
        "the registry {registry} sends logins to {realm}; allow it to send your credentials there?"
    )]
    NeedsConsent { registry: String, realm: String },
    #[error("{0}")]
    Transport(String),
}

impl From<HttpError> for ClientError {
    fn from(e: HttpError) -> ClientError {
        match e {
            HttpError::Network { url } => ClientError::Registry(RegistryError::Network {
                detail: format!("request to {url} failed"),
            }),
            HttpError::TooLarge { limit, .. } => {
                ClientError::Registry(RegistryError::TooLarge { limit })
            }
            timeout @ HttpError::Timeout { .. } => ClientError::Transport(timeout.to_string()),
        }
    }
}

#[derive(Default)]
struct State {
    credentials: Option<Credentials>,
    tokens: TokenCache,
    /// The last Bearer challenge per registry host, so later requests send a cached token
    /// up front instead of collecting a 401 first.
    challenges: BTreeMap<String, BearerChallenge>,
    /// Hosts that asked for Basic auth.
    basic_hosts: BTreeSet<String>,
    /// Token realms the person allowed credentials to go to.
    consented: BTreeSet<String>,
}

/// The endpoint for `reference`, through `proxy` when one is in use. A prefix on this site
/// ("/proxy/") is made absolute, so that `Endpoint::route` recognises a realm the proxy has
/// already rewritten onto itself.
pub fn endpoint(reference: &Reference, proxy: Option<&str>) -> Endpoint {
    let endpoint = Endpoint::for_reference(reference);
    match proxy {
        None => endpoint,
        Some(prefix) => {
            let origin = leptos::prelude::window()
                .location()
                .origin()
                .unwrap_or_default();
            let prefix = match prefix.strip_prefix('/') {
                Some(path) if !path.starts_with('/') => format!("{origin}{prefix}"),
                _ => prefix.to_owned(),
            };
            endpoint.with_proxy(&prefix)
        }
    }
}

/// Per-tab registry session: credentials and tokens, in memory only.
#[derive(Clone, Default)]
pub struct Session(Rc<RefCell<State>>);

/// A fetched document, verified as far as the protocol allows.
#[derive(Clone, Debug)]
pub struct Fetched {
    pub bytes: Vec<u8>,
    pub url: String,
    pub content_type: Option<String>,
    /// The digest the bytes are verified against, and how it was obtained.
    pub verified: Verified,
}

/// Where referrers were found.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ReferrersVia {
    Api,
    TagFallback,
}

fn now_seconds() -> u64 {
    (js_sys::Date::now() / 1000.0) as u64
}

impl Session {
    pub fn set_credentials(&self, credentials: Option<Credentials>) {
        let mut state = self.0.borrow_mut();
        state.credentials = credentials;
        // Tokens were issued to the previous identity.
        state.tokens = TokenCache::default();
        state.basic_hosts.clear();
    }

    pub fn username(&self) -> Option<String> {
        self.0
            .borrow()
            .credentials
            .as_ref()
            .map(|c| c.username().to_owned())
    }

    /// What the lazily loaded views need to act for the same person: the credentials and
    /// the token realms they may go to (handed over in memory, never stored).
    pub fn handover(&self) -> (Option<Credentials>, Vec<String>) {
        let state = self.0.borrow();
        (
            state.credentials.clone(),
            state.consented.iter().cloned().collect(),
        )
    }

    pub fn allow_realm(&self, realm: &str) {
        self.0.borrow_mut().consented.insert(realm.to_owned());
    }

    /// The Authorization header to send up front, if a previous exchange told us one.
    fn known_authorization(&self, endpoint: &Endpoint, scope: &str) -> Option<String> {
        let state = self.0.borrow();
        if state.basic_hosts.contains(endpoint.host()) {
            return state.credentials.as_ref().map(basic_header);
        }
        let challenge = state.challenges.get(endpoint.host())?;
        let key = TokenKey::new(
            &challenge.realm,
            challenge.service.as_deref(),
            &[scope.to_owned()],
        );
        state.tokens.get(&key, now_seconds()).map(Token::header)
    }

    /// A token for `scope` from the challenge's realm: cached, or fetched (anonymously, or
    /// with the credentials when the person allows them to go to that realm).
    async fn token(
        &self,
        endpoint: &Endpoint,
        challenge: &BearerChallenge,
        scope: &str,
    ) -> Result<Token, ClientError> {
        let scopes = vec![scope.to_owned()];
        let key = TokenKey::new(&challenge.realm, challenge.service.as_deref(), &scopes);
        let credentials = {
            let mut state = self.0.borrow_mut();
            state
                .challenges
                .insert(endpoint.host().to_owned(), challenge.clone());
            if let Some(token) = state.tokens.get(&key, now_seconds()) {
                return Ok(token.clone());
            }
            state.credentials.clone()
        };
        let url = token_url(endpoint, challenge, &scopes).map_err(RegistryError::from)?;
        let mut headers = Vec::new();
        if let Some(credentials) = &credentials {
            let allowed = !realm_host_differs(endpoint, &challenge.realm)
                || self.0.borrow().consented.contains(&challenge.realm);
            if !allowed {
                return Err(ClientError::NeedsConsent {
                    registry: endpoint.host().to_owned(),
                    realm: challenge.realm.clone(),
                });
            }
            headers.push(("Authorization", basic_header(credentials)));
        }
        let response = http::send(HttpRequest {
            method: "GET",
            url: &url,
            headers: &headers,
            limit: SMALL_LIMIT,
            timeout_seconds: TIMEOUT_SECONDS,
        })
        .await?;
        if !(200..300).contains(&response.status) {
            return Err(classify(response.status, |h| response.header(h), &response.body).into());
        }
        let parsed = parse_token_response(&response.body).map_err(RegistryError::from)?;
        let token = parsed.token.clone();
        self.0
            .borrow_mut()
            .tokens
            .insert(key, &parsed, now_seconds());
        Ok(token)
    }

    async fn get(
        &self,
        endpoint: &Endpoint,
        url: &str,
        accept: Option<&str>,
        scope: &str,
        limit: usize,
    ) -> Result<HttpResponse, ClientError> {
        self.request("GET", endpoint, url, accept, scope, limit)
            .await
    }

    /// A request with auth on demand: a 401 is answered once, by the scheme the registry
    /// asked for.
    async fn request(
        &self,
        method: &str,
        endpoint: &Endpoint,
        url: &str,
        accept: Option<&str>,
        scope: &str,
        limit: usize,
    ) -> Result<HttpResponse, ClientError> {
        let mut authorization = self.known_authorization(endpoint, scope);
        for attempt in 0..2 {
            let mut headers = Vec::new();
            if let Some(accept) = accept {
                headers.push(("Accept", accept.to_owned()));
            }
            if let Some(value) = &authorization {
                headers.push(("Authorization", value.clone()));
            }
            let response = http::send(HttpRequest {
                method,
                url,
                headers: &headers,
                limit,
                timeout_seconds: TIMEOUT_SECONDS,
            })
            .await?;
            if (200..300).contains(&response.status) {
                return Ok(response);
            }
            if response.status != 401 || attempt == 1 {
                return Err(
                    classify(response.status, |h| response.header(h), &response.body).into(),
                );
            }
            let Some(header) = response.header("WWW-Authenticate") else {
                return Err(RegistryError::Unauthorized {
                    message: Some(
                        "HTTP 401 without a readable WWW-Authenticate header: the registry must \
                         list it in Access-Control-Expose-Headers"
                            .into(),
                    ),
                }
                .into());
            };
            let challenges = parse_challenges(&header).map_err(RegistryError::from)?;
            authorization = match preferred(&challenges) {
                Some(Challenge::Bearer(bearer)) => {
                    Some(self.token(endpoint, bearer, scope).await?.header())
                }
                Some(Challenge::Basic { .. }) => {
                    let mut state = self.0.borrow_mut();
                    state.basic_hosts.insert(endpoint.host().to_owned());
                    match &state.credentials {
                        Some(credentials) => Some(basic_header(credentials)),
                        None => {
                            return Err(RegistryError::Unauthorized {
                                message: Some("this registry needs a username and password".into()),
                            }
                            .into())
                        }
                    }
                }
                _ => {
                    return Err(RegistryError::Unauthorized {
                        message: Some(format!("unsupported authentication scheme in {header:?}")),
                    }
                    .into())
                }
            };
        }
        unreachable_retry()
    }

    /// The manifest `reference` names (by its digest when it has one, else by tag), or the
    /// manifest `digest` in the same repository. Verified before it is returned.
    pub async fn manifest(
        &self,
        endpoint: &Endpoint,
        reference: &Reference,
        digest: Option<&Digest>,
        limit: usize,
    ) -> Result<Fetched, ClientError> {
        let target = match digest {
            Some(d) => reference.with_digest(d.clone()),
            None => reference.clone(),
        };
        let request = ManifestRequest::new(endpoint, &target);
        let scope = pull_scope(reference.repository());
        let response = self
            .get(endpoint, &request.url, Some(request.accept), &scope, limit)
            .await?;
        let content_type = response.header("Content-Type");
        check_manifest_content_type(content_type.as_deref())?;
        // A signed schema 1 manifest's Docker-Content-Digest covers its payload without the
        // signatures, so it never equals the hash of the bytes: do not compare it.
        let header = response
            .header("Docker-Content-Digest")
            .filter(|_| content_type.as_deref() != Some(SCHEMA1_SIGNED));
        let verified = verify_manifest(&target, &response.body, header.as_deref(), limit)?;
        Ok(Fetched {
            bytes: response.body,
            url: response.url,
            content_type,
            verified,
        })
    }

    /// `GET /v2/` without credentials: whether this page can read the registry at all, and
    /// which authentication it asks for (the challenge, as the registry wrote it).
    pub async fn ping(&self, endpoint: &Endpoint) -> Result<(u16, Option<String>), ClientError> {
        let url = endpoint.ping_url();
        let response = http::send(HttpRequest {
            method: "GET",
            url: &url,
            headers: &[],
            limit: SMALL_LIMIT,
            timeout_seconds: TIMEOUT_SECONDS,
        })
        .await?;
        Ok((response.status, response.header("WWW-Authenticate")))
    }

    /// The digest `reference`'s tag points to now, from a `HEAD` request (no body is
    /// downloaded); `None` when the registry does not expose `Docker-Content-Digest`.
    pub async fn head_digest(
        &self,
        endpoint: &Endpoint,
        reference: &Reference,
    ) -> Result<Option<Digest>, ClientError> {
        let request = ManifestRequest::new(endpoint, reference);
        let scope = pull_scope(reference.repository());
        let response = self
            .request(
                "HEAD",
                endpoint,
                &request.url,
                Some(request.accept),
                &scope,
                0,
            )
            .await?;
        Ok(response
            .header("Docker-Content-Digest")
            .and_then(|d| d.parse().ok()))
    }

    /// A blob (a config, an SBOM…), verified against its digest and, when known, its size.
    pub async fn blob(
        &self,
        endpoint: &Endpoint,
        reference: &Reference,
        digest: &Digest,
        size: Option<u64>,
    ) -> Result<Fetched, ClientError> {
        let url = endpoint.blob_url(reference.repository(), digest);
        let scope = pull_scope(reference.repository());
        let limit = size
            .and_then(|s| usize::try_from(s).ok())
            .map_or(DEFAULT_MAX_BYTES, |s| s.min(DEFAULT_MAX_BYTES));
        let response = self.get(endpoint, &url, None, &scope, limit).await?;
        let mut verifier = Verifier::new(digest.clone(), size);
        verifier.update(&response.body).map_err(verify_error)?;
        let digest = verifier.finish().map_err(verify_error)?;
        let content_type = response.header("Content-Type");
        Ok(Fetched {
            bytes: response.body,
            url: response.url,
            content_type,
            verified: Verified {
                digest,
                by: VerifiedBy::RequestedDigest,
            },
        })
    }

    /// The URL of a blob and the Authorization header to send with it, for a download the
    /// layer worker makes itself: a `HEAD` first settles authentication (a token for the
    /// repository's pull scope, or Basic), so the worker's single `GET` is accepted.
    pub async fn blob_access(
        &self,
        endpoint: &Endpoint,
        reference: &Reference,
        digest: &Digest,
    ) -> Result<(String, Option<String>), ClientError> {
        let url = endpoint.blob_url(reference.repository(), digest);
        let scope = pull_scope(reference.repository());
        self.request("HEAD", endpoint, &url, None, &scope, 0)
            .await?;
        let authorization = self.known_authorization(endpoint, &scope);
        Ok((url, authorization))
    }

    /// One page of tags; `page` is the `next` URL of the previous page.
    pub async fn tags(
        &self,
        endpoint: &Endpoint,
        reference: &Reference,
        page: Option<String>,
    ) -> Result<(TagList, Option<String>), ClientError> {
        let url =
            page.unwrap_or_else(|| endpoint.tags_url(reference.repository(), Some(100), None));
        let scope = pull_scope(reference.repository());
        let response = self
            .get(endpoint, &url, None, &scope, SMALL_LIMIT * 4)
            .await?;
        let list = parse_tag_list(&response.body).map_err(RegistryError::from)?;
        let next = self.next_page(endpoint, &url, &response)?;
        Ok((list, next))
    }

    /// One page of the registry's repositories; `page` is the `next` URL of the previous page.
    pub async fn catalog(
        &self,
        endpoint: &Endpoint,
        page: Option<String>,
    ) -> Result<(Vec<String>, Option<String>), ClientError> {
        let url = page.unwrap_or_else(|| endpoint.catalog_url(Some(100), None));
        let response = self
            .get(endpoint, &url, None, CATALOG_SCOPE, SMALL_LIMIT * 4)
            .await?;
        let names = parse_catalog(&response.body).map_err(RegistryError::from)?;
        let next = self.next_page(endpoint, &url, &response)?;
        Ok((names, next))
    }

    /// The `next` URL from a list response's `Link` header, resolved against the request.
    fn next_page(
        &self,
        endpoint: &Endpoint,
        url: &str,
        response: &HttpResponse,
    ) -> Result<Option<String>, ClientError> {
        let base = endpoint.url("");
        let path = url.strip_prefix(&base).unwrap_or(url);
        match response.header("Link") {
            Some(link) => Ok(next_url(&link, endpoint, path).map_err(RegistryError::from)?),
            None => Ok(None),
        }
    }

    /// Manifests whose `subject` is `subject`, optionally only those of one `artifact_type`:
    /// the referrers API, or the `sha256-<hex>` tag when the registry has no such API (404).
    pub async fn referrers(
        &self,
        endpoint: &Endpoint,
        reference: &Reference,
        subject: &Digest,
        artifact_type: Option<&str>,
    ) -> Result<(Vec<Descriptor>, ReferrersVia), ClientError> {
        let (mut list, via) = self
            .all_referrers(endpoint, reference, subject, artifact_type)
            .await?;
        // A registry may ignore the filter (it says so only in a header), and the tag fallback
        // cannot filter: apply it here in every case.
        if let Some(wanted) = artifact_type {
            list.retain(|d| d.artifact_type.as_deref() == Some(wanted));
        }
        Ok((list, via))
    }

    async fn all_referrers(
        &self,
        endpoint: &Endpoint,
        reference: &Reference,
        subject: &Digest,
        artifact_type: Option<&str>,
    ) -> Result<(Vec<Descriptor>, ReferrersVia), ClientError> {
        let url = endpoint.referrers_url(reference.repository(), subject, artifact_type);
        let scope = pull_scope(reference.repository());
        let accept = "application/vnd.oci.image.index.v1+json";
        match self
            .get(endpoint, &url, Some(accept), &scope, DEFAULT_MAX_BYTES)
            .await
        {
            Ok(response) => Ok((index_entries(&response.body), ReferrersVia::Api)),
            // No referrers API: 404 (distribution 2.x), or a 404 without CORS headers, which
            // the browser reports as a network error; either way, try the tag schema.
            Err(ClientError::Registry(RegistryError::Http { status: 404, .. }))
            | Err(ClientError::Registry(RegistryError::NameUnknown { .. }))
            | Err(ClientError::Registry(RegistryError::Network { .. })) => {
                let tag = crate::registry::referrers_tag(subject);
                let tagged: Reference = format!("{}:{tag}", reference.name()).parse().map_err(
                    |e: crate::oci::ReferenceError| ClientError::Transport(e.to_string()),
                )?;
                match self
                    .manifest(endpoint, &tagged, None, DEFAULT_MAX_BYTES)
                    .await
                {
                    Ok(fetched) => Ok((index_entries(&fetched.bytes), ReferrersVia::TagFallback)),
                    Err(ClientError::Registry(RegistryError::ManifestUnknown { .. }))
                    | Err(ClientError::Registry(RegistryError::Http { status: 404, .. })) => {
                        Ok((Vec::new(), ReferrersVia::TagFallback))
                    }
                    Err(e) => Err(e),
                }
            }
            Err(e) => Err(e),
        }
    }
}

fn index_entries(bytes: &[u8]) -> Vec<Descriptor> {
    json::parse(bytes, json::DEFAULT_MAX_DEPTH)
        .map(|j| Index::from_json(&j).manifests)
        .unwrap_or_default()
}

fn verify_error(e: crate::oci::VerifyError) -> ClientError {
    match e {
        crate::oci::VerifyError::DigestMismatch { expected, actual } => {
            RegistryError::DigestMismatch { expected, actual }.into()
        }
        other => ClientError::Transport(other.to_string()),
    }
}

/// The retry loop returns on its second pass; this keeps the compiler and the reader sure.
fn unreachable_retry() -> Result<HttpResponse, ClientError> {
    Err(ClientError::Transport(
        "authentication did not settle after one retry".into(),
    ))
}
