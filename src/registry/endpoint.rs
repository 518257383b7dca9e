//! Where a registry lives and the URLs of the distribution-spec endpoints
//! (spec.md "Endpoints" table: end-1 `/v2/`, end-2 manifests, end-3 blobs, end-8a tags list,
//! end-12a referrers; `/v2/_catalog` is the Docker registry API's "Listing Repositories"), plus
//! the "Referrers Tag Schema" fallback tag.
//!
//! An [`Endpoint`] is scheme + host (+ optional port) + an optional *proxy prefix*: a URL under
//! which a CORS-enabling proxy reaches any registry as `<prefix><host><path>`. Every URL the
//! client fetches, including token realms and `Link` targets on the same host, goes through
//! [`Endpoint::url`] or [`Endpoint::route`], so the proxy decision lives in one place.

use crate::oci::{Digest, Reference};

/// Docker Hub's canonical name in references, and the host that actually serves its API.
const DOCKER_HUB: &str = "docker.io";
const DOCKER_HUB_API: &str = "registry-1.docker.io";

/// `https` unless the registry is on this machine or flagged insecure.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Scheme {
    Https,
    Http,
}

impl Scheme {
    pub fn as_str(self) -> &'static str {
        match self {
            Scheme::Https => "https",
            Scheme::Http => "http",
        }
    }

    fn default_port(self) -> &'static str {
        match self {
            Scheme::Https => "443",
            Scheme::Http => "80",
        }
    }
}

/// A registry's API root, and how to reach it.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Endpoint {
    scheme: Scheme,
    /// Lowercased `host[:port]` (`[v6]:port` for IPv6): DNS names are case-insensitive, and one
    /// spelling makes host comparisons (realm, `Link`) exact.
    host: String,
    /// Always ends with `/` when set.
    proxy: Option<String>,
}

impl Endpoint {
    /// The endpoint for a registry as it appears in a reference (`docker.io`, `ghcr.io`,
    /// `localhost:5000`, `[::1]:5000`). `insecure` forces plain `http` (a person's explicit
    /// choice for a registry without TLS); loopback hosts get `http` regardless, because
    /// local test registries almost never have certificates and nothing leaves the machine.
    pub fn new(registry: &str, insecure: bool) -> Endpoint {
        let host = if registry.eq_ignore_ascii_case(DOCKER_HUB) {
            DOCKER_HUB_API.to_owned()
        } else {
            registry.to_ascii_lowercase()
        };
        let scheme = if insecure || is_loopback(&host) {
            Scheme::Http
        } else {
            Scheme::Https
        };
        Endpoint {
            scheme,
            host,
            proxy: None,
        }
    }

    /// The endpoint serving `reference`'s registry (secure unless loopback).
    pub fn for_reference(reference: &Reference) -> Endpoint {
        Endpoint::new(reference.registry(), false)
    }

    /// Reach the registry through `prefix`, e.g. `https://explorer.example/proxy/`, so that
    /// `/v2/` becomes `https://explorer.example/proxy/registry-1.docker.io/v2/`. The proxy
    /// decides how it talks upstream; the scheme is not part of the proxied URL.
    pub fn with_proxy(mut self, prefix: &str) -> Endpoint {
        let mut prefix = prefix.to_owned();
        if !prefix.ends_with('/') {
            prefix.push('/');
        }
        self.proxy = Some(prefix);
        self
    }

    pub fn scheme(&self) -> Scheme {
        self.scheme
    }

    /// `host[:port]`, lowercased, as used in URLs.
    pub fn host(&self) -> &str {
        &self.host
    }

    pub fn proxy(&self) -> Option<&str> {
        self.proxy.as_deref()
    }

    /// The URL to fetch for an absolute `path` (starting with `/`) on this registry.
    pub fn url(&self, path: &str) -> String {
        match &self.proxy {
            Some(prefix) => format!("{prefix}{}{path}", self.host),
            None => format!("{}://{}{path}", self.scheme.as_str(), self.host),
        }
    }

