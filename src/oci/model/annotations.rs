//! Well-known annotation keys (image-spec annotations.md, "Pre-Defined Annotation Keys", plus
//! the BuildKit attestation-storage keys) and safe rendering of annotation values as links.
//!
//! Annotation values are attacker-controlled strings: anyone can push an image whose
//! `org.opencontainers.image.source` is `javascript:alert(1)`. The UI must only turn a value
//! into a link through [`safe_link`].

/// Known keys and their labels. Only keys whose meaning is defined by a spec we can cite.
const LABELS: &[(&str, &str)] = &[
    // image-spec annotations.md
    ("org.opencontainers.image.created", "Created"),
    ("org.opencontainers.image.authors", "Authors"),
    ("org.opencontainers.image.url", "URL"),
    ("org.opencontainers.image.documentation", "Documentation"),
    ("org.opencontainers.image.source", "Source"),
    ("org.opencontainers.image.version", "Version"),
    ("org.opencontainers.image.revision", "Revision"),
    ("org.opencontainers.image.vendor", "Vendor"),
    ("org.opencontainers.image.licenses", "Licenses"),
    ("org.opencontainers.image.ref.name", "Reference name"),
    ("org.opencontainers.image.title", "Title"),
    ("org.opencontainers.image.description", "Description"),
    ("org.opencontainers.image.base.digest", "Base image digest"),
    ("org.opencontainers.image.base.name", "Base image"),
    (
        "org.opencontainers.image.referrer.subject",
        "Referrers subject",
    ),
    (
        "org.opencontainers.image.referrer.convert",
        "Referrers converted",
    ),
    // BuildKit docs/attestations/attestation-storage.md
    ("vnd.docker.reference.type", "Reference type"),
    ("vnd.docker.reference.digest", "Describes"),
    ("in-toto.io/predicate-type", "Predicate type"),
];

/// The human label of a well-known annotation key (`org.opencontainers.image.source` →
/// `Source`), `None` for keys we do not know (show those verbatim).
pub fn label(key: &str) -> Option<&'static str> {
    LABELS.iter().find(|(k, _)| *k == key).map(|(_, l)| *l)
}

/// `value` itself when it is safe to put in an `href`: an absolute `http:` or `https:` URL
/// with a host, only printable ASCII URL characters, no user-info. `None` otherwise.
///
/// Hand-written rather than a URL parser (no new dependency) and deliberately strict:
/// rejecting an odd but valid URL costs a plain-text rendering, accepting a bad one costs an
/// XSS or a phishing link. Rejected: other schemes (`javascript:`, `data:`, `file:`),
/// scheme-relative `//host`, whitespace and control characters, non-ASCII (homographs),
/// `user@host` (which makes `https://github.com@evil.example` look like GitHub), backslashes,
/// malformed ports and percent-escapes.
pub fn safe_link(value: &str) -> Option<String> {
    let lower = value.get(..8).unwrap_or(value).to_ascii_lowercase();
    let rest_at = if lower.starts_with("https://") {
        8
    } else if lower.starts_with("http://") {
        7
    } else {
        return None;
    };
    if !value.bytes().all(is_url_byte) || !percent_escapes_ok(value) {
        return None;
    }
    let rest = &value[rest_at..];
    let authority = rest.split(['/', '?', '#']).next().unwrap_or_default();
    if authority.contains('@') {
        return None;
    }
    let (host, port) = split_port(authority)?;
    if !(is_dns_host(host) || is_ipv6_literal(host)) {
        return None;
    }
    if let Some(port) = port {
        if port.is_empty() || port.len() > 5 || !port.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        if port.parse::<u32>().ok()? > 65_535 {
            return None;
        }
    }
    Some(value.to_owned())
}

/// RFC 3986 unreserved, reserved and `%`: everything else (space, `"`, `<`, `\`, controls,
/// non-ASCII) is refused.
fn is_url_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b"-._~:/?#[]@!$&'()*+,;=%".contains(&b)
}

fn percent_escapes_ok(value: &str) -> bool {
    let bytes = value.as_bytes();
    bytes.iter().enumerate().all(|(i, &b)| {
        b != b'%'
            || bytes
                .get(i + 1..i + 3)
                .is_some_and(|hex| hex.iter().all(u8::is_ascii_hexdigit))
    })
}

/// Splits `host[:port]`, minding the colons inside an IPv6 literal `[::1]:8080`.
fn split_port(authority: &str) -> Option<(&str, Option<&str>)> {
    if authority.starts_with('[') {
        let close = authority.find(']')?;
        let (host, after) = authority.split_at(close + 1);
        return match after {
            "" => Some((host, None)),
            _ => Some((host, Some(after.strip_prefix(':')?))),
        };
    }
    Some(match authority.split_once(':') {
        Some((host, port)) => (host, Some(port)),
        None => (authority, None),
    })
}

/// Dot-separated labels of letters, digits and inner hyphens (this also covers IPv4).
fn is_dns_host(host: &str) -> bool {
    !host.is_empty()
        && host.len() <= 253
        && host.split('.').all(|label| {
            !label.is_empty()
                && label.len() <= 63
                && !label.starts_with('-')
                && !label.ends_with('-')
                && label
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-')
        })
}

fn is_ipv6_literal(host: &str) -> bool {
    host.strip_prefix('[')
        .and_then(|h| h.strip_suffix(']'))
        .is_some_and(|inner| {
            inner.contains(':')
                && inner
                    .bytes()
                    .all(|b| b.is_ascii_hexdigit() || b == b':' || b == b'.')
        })
}
