//! Strict standard base64 (RFC 4648 §4, with `=` padding), as the image-spec requires for a
//! descriptor's `data` field and as DSSE envelopes use for their payload. [`encode`] also builds
//! HTTP Basic credentials (RFC 7617) for the registry client.
//!
//! Strict means: padding required, no whitespace, no URL-safe alphabet, and the unused bits
//! of the last character must be zero, so that every byte string has exactly one encoding
//! (otherwise two different `data` strings could claim the same content).

use thiserror::Error;

#[derive(Clone, Debug, PartialEq, Eq, Error)]
pub enum Base64Error {
    #[error("base64 length {0} is not a multiple of 4 (padding missing?)")]
    Length(usize),
    #[error("invalid base64 character {found:?} at position {at}")]
    Character { at: usize, found: char },
    #[error("misplaced '=' padding at position {0}")]
    Padding(usize),
    #[error("non-canonical base64: unused bits of the last character are not zero")]
    NonCanonical,
}

fn sextet(b: u8) -> Option<u8> {
    match b {
        b'A'..=b'Z' => Some(b - b'A'),
        b'a'..=b'z' => Some(b - b'a' + 26),
        b'0'..=b'9' => Some(b - b'0' + 52),
        b'+' => Some(62),
        b'/' => Some(63),
        _ => None,
    }
}

const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/// Encodes `bytes` as padded standard base64, the one canonical form [`decode`] accepts.
/// (HTTP Basic credentials, RFC 7617 §2, use exactly this alphabet and padding.)
pub fn encode(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let b = [
            chunk[0],
            chunk.get(1).copied().unwrap_or(0),
            chunk.get(2).copied().unwrap_or(0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        // A chunk of k bytes yields k + 1 significant characters; the rest is padding.
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(ALPHABET[((n >> (18 - 6 * i)) & 0x3f) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

/// Decodes padded standard base64.
pub fn decode(input: &str) -> Result<Vec<u8>, Base64Error> {
    let bytes = input.as_bytes();
    if !bytes.len().is_multiple_of(4) {
        return Err(Base64Error::Length(bytes.len()));
    }
    let padding = bytes.iter().rev().take_while(|&&b| b == b'=').count();
    if padding > 2 {
        return Err(Base64Error::Padding(bytes.len() - padding));
    }
    let body = &bytes[..bytes.len() - padding];
    let mut out = Vec::with_capacity(bytes.len() / 4 * 3);
    let mut acc: u32 = 0;
    let mut bits = 0;
    for (i, &b) in body.iter().enumerate() {
        let Some(v) = sextet(b) else {
            return Err(if b == b'=' {
                Base64Error::Padding(i)
            } else {
                Base64Error::Character {
                    at: i,
                    found: input[i..].chars().next().unwrap_or('\u{fffd}'),
                }
            });
        };
        acc = (acc << 6) | u32::from(v);
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((acc >> bits) as u8);
            acc &= (1 << bits) - 1;
        }
    }
    if acc != 0 {
        return Err(Base64Error::NonCanonical);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc4648_vectors_and_rejections() {
        let ok: &[(&str, &[u8])] = &[
            ("", b""),
            ("Zg==", b"f"),
            ("Zm8=", b"fo"),
            ("Zm9v", b"foo"),
            ("Zm9vYg==", b"foob"),
            ("Zm9vYmE=", b"fooba"),
            ("Zm9vYmFy", b"foobar"),
            ("e30=", b"{}"),
        ];
        for (text, bytes) in ok {
            assert_eq!(decode(text).as_deref(), Ok(*bytes), "{text}");
            assert_eq!(encode(bytes), *text, "{text}");
        }
        let bad: &[(&str, Base64Error)] = &[
            ("Zg=", Base64Error::Length(3)),
            ("Zg", Base64Error::Length(2)),
            ("Z===", Base64Error::Padding(1)),
            ("Zg=a", Base64Error::Padding(2)),
            ("Zh==", Base64Error::NonCanonical),
            ("Zm9-", Base64Error::Character { at: 3, found: '-' }),
            ("Zm 9", Base64Error::Character { at: 2, found: ' ' }),
        ];
        for (text, err) in bad {
            assert_eq!(decode(text).as_ref(), Err(err), "{text}");
        }
    }

    #[test]
    fn encode_round_trips_every_byte_and_length() {
        let bytes: Vec<u8> = (0..=255u8).collect();
        for len in 0..bytes.len() {
            let encoded = encode(&bytes[..len]);
            assert_eq!(decode(&encoded).as_deref(), Ok(&bytes[..len]));
        }
    }
}
