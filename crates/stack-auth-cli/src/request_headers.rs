//! `verify --headers`: a raw HTTP request's header lines, as a user pastes them, read into a
//! header map for the SDK's token extraction.

use http::{HeaderMap, HeaderName, HeaderValue};

/// Largest header file read (real requests carry a few KiB of headers).
pub(crate) const MAX_HEADERS_LEN: usize = 1024 * 1024;

/// The headers of `raw`: `Name: value` lines. A request line before them (`GET / HTTP/1.1`)
/// and everything after the first empty line (the body) are ignored; values keep their bytes
/// (a non-ASCII cookie stays as the browser sent it), trimmed of surrounding spaces and tabs.
///
/// # Errors
///
/// A message naming the first line that is neither of these, or a value no HTTP request can
/// carry.
pub(crate) fn parse(raw: &[u8]) -> Result<HeaderMap, String> {
    if raw.len() > MAX_HEADERS_LEN {
        return Err(format!(
            "the headers are larger than {} KiB",
            MAX_HEADERS_LEN / 1024
        ));
    }
    let mut headers = HeaderMap::new();
    let mut lines = raw
        .split(|b| *b == b'\n')
        .map(|l| l.strip_suffix(b"\r").unwrap_or(l))
        .enumerate()
        .skip_while(|(_, l)| l.trim_ascii().is_empty())
        .peekable();
    if let Some((_, first)) = lines.peek() {
        if header_line(first).is_none() {
            lines.next(); // the request line
        }
    }
    for (index, line) in lines {
        if line.is_empty() {
            break;
        }
        let n = index + 1;
        let (name, value) = header_line(line)
            .ok_or_else(|| format!("line {n} is not a `Name: value` header line"))?;
        let value = HeaderValue::from_bytes(value.trim_ascii())
            .map_err(|_| format!("line {n}: the value of {name} has control characters"))?;
        headers.append(name, value);
    }
    Ok(headers)
}

/// `Name: value`, when `line` is one (a valid header name right before the first `:`).
fn header_line(line: &[u8]) -> Option<(HeaderName, &[u8])> {
    let colon = line.iter().position(|b| *b == b':')?;
    let name = HeaderName::from_bytes(&line[..colon]).ok()?;
    Some((name, &line[colon + 1..]))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_pasted_request_gives_its_headers() {
        let raw = b"\nGET /api/me HTTP/1.1\r\nHost: example.com\r\nAuthorization:  Bearer abc \r\n\
                    Cookie: a=1\r\ncookie: lang=fran\xc3\xa7ais\r\n\r\n{\"body\": \"x: y\"}\n";
        let h = parse(raw).unwrap();
        assert_eq!(h.get("host").unwrap(), "example.com");
        assert_eq!(h.get("authorization").unwrap(), "Bearer abc");
        let cookies: Vec<&[u8]> = h.get_all("cookie").iter().map(|v| v.as_bytes()).collect();
        assert_eq!(cookies, [&b"a=1"[..], "lang=français".as_bytes()]);
        assert!(h.get("{\"body\"").is_none());
        // headers alone, no request line, no trailing empty line
        let h = parse(b"x-stack-access-token: t").unwrap();
        assert_eq!(h.get("x-stack-access-token").unwrap(), "t");
        assert!(parse(b"").unwrap().is_empty());
    }

    #[test]
    fn lines_that_are_not_headers_are_named() {
        let err = parse(b"GET / HTTP/1.1\nHost: x\nnot a header\n").unwrap_err();
        assert_eq!(err, "line 3 is not a `Name: value` header line");
        let err = parse(b"Host: x\n folded continuation\n").unwrap_err();
        assert_eq!(err, "line 2 is not a `Name: value` header line");
        let err = parse(b"x-a: one\x00two\n").unwrap_err();
        assert_eq!(err, "line 1: the value of x-a has control characters");
        assert!(parse(&vec![b'a'; MAX_HEADERS_LEN + 1]).is_err());
    }
}
