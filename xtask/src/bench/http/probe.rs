//! One HTTP/1.1 GET over a plain TCP connection: enough to check a server of the benchmark
//! answers as it should before it is measured, and to read its `/_stats`.

use std::{
    io::{Read as _, Write as _},
    net::TcpStream,
    time::Duration,
};

use serde_json::Value;

use crate::run::Step;

/// The status and body of `GET <path>` on `addr` (`127.0.0.1:<port>`), with `token` in the
/// `x-stack-access-token` header when given.
pub(crate) fn get(addr: &str, path: &str, token: Option<&str>) -> Result<(u16, String), Step> {
    let fail = |e: std::io::Error| Step(format!("GET http://{addr}{path} ({e})"));
    let mut stream = TcpStream::connect(addr).map_err(fail)?;
    stream
        .set_read_timeout(Some(Duration::from_secs(30)))
        .map_err(fail)?;
    let header = token.map_or_else(String::new, |t| format!("x-stack-access-token: {t}\r\n"));
    let request =
        format!("GET {path} HTTP/1.1\r\nhost: {addr}\r\n{header}connection: close\r\n\r\n");
    stream.write_all(request.as_bytes()).map_err(fail)?;
    let mut response = Vec::new();
    stream.read_to_end(&mut response).map_err(fail)?;
    let response = String::from_utf8_lossy(&response);
    parse(&response).ok_or_else(|| Step(format!("GET http://{addr}{path}: not HTTP: {response:?}")))
}

/// The JSON body of `GET <path>`, which must answer 200.
pub(crate) fn get_json(addr: &str, path: &str) -> Result<Value, Step> {
    let (status, body) = get(addr, path, None)?;
    if status != 200 {
        return Err(Step(format!("GET http://{addr}{path} answered {status}")));
    }
    serde_json::from_str(&body)
        .map_err(|e| Step(format!("GET http://{addr}{path}: not JSON ({e}): {body}")))
}

/// Checks the server answers `token` with `want` (a valid token 200, a bad one 401).
pub(crate) fn expect(addr: &str, token: &str, want: u16, what: &str) -> Result<(), Step> {
    let (status, body) = get(addr, "/", Some(token))?;
    if status == want {
        Ok(())
    } else {
        Err(Step(format!(
            "the server at {addr} answered {status} to {what} (expected {want}): {body}"
        )))
    }
}

/// The status code and body of a complete response (`connection: close`; the servers answer
/// with a `content-length`, never chunked).
fn parse(response: &str) -> Option<(u16, String)> {
    let status_line = response.lines().next()?;
    let mut words = status_line.split_whitespace();
    if !words.next()?.starts_with("HTTP/1.") {
        return None;
    }
    let status = words.next()?.parse().ok()?;
    let body = response.split_once("\r\n\r\n").map_or("", |(_, b)| b);
    Some((status, body.to_owned()))
}

#[cfg(test)]
mod tests {
    use std::net::TcpListener;

    use super::*;

    #[test]
    fn parses_status_and_body() {
        let response = "HTTP/1.1 401 Unauthorized\r\ncontent-length: 2\r\n\r\n{}";
        assert_eq!(parse(response), Some((401, "{}".to_owned())));
        assert_eq!(parse("HTTP/1.1 200 OK\r\n\r\n"), Some((200, String::new())));
        assert_eq!(parse("SSH-2.0-OpenSSH\r\n"), None);
        assert_eq!(parse(""), None);
    }

    #[test]
    fn sends_the_token_and_reads_the_answer() {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = listener.local_addr().unwrap().to_string();
        let server = std::thread::spawn(move || {
            let mut requests = Vec::new();
            for status in [200, 401] {
                let (mut stream, _) = listener.accept().unwrap();
                let mut request = [0u8; 1024];
                let n = stream.read(&mut request).unwrap();
                requests.push(String::from_utf8_lossy(&request[..n]).into_owned());
                let body = r#"{"ok":true}"#;
                let head = format!(
                    "HTTP/1.1 {status} X\r\ncontent-length: {}\r\n\r\n",
                    body.len()
                );
                stream.write_all((head + body).as_bytes()).unwrap();
            }
            requests
        });
        assert_eq!(get_json(&addr, "/_stats").unwrap()["ok"], true);
        let err = expect(&addr, "tok-1", 200, "a valid token").unwrap_err();
        assert!(err.0.contains("answered 401 to a valid token"), "{err}");
        let requests = server.join().unwrap();
        assert!(requests[0].starts_with("GET /_stats HTTP/1.1\r\n"));
        assert!(!requests[0].contains("x-stack-access-token"));
        assert!(requests[1].contains("\r\nx-stack-access-token: tok-1\r\n"));
        assert!(get(&addr, "/", None).is_err(), "nothing listens any more");
    }
}
