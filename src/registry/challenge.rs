//! `WWW-Authenticate` challenges (RFC 7235 §4.1 and §2.1, RFC 6750 §3 for `Bearer`) and the
//! token request they lead to (Docker token auth spec, docs/spec/auth/token.md, "Requesting a
//! Token").
//!
//! ```text
//! WWW-Authenticate = 1#challenge
//! challenge        = auth-scheme [ 1*SP ( token68 / #auth-param ) ]
//! auth-param       = token BWS "=" BWS ( token / quoted-string )
//! token68          = 1*( ALPHA / DIGIT / "-" / "." / "_" / "~" / "+" / "/" ) *"="
//! quoted-string    = DQUOTE *( qdtext / quoted-pair ) DQUOTE
//! ```
//!
//! One header may carry several challenges separated by commas, and commas also separate
//! parameters, so after each comma the parser looks ahead: `token BWS "="` continues the
//! current challenge, anything else starts the next one. Schemes and parameter names are
//! case-insensitive; a parameter repeated in one challenge is an error (RFC 7235 §2.1 says
//! each MUST occur only once, and two realms would leave the choice of realm to us).
//!
//! The realm decides where the person's credentials go, so it is checked before use: it must
//! be an absolute `https:` URL (`http:` only when the registry itself is plain http), and a
//! realm on another host is reported by [`realm_host_differs`] so the UI can ask first.

use thiserror::Error;

use super::endpoint::{encode_component, AbsoluteUrl, Endpoint, Scheme};

/// One challenge from a `WWW-Authenticate` header.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Challenge {
    Bearer(BearerChallenge),
    /// RFC 7617 requires a realm, but it only names a protection space, so its absence is
    /// tolerated.
    Basic {
        realm: Option<String>,
    },
    /// Any other scheme (`Negotiate`, `Digest`, …), kept so the UI can say what was asked.
    Other {
        scheme: String,
    },
}

/// A `Bearer` challenge: where to get a token, and for what.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BearerChallenge {
    /// The token endpoint, as the registry wrote it (checked by [`token_url`]).
    pub realm: String,
    pub service: Option<String>,
    /// The space-separated `scope` value, split (RFC 6750 §3).
    pub scope: Vec<String>,
    /// `insufficient_scope`, `invalid_token`, … (RFC 6750 §3.1).
    pub error: Option<String>,
    pub error_description: Option<String>,
}

/// Why a `WWW-Authenticate` value could not be parsed. Every `at` is a byte offset.
#[derive(Clone, Debug, PartialEq, Eq, Error)]
pub enum ChallengeError {
    #[error("WWW-Authenticate is empty")]
    Empty,
    #[error("WWW-Authenticate: unexpected {found:?} at byte {at}, expected {expected}")]
    Unexpected {
        at: usize,
        found: char,
        expected: &'static str,
    },
    #[error("WWW-Authenticate: ended early, expected {expected}")]
    UnexpectedEnd { expected: &'static str },
    #[error("WWW-Authenticate: the quoted string opened at byte {at} is never closed")]
    UnterminatedQuote { at: usize },
    #[error("WWW-Authenticate: parameter {name:?} at byte {at} repeats one already given")]
    DuplicateParameter { name: String, at: usize },
    #[error(
        "WWW-Authenticate: the Bearer challenge at byte {at} has no realm (no token endpoint)"
    )]
    MissingRealm { at: usize },
}

