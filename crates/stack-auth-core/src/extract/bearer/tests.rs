use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use proptest::prelude::*;
use serde_json::json;

use super::*;

/// What `user.getAuthorizationHeader()` builds (PROTOCOL §9.2): standard padded base64 of the
/// UTF-8 JSON, after the prefix.
fn encode(json: &Value) -> String {
    STANDARD.encode(json.to_string())
}

#[test]
fn the_official_encoding_decodes_to_its_access_token() {
    let json = json!({"accessToken": "eyJ.a.b", "refreshToken": "r"});
    assert_eq!(
        auth_json_access_token(&encode(&json)),
        Ok(Some("eyJ.a.b".to_owned()))
    );
    for no_token in [
        json!({"accessToken": null, "refreshToken": "r"}),
        json!({"refreshToken": null}),
        json!({}),
    ] {
        assert_eq!(
            auth_json_access_token(&encode(&no_token)),
            Ok(None),
            "{no_token}"
        );
    }
}

#[test]
fn decoding_is_as_forgiving_as_atob_and_no_more() {
    let json = json!({"accessToken": "t"}).to_string();
    let padded = STANDARD.encode(&json);
    assert!(padded.ends_with('='), "{padded}");
    let unpadded = padded.trim_end_matches('=');
    let spaced = format!("{} {}", &padded[..4], &padded[4..]);
    for ok in [padded.as_str(), unpadded, spaced.as_str()] {
        assert_eq!(auth_json_access_token(ok), Ok(Some("t".into())), "{ok}");
    }
    // base64url, misplaced padding, a length of 1 mod 4: atob fails, and so do we
    let url = URL_SAFE_NO_PAD.encode(r#"{"accessToken":"??>>"}"#);
    assert!(url.contains(['-', '_']), "{url}");
    for bad in [
        url.as_str(),
        "e30=e30=",
        "e30===",
        "eyJhb=",
        "====",
        "e",
        "e30*",
    ] {
        assert_eq!(
            auth_json_access_token(bad),
            Err("auth JSON is not base64"),
            "{bad}"
        );
    }
    assert_eq!(atob("e30"), Some(b"{}".to_vec()));
    assert_eq!(atob("e30="), Some(b"{}".to_vec()));
    // trailing bits that are not zero are ignored, as atob ignores them
    assert_eq!(atob("e31="), Some(b"{}".to_vec()));
}

#[test]
fn what_is_not_an_object_with_string_or_null_fields_is_refused_by_name() {
    let cases = [
        ("", "empty auth JSON after the stackauth_/hexclave_ prefix"),
        ("!!!!", "auth JSON is not base64"),
    ];
    for (encoded, why) in cases {
        assert_eq!(auth_json_access_token(encoded), Err(why), "{encoded}");
    }
    for (json, why) in [
        ("null", "auth JSON is not an object"),
        ("[]", "auth JSON is not an object"),
        (r#""a""#, "auth JSON is not an object"),
        ("{", "auth JSON is not JSON"),
        ("   ", "auth JSON is not JSON"),
        (
            r#"{"accessToken":5}"#,
            "accessToken is not a string or null",
        ),
        (
            r#"{"accessToken":{}}"#,
            "accessToken is not a string or null",
        ),
        (
            r#"{"accessToken":"t","refreshToken":1}"#,
            "refreshToken is not a string or null",
        ),
    ] {
        assert_eq!(
            auth_json_access_token(&STANDARD.encode(json)),
            Err(why),
            "{json}"
        );
    }
    // TextDecoder drops a BOM and replaces invalid UTF-8 instead of failing
    let bom = [b"\xef\xbb\xbf".as_slice(), br#"{"accessToken":"t"}"#].concat();
    assert_eq!(
        auth_json_access_token(&STANDARD.encode(bom)),
        Ok(Some("t".into()))
    );
    let latin1 = b"{\"accessToken\":\"t\",\"name\":\"fran\xe7ais\"}";
    assert_eq!(
        auth_json_access_token(&STANDARD.encode(latin1)),
        Ok(Some("t".into()))
    );
}

#[test]
fn the_bearer_scheme_is_matched_like_the_official_regex() {
    assert_eq!(bearer_credential("Bearer abc"), Some("abc"));
    assert_eq!(bearer_credential("bEaReR \t abc "), Some("abc"));
    assert_eq!(bearer_credential("Bearer\tabc"), Some("abc"));
    assert_eq!(bearer_credential("Bearer"), Some(""));
    assert_eq!(bearer_credential("Bearerabc"), None);
    assert_eq!(bearer_credential("Basic abc"), None);
    assert_eq!(bearer_credential("Bear"), None);
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    /// Any text after the prefix: never a panic, and a token only when the text decodes (as
    /// atob does) to a JSON object whose `accessToken` is that string.
    #[test]
    fn arbitrary_text_never_yields_a_token_unless_it_decodes_to_an_object(
        encoded in prop_oneof![
            "[A-Za-z0-9+/=]{0,64}",
            "[ -~]{0,64}",
            any::<String>(),
        ],
    ) {
        let got = auth_json_access_token(&encoded);
        if let Ok(Some(token)) = &got {
            let bytes = atob(&encoded).expect("a token came from base64");
            let text = String::from_utf8_lossy(&bytes);
            let value: Value = serde_json::from_str(text.trim_start_matches('\u{feff}')).unwrap();
            prop_assert!(value.is_object());
            prop_assert_eq!(value["accessToken"].as_str(), Some(token.as_str()));
        }
        if atob(&encoded).is_none() {
            prop_assert!(got.is_err());
        }
    }

    /// Arbitrary bytes, base64-encoded as the official client does: a token exactly when they
    /// are a JSON object with a string `accessToken` and a string, null or missing
    /// `refreshToken`.
    #[test]
    fn arbitrary_payloads_decode_to_a_token_only_from_an_object(
        payload in prop_oneof![
            prop::collection::vec(any::<u8>(), 0..80),
            (prop::option::of(prop_oneof![
                Just(Value::Null), "[ -~]{0,20}".prop_map(Value::String),
                any::<i32>().prop_map(Value::from), Just(json!([])), Just(json!({})),
            ]), any::<bool>())
                .prop_map(|(access, wrap)| {
                    let mut obj = serde_json::Map::new();
                    if let Some(a) = access { obj.insert("accessToken".into(), a); }
                    let v = Value::Object(obj);
                    let v = if wrap { json!([v]) } else { v };
                    v.to_string().into_bytes()
                }),
        ],
        padded in any::<bool>(),
    ) {
        let mut encoded = STANDARD.encode(&payload);
        if !padded {
            encoded = encoded.trim_end_matches('=').to_owned();
        }
        let got = auth_json_access_token(&encoded);
        let value = serde_json::from_str::<Value>(&String::from_utf8_lossy(&payload)).ok();
        match value {
            Some(Value::Object(obj)) if !payload.starts_with(b"\xef\xbb\xbf") => {
                let refresh_ok = matches!(obj.get("refreshToken"), None | Some(Value::Null | Value::String(_)));
                let expected = match obj.get("accessToken") {
                    _ if !refresh_ok => Err("refreshToken is not a string or null"),
                    None | Some(Value::Null) => Ok(None),
                    Some(Value::String(t)) => Ok(Some(t.clone())),
                    Some(_) => Err("accessToken is not a string or null"),
                };
                prop_assert_eq!(got, expected);
            }
            _ if payload.is_empty() => prop_assert!(got.is_err()),
            Some(_) => prop_assert_eq!(got, Err("auth JSON is not an object")),
            None => prop_assert!(got.is_err() || payload.starts_with(b"\xef\xbb\xbf")),
        }
    }
}
