//! Where the token comes from: the argument, or standard input when it is omitted or `-`.

use std::io::{IsTerminal, Read};

use crate::outcome::Failure;

/// The token given as `arg`, or read from standard input when `arg` is `None` or `-`.
///
/// From standard input one trailing line ending (`\n` or `\r\n`) is dropped, nothing else:
/// a token padded with spaces is passed on as it is, so the verifier can refuse it as a
/// client's request would be refused.
///
/// # Errors
///
/// A configuration [`Failure`] when standard input cannot be read.
pub(crate) fn read_token(arg: Option<&str>) -> Result<String, Failure> {
    match arg {
        Some(token) if token != "-" => Ok(token.to_owned()),
        _ => read_stdin(),
    }
}

fn read_stdin() -> Result<String, Failure> {
    let mut stdin = std::io::stdin().lock();
    if stdin.is_terminal() {
        eprintln!("reading the token from standard input (end with Ctrl-D)");
    }
    let mut bytes = Vec::new();
    stdin
        .read_to_end(&mut bytes)
        .map_err(|e| Failure::config(format!("cannot read the token from standard input: {e}")))?;
    Ok(strip_line_ending(&String::from_utf8_lossy(&bytes)).to_owned())
}

/// `s` without one trailing `\n` or `\r\n`.
pub(crate) fn strip_line_ending(s: &str) -> &str {
    s.strip_suffix("\r\n")
        .or_else(|| s.strip_suffix('\n'))
        .unwrap_or(s)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_one_line_ending_is_dropped() {
        assert_eq!(strip_line_ending("a.b.c\n"), "a.b.c");
        assert_eq!(strip_line_ending("a.b.c\r\n"), "a.b.c");
        assert_eq!(strip_line_ending("a.b.c\n\n"), "a.b.c\n");
        assert_eq!(strip_line_ending(" a.b.c \n"), " a.b.c ");
        assert_eq!(strip_line_ending(""), "");
    }

    #[test]
    fn an_argument_is_taken_as_it_is() {
        assert_eq!(read_token(Some(" x ")).unwrap(), " x ");
        assert_eq!(read_token(Some("")).unwrap(), "");
    }
}