    /// The URL to fetch for an absolute `http(s)` URL on *any* host (a token realm): through
    /// the proxy when there is one, unchanged otherwise. A realm the proxy has already
    /// rewritten onto itself (deploy/ proxies do, so that other clients stay on the proxy) is
    /// used as it is instead of being proxied twice.
    pub fn route(&self, absolute: &AbsoluteUrl) -> String {
        let url = absolute.to_string();
        match &self.proxy {
            Some(prefix) if !url.starts_with(prefix.as_str()) => {
                format!("{prefix}{}{}", absolute.authority, absolute.rest)
            }
            _ => url,
        }
    }

    /// `GET /v2/`: the version check, and the request that yields the auth challenge.
    pub fn ping_url(&self) -> String {
        self.url("/v2/")
    }

    /// `GET /v2/<name>/manifests/<reference>` where `reference` is a tag or a digest string.
    pub fn manifest_url(&self, repository: &str, reference: &str) -> String {
        self.url(&format!(
            "/v2/{}/manifests/{}",
            encode_path(repository),
            encode_segment(reference)
        ))
    }

    /// `GET /v2/<name>/blobs/<digest>`.
    pub fn blob_url(&self, repository: &str, digest: &Digest) -> String {
        self.url(&format!("/v2/{}/blobs/{digest}", encode_path(repository)))
    }

    /// `GET /v2/<name>/tags/list[?n=<n>][&last=<last>]`.
    pub fn tags_url(&self, repository: &str, n: Option<u32>, last: Option<&str>) -> String {
        let path = format!("/v2/{}/tags/list", encode_path(repository));
        self.url(&with_query(
            path,
            &[
                ("n", n.map(|n| n.to_string())),
                ("last", last.map(str::to_owned)),
            ],
        ))
    }

    /// `GET /v2/_catalog[?n=<n>][&last=<last>]` (not in the OCI spec; Docker's registry and
    /// most self-hosted ones serve it, the big public registries do not).
    pub fn catalog_url(&self, n: Option<u32>, last: Option<&str>) -> String {
        self.url(&with_query(
            "/v2/_catalog".to_owned(),
            &[
                ("n", n.map(|n| n.to_string())),
                ("last", last.map(str::to_owned)),
            ],
        ))
    }

    /// `GET /v2/<name>/referrers/<digest>[?artifactType=<type>]` (spec.md "Listing Referrers").
    /// The registry MAY ignore the filter; it then omits `OCI-Filters-Applied` and the client
    /// must filter itself.
    pub fn referrers_url(
        &self,
        repository: &str,
        subject: &Digest,
        artifact_type: Option<&str>,
    ) -> String {
        let path = format!("/v2/{}/referrers/{subject}", encode_path(repository));
        self.url(&with_query(
            path,
            &[("artifactType", artifact_type.map(str::to_owned))],
        ))
    }

    /// Whether `host` (a `host[:port]` taken from a URL with `scheme`) is this registry's
    /// host. Default ports are ignored and the comparison is case-insensitive.
    pub(crate) fn is_same_host(&self, scheme: Scheme, host: &str) -> bool {
        normalize_host(scheme, host) == normalize_host(self.scheme, &self.host)
    }
}

/// The tag under which a registry without the referrers API stores the referrers index of
/// `subject` (spec.md "Referrers Tag Schema"): `<alg>-<ref>`, the algorithm truncated to 32
/// characters and the encoded value to 64, so a sha512 subject maps to its first 64 hex.
pub fn referrers_tag(subject: &Digest) -> String {
    let algorithm = subject.algorithm().name();
    let encoded = subject.encoded();
    format!(
        "{}-{}",
        &algorithm[..algorithm.len().min(32)],
        &encoded[..encoded.len().min(64)]
    )
}

/// An absolute `http:` or `https:` URL split at the authority, validated just enough to know
/// where a request would go: no user-info (`https://registry@evil.example` names `evil`), no
/// whitespace, control or non-ASCII bytes, no fragment.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AbsoluteUrl {
    pub scheme: Scheme,
    /// `host[:port]` exactly as written.
    pub authority: String,
    /// Path and query, possibly empty (`https://auth.example` has no path).
    pub rest: String,
}

