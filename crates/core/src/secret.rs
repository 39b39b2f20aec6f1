//! In-memory secrets: wiped on drop, never printed by `Debug` or `Display`.

use std::fmt;

use zeroize::{Zeroize, ZeroizeOnDrop};

/// A secret string (token, password, passphrase). Its bytes are zeroed when
/// it is dropped, and formatting it shows only `[redacted]`.
#[derive(Clone, Zeroize, ZeroizeOnDrop)]
pub struct SecretString(String);

impl SecretString {
    pub fn new(value: String) -> Self {
        Self(value)
    }

    /// The secret itself. Callers hand it straight to a header or a cipher;
    /// never to a log line or an output.
    pub fn expose(&self) -> &str {
        &self.0
    }

    pub fn is_empty(&self) -> bool {
        self.0.trim().is_empty()
    }

    /// A masked form for people: the length class only, never characters of
    /// the secret (even a prefix narrows a short password down).
    pub fn masked(&self) -> String {
        mask_for_display(self.0.chars().count())
    }
}

pub fn mask_for_display(char_count: usize) -> String {
    if char_count == 0 {
        String::new()
    } else {
        "•".repeat(8)
    }
}

impl From<String> for SecretString {
    fn from(value: String) -> Self {
        Self(value)
    }
}

impl From<&str> for SecretString {
    fn from(value: &str) -> Self {
        Self(value.to_owned())
    }
}

/// Read from input (a form's JSON) as a plain string, moved in as is.
impl<'de> serde::Deserialize<'de> for SecretString {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        String::deserialize(deserializer).map(Self)
    }
}

impl fmt::Debug for SecretString {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("SecretString([redacted])")
    }
}

impl fmt::Display for SecretString {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("[redacted]")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_and_display_never_show_the_value() {
        let secret = SecretString::from("hunter2-plant");
        assert!(!format!("{secret:?}").contains("hunter2"));
        assert!(!format!("{secret}").contains("hunter2"));
        assert!(!secret.masked().contains("hunter2"));
        assert_eq!(secret.expose(), "hunter2-plant");
    }

    #[test]
    fn a_new_connection_from_the_form_keeps_secrets_out_of_debug() {
        let input: crate::connections::NewConnection = serde_json::from_str(
            r#"{"provider":"servicenow","name":"sn","url":"https://x.example","auth":"basic",
                "username":"svc","secret":"hunter2-plant","project":"  ","make_default":true}"#,
        )
        .unwrap();
        assert_eq!(
            input.secret.as_ref().map(|s| s.expose()),
            Some("hunter2-plant")
        );
        assert_eq!(input.project, None, "a blank field is not set");
        assert_eq!(input.username.as_deref(), Some("svc"));
        assert!(input.make_default);
        let shown = format!("{input:?}");
        assert!(!shown.contains("hunter2"), "{shown}");
        assert!(shown.contains("[redacted]"), "{shown}");
    }
}
