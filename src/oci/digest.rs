//! Content digests: `algorithm ":" encoded`, as defined by the OCI image-spec
//! (descriptor.md, "Digests").
//!
//! ```text
//! digest                ::= algorithm ":" encoded
//! algorithm             ::= algorithm-component (algorithm-separator algorithm-component)*
//! algorithm-component   ::= [a-z0-9]+
//! algorithm-separator   ::= [+._-]
//! encoded               ::= [a-zA-Z0-9=_-]+
//! ```
//!
//! Only the registered algorithms `sha256` (64 lowercase hex) and `sha512` (128 lowercase hex)
//! are accepted; any other grammar-valid algorithm is reported as unsupported rather than as
//! malformed, because the spec allows registries to use algorithms we simply cannot verify.
//!
//! A [`Digest`] is only ever built by parsing or by hashing bytes, so holding one means the
//! value is well-formed and [`Display`](fmt::Display) renders it back unchanged.

use std::fmt;
use std::str::FromStr;

use sha2::{Digest as _, Sha256, Sha512};
use thiserror::Error;

/// A hash algorithm this tool can compute and therefore verify.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Algorithm {
    Sha256,
    Sha512,
}

impl Algorithm {
    /// The name used in the digest string.
    pub fn name(self) -> &'static str {
        match self {
            Algorithm::Sha256 => "sha256",
            Algorithm::Sha512 => "sha512",
        }
    }

    /// Number of hex characters in the encoded part.
    pub fn hex_len(self) -> usize {
        match self {
            Algorithm::Sha256 => 64,
            Algorithm::Sha512 => 128,
        }
    }
}

impl fmt::Display for Algorithm {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// A well-formed digest of a supported algorithm.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Digest {
    algorithm: Algorithm,
    encoded: String,
}

/// Why a string is not a digest we accept. Positions are byte offsets into the input.
#[derive(Clone, Debug, PartialEq, Eq, Error)]
pub enum DigestError {
    #[error("empty digest")]
    Empty,
    #[error("digest {input:?} has no ':' between algorithm and encoded value")]
    MissingColon { input: String },
    #[error("digest {input:?}: invalid character {found:?} in the algorithm at byte {at}")]
    BadAlgorithm {
        input: String,
        at: usize,
        found: char,
    },
    #[error("digest {input:?}: invalid character {found:?} in the encoded value at byte {at}")]
    BadEncoded {
        input: String,
        at: usize,
        found: char,
    },
    #[error("digest {input:?}: the encoded value is empty")]
    EmptyEncoded { input: String },
    #[error("digest algorithm {algorithm:?} is well-formed but not supported (only sha256 and sha512 can be verified)")]
    Unsupported { algorithm: String },
    #[error("{algorithm} digest must have {expected} hex characters, {input:?} has {found}")]
    WrongLength {
        input: String,
        algorithm: Algorithm,
        expected: usize,
        found: usize,
    },
    #[error("{algorithm} digest {input:?}: character {found:?} at byte {at} is not lowercase hex")]
    NotLowerHex {
        input: String,
        algorithm: Algorithm,
        at: usize,
        found: char,
    },
}

impl DigestError {
    /// Byte offset of the offending character, when there is one.
    pub fn position(&self) -> Option<usize> {
        match self {
            DigestError::BadAlgorithm { at, .. }
            | DigestError::BadEncoded { at, .. }
            | DigestError::NotLowerHex { at, .. } => Some(*at),
            _ => None,
        }
    }
}

impl Digest {
    /// The sha256 digest of `bytes`.
    pub fn sha256(bytes: &[u8]) -> Digest {
        Digest::compute(Algorithm::Sha256, bytes)
    }

    /// The sha256 digest whose raw value is `hash` (a SHA-256 kept as 32 bytes, not as text).
    pub fn sha256_from_bytes(hash: &[u8; 32]) -> Digest {
        Digest {
            algorithm: Algorithm::Sha256,
            encoded: hex(hash),
        }
    }

    /// The digest of `bytes` with `algorithm`.
    pub fn compute(algorithm: Algorithm, bytes: &[u8]) -> Digest {
        let mut hasher = Hasher::new(algorithm);
        hasher.update(bytes);
        hasher.finish()
    }

    pub fn algorithm(&self) -> Algorithm {
        self.algorithm
    }

    /// The hex part after the colon.
    pub fn encoded(&self) -> &str {
        &self.encoded
    }

    /// `sha256:0123456789ab`: the algorithm and the first 12 hex characters, for tight tables.
    pub fn short(&self) -> String {
        format!("{}:{}", self.algorithm, &self.encoded[..12])
    }

    /// Whether `bytes` hash to this digest.
    pub fn matches(&self, bytes: &[u8]) -> bool {
        Digest::compute(self.algorithm, bytes) == *self
    }
}

impl fmt::Display for Digest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.algorithm, self.encoded)
    }
}

impl FromStr for Digest {
    type Err = DigestError;

