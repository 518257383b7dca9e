//! A strict DER reader (ITU-T X.690 §10) for the few ASN.1 shapes signature verification needs:
//! X.509 certificates, SubjectPublicKeyInfo, ECDSA signature values, SCT extensions.
//!
//! Why hand-written instead of `der`/`x509-cert`: the verifier only needs to walk TLVs, compare
//! OIDs and re-encode one TBS without an extension (RFC 6962 §3.2), which is ~300 lines here and
//! keeps the lazily loaded verifier small. Strict means: definite minimal lengths only, no
//! high tag numbers, no trailing bytes where a single value is expected. Every read is bounds
//! checked; nothing here panics on input.

use thiserror::Error;

pub const INTEGER: u8 = 0x02;
pub const BIT_STRING: u8 = 0x03;
pub const OCTET_STRING: u8 = 0x04;
pub const OID: u8 = 0x06;
pub const BOOLEAN: u8 = 0x01;
pub const UTF8_STRING: u8 = 0x0c;
pub const UTC_TIME: u8 = 0x17;
pub const GENERALIZED_TIME: u8 = 0x18;
pub const SEQUENCE: u8 = 0x30;
pub const SET: u8 = 0x31;

/// Context-specific constructed tag `[n]`.
pub const fn context(n: u8) -> u8 {
    0xa0 | n
}

