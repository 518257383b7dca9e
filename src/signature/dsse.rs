//! DSSE envelopes (secure-systems-lab/dsse `envelope.md`, `protocol.md`): the JSON envelope
//! `{payloadType, payload, signatures[{keyid, sig}]}` and the pre-authentication encoding
//! `PAE(type, body) = "DSSEv1" SP LEN(type) SP type SP LEN(body) SP body`, which is what is
//! signed (never the payload alone).

use thiserror::Error;

use crate::oci::base64;
use crate::oci::json::{self, Json};

/// More signatures than this in one envelope is refused.
pub const MAX_SIGNATURES: usize = 16;

#[derive(Clone, Debug, PartialEq, Eq, Error)]
pub enum DsseError {
    #[error("DSSE envelope: {0}")]
    Json(#[from] json::JsonError),
    #[error("DSSE envelope: {0} is missing or not a string")]
    Field(&'static str),
    #[error("DSSE envelope: {field} is not base64: {error}")]
    Base64 {
        field: &'static str,
        error: base64::Base64Error,
    },
    #[error("DSSE envelope: no signatures")]
    NoSignatures,
    #[error("DSSE envelope: more than {MAX_SIGNATURES} signatures")]
    TooManySignatures,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DsseSignature {
    pub keyid: Option<String>,
    pub sig: Vec<u8>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Envelope {
    pub payload_type: String,
    pub payload: Vec<u8>,
    pub signatures: Vec<DsseSignature>,
}

impl Envelope {
    pub fn parse(bytes: &[u8]) -> Result<Envelope, DsseError> {
        Envelope::from_json(&json::parse(bytes, json::DEFAULT_MAX_DEPTH)?)
    }

    /// Reads an envelope from an already parsed value (bundles embed it as an object).
    pub fn from_json(value: &Json) -> Result<Envelope, DsseError> {
        let text = |field: &'static str| {
            value
                .get(field)
                .and_then(Json::as_str)
                .ok_or(DsseError::Field(field))
        };
        let b64 = |field: &'static str, s: &str| {
            base64::decode(s).map_err(|error| DsseError::Base64 { field, error })
        };
        let payload_type = text("payloadType")?.to_string();
        let payload = b64("payload", text("payload")?)?;
        let items = value
            .get("signatures")
            .and_then(Json::as_array)
            .ok_or(DsseError::Field("signatures"))?;
        if items.is_empty() {
            return Err(DsseError::NoSignatures);
        }
        if items.len() > MAX_SIGNATURES {
            return Err(DsseError::TooManySignatures);
        }
        let signatures = items
            .iter()
            .map(|s| {
                let sig = s
                    .get("sig")
                    .and_then(Json::as_str)
                    .ok_or(DsseError::Field("signatures[].sig"))?;
                Ok(DsseSignature {
                    keyid: s.get("keyid").and_then(Json::as_str).map(str::to_string),
                    sig: b64("signatures[].sig", sig)?,
                })
            })
            .collect::<Result<_, DsseError>>()?;
        Ok(Envelope {
            payload_type,
            payload,
            signatures,
        })
    }

    pub fn pae(&self) -> Vec<u8> {
        pae(&self.payload_type, &self.payload)
    }
}

/// `"DSSEv1" SP LEN(type) SP type SP LEN(body) SP body`, lengths in decimal ASCII bytes.
pub fn pae(payload_type: &str, payload: &[u8]) -> Vec<u8> {
    let mut out = format!(
        "DSSEv1 {} {} {} ",
        payload_type.len(),
        payload_type,
        payload.len()
    )
    .into_bytes();
    out.extend_from_slice(payload);
    out
}
