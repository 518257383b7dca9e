//! Paginated listings: the `Link` header (RFC 8288 §3) that carries the next page, and the
//! bodies of distribution-spec "Listing Tags" (end-8a/8b, `{"name":…,"tags":[…]}`) and the
//! Docker registry API's "Listing Repositories" (`/v2/_catalog`, `{"repositories":[…]}`).
//!
//! ```text
//! Link       = #link-value
//! link-value = "<" URI-Reference ">" *( OWS ";" OWS link-param )
//! link-param = token BWS [ "=" BWS ( token / quoted-string ) ]
//! ```
//!
//! Registries write the next page as `</v2/…/tags/list?last=x&n=50>; rel="next"`, relative to
//! the registry, and some write it absolute. Either way the next URL is rebuilt on the
//! [`Endpoint`] (so it goes through the proxy), and an absolute link to another host is
//! refused rather than followed: a registry must not steer the client, with its token, away.

use crate::oci::json::{self, Json};
use thiserror::Error;

use super::endpoint::{AbsoluteUrl, Endpoint};

/// One link-value: its target as written and its relation types, lowercased.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Link {
    pub target: String,
    pub rel: Vec<String>,
}

#[derive(Clone, Debug, PartialEq, Eq, Error)]
pub enum LinkError {
    #[error("Link header: unexpected {found:?} at byte {at}, expected {expected}")]
    Unexpected {
        at: usize,
        found: char,
        expected: &'static str,
    },
    #[error("Link header: ended early, expected {expected}")]
    UnexpectedEnd { expected: &'static str },
    #[error("Link header: the '<' at byte {at} is never closed by '>'")]
    UnterminatedTarget { at: usize },
    #[error("Link header: the quoted string opened at byte {at} is never closed")]
    UnterminatedQuote { at: usize },
    #[error("Link header: next page {url:?} {reason}")]
    InvalidTarget { url: String, reason: &'static str },
    #[error("Link header: next page {url:?} is on another host; not following it")]
    ForeignHost { url: String },
}

/// Parses every link-value in a `Link` header.
pub fn parse_links(header: &str) -> Result<Vec<Link>, LinkError> {
    let mut p = Parser {
        input: header,
        pos: 0,
    };
    let mut links = Vec::new();
    loop {
        p.skip(b" \t,");
        if p.at_end() {
            return Ok(links);
        }
        let open = p.pos;
        p.expect(b'<', "'<' opening a link target")?;
        let Some(len) = header[p.pos..].find('>') else {
            return Err(LinkError::UnterminatedTarget { at: open });
        };
        let target = header[p.pos..p.pos + len].to_owned();
        p.pos += len + 1;
        let mut rel: Option<Vec<String>> = None;
        loop {
            p.skip(b" \t");
            if matches!(p.peek(), None | Some(b',')) {
                break;
            }
            p.expect(b';', "';' before a link parameter, or ','")?;
            p.skip(b" \t");
            let name = p.token("a link parameter name")?;
            p.skip(b" \t");
            let value = if p.peek() == Some(b'=') {
                p.pos += 1;
                p.skip(b" \t");
                if p.peek() == Some(b'"') {
                    p.quoted()?
                } else {
                    p.token("a token or quoted string as the parameter value")?
                        .to_owned()
                }
            } else {
                String::new()
            };
            // RFC 8288 §3.3: occurrences of rel after the first MUST be ignored.
            if name.eq_ignore_ascii_case("rel") && rel.is_none() {
                rel = Some(
                    value
                        .split_ascii_whitespace()
                        .map(str::to_ascii_lowercase)
                        .collect(),
                );
            }
        }
        links.push(Link {
            target,
            rel: rel.unwrap_or_default(),
        });
    }
}

/// The URL of the next page, if the `Link` header has a `rel="next"`, resolved against the
/// endpoint and `current` (the path and query of the request that returned the header).
pub fn next_url(
    header: &str,
    endpoint: &Endpoint,
    current: &str,
) -> Result<Option<String>, LinkError> {
    let links = parse_links(header)?;
    let Some(next) = links.iter().find(|l| l.rel.iter().any(|r| r == "next")) else {
        return Ok(None);
    };
    resolve(&next.target, endpoint, current).map(Some)
}

/// RFC 3986 §5.2 reference resolution, reduced to what registries send; dot-segments are
/// left to the server.
fn resolve(target: &str, endpoint: &Endpoint, current: &str) -> Result<String, LinkError> {
    let invalid = |reason| LinkError::InvalidTarget {
        url: target.to_owned(),
        reason,
    };
    if target.bytes().any(|b| !b.is_ascii_graphic()) {
        return Err(invalid("contains whitespace, control or non-ASCII bytes"));
    }
    let target = target.split('#').next().unwrap_or_default();
    let absolute = if target.contains("://") {
        Some(AbsoluteUrl::parse(target).map_err(invalid)?)
    } else if let Some(rest) = target.strip_prefix("//") {
        let scheme = endpoint.scheme().as_str();
        Some(AbsoluteUrl::parse(&format!("{scheme}://{rest}")).map_err(invalid)?)
    } else {
        None
    };
    if let Some(url) = absolute {
        if !endpoint.is_same_host(url.scheme, &url.authority) {
            return Err(LinkError::ForeignHost {
                url: target.to_owned(),
            });
        }
        let path = if url.rest.starts_with('/') {
            url.rest
        } else {
            format!("/{}", url.rest)
        };
        return Ok(endpoint.url(&path));
    }
    let current_path = current.split(['?', '#']).next().unwrap_or_default();
    let path = if target.starts_with('/') {
        target.to_owned()
    } else if target.starts_with('?') || target.is_empty() {
        format!("{current_path}{target}")
    } else {
        let dir = current_path.rfind('/').map_or("/", |i| &current_path[..=i]);
        format!("{dir}{target}")
    };
    Ok(endpoint.url(&path))
}

/// A page of `GET /v2/<name>/tags/list`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TagList {
    pub name: Option<String>,
    /// `null` (some registries, for a repository without tags) reads as empty.
    pub tags: Vec<String>,
}

#[derive(Clone, Debug, PartialEq, Eq, Error)]
#[error("the {what} response is not the expected JSON: {message}")]
pub struct ListError {
    pub what: &'static str,
    pub message: String,
}

/// The strings of an optional array field; `null` or absent reads as empty, anything else
/// that is not an array of strings is an error naming the field.
fn string_list(doc: &Json, field: &str, what: &'static str) -> Result<Vec<String>, ListError> {
    let bad = |message: String| ListError { what, message };
    match doc.get(field) {
        None => Ok(Vec::new()),
        Some(node) if matches!(node.value, json::Value::Null) => Ok(Vec::new()),
        Some(node) => node
            .as_array()
            .ok_or_else(|| {
                bad(format!(
                    "\"{field}\" is {}, not an array",
                    node.value.type_name()
                ))
            })?
            .iter()
            .map(|item| {
                item.as_str().map(str::to_owned).ok_or_else(|| {
                    bad(format!(
                        "an entry of \"{field}\" is {}",
                        item.value.type_name()
                    ))
                })
            })
            .collect(),
    }
}

fn parse_object(body: &[u8], what: &'static str) -> Result<Json, ListError> {
    let doc = json::parse(body, json::DEFAULT_MAX_DEPTH).map_err(|e| ListError {
        what,
        message: e.to_string(),
    })?;
    if doc.as_object().is_none() {
        return Err(ListError {
            what,
            message: format!("the body is {}, not an object", doc.value.type_name()),
        });
    }
    Ok(doc)
}

pub fn parse_tag_list(body: &[u8]) -> Result<TagList, ListError> {
    let doc = parse_object(body, "tags list")?;
    Ok(TagList {
        name: doc.get("name").and_then(Json::as_str).map(str::to_owned),
        tags: string_list(&doc, "tags", "tags list")?,
    })
}

/// The repository names of a `GET /v2/_catalog` page (`null` reads as empty).
pub fn parse_catalog(body: &[u8]) -> Result<Vec<String>, ListError> {
    let doc = parse_object(body, "catalog")?;
    string_list(&doc, "repositories", "catalog")
}

struct Parser<'a> {
    input: &'a str,
    pos: usize,
}