#[derive(Clone, Debug, PartialEq, Eq, Error)]
pub enum DerError {
    #[error("DER: {what} ends early at byte {at}")]
    Truncated { what: &'static str, at: usize },
    #[error("DER: expected tag 0x{expected:02x} ({what}), found 0x{found:02x} at byte {at}")]
    UnexpectedTag {
        what: &'static str,
        expected: u8,
        found: u8,
        at: usize,
    },
    #[error("DER: non-minimal or indefinite length at byte {0}")]
    BadLength(usize),
    #[error("DER: high tag numbers are not supported (byte {0})")]
    HighTag(usize),
    #[error("DER: {0} has trailing bytes")]
    Trailing(&'static str),
    #[error("DER: malformed {0}")]
    Malformed(&'static str),
}

/// One tag-length-value. `raw` is the whole encoding (tag and length included).
#[derive(Clone, Copy, Debug)]
pub struct Tlv<'a> {
    pub tag: u8,
    pub value: &'a [u8],
    pub raw: &'a [u8],
}

/// Reads consecutive TLVs from a byte slice.
#[derive(Clone, Debug)]
pub struct Reader<'a> {
    data: &'a [u8],
    pos: usize,
}

impl<'a> Reader<'a> {
    pub fn new(data: &'a [u8]) -> Reader<'a> {
        Reader { data, pos: 0 }
    }

    pub fn is_empty(&self) -> bool {
        self.pos >= self.data.len()
    }

    pub fn peek_tag(&self) -> Option<u8> {
        self.data.get(self.pos).copied()
    }

    /// The next TLV, whatever its tag.
    pub fn any(&mut self, what: &'static str) -> Result<Tlv<'a>, DerError> {
        let start = self.pos;
        let truncated = DerError::Truncated { what, at: start };
        let tag = *self.data.get(start).ok_or(truncated.clone())?;
        if tag & 0x1f == 0x1f {
            return Err(DerError::HighTag(start));
        }
        let first = *self.data.get(start + 1).ok_or(truncated.clone())?;
        let (len, header) = if first < 0x80 {
            (usize::from(first), 2)
        } else {
            let n = usize::from(first & 0x7f);
            // 0x80 is BER's indefinite form; more than 4 length bytes is never needed here.
            if n == 0 || n > 4 {
                return Err(DerError::BadLength(start + 1));
            }
            let bytes = self
                .data
                .get(start + 2..start + 2 + n)
                .ok_or(truncated.clone())?;
            if bytes[0] == 0 {
                return Err(DerError::BadLength(start + 1));
            }
            let len = bytes
                .iter()
                .fold(0usize, |acc, &b| (acc << 8) | usize::from(b));
            if len < 0x80 {
                return Err(DerError::BadLength(start + 1));
            }
            (len, 2 + n)
        };
        let end = start
            .checked_add(header)
            .and_then(|h| h.checked_add(len))
            .ok_or(truncated.clone())?;
        let raw = self.data.get(start..end).ok_or(truncated)?;
        self.pos = end;
        Ok(Tlv {
            tag,
            value: &raw[header..],
            raw,
        })
    }

    /// The next TLV, which must carry `tag`.
    pub fn expect(&mut self, tag: u8, what: &'static str) -> Result<Tlv<'a>, DerError> {
        let at = self.pos;
        let tlv = self.any(what)?;
        if tlv.tag != tag {
            return Err(DerError::UnexpectedTag {
                what,
                expected: tag,
                found: tlv.tag,
                at,
            });
        }
        Ok(tlv)
    }

    /// The next TLV if it carries `tag` (for OPTIONAL and DEFAULT fields).
    pub fn optional(&mut self, tag: u8, what: &'static str) -> Result<Option<Tlv<'a>>, DerError> {
        if self.peek_tag() == Some(tag) {
            self.expect(tag, what).map(Some)
        } else {
            Ok(None)
        }
    }

    pub fn finish(&self, what: &'static str) -> Result<(), DerError> {
        if self.is_empty() {
            Ok(())
        } else {
            Err(DerError::Trailing(what))
        }
    }
}

/// Parses `bytes` as exactly one TLV with `tag` (no trailing bytes).
pub fn single<'a>(bytes: &'a [u8], tag: u8, what: &'static str) -> Result<Tlv<'a>, DerError> {
    let mut reader = Reader::new(bytes);
    let tlv = reader.expect(tag, what)?;
    reader.finish(what)?;
    Ok(tlv)
}

/// Encodes a TLV with a definite minimal length.
pub fn encode(tag: u8, value: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(value.len() + 6);
    out.push(tag);
    let len = value.len();
    if len < 0x80 {
        out.push(len as u8);
    } else {
        let bytes = len.to_be_bytes();
        let skip = bytes.iter().take_while(|&&b| b == 0).count();
        out.push(0x80 | (bytes.len() - skip) as u8);
        out.extend_from_slice(&bytes[skip..]);
    }
    out.extend_from_slice(value);
    out
}

/// The contents of a BIT STRING with no unused bits (keys and signatures are whole bytes).
pub fn bit_string_bytes<'a>(tlv: &Tlv<'a>) -> Result<&'a [u8], DerError> {
    match tlv.value.split_first() {
        Some((0, rest)) => Ok(rest),
        _ => Err(DerError::Malformed("BIT STRING (unused bits)")),
    }
}

/// The magnitude of a DER INTEGER that must be positive, without the sign byte.
pub fn positive_integer<'a>(tlv: &Tlv<'a>) -> Result<&'a [u8], DerError> {
    let v = tlv.value;
    match v {
        [] => Err(DerError::Malformed("INTEGER (empty)")),
        [b, ..] if b & 0x80 != 0 => Err(DerError::Malformed("INTEGER (negative)")),
        // A leading zero is allowed only to clear the sign bit of the next byte.
        [0, next, ..] if next & 0x80 == 0 => Err(DerError::Malformed("INTEGER (non-minimal)")),
        [0, rest @ ..] if !rest.is_empty() => Ok(rest),
        _ => Ok(v),
    }
}

/// Converts a DER `ECDSA-Sig-Value ::= SEQUENCE { r INTEGER, s INTEGER }` (RFC 3279 §2.2.3) into
/// the fixed-size `r ‖ s` form WebCrypto and JWS use, each left-padded to `field_len` bytes
/// (32 for P-256, 48 for P-384, 66 for P-521). Strict: one SEQUENCE of exactly two positive
/// minimal INTEGERs, no trailing bytes, neither zero nor longer than the field.
pub fn ecdsa_der_to_raw(signature: &[u8], field_len: usize) -> Result<Vec<u8>, DerError> {
    let seq = single(signature, SEQUENCE, "ECDSA signature")?;
    let mut inner = Reader::new(seq.value);
    let mut out = Vec::with_capacity(field_len * 2);
    for _ in 0..2 {
        let int = inner.expect(INTEGER, "ECDSA signature integer")?;
        let magnitude = positive_integer(&int)?;
        if magnitude.len() > field_len || magnitude.iter().all(|&b| b == 0) {
            return Err(DerError::Malformed(
                "ECDSA signature integer (out of range)",
            ));
        }
        out.resize(out.len() + field_len - magnitude.len(), 0);
        out.extend_from_slice(magnitude);
    }
    inner.finish("ECDSA signature")?;
    Ok(out)
}

/// Renders an encoded OBJECT IDENTIFIER in dotted form, for messages.
pub fn oid_to_string(oid: &[u8]) -> String {
    let mut arcs: Vec<u64> = Vec::new();
    let mut acc: u64 = 0;
    for &b in oid {
        acc = (acc << 7) | u64::from(b & 0x7f);
        if b & 0x80 == 0 {
            if arcs.is_empty() {
                let first = (acc / 40).min(2);
                arcs.push(first);
                arcs.push(acc - first * 40);
            } else {
                arcs.push(acc);
            }
            acc = 0;
        }
        if acc > u64::MAX >> 8 {
            return "(overlong OID)".to_string();
        }
    }
    arcs.iter()
        .map(u64::to_string)
        .collect::<Vec<_>>()
        .join(".")
}

/// Seconds since the Unix epoch of a UTCTime (`YYMMDDHHMMSSZ`, RFC 5280 §4.1.2.5.1) or
/// GeneralizedTime (`YYYYMMDDHHMMSSZ`, optionally with a fraction for RFC 3161).
pub fn time(tlv: &Tlv<'_>) -> Result<i64, DerError> {
    let text =
        std::str::from_utf8(tlv.value).map_err(|_| DerError::Malformed("time (not ASCII)"))?;
    let body = text
        .strip_suffix('Z')
        .ok_or(DerError::Malformed("time (not UTC 'Z')"))?;
    let (year, rest) = match tlv.tag {
        UTC_TIME => {
            let yy = digits(body.get(0..2))?;
            // RFC 5280: YY >= 50 means 19YY, otherwise 20YY.
            (if yy >= 50 { 1900 + yy } else { 2000 + yy }, body.get(2..))
        }
        GENERALIZED_TIME => (digits(body.get(0..4))?, body.get(4..)),
        _ => return Err(DerError::Malformed("time (wrong tag)")),
    };
    let rest = rest.ok_or(DerError::Malformed("time"))?;
    let (main, fraction) = match rest.split_once('.') {
        Some((m, f)) if tlv.tag == GENERALIZED_TIME && !f.is_empty() => (m, Some(f)),
        Some(_) => return Err(DerError::Malformed("time (fraction)")),
        None => (rest, None),
    };
    if main.len() != 10 || fraction.is_some_and(|f| !f.bytes().all(|b| b.is_ascii_digit())) {
        return Err(DerError::Malformed("time (length)"));
    }
    let month = digits(main.get(0..2))?;
    let day = digits(main.get(2..4))?;
    let hour = digits(main.get(4..6))?;
    let minute = digits(main.get(6..8))?;
    let second = digits(main.get(8..10))?;
    civil_to_unix(year, month, day, hour, minute, second).ok_or(DerError::Malformed("time (range)"))
}

fn digits(s: Option<&str>) -> Result<i64, DerError> {
    let s = s.ok_or(DerError::Malformed("time"))?;
    if !s.bytes().all(|b| b.is_ascii_digit()) {
        return Err(DerError::Malformed("time (digits)"));
    }
    s.parse().map_err(|_| DerError::Malformed("time"))
}

/// Days-from-civil (proleptic Gregorian), so no date crate is needed.
pub fn civil_to_unix(
    year: i64,
    month: i64,
    day: i64,
    hour: i64,
    minute: i64,
    second: i64,
) -> Option<i64> {
    if !(1..=12).contains(&month)
        || !(1..=31).contains(&day)
        || hour > 23
        || minute > 59
        || second > 60
    {
        return None;
    }
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (month + 9) % 12;
    let doy = (153 * mp + 2) / 5 + day - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    let days = era * 146_097 + doe - 719_468;
    Some(days * 86_400 + hour * 3_600 + minute * 60 + second)
}

/// Formats Unix seconds as `YYYY-MM-DDTHH:MM:SSZ` (the inverse of [`civil_to_unix`]).
pub fn unix_to_rfc3339(t: i64) -> String {
    let days = t.div_euclid(86_400);
    let secs = t.rem_euclid(86_400);
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}Z",
        secs / 3600,
        secs / 60 % 60,
        secs % 60
    )
}