    fn from_str(input: &str) -> Result<Digest, DigestError> {
        if input.is_empty() {
            return Err(DigestError::Empty);
        }
        // split_once, not slicing at the colon's index: the bytes are the same, and the layer
        // worker then links no panic path for slicing a string (with its Debug formatting).
        let Some((algorithm, encoded)) = input.split_once(':') else {
            return Err(DigestError::MissingColon {
                input: input.to_owned(),
            });
        };
        let colon = algorithm.len();
        check_algorithm_grammar(input, algorithm)?;
        if encoded.is_empty() {
            return Err(DigestError::EmptyEncoded {
                input: input.to_owned(),
            });
        }
        if let Some((i, c)) = encoded
            .char_indices()
            .find(|&(_, c)| !(c.is_ascii_alphanumeric() || matches!(c, '=' | '_' | '-')))
        {
            return Err(DigestError::BadEncoded {
                input: input.to_owned(),
                at: colon + 1 + i,
                found: c,
            });
        }
        let algorithm = match algorithm {
            "sha256" => Algorithm::Sha256,
            "sha512" => Algorithm::Sha512,
            other => {
                return Err(DigestError::Unsupported {
                    algorithm: other.to_owned(),
                })
            }
        };
        // Report a bad character before a bad length: "Z at byte 12" is more useful than a count.
        if let Some((i, c)) = encoded
            .char_indices()
            .find(|&(_, c)| !matches!(c, '0'..='9' | 'a'..='f'))
        {
            return Err(DigestError::NotLowerHex {
                input: input.to_owned(),
                algorithm,
                at: colon + 1 + i,
                found: c,
            });
        }
        if encoded.len() != algorithm.hex_len() {
            return Err(DigestError::WrongLength {
                input: input.to_owned(),
                algorithm,
                expected: algorithm.hex_len(),
                found: encoded.len(),
            });
        }
        Ok(Digest {
            algorithm,
            encoded: encoded.to_owned(),
        })
    }
}

/// `algorithm-component (algorithm-separator algorithm-component)*`
fn check_algorithm_grammar(input: &str, algorithm: &str) -> Result<(), DigestError> {
    let bad = |at: usize, found: char| DigestError::BadAlgorithm {
        input: input.to_owned(),
        at,
        found,
    };
    if algorithm.is_empty() {
        return Err(bad(0, ':'));
    }
    let mut previous_was_separator = true; // the first character may not be a separator
    for (i, c) in algorithm.char_indices() {
        match c {
            'a'..='z' | '0'..='9' => previous_was_separator = false,
            '+' | '.' | '_' | '-' if !previous_was_separator => previous_was_separator = true,
            _ => return Err(bad(i, c)),
        }
    }
    if previous_was_separator {
        // A separator is one byte, so it starts at the last byte.
        let last = algorithm.len() - 1;
        return Err(bad(last, algorithm.chars().next_back().unwrap_or(':')));
    }
    Ok(())
}

/// Streaming hash over chunks, for bodies that arrive in pieces.
#[derive(Clone)]
pub enum Hasher {
    Sha256(Sha256),
    Sha512(Sha512),
}

impl Hasher {
    pub fn new(algorithm: Algorithm) -> Hasher {
        match algorithm {
            Algorithm::Sha256 => Hasher::Sha256(Sha256::new()),
            Algorithm::Sha512 => Hasher::Sha512(Sha512::new()),
        }
    }

    pub fn update(&mut self, chunk: &[u8]) {
        match self {
            Hasher::Sha256(h) => h.update(chunk),
            Hasher::Sha512(h) => h.update(chunk),
        }
    }

    pub fn finish(self) -> Digest {
        let (algorithm, bytes) = match self {
            Hasher::Sha256(h) => (Algorithm::Sha256, h.finalize().to_vec()),
            Hasher::Sha512(h) => (Algorithm::Sha512, h.finalize().to_vec()),
        };
        Digest {
            algorithm,
            encoded: hex(&bytes),
        }
    }
}

fn hex(bytes: &[u8]) -> String {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let mut out = String::with_capacity(bytes.len() * 2);
    for &b in bytes {
        out.push(HEX[usize::from(b >> 4)] as char);
        out.push(HEX[usize::from(b & 0x0f)] as char);
    }
    out
}

/// Why received content does not match what it was addressed by.
#[derive(Clone, Debug, PartialEq, Eq, Error)]
pub enum VerifyError {
    #[error("digest mismatch: expected {expected}, the received bytes hash to {actual}")]
    DigestMismatch { expected: Digest, actual: Digest },
    #[error("size mismatch: expected {expected} bytes, received {actual}")]
    SizeMismatch { expected: u64, actual: u64 },
    #[error("content exceeds the expected {expected} bytes (stopped after {received})")]
    TooLarge { expected: u64, received: u64 },
}

/// Verifies content against an expected digest (and size, when known) while it streams in.
///
/// `update` fails as soon as more bytes arrive than the expected size, so a hostile endless
/// body is cut off instead of being buffered.
pub struct Verifier {
    expected: Digest,
    expected_size: Option<u64>,
    received: u64,
    hasher: Hasher,
}

impl Verifier {
    pub fn new(expected: Digest, expected_size: Option<u64>) -> Verifier {
        Verifier {
            hasher: Hasher::new(expected.algorithm()),
            expected,
            expected_size,
            received: 0,
        }
    }

    pub fn update(&mut self, chunk: &[u8]) -> Result<(), VerifyError> {
        self.received = self.received.saturating_add(chunk.len() as u64);
        if let Some(expected) = self.expected_size {
            if self.received > expected {
                return Err(VerifyError::TooLarge {
                    expected,
                    received: self.received,
                });
            }
        }
        self.hasher.update(chunk);
        Ok(())
    }

    /// Bytes seen so far.
    pub fn received(&self) -> u64 {
        self.received
    }

    /// The verified digest, or why the content does not match. A short body is a size
    /// mismatch, reported before the digest since it explains the digest difference.
    pub fn finish(self) -> Result<Digest, VerifyError> {
        if let Some(expected) = self.expected_size {
            if self.received != expected {
                return Err(VerifyError::SizeMismatch {
                    expected,
                    actual: self.received,
                });
            }
        }
        let actual = self.hasher.finish();
        if actual != self.expected {
            return Err(VerifyError::DigestMismatch {
                expected: self.expected,
                actual,
            });
        }
        Ok(actual)
    }
}
