//! The bodies of the fuzz targets: each takes the fuzzer's bytes, runs one parser of the
//! library's public API on them and checks properties that must hold for *every* input. A
//! violated property or a panic inside the library aborts the process, which AFL records as a
//! crash (scripts/fuzz, docs/fuzzing.md).
//!
//! This file is compiled twice: as the library of the `fuzz/` crate (for the AFL binary,
//! `src/bin/fuzz.rs`) and, through `#[path]`, as a module of the native test
//! `tests/fuzz_regressions.rs`, which replays the saved crashes and the seed corpora through
//! exactly these functions. So nothing fuzz-only ships in `manifest_explorer`, and a fixed
//! crash stays fixed under plain `cargo test`.
//!
//! Properties, per target:
//! - `reference`: a parsed reference prints (`Display`) to text that parses back to it and is
//!   printed identically (a canonical form); its familiar form parses back to it; an error's
//!   byte offset lies inside the input on a character boundary (the UI points at it).
//! - `json`: our parser agrees with serde_json (accepts exactly what it accepts, up to our
//!   depth cap and its number range; the same values, with the last duplicate key winning);
//!   every span lies inside its parent and starts on the byte its type starts with.
//! - `inspect`: the digest and size are those of the bytes; `is_valid` is "no error finding";
//!   findings are sorted; every finding's JSON pointer names a node of the document (the UI
//!   jumps there); the lenient models the UI renders are built without panicking.
//! - `route`: rendering a parsed query and parsing it again gives the same route (when the
//!   route is shareable), and rendering is stable; percent-decoding undoes percent-encoding.
//! - `challenge`: challenges printed back into a header parse to the same challenges; a token
//!   URL goes to the realm's own host (or through the proxy), whatever the parameters.
//! - `link`: link-values printed back parse to the same links; a next-page URL never leaves
//!   the registry (or its proxy path), whatever the header says.

use std::fmt::Write as _;

use manifest_explorer::oci::json::{self, Json, JsonErrorKind, Value};
use manifest_explorer::oci::media_type::known;
use manifest_explorer::oci::model::{
    recognise, Descriptor, ImageConfig, ImageManifest, Index, Platform, Schema1Manifest,
};
use manifest_explorer::oci::{self, Digest, Reference, Severity};
use manifest_explorer::registry::{
    next_url, parse_challenges, parse_links, preferred, realm_host_differs, token_url, AbsoluteUrl,
    BearerChallenge, Challenge, ChallengeError, Endpoint, Link, LinkError,
};
use manifest_explorer::route::{percent_decode, percent_encode, Route};

/// A fuzz target: bytes in, panic on a violated property.
pub type Target = fn(&[u8]);

/// Every target by name (the name is the directory of its seeds and saved crashes).
pub const TARGETS: &[(&str, Target)] = &[
    ("reference", reference),
    ("json", json),
    ("inspect", inspect),
    ("route", route),
    ("challenge", challenge),
    ("link", link),
];

/// `oci::Reference` parsing, printing and the familiar form.
pub fn reference(data: &[u8]) {
    let Ok(input) = std::str::from_utf8(data) else {
        return;
    };
    match input.parse::<Reference>() {
        Ok(r) => {
            let display = r.to_string();
            let again: Reference = display
                .parse()
                .unwrap_or_else(|e| panic!("{display:?} (from {input:?}) does not parse: {e}"));
            assert_eq!(again, r, "{input:?} → {display:?}");
            assert_eq!(
                again.to_string(),
                display,
                "{input:?}: Display is not canonical"
            );
            let familiar = r.familiar();
            assert_eq!(
                familiar.parse::<Reference>().as_ref(),
                Ok(&r),
                "{input:?}: familiar form {familiar:?}"
            );
            let endpoint = Endpoint::for_reference(&r);
            let _ = endpoint.manifest_url(r.repository(), r.tag().unwrap_or("latest"));
        }
        Err(e) => {
            if let Some(at) = e.position() {
                assert!(
                    at <= input.len() && input.is_char_boundary(at),
                    "{input:?}: position {at} of {e}"
                );
            }
            assert_eq!(e.input(), input);
            let _ = e.to_string();
        }
    }
}