impl AbsoluteUrl {
    /// Parses `url`, or says (for the UI) why it is not a URL we will send a request to.
    pub fn parse(url: &str) -> Result<AbsoluteUrl, &'static str> {
        if let Some(bad) = url.bytes().find(|b| !b.is_ascii_graphic()) {
            return Err(if bad.is_ascii_whitespace() {
                "contains whitespace"
            } else {
                "contains a control or non-ASCII byte"
            });
        }
        let (scheme, after) = url.split_once("://").ok_or("is not an absolute URL")?;
        let scheme = if scheme.eq_ignore_ascii_case("https") {
            Scheme::Https
        } else if scheme.eq_ignore_ascii_case("http") {
            Scheme::Http
        } else {
            return Err("does not use https or http");
        };
        let end = after.find(['/', '?', '#']).unwrap_or(after.len());
        let (authority, rest) = after.split_at(end);
        if authority.is_empty() {
            return Err("has no host");
        }
        if authority.contains('@') {
            return Err("contains user-info ('@'), which would hide the real host");
        }
        if rest.contains('#') {
            return Err("contains a fragment");
        }
        Ok(AbsoluteUrl {
            scheme,
            authority: authority.to_owned(),
            rest: rest.to_owned(),
        })
    }
}

impl std::fmt::Display for AbsoluteUrl {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{}://{}{}",
            self.scheme.as_str(),
            self.authority,
            self.rest
        )
    }
}

/// `localhost`, `127.0.0.1` and `[::1]`, with or without a port.
fn is_loopback(host: &str) -> bool {
    matches!(split_port(host).0, "localhost" | "127.0.0.1" | "[::1]")
}

/// Splits `host[:port]`, minding the colons inside `[v6]`.
fn split_port(host: &str) -> (&str, Option<&str>) {
    let search_from = host.rfind(']').unwrap_or(0);
    match host[search_from..].rfind(':') {
        Some(i) => (&host[..search_from + i], Some(&host[search_from + i + 1..])),
        None => (host, None),
    }
}

/// Lowercase host with the scheme's default port made explicit.
fn normalize_host(scheme: Scheme, host: &str) -> String {
    let (name, port) = split_port(host);
    let port = port
        .filter(|p| !p.is_empty())
        .unwrap_or(scheme.default_port());
    format!("{}:{port}", name.to_ascii_lowercase())
}

fn with_query(mut path: String, params: &[(&str, Option<String>)]) -> String {
    let mut separator = '?';
    for (name, value) in params {
        if let Some(value) = value {
            path.push(separator);
            path.push_str(name);
            path.push('=');
            path.push_str(&encode_component(value));
            separator = '&';
        }
    }
    path
}

/// Percent-encodes everything but RFC 3986 unreserved characters, for a query value.
pub(crate) fn encode_component(value: &str) -> String {
    encode(value, b"")
}

/// A repository path: `/` separates components and stays; anything else unusual is encoded,
/// because names can come from a hostile catalog response.
fn encode_path(value: &str) -> String {
    encode(value, b"/")
}

/// One path segment (a tag or digest): `/` is encoded too, so a hostile tag cannot climb;
/// `:` stays (a valid path character) because registries match `sha256:…` literally.
fn encode_segment(value: &str) -> String {
    encode(value, b":")
}

/// Percent-encodes all but RFC 3986 unreserved characters and those in `keep`.
fn encode(value: &str, keep: &[u8]) -> String {
    const HEX: &[u8; 16] = b"0123456789ABCDEF";
    let mut out = String::with_capacity(value.len());
    for b in value.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') || keep.contains(&b)
        {
            out.push(b as char);
        } else {
            out.push('%');
            out.push(HEX[usize::from(b >> 4)] as char);
            out.push(HEX[usize::from(b & 0x0f)] as char);
        }
    }
    out
}
