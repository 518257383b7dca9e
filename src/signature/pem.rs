//! PEM (RFC 7468): `-----BEGIN LABEL-----`, base64 lines, `-----END LABEL-----`.
//!
//! Strict about structure (matching labels, nothing but whitespace between blocks, base64 in
//! the one canonical form `oci::base64` accepts once line breaks are removed); lenient about
//! line length and CRLF, as real tools write both.

use thiserror::Error;

use crate::oci::base64;

/// More blocks than this is not a certificate chain anyone uses; refuse it.
pub const MAX_BLOCKS: usize = 16;

#[derive(Clone, Debug, PartialEq, Eq, Error)]
pub enum PemError {
    #[error("PEM: no -----BEGIN line")]
    Empty,
    #[error("PEM: text outside a BEGIN/END block: {0:?}")]
    Stray(String),
    #[error("PEM: block {0:?} has no matching END line")]
    Unterminated(String),
    #[error("PEM: block {label:?}: {error}")]
    Base64 {
        label: String,
        error: base64::Base64Error,
    },
    #[error("PEM: more than {MAX_BLOCKS} blocks")]
    TooMany,
}

/// The `(label, DER)` of every block, in order.
pub fn parse(text: &str) -> Result<Vec<(String, Vec<u8>)>, PemError> {
    let mut blocks = Vec::new();
    let mut lines = text.lines().map(str::trim);
    while let Some(line) = lines.next() {
        if line.is_empty() {
            continue;
        }
        let label = line
            .strip_prefix("-----BEGIN ")
            .and_then(|l| l.strip_suffix("-----"))
            .ok_or_else(|| PemError::Stray(line.chars().take(40).collect()))?
            .to_string();
        let end = format!("-----END {label}-----");
        let mut body = String::new();
        let mut closed = false;
        for line in lines.by_ref() {
            if line == end {
                closed = true;
                break;
            }
            body.push_str(line);
        }
        if !closed {
            return Err(PemError::Unterminated(label));
        }
        let der = base64::decode(&body).map_err(|error| PemError::Base64 {
            label: label.clone(),
            error,
        })?;
        if blocks.len() == MAX_BLOCKS {
            return Err(PemError::TooMany);
        }
        blocks.push((label, der));
    }
    if blocks.is_empty() {
        return Err(PemError::Empty);
    }
    Ok(blocks)
}

/// Encodes DER as one PEM block with 64-character lines.
pub fn encode(label: &str, der: &[u8]) -> String {
    let b64 = base64::encode(der);
    let mut out = format!("-----BEGIN {label}-----\n");
    for chunk in b64.as_bytes().chunks(64) {
        out.push_str(&String::from_utf8_lossy(chunk));
        out.push('\n');
    }
    out.push_str(&format!("-----END {label}-----\n"));
    out
}
