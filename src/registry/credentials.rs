//! User credentials and the HTTP Basic `Authorization` value (RFC 7617 §2): `Basic ` +
//! base64(UTF-8 `user-id ":" password`). Docker's token auth spec sends exactly this to the
//! realm when a token needs an identity, and `Basic` registries (ECR) take it directly.
//!
//! The secret never appears in `Debug` or `Display`, so a stray `{:?}` in a log or an error
//! message cannot leak it.

use std::fmt;

use thiserror::Error;

use crate::oci::base64;

/// A username and a password or personal access token.
#[derive(Clone, PartialEq, Eq)]
pub struct Credentials {
    username: String,
    secret: String,
}

/// Why a username/secret pair cannot be sent as Basic credentials.
#[derive(Clone, Debug, PartialEq, Eq, Error)]
pub enum CredentialsError {
    /// RFC 7617: the user-id cannot contain a colon; the server would split there.
    #[error("the username contains ':' at byte {at}, which Basic authentication cannot carry")]
    ColonInUsername { at: usize },
    /// RFC 7617 forbids control characters; fetch would also refuse the header.
    #[error("the {field} contains a control character at byte {at}")]
    ControlCharacter { field: &'static str, at: usize },
}

impl Credentials {
    pub fn new(username: &str, secret: &str) -> Result<Credentials, CredentialsError> {
        if let Some(at) = username.find(':') {
            return Err(CredentialsError::ColonInUsername { at });
        }
        for (field, value) in [("username", username), ("secret", secret)] {
            if let Some((at, _)) = value.char_indices().find(|(_, c)| c.is_control()) {
                return Err(CredentialsError::ControlCharacter { field, at });
            }
        }
        Ok(Credentials {
            username: username.to_owned(),
            secret: secret.to_owned(),
        })
    }

    pub fn username(&self) -> &str {
        &self.username
    }

    /// The secret itself, for the one place that must send it.
    pub fn secret(&self) -> &str {
        &self.secret
    }
}

impl fmt::Debug for Credentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Credentials")
            .field("username", &self.username)
            .field("secret", &"<redacted>")
            .finish()
    }
}

impl fmt::Display for Credentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} (secret hidden)", self.username)
    }
}

/// `Basic <base64(username:secret)>`, the whole `Authorization` header value.
pub fn basic_header(credentials: &Credentials) -> String {
    let pair = format!("{}:{}", credentials.username, credentials.secret);
    format!("Basic {}", base64::encode(pair.as_bytes()))
}
