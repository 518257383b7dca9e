//! Transparency-log proofs: RFC 6962 §2.1 Merkle inclusion proofs, C2SP signed-note
//! checkpoints (c2sp.org/signed-note, c2sp.org/tlog-checkpoint) and Rekor v1 Signed Entry
//! Timestamps (an ECDSA signature over the RFC 8785 form of
//! `{body, integratedTime, logID, logIndex}`).

use sha2::{Digest as _, Sha256};
use thiserror::Error;

use super::canonical::{self, CanonicalError};
use super::crypto::{hex, Crypto, CryptoError, KeyKind, PublicKey};
use crate::oci::base64;
use crate::oci::json::{Json, Member, Span, Value};

/// Proofs longer than this cannot come from a tree of fewer than 2^64 leaves.
const MAX_PROOF_HASHES: usize = 64;
/// A checkpoint note larger than this is refused.
pub const MAX_CHECKPOINT_BYTES: usize = 16 * 1024;
const MAX_NOTE_SIGNATURES: usize = 16;

#[derive(Clone, Debug, PartialEq, Eq, Error)]
pub enum TlogError {
    #[error("inclusion proof: leaf index {index} is not below the tree size {size}")]
    IndexBeyondSize { index: u64, size: u64 },
    #[error("inclusion proof: {found} hashes where a tree of size {size} needs {expected} for leaf {index}")]
    ProofLength {
        index: u64,
        size: u64,
        expected: usize,
        found: usize,
    },
    #[error("checkpoint: {0}")]
    Checkpoint(String),
    #[error("{0}")]
    Canonical(#[from] CanonicalError),
    #[error("{0}")]
    Crypto(#[from] CryptoError),
}

pub fn leaf_hash(leaf: &[u8]) -> [u8; 32] {
    let mut h = Sha256::new();
    h.update([0u8]);
    h.update(leaf);
    h.finalize().into()
}

fn node_hash(left: &[u8], right: &[u8]) -> [u8; 32] {
    let mut h = Sha256::new();
    h.update([1u8]);
    h.update(left);
    h.update(right);
    h.finalize().into()
}

/// The root an inclusion proof leads to (RFC 9162 §2.1.3.2, the algorithm of
/// transparency-dev/merkle `RootFromInclusionProof`): the proof is split into the hashes
/// below the point where the leaf's path leaves the right border of the tree ("inner") and
/// the border hashes above it.
pub fn root_from_inclusion_proof(
    index: u64,
    size: u64,
    leaf: [u8; 32],
    proof: &[[u8; 32]],
) -> Result<[u8; 32], TlogError> {
    if index >= size {
        return Err(TlogError::IndexBeyondSize { index, size });
    }
    let inner = (64 - (index ^ (size - 1)).leading_zeros()) as usize;
    let border = (index >> inner).count_ones() as usize;
    if proof.len() != inner + border || proof.len() > MAX_PROOF_HASHES {
        return Err(TlogError::ProofLength {
            index,
            size,
            expected: inner + border,
            found: proof.len(),
        });
    }
    let mut hash = leaf;
    for (i, sibling) in proof[..inner].iter().enumerate() {
        hash = if (index >> i) & 1 == 0 {
            node_hash(&hash, sibling)
        } else {
            node_hash(sibling, &hash)
        };
    }
    for sibling in &proof[inner..] {
        hash = node_hash(sibling, &hash);
    }
    Ok(hash)
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NoteSignature {
    pub name: String,
    pub key_hint: [u8; 4],
    pub signature: Vec<u8>,
}

/// A parsed checkpoint. `text` is the signed part: every line up to and including the
/// newline before the blank line.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Checkpoint {
    pub text: String,
    pub origin: String,
    pub size: u64,
    pub root_hash: Vec<u8>,
    pub signatures: Vec<NoteSignature>,
}

impl Checkpoint {
    pub fn parse(note: &str) -> Result<Checkpoint, TlogError> {
        let bad = |m: &str| TlogError::Checkpoint(m.to_string());
        if note.len() > MAX_CHECKPOINT_BYTES {
            return Err(bad("note too large"));
        }
        let split = note
            .find("\n\n")
            .ok_or_else(|| bad("no blank line before the signatures"))?;
        let text = &note[..split + 1];
        let mut lines = text.lines();
        let origin = lines
            .next()
            .filter(|l| !l.is_empty())
            .ok_or_else(|| bad("missing origin line"))?;
        let size_line = lines.next().ok_or_else(|| bad("missing tree size line"))?;
        // Decimal without leading zeros or sign (tlog-checkpoint).
        if size_line.is_empty()
            || !size_line.bytes().all(|b| b.is_ascii_digit())
            || (size_line.len() > 1 && size_line.starts_with('0'))
        {
            return Err(bad("malformed tree size line"));
        }
        let size = size_line
            .parse()
            .map_err(|_| bad("tree size out of range"))?;
        let root_hash = lines
            .next()
            .and_then(|l| base64::decode(l).ok())
            .filter(|h| h.len() == 32)
            .ok_or_else(|| bad("missing or malformed root hash line"))?;
        let sig_block = &note[split + 2..];
        if !sig_block.ends_with('\n') {
            return Err(bad("signature block does not end with a newline"));
        }
        let mut signatures = Vec::new();
        for line in sig_block.lines() {
            let rest = line
                .strip_prefix("\u{2014} ")
                .ok_or_else(|| bad("signature line does not start with an em dash"))?;
            let (name, b64) = rest
                .rsplit_once(' ')
                .ok_or_else(|| bad("signature line has no key name"))?;
            let blob = base64::decode(b64).map_err(|_| bad("signature is not base64"))?;
            if name.is_empty() || blob.len() < 5 {
                return Err(bad("signature line is too short"));
            }
            if signatures.len() == MAX_NOTE_SIGNATURES {
                return Err(bad("too many signatures"));
            }
            let (hint, sig) = blob.split_at(4);
            signatures.push(NoteSignature {
                name: name.to_string(),
                key_hint: [hint[0], hint[1], hint[2], hint[3]],
                signature: sig.to_vec(),
            });
        }
        if signatures.is_empty() {
            return Err(bad("no signatures"));
        }
        Ok(Checkpoint {
            text: text.to_string(),
            origin: origin.to_string(),
            size,
            root_hash,
            signatures,
        })
    }

    /// Whether a signature line by the verifier `(name, key)` verifies (c2sp.org/signed-note:
    /// a line matches a verifier when its name is the verifier's name and its key hint the
    /// verifier's hint; other lines, e.g. witness cosignatures, are skipped). The hint is
    /// SHA-256(name ‖ 0x0A ‖ 0x01 ‖ key)[..4] for Ed25519 keys and, as Rekor v1 writes it,
    /// the first 4 bytes of the log ID (SHA-256 of the SPKI) for ECDSA and RSA keys.
    pub fn signed_by(
        &self,
        name: &str,
        key: &PublicKey,
        crypto: &dyn Crypto,
    ) -> Result<bool, TlogError> {
        let hint = key_hint(name, key);
        for sig in &self.signatures {
            if sig.name != name || sig.key_hint != hint {
                continue;
            }
            let Ok(raw) = key.signature_from_der(&sig.signature) else {
                continue;
            };
            if crypto.verify(key, key.default_alg(), self.text.as_bytes(), &raw)? {
                return Ok(true);
            }
        }
        Ok(false)
    }
}

fn key_hint(name: &str, key: &PublicKey) -> [u8; 4] {
    let hash: [u8; 32] = match key.kind() {
        KeyKind::Ed25519 => {
            let mut h = Sha256::new();
            h.update(name.as_bytes());
            h.update([0x0a, 0x01]);
            h.update(key.key_bytes());
            h.finalize().into()
        }
        _ => Sha256::digest(key.spki()).into(),
    };
    [hash[0], hash[1], hash[2], hash[3]]
}

fn member(key: &str, value: Value) -> Member {
    Member {
        key: key.to_string(),
        key_span: Span::default(),
        value: Json {
            value,
            span: Span::default(),
        },
    }
}

/// The bytes a Rekor v1 Signed Entry Timestamp signs: RFC 8785 JSON of the entry's base64
/// body, integrated time, hex log ID and log index.
pub fn set_payload(
    body_b64: &str,
    integrated_time: i64,
    log_id: &[u8],
    log_index: i64,
) -> Result<Vec<u8>, TlogError> {
    let payload = Json {
        value: Value::Object(vec![
            member("body", Value::String(body_b64.to_string())),
            member("integratedTime", Value::Number(integrated_time.to_string())),
            member("logID", Value::String(hex(log_id))),
            member("logIndex", Value::Number(log_index.to_string())),
        ]),
        span: Span::default(),
    };
    Ok(canonical::canonicalize(&payload)?)
}
