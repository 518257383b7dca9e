//! RFC 8785 JSON Canonicalization Scheme over `oci::json` values: what Rekor signs in a Signed
//! Entry Timestamp (the SET covers the canonical form of `{body, integratedTime, logID,
//! logIndex}`, sigstore-go `tlog.VerifySET`).
//!
//! Members are sorted by the UTF-16 code units of their keys (§3.2.3), strings escaped as
//! ECMAScript's `JSON.stringify` does (§3.2.2.2), literals as-is. Numbers must be serialised
//! as ECMAScript does for IEEE 754 doubles (§3.2.2.3); this implementation accepts only
//! integers of magnitude ≤ 2^53 (exactly representable, printed as plain digits), which is all
//! Rekor uses, and refuses others instead of risking a wrong canonical form. Duplicate keys
//! are refused (§3.1: I-JSON).

use thiserror::Error;

use crate::oci::json::{Json, Value};

#[derive(Clone, Debug, PartialEq, Eq, Error)]
pub enum CanonicalError {
    #[error("canonical JSON: number {0} is not an integer of magnitude at most 2^53")]
    Number(String),
    #[error("canonical JSON: duplicate key {0:?}")]
    DuplicateKey(String),
}

const MAX_SAFE: i64 = 1 << 53;

pub fn canonicalize(json: &Json) -> Result<Vec<u8>, CanonicalError> {
    let mut out = Vec::new();
    write(&json.value, &mut out)?;
    Ok(out)
}

fn write(value: &Value, out: &mut Vec<u8>) -> Result<(), CanonicalError> {
    match value {
        Value::Null => out.extend_from_slice(b"null"),
        Value::Bool(b) => out.extend_from_slice(if *b { b"true" } else { b"false" }),
        Value::Number(raw) => {
            let n = (!raw.contains(['.', 'e', 'E']))
                .then(|| raw.parse::<i64>().ok())
                .flatten()
                .filter(|n| n.abs() <= MAX_SAFE)
                .ok_or_else(|| CanonicalError::Number(raw.clone()))?;
            // `-0` is written `0` (ECMAScript Number::toString).
            out.extend_from_slice(n.to_string().as_bytes());
        }
        Value::String(s) => write_string(s, out),
        Value::Array(items) => {
            out.push(b'[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(b',');
                }
                write(&item.value, out)?;
            }
            out.push(b']');
        }
        Value::Object(members) => {
            let mut sorted: Vec<_> = members.iter().collect();
            sorted.sort_by(|a, b| a.key.encode_utf16().cmp(b.key.encode_utf16()));
            if let Some(pair) = sorted.windows(2).find(|w| w[0].key == w[1].key) {
                return Err(CanonicalError::DuplicateKey(pair[0].key.clone()));
            }
            out.push(b'{');
            for (i, member) in sorted.iter().enumerate() {
                if i > 0 {
                    out.push(b',');
                }
                write_string(&member.key, out);
                out.push(b':');
                write(&member.value.value, out)?;
            }
            out.push(b'}');
        }
    }
    Ok(())
}

fn write_string(s: &str, out: &mut Vec<u8>) {
    out.push(b'"');
    for c in s.chars() {
        match c {
            '"' => out.extend_from_slice(b"\\\""),
            '\\' => out.extend_from_slice(b"\\\\"),
            '\u{8}' => out.extend_from_slice(b"\\b"),
            '\u{c}' => out.extend_from_slice(b"\\f"),
            '\n' => out.extend_from_slice(b"\\n"),
            '\r' => out.extend_from_slice(b"\\r"),
            '\t' => out.extend_from_slice(b"\\t"),
            c if (c as u32) < 0x20 => {
                out.extend_from_slice(format!("\\u{:04x}", c as u32).as_bytes())
            }
            c => {
                let mut buf = [0u8; 4];
                out.extend_from_slice(c.encode_utf8(&mut buf).as_bytes());
            }
        }
    }
    out.push(b'"');
}
