//! Bearer token responses and their cache (Docker token auth spec, docs/spec/auth/token.md,
//! "Token Response Fields").
//!
//! - `token` is the bearer token; `access_token` is its OAuth 2.0 name. Both may appear and
//!   should then be equal; `token` wins, as in the spec's own client.
//! - `expires_in` defaults to 60 seconds when absent (the spec's value).
//! - `issued_at` (RFC 3339) is kept as text for display only: expiry is counted from the
//!   caller's clock at receipt, so a skewed server clock cannot make a token look fresh.
//!
//! Token values never appear in `Debug` output.

use std::collections::HashMap;
use std::fmt;

use crate::oci::json::{self, Json, Value};
use thiserror::Error;

/// Lifetime when the response gives none (token.md: "When omitted, this defaults to 60").
pub const DEFAULT_EXPIRES_IN: u64 = 60;

/// A token is dropped this many seconds before it expires, so a request started just before
/// the deadline does not arrive just after it.
pub const EXPIRY_MARGIN: u64 = 5;

/// A bearer token. `Debug` shows only its length.
#[derive(Clone, PartialEq, Eq)]
pub struct Token(String);

impl Token {
    /// The raw value, for the `Authorization` header only.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// `Bearer <token>`, the whole `Authorization` header value.
    pub fn header(&self) -> String {
        format!("Bearer {}", self.0)
    }
}

impl fmt::Debug for Token {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Token(<redacted, {} bytes>)", self.0.len())
    }
}

/// A parsed token response.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TokenResponse {
    pub token: Token,
    /// Seconds the token stays valid.
    pub expires_in: u64,
    /// As the server wrote it, for display.
    pub issued_at: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Eq, Error)]
pub enum TokenError {
    #[error("the token response is not a JSON object: {0}")]
    NotJson(String),
    #[error("the token response has neither a non-empty \"token\" nor \"access_token\"")]
    Missing,
    /// The token would go into a header; a byte that cannot is a broken or hostile server.
    #[error("the token contains a byte that cannot appear in an HTTP header, at byte {at}")]
    InvalidByte { at: usize },
}

/// Parses a token server's JSON answer.
pub fn parse_token_response(body: &[u8]) -> Result<TokenResponse, TokenError> {
    let object = json::parse(body, json::DEFAULT_MAX_DEPTH)
        .map_err(|e| TokenError::NotJson(e.to_string()))?;
    if object.as_object().is_none() {
        return Err(TokenError::NotJson("not an object".to_owned()));
    }
    let text = |name: &str| {
        object
            .get(name)
            .and_then(Json::as_str)
            .filter(|s| !s.is_empty())
    };
    let token = text("token")
        .or_else(|| text("access_token"))
        .ok_or(TokenError::Missing)?;
    // RFC 6750 b64token is narrower, but registries send JWTs and opaque strings; visible
    // ASCII is what an Authorization header can safely carry.
    if let Some(at) = token.bytes().position(|b| !b.is_ascii_graphic()) {
        return Err(TokenError::InvalidByte { at });
    }
    // Lenient on type: some servers send a float or a numeric string; nonsense means default.
    let expires_in = match object.get("expires_in").map(|n| &n.value) {
        // A fractional value keeps its whole seconds ("300.5" → 300); an exponent is
        // nonsense here and falls back to the default. No float parsing: it costs code size.
        Some(Value::Number(n)) => n
            .split('.')
            .next()
            .and_then(|whole| whole.parse::<u64>().ok()),
        Some(Value::String(s)) => s.trim().parse::<u64>().ok(),
        _ => None,
    }
    .filter(|&s| s > 0)
    .unwrap_or(DEFAULT_EXPIRES_IN);
    Ok(TokenResponse {
        token: Token(token.to_owned()),
        expires_in,
        issued_at: text("issued_at").map(str::to_owned),
    })
}

/// What a token was issued for: a token for one scope set must not be reused for another.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct TokenKey {
    pub realm: String,
    pub service: String,
    /// The scopes, sorted, deduplicated and space-joined, so their order does not matter.
    pub scope: String,
}

impl TokenKey {
    pub fn new(realm: &str, service: Option<&str>, scopes: &[String]) -> TokenKey {
        let mut sorted: Vec<&str> = scopes.iter().map(String::as_str).collect();
        sorted.sort_unstable();
        sorted.dedup();
        TokenKey {
            realm: realm.to_owned(),
            service: service.unwrap_or_default().to_owned(),
            scope: sorted.join(" "),
        }
    }
}

/// Tokens by [`TokenKey`], each with its expiry in the caller's seconds. Time is always passed
/// in (`now`), so expiry is testable and the wasm side can use `Date.now() / 1000`.
#[derive(Clone, Debug, Default)]
pub struct TokenCache {
    entries: HashMap<TokenKey, (Token, u64)>,
}

impl TokenCache {
    pub fn new() -> TokenCache {
        TokenCache::default()
    }

    /// Stores `response` as received at `now`.
    pub fn insert(&mut self, key: TokenKey, response: &TokenResponse, now: u64) {
        let expires_at = now.saturating_add(response.expires_in);
        self.entries
            .insert(key, (response.token.clone(), expires_at));
    }

    /// The token for `key`, unless it expires within [`EXPIRY_MARGIN`] seconds of `now`.
    pub fn get(&self, key: &TokenKey, now: u64) -> Option<&Token> {
        let (token, expires_at) = self.entries.get(key)?;
        (now.saturating_add(EXPIRY_MARGIN) < *expires_at).then_some(token)
    }

    /// Drops a token the registry refused (401 despite it), so the next request fetches anew.
    pub fn remove(&mut self, key: &TokenKey) {
        self.entries.remove(key);
    }

    /// Drops every expired token.
    pub fn purge(&mut self, now: u64) {
        self.entries
            .retain(|_, (_, expires_at)| now.saturating_add(EXPIRY_MARGIN) < *expires_at);
    }

    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }
}
