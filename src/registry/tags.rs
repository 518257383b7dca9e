//! Sorting a tag list for people: tags that only exist to attach something to another
//! manifest are set apart from the ones someone chose.
//!
//! Digest-like tags are `sha256-<64 hex>` with an optional suffix:
//!
//! - none: the distribution-spec "Referrers Tag Schema" index, which lists the referrers of
//!   the subject on registries without the referrers API (and which the same-named tag of
//!   older cosign versions also occupies);
//! - `.sig`, `.att`, `.sbom`: cosign's signature, attestation and SBOM tags.
//!
//! Only sha256 subjects are recognised: a sha512 subject's tag is truncated to 64 hex by the
//! tag schema (tags are at most 128 characters), so it cannot name its subject digest.

use std::cmp::Ordering;
use std::collections::BTreeMap;

use crate::oci::Digest;

/// What a digest-like tag holds for its subject.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum DigestTagKind {
    /// `sha256-<hex>`: the referrers tag schema index.
    ReferrersIndex,
    /// `.sig`
    Signature,
    /// `.att`
    Attestation,
    /// `.sbom`
    Sbom,
}

impl DigestTagKind {
    pub fn label(self) -> &'static str {
        match self {
            DigestTagKind::ReferrersIndex => "referrers index",
            DigestTagKind::Signature => "signature",
            DigestTagKind::Attestation => "attestation",
            DigestTagKind::Sbom => "SBOM",
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DigestTag {
    pub tag: String,
    pub kind: DigestTagKind,
}

/// A tag list split for display.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct TagGroups {
    /// Ordinary tags in natural order (`v1.9` before `v1.10`).
    pub ordinary: Vec<String>,
    /// Digest-like tags by the digest they are about, each group in kind order.
    pub by_subject: BTreeMap<Digest, Vec<DigestTag>>,
}

/// The subject and kind of a digest-like tag, or `None` for an ordinary tag.
pub fn classify_tag(tag: &str) -> Option<(Digest, DigestTagKind)> {
    let rest = tag.strip_prefix("sha256-")?;
    let (hex, kind) = match rest.split_once('.') {
        None => (rest, DigestTagKind::ReferrersIndex),
        Some((hex, "sig")) => (hex, DigestTagKind::Signature),
        Some((hex, "att")) => (hex, DigestTagKind::Attestation),
        Some((hex, "sbom")) => (hex, DigestTagKind::Sbom),
        Some(_) => return None,
    };
    let digest = format!("sha256:{hex}").parse().ok()?;
    Some((digest, kind))
}

/// Splits `tags` into ordinary ones (sorted naturally, duplicates dropped) and digest-like
/// ones grouped by subject.
pub fn group_tags(tags: &[String]) -> TagGroups {
    let mut groups = TagGroups::default();
    for tag in tags {
        match classify_tag(tag) {
            Some((subject, kind)) => {
                groups
                    .by_subject
                    .entry(subject)
                    .or_default()
                    .push(DigestTag {
                        tag: tag.clone(),
                        kind,
                    })
            }
            None => groups.ordinary.push(tag.clone()),
        }
    }
    groups.ordinary.sort_by(|a, b| natural_cmp(a, b));
    groups.ordinary.dedup();
    for list in groups.by_subject.values_mut() {
        list.sort_by(|a, b| a.kind.cmp(&b.kind).then_with(|| a.tag.cmp(&b.tag)));
        list.dedup();
    }
    groups
}

/// Natural order: runs of ASCII digits compare as numbers, everything else byte by byte.
/// Equal-looking strings (`v01` and `v1`) fall back to plain order, so this is a total order.
pub fn natural_cmp(a: &str, b: &str) -> Ordering {
    let (mut x, mut y) = (a.as_bytes(), b.as_bytes());
    while let (Some(&p), Some(&q)) = (x.first(), y.first()) {
        let ordering = if p.is_ascii_digit() && q.is_ascii_digit() {
            let (m, rest_x) = split_digits(x);
            let (n, rest_y) = split_digits(y);
            x = rest_x;
            y = rest_y;
            // Without leading zeros, a longer run is a larger number; equal lengths compare
            // digit by digit. No parsing, so a 40-digit run cannot overflow.
            let (m, n) = (trim_zeros(m), trim_zeros(n));
            m.len().cmp(&n.len()).then_with(|| m.cmp(n))
        } else {
            x = &x[1..];
            y = &y[1..];
            p.cmp(&q)
        };
        if ordering != Ordering::Equal {
            return ordering;
        }
    }
    x.len().cmp(&y.len()).then_with(|| a.cmp(b))
}

fn split_digits(s: &[u8]) -> (&[u8], &[u8]) {
    let n = s.iter().take_while(|b| b.is_ascii_digit()).count();
    s.split_at(n)
}

fn trim_zeros(s: &[u8]) -> &[u8] {
    let zeros = s.iter().take_while(|&&b| b == b'0').count();
    &s[zeros..]
}