/// Parses an RFC 3339 UTC timestamp as `trusted_root.json` writes them (the protobuf JSON
/// mapping of `Timestamp`: `2021-01-12T11:53:27Z`, optionally with a fraction): whole
/// seconds rounded down, and whether a non-zero fraction was dropped (so that a range start
/// can be rounded up; every time compared against these bounds is whole seconds).
pub fn parse_rfc3339(s: &str) -> Option<(i64, bool)> {
    let b = s.as_bytes();
    if b.len() < 20 || b.get(4) != Some(&b'-') || b.get(10) != Some(&b'T') {
        return None;
    }
    let num = |r: std::ops::Range<usize>| -> Option<i64> {
        let part = s.get(r)?;
        if part.bytes().all(|c| c.is_ascii_digit()) {
            part.parse().ok()
        } else {
            None
        }
    };
    let rest = s.get(19..)?;
    let fraction = match rest {
        "Z" => false,
        r if r.starts_with('.') && r.ends_with('Z') && r.len() > 2 => {
            let f = &r[1..r.len() - 1];
            if !f.bytes().all(|c| c.is_ascii_digit()) {
                return None;
            }
            f.bytes().any(|c| c != b'0')
        }
        _ => return None,
    };
    let t = civil_to_unix(
        num(0..4)?,
        num(5..7)?,
        num(8..10)?,
        num(11..13)?,
        num(14..16)?,
        num(17..19)?,
    )?;
    Some((t, fraction))
}