/// Why a realm will not be sent a token request.
#[derive(Clone, Debug, PartialEq, Eq, Error)]
pub enum RealmError {
    #[error("token realm {realm:?} {reason}")]
    Invalid { realm: String, reason: &'static str },
    #[error("token realm {realm:?} uses plain http for a registry reached over https; credentials would travel unencrypted")]
    Insecure { realm: String },
}

/// Parses every challenge in a `WWW-Authenticate` value, in order.
pub fn parse_challenges(header: &str) -> Result<Vec<Challenge>, ChallengeError> {
    Parser {
        input: header,
        pos: 0,
    }
    .parse()
}

/// The challenge to answer: `Bearer` (the registry token flow) over `Basic`, since a token can
/// be scoped and short-lived while Basic sends the secret on every request.
pub fn preferred(challenges: &[Challenge]) -> Option<&Challenge> {
    challenges
        .iter()
        .find(|c| matches!(c, Challenge::Bearer(_)))
        .or_else(|| {
            challenges
                .iter()
                .find(|c| matches!(c, Challenge::Basic { .. }))
        })
}

/// The URL of the token request: the realm plus `service` and one `scope` parameter per scope
/// (token.md: "scope … can be specified multiple times"), routed through the endpoint's proxy.
///
/// The challenge's own scopes come first, then those of `scopes` not already present: some
/// token servers only honour the first scope, and the one the registry asked for is the one
/// that unblocks the request. The realm may already carry a query; the new parameters follow.
pub fn token_url(
    endpoint: &Endpoint,
    challenge: &BearerChallenge,
    scopes: &[String],
) -> Result<String, RealmError> {
    let mut url = AbsoluteUrl::parse(&challenge.realm).map_err(|reason| RealmError::Invalid {
        realm: challenge.realm.clone(),
        reason,
    })?;
    if url.scheme == Scheme::Http && endpoint.scheme() == Scheme::Https {
        return Err(RealmError::Insecure {
            realm: challenge.realm.clone(),
        });
    }
    let mut all: Vec<&str> = Vec::new();
    for scope in challenge.scope.iter().chain(scopes) {
        if !all.contains(&scope.as_str()) {
            all.push(scope);
        }
    }
    let mut params: Vec<(&str, &str)> = Vec::new();
    if let Some(service) = challenge.service.as_deref().filter(|s| !s.is_empty()) {
        params.push(("service", service));
    }
    params.extend(all.into_iter().map(|scope| ("scope", scope)));
    for (name, value) in params {
        let separator = match url.rest.find('?') {
            None => "?",
            Some(_) if url.rest.ends_with(['?', '&']) => "",
            Some(_) => "&",
        };
        url.rest = format!("{}{separator}{name}={}", url.rest, encode_component(value));
    }
    Ok(endpoint.route(&url))
}

/// Whether the realm is on a different host than the registry (or cannot be read at all).
/// Docker Hub's realm is `auth.docker.io` for `registry-1.docker.io`, so this is routine, but
/// credentials still go there only after the person agrees: a registry should not be able to
/// forward someone's password to a host of its choosing unnoticed.
pub fn realm_host_differs(endpoint: &Endpoint, realm: &str) -> bool {
    match AbsoluteUrl::parse(realm) {
        Ok(url) => !endpoint.is_same_host(url.scheme, &url.authority),
        Err(_) => true,
    }
}

/// RFC 7230 `tchar`.
fn is_tchar(c: u8) -> bool {
    c.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&c)
}

fn is_token68_char(c: u8) -> bool {
    c.is_ascii_alphanumeric() || b"-._~+/".contains(&c)
}

struct Parser<'a> {
    input: &'a str,
    pos: usize,
}

impl<'a> Parser<'a> {
    fn parse(mut self) -> Result<Vec<Challenge>, ChallengeError> {
        let mut challenges = Vec::new();
        // Set when the next challenge has already been reached by the parameter lookahead,
        // which consumed the comma in front of it.
        let mut separated = true;
        loop {
            self.skip_ws();
            if self.peek() == Some(b',') {
                separated = true;
            }
            self.skip_ws_and_commas();
            if self.at_end() {
                break;
            }
            if !separated {
                return Err(self.unexpected("',' between challenges"));
            }
            let (challenge, reached_next) = self.challenge()?;
            challenges.push(challenge);
            separated = reached_next;
        }
        if challenges.is_empty() {
            return Err(ChallengeError::Empty);
        }
        Ok(challenges)
    }

    /// One challenge; also whether the position is already at the start of the next one.
    fn challenge(&mut self) -> Result<(Challenge, bool), ChallengeError> {
        let start = self.pos;
        let scheme = self.token("an authentication scheme")?;
        let mut params: Vec<(String, String)> = Vec::new();
        let mut reached_next = false;
        match self.peek() {
            None | Some(b',') => {}
            Some(b' ' | b'\t') => {
                self.skip_ws();
                if !matches!(self.peek(), None | Some(b',')) {
                    if let Some(end) = self.token68_end() {
                        // A credential-style blob no registry sends in a challenge: skip it.
                        self.pos = end;
                    } else {
                        reached_next = self.params(&mut params)?;
                    }
                }
            }
            Some(_) => return Err(self.unexpected("a space or ',' after the scheme")),
        }
        let get = |name: &str| {
            params
                .iter()
                .find(|(n, _)| n.eq_ignore_ascii_case(name))
                .map(|(_, v)| v.clone())
        };
        let challenge = if scheme.eq_ignore_ascii_case("bearer") {
            let realm = get("realm")
                .filter(|r| !r.is_empty())
                .ok_or(ChallengeError::MissingRealm { at: start })?;
            Challenge::Bearer(BearerChallenge {
                realm,
                service: get("service"),
                scope: get("scope")
                    .map(|s| s.split_ascii_whitespace().map(str::to_owned).collect())
                    .unwrap_or_default(),
                error: get("error"),
                error_description: get("error_description"),
            })
        } else if scheme.eq_ignore_ascii_case("basic") {
            Challenge::Basic {
                realm: get("realm"),
            }
        } else {
            Challenge::Other {
                scheme: scheme.to_owned(),
            }
        };
        Ok((challenge, reached_next))
    }