impl<'a> Parser<'a> {
    fn token(&mut self, expected: &'static str) -> Result<&'a str, LinkError> {
        let start = self.pos;
        let len = self.input.as_bytes()[start..]
            .iter()
            .take_while(|&&b| b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b))
            .count();
        if len == 0 {
            return Err(self.unexpected(expected));
        }
        self.pos += len;
        Ok(&self.input[start..self.pos])
    }

    fn quoted(&mut self) -> Result<String, LinkError> {
        let open = self.pos;
        self.pos += 1;
        let mut out = String::new();
        let mut chars = self.input[self.pos..].char_indices();
        while let Some((i, c)) = chars.next() {
            match c {
                '"' => {
                    self.pos += i + 1;
                    return Ok(out);
                }
                '\\' => match chars.next() {
                    Some((_, escaped)) => out.push(escaped),
                    None => break,
                },
                c => out.push(c),
            }
        }
        Err(LinkError::UnterminatedQuote { at: open })
    }

    fn expect(&mut self, byte: u8, expected: &'static str) -> Result<(), LinkError> {
        if self.peek() == Some(byte) {
            self.pos += 1;
            Ok(())
        } else {
            Err(self.unexpected(expected))
        }
    }

    fn unexpected(&self, expected: &'static str) -> LinkError {
        match self.input[self.pos..].chars().next() {
            Some(found) => LinkError::Unexpected {
                at: self.pos,
                found,
                expected,
            },
            None => LinkError::UnexpectedEnd { expected },
        }
    }

    fn peek(&self) -> Option<u8> {
        self.input.as_bytes().get(self.pos).copied()
    }

    fn at_end(&self) -> bool {
        self.pos >= self.input.len()
    }

    fn skip(&mut self, set: &[u8]) {
        while self.peek().is_some_and(|b| set.contains(&b)) {
            self.pos += 1;
        }
    }
}