/// `oci::json::parse`, differentially against serde_json.
pub fn json(data: &[u8]) {
    let ours = json::parse(data, json::DEFAULT_MAX_DEPTH);
    let theirs = serde_json::from_slice::<serde_json::Value>(data);
    match (ours, theirs) {
        (Ok(doc), theirs) => {
            check_spans(&doc, data, 0, data.len());
            match (to_serde(&doc), theirs) {
                (Some(ours), Ok(theirs)) => assert_eq!(ours, theirs, "values differ"),
                // A number serde_json cannot represent (`1e400`): we keep numbers as text.
                (None, Err(e)) => assert!(e.to_string().contains("out of range"), "{e}"),
                (None, Ok(theirs)) => panic!("serde_json read an out-of-range number: {theirs}"),
                (Some(_), Err(e)) => panic!("serde_json rejects what we accept: {e}"),
            }
        }
        (Err(e), theirs) => {
            assert!(e.at <= data.len(), "error offset {} past the end", e.at);
            let _ = e.to_string();
            // serde_json nests up to 128 levels; we stop at DEFAULT_MAX_DEPTH on purpose.
            if let Ok(value) = theirs {
                assert!(
                    matches!(e.kind, JsonErrorKind::TooDeep(_)),
                    "we reject ({e}) what serde_json accepts: {value}"
                );
            }
        }
    }
}

/// Spans nest inside their parent and start with the character of their type.
fn check_spans(node: &Json, data: &[u8], start: usize, end: usize) {
    let span = node.span;
    assert!(
        start <= span.start && span.start < span.end && span.end <= end,
        "span {span:?} outside {start}..{end}"
    );
    let first = data.get(span.start).copied();
    let expected: &[u8] = match &node.value {
        Value::Null => b"n",
        Value::Bool(true) => b"t",
        Value::Bool(false) => b"f",
        Value::Number(_) => b"-0123456789",
        Value::String(_) => b"\"",
        Value::Array(_) => b"[",
        Value::Object(_) => b"{",
    };
    assert!(
        first.is_some_and(|b| expected.contains(&b)),
        "span {span:?} of {} starts with {first:?}",
        node.value.type_name()
    );
    match &node.value {
        Value::Array(items) => {
            for item in items {
                check_spans(item, data, span.start, span.end);
            }
        }
        Value::Object(members) => {
            for member in members {
                let key = member.key_span;
                assert!(
                    span.start < key.start
                        && key.end <= member.value.span.start
                        && data.get(key.start) == Some(&b'"'),
                    "key span {key:?} in {span:?}"
                );
                check_spans(&member.value, data, key.end, span.end);
            }
        }
        _ => {}
    }
}

/// Our tree as a serde_json value (`None` when a number is outside serde_json's range).
fn to_serde(node: &Json) -> Option<serde_json::Value> {
    Some(match &node.value {
        Value::Null => serde_json::Value::Null,
        Value::Bool(b) => serde_json::Value::Bool(*b),
        Value::Number(text) => serde_json::from_str(text).ok()?,
        Value::String(s) => serde_json::Value::String(s.clone()),
        Value::Array(items) => {
            serde_json::Value::Array(items.iter().map(to_serde).collect::<Option<_>>()?)
        }
        Value::Object(members) => {
            let mut map = serde_json::Map::new();
            for member in members {
                // Inserting in order keeps the last duplicate, as serde_json does.
                map.insert(member.key.clone(), to_serde(&member.value)?);
            }
            serde_json::Value::Object(map)
        }
    })
}

/// What a `Content-Type` header may claim; the first input byte picks one, so the fuzzer
/// explores disagreements between the declared type and the body.
const DECLARED: &[Option<&str>] = &[
    None,
    Some(known::OCI_MANIFEST),
    Some(known::OCI_INDEX),
    Some(known::DOCKER_MANIFEST),
    Some(known::DOCKER_MANIFEST_LIST),
    Some(known::OCI_ARTIFACT_MANIFEST),
    Some(known::OCI_CONFIG),
    Some(known::DOCKER_SCHEMA1_SIGNED_MANIFEST),
    Some("application/json"),
    Some("not a media type"),
];

