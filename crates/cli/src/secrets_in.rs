//! Reading secrets from standard input: one line each, never from argv.
//! On a terminal the user is prompted and the input is not echoed.

use std::io::{BufRead, IsTerminal};

use ibridge_core::{Error, Result, SecretString};

pub struct SecretInput<R> {
    reader: R,
    interactive: bool,
}

impl SecretInput<std::io::StdinLock<'static>> {
    pub fn stdin() -> Self {
        Self {
            interactive: std::io::stdin().is_terminal(),
            reader: std::io::stdin().lock(),
        }
    }
}

impl<R: BufRead> SecretInput<R> {
    /// The next line, for `field` (named in errors and in the prompt).
    pub fn read(&mut self, field: &str) -> Result<SecretString> {
        if self.interactive {
            let value = rpassword::prompt_password(format!("{field}: "))
                .map_err(|e| Error::io(format!("read {field} from the terminal"), e))?;
            return Ok(SecretString::new(value));
        }
        let mut line = String::new();
        let read = self
            .reader
            .read_line(&mut line)
            .map_err(|e| Error::io(format!("read {field} from standard input"), e))?;
        let secret = SecretString::new(line.trim_end_matches(['\r', '\n']).to_owned());
        zeroize::Zeroize::zeroize(&mut line);
        if read == 0 {
            return Err(Error::invalid(
                field,
                "standard input ended before the secret was read",
            ));
        }
        Ok(secret)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_one_line_each_and_names_the_missing_one() {
        let mut input = SecretInput {
            reader: "first\r\nsecond\n".as_bytes(),
            interactive: false,
        };
        assert_eq!(input.read("secret").unwrap().expose(), "first");
        assert_eq!(input.read("client-secret").unwrap().expose(), "second");
        let err = input.read("client-secret").unwrap_err();
        assert!(err.to_string().contains("client-secret"), "{err}");
    }
}