    /// `#auth-param`; returns whether it stopped at the start of another challenge.
    fn params(&mut self, params: &mut Vec<(String, String)>) -> Result<bool, ChallengeError> {
        loop {
            let name_at = self.pos;
            let name = self.token("a parameter name")?.to_owned();
            self.skip_ws();
            self.expect(b'=', "'=' after the parameter name")?;
            self.skip_ws();
            let value = if self.peek() == Some(b'"') {
                self.quoted()?
            } else {
                self.token("a token or quoted string as the parameter value")?
                    .to_owned()
            };
            if params.iter().any(|(n, _)| n.eq_ignore_ascii_case(&name)) {
                return Err(ChallengeError::DuplicateParameter { name, at: name_at });
            }
            params.push((name, value));
            self.skip_ws();
            if self.at_end() {
                return Ok(false);
            }
            self.expect(b',', "',' or the end after a parameter")?;
            self.skip_ws_and_commas();
            if self.at_end() {
                return Ok(false);
            }
            // Lookahead: `token BWS "="` is another parameter, anything else a new challenge.
            let save = self.pos;
            let is_param = self.token("").is_ok() && {
                self.skip_ws();
                self.peek() == Some(b'=')
            };
            self.pos = save;
            if !is_param {
                return Ok(true);
            }
        }
    }

    /// If a token68 starts here and is all that is left of this challenge, where it ends.
    fn token68_end(&self) -> Option<usize> {
        let bytes = &self.input.as_bytes()[self.pos..];
        let body = bytes.iter().take_while(|&&b| is_token68_char(b)).count();
        if body == 0 {
            return None;
        }
        let padding = bytes[body..].iter().take_while(|&&b| b == b'=').count();
        let end = body + padding;
        let ws = bytes[end..]
            .iter()
            .take_while(|&&b| b == b' ' || b == b'\t')
            .count();
        match bytes.get(end + ws) {
            None | Some(b',') => Some(self.pos + end),
            Some(_) => None,
        }
    }

    fn quoted(&mut self) -> Result<String, ChallengeError> {
        let open = self.pos;
        self.pos += 1;
        let mut out = String::new();
        loop {
            let Some(c) = self.input[self.pos..].chars().next() else {
                return Err(ChallengeError::UnterminatedQuote { at: open });
            };
            match c {
                '"' => {
                    self.pos += 1;
                    return Ok(out);
                }
                '\\' => {
                    self.pos += 1;
                    let Some(escaped) = self.input[self.pos..].chars().next() else {
                        return Err(ChallengeError::UnterminatedQuote { at: open });
                    };
                    if escaped.is_control() && escaped != '\t' {
                        return Err(self.unexpected("a printable character after '\\'"));
                    }
                    out.push(escaped);
                    self.pos += escaped.len_utf8();
                }
                c if c.is_control() && c != '\t' => {
                    return Err(self.unexpected("a printable character in the quoted string"))
                }
                c => {
                    out.push(c);
                    self.pos += c.len_utf8();
                }
            }
        }
    }

    fn token(&mut self, expected: &'static str) -> Result<&'a str, ChallengeError> {
        let start = self.pos;
        let len = self.input.as_bytes()[start..]
            .iter()
            .take_while(|&&b| is_tchar(b))
            .count();
        if len == 0 {
            return Err(self.unexpected(expected));
        }
        self.pos += len;
        Ok(&self.input[start..self.pos])
    }

    fn expect(&mut self, byte: u8, expected: &'static str) -> Result<(), ChallengeError> {
        if self.peek() == Some(byte) {
            self.pos += 1;
            Ok(())
        } else {
            Err(self.unexpected(expected))
        }
    }

    fn unexpected(&self, expected: &'static str) -> ChallengeError {
        match self.input[self.pos..].chars().next() {
            Some(found) => ChallengeError::Unexpected {
                at: self.pos,
                found,
                expected,
            },
            None => ChallengeError::UnexpectedEnd { expected },
        }
    }

    fn peek(&self) -> Option<u8> {
        self.input.as_bytes().get(self.pos).copied()
    }

    fn at_end(&self) -> bool {
        self.pos >= self.input.len()
    }

    fn skip_ws(&mut self) {
        while matches!(self.peek(), Some(b' ' | b'\t')) {
            self.pos += 1;
        }
    }

    fn skip_ws_and_commas(&mut self) {
        while matches!(self.peek(), Some(b' ' | b'\t' | b',')) {
            self.pos += 1;
        }
    }
}