/// `oci::inspect` (detection + lint) and the lenient models the UI renders from it.
pub fn inspect(data: &[u8]) {
    let (declared, bytes) = match data.split_first() {
        Some((first, rest)) => (DECLARED[usize::from(*first) % DECLARED.len()], rest),
        None => (None, data),
    };
    let inspection = oci::inspect(bytes, declared);
    assert_eq!(inspection.digest(), &Digest::sha256(bytes));
    assert_eq!(inspection.size(), bytes.len() as u64);
    let findings = inspection.findings();
    assert_eq!(
        inspection.is_valid(),
        findings.iter().all(|f| f.severity != Severity::Error)
    );
    assert!(
        findings.windows(2).all(|w| w[0].severity <= w[1].severity),
        "findings not sorted by severity"
    );
    let Some(doc) = inspection.json() else {
        assert!(findings.iter().all(|f| f.pointer.is_empty()));
        return;
    };
    for finding in findings {
        assert!(
            doc.pointer(&finding.pointer).is_some(),
            "finding at {:?} names no node: {}",
            finding.pointer,
            finding.message
        );
    }
    let manifest = ImageManifest::from_json(doc);
    let _ = manifest.total_size();
    let index = Index::from_json(doc);
    let _ = index.platform_groups();
    let config = ImageConfig::from_json(doc);
    let _ = config.history_steps(Some(&manifest.layers));
    let _ = config.mismatch(Some(&manifest.layers));
    let _ = Schema1Manifest::from_json(doc);
    let _ = Descriptor::from_json(doc, "");
    let _ = Platform::from_json(doc);
    let _ = recognise(doc, inspection.media_type());
}

/// `Route::from_query` ∘ `Route::to_query`, without and with a build default proxy, and the
/// percent codec.
pub fn route(data: &[u8]) {
    let query = String::from_utf8_lossy(data);
    for default in [None, Some("/proxy/")] {
        let parsed = Route::from_query(&query, default);
        let rendered = parsed.to_query(default);
        let again = Route::from_query(&rendered, default);
        if parsed.shareable() {
            assert_eq!(again, parsed, "{query:?} → {rendered:?}");
        }
        assert_eq!(again.to_query(default), rendered, "rendering is not stable");
    }
    assert_eq!(percent_decode(&percent_encode(&query)), query);
}

/// Registries the header targets are resolved against: public, loopback, and proxied.
fn endpoints() -> [Endpoint; 3] {
    [
        Endpoint::new("registry.example", false),
        Endpoint::new("localhost:5000", false),
        Endpoint::new("registry.example", false).with_proxy("https://explorer.example/proxy/"),
    ]
}

/// `WWW-Authenticate` parsing and the token request built from it.
pub fn challenge(data: &[u8]) {
    let Ok(header) = std::str::from_utf8(data) else {
        return;
    };
    let challenges = match parse_challenges(header) {
        Ok(challenges) => challenges,
        Err(e) => {
            let at = match &e {
                ChallengeError::Unexpected { at, .. }
                | ChallengeError::UnterminatedQuote { at }
                | ChallengeError::DuplicateParameter { at, .. }
                | ChallengeError::MissingRealm { at } => *at,
                ChallengeError::Empty | ChallengeError::UnexpectedEnd { .. } => 0,
            };
            assert!(header.is_char_boundary(at), "{header:?}: {e}");
            let _ = e.to_string();
            return;
        }
    };
    let printed = print_challenges(&challenges);
    assert_eq!(
        parse_challenges(&printed).as_ref(),
        Ok(&challenges),
        "{header:?} printed as {printed:?}"
    );
    let _ = preferred(&challenges);
    let scopes = ["repository:team/app:pull".to_owned()];
    for bearer in challenges.iter().filter_map(|c| match c {
        Challenge::Bearer(b) => Some(b),
        _ => None,
    }) {
        for endpoint in endpoints() {
            let _ = realm_host_differs(&endpoint, &bearer.realm);
            let Ok(url) = token_url(&endpoint, bearer, &scopes) else {
                continue;
            };
            let realm = AbsoluteUrl::parse(&bearer.realm).expect("token_url accepted the realm");
            let expected = match endpoint.proxy() {
                Some(prefix) => format!("{prefix}{}", realm.authority),
                None => format!("{}://{}", realm.scheme.as_str(), realm.authority),
            };
            let after = url.strip_prefix(&expected).unwrap_or_else(|| {
                panic!("token URL {url:?} is not on the realm {:?}", bearer.realm)
            });
            assert!(
                after.is_empty() || after.starts_with(['/', '?']),
                "token URL {url:?} extends the realm's host"
            );
        }
    }
}

/// Challenges as a registry would write them, every parameter a quoted string.
fn print_challenges(challenges: &[Challenge]) -> String {
    let mut out = String::new();
    for challenge in challenges {
        if !out.is_empty() {
            out.push_str(", ");
        }
        match challenge {
            Challenge::Bearer(BearerChallenge {
                realm,
                service,
                scope,
                error,
                error_description,
            }) => {
                out.push_str("Bearer ");
                let scope = (!scope.is_empty()).then(|| scope.join(" "));
                let params = [
                    ("realm", Some(realm)),
                    ("service", service.as_ref()),
                    ("scope", scope.as_ref()),
                    ("error", error.as_ref()),
                    ("error_description", error_description.as_ref()),
                ];
                let mut first = true;
                for (name, value) in params {
                    if let Some(value) = value {
                        if !first {
                            out.push(',');
                        }
                        first = false;
                        let _ = write!(out, "{name}={}", quote(value));
                    }
                }
            }
            Challenge::Basic { realm } => {
                out.push_str("Basic");
                if let Some(realm) = realm {
                    let _ = write!(out, " realm={}", quote(realm));
                }
            }
            Challenge::Other { scheme } => out.push_str(scheme),
        }
    }
    out
}

/// An RFC 9110 quoted-string.
fn quote(value: &str) -> String {
    let mut out = String::from('"');
    for c in value.chars() {
        if matches!(c, '"' | '\\') {
            out.push('\\');
        }
        out.push(c);
    }
    out.push('"');
    out
}

/// `Link` parsing, and where the next page may go.
pub fn link(data: &[u8]) {
    let Ok(header) = std::str::from_utf8(data) else {
        return;
    };
    match parse_links(header) {
        Ok(links) => {
            let printed = print_links(&links);
            assert_eq!(
                parse_links(&printed).as_ref(),
                Ok(&links),
                "{header:?} printed as {printed:?}"
            );
        }
        Err(e) => {
            let at = match &e {
                LinkError::Unexpected { at, .. }
                | LinkError::UnterminatedTarget { at }
                | LinkError::UnterminatedQuote { at } => *at,
                _ => 0,
            };
            assert!(header.is_char_boundary(at), "{header:?}: {e}");
            let _ = e.to_string();
        }
    }
    for endpoint in endpoints() {
        let base = endpoint.url("/");
        for current in ["/v2/team/app/tags/list?n=2", "/v2/_catalog"] {
            if let Ok(Some(url)) = next_url(header, &endpoint, current) {
                assert!(
                    url.starts_with(&base),
                    "{header:?}: next page {url:?} is not under {base:?}"
                );
            }
        }
    }
}

/// Link-values with every relation in one quoted `rel`.
fn print_links(links: &[Link]) -> String {
    let mut out = String::new();
    for link in links {
        if !out.is_empty() {
            out.push_str(", ");
        }
        let _ = write!(out, "<{}>", link.target);
        if !link.rel.is_empty() {
            let _ = write!(out, "; rel={}", quote(&link.rel.join(" ")));
        }
    }
    out
}
