//! Request validation as the route schemas do it (PROTOCOL §10.0): `user_id=me` replaced by
//! the token's user (none: `CANNOT_GET_OWN_USER_WITHOUT_USER`, before anything else), then the
//! access type (`INSUFFICIENT_ACCESS_TYPE`), then every schema problem at once
//! (`SCHEMA_ERROR`, body before params before query, yup's texts).

use std::collections::BTreeMap;

use http::Request;
use serde_json::{Map, Value};

use super::auth::Auth;
use super::crud::Refused;
use super::known_error::KnownError;
use crate::ids::is_uuid;
use crate::permission::permission_id_problem;

/// What a field must be.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    Uuid,
    /// A UUID or `me`.
    UserIdOrMe,
    PermissionId,
    /// `"true"` or `"false"`.
    TrueFalse,
    OneOf(&'static [&'static str]),
    /// An integer ≥ 1.
    PositiveInt,
    Text,
}

/// Collects the problems of one request.
#[derive(Debug)]
pub(crate) struct Validation<'a> {
    method: String,
    path: String,
    me: Option<&'a str>,
    me_missing: bool,
    body: Vec<String>,
    params: Vec<String>,
    query: Vec<String>,
}

impl<'a> Validation<'a> {
    pub(crate) fn new<B>(req: &Request<B>, auth: &'a Auth) -> Self {
        Validation {
            method: req.method().as_str().to_owned(),
            path: req.uri().path().to_owned(),
            me: auth.user.as_ref().map(|u| u.id.as_str()),
            me_missing: false,
            body: Vec::new(),
            params: Vec::new(),
            query: Vec::new(),
        }
    }

    /// Checks one value; returns it (`me` replaced) when valid.
    fn check(
        &mut self,
        at: &str,
        value: Option<&str>,
        kind: Kind,
        required: bool,
    ) -> Option<String> {
        let Some(value) = value else {
            if required {
                return self.problem(at, format!("{at} must be defined"));
            }
            return None;
        };
        let problem = match kind {
            Kind::UserIdOrMe if value == "me" => match self.me {
                Some(id) => return Some(id.to_owned()),
                None => {
                    self.me_missing = true;
                    return None;
                }
            },
            Kind::Uuid | Kind::UserIdOrMe => {
                (!is_uuid(value)).then(|| format!("{at} must be a valid UUID"))
            }
            Kind::PermissionId => permission_id_problem(value).map(str::to_owned),
            Kind::TrueFalse => one_of(at, value, &["true", "false"]),
            Kind::OneOf(list) => one_of(at, value, list),
            Kind::PositiveInt => int_problem(at, value),
            Kind::Text => None,
        };
        match problem {
            Some(p) => self.problem(at, p),
            None => Some(value.to_owned()),
        }
    }

    fn problem(&mut self, at: &str, text: String) -> Option<String> {
        let list = match at.split('.').next() {
            Some("body") => &mut self.body,
            Some("params") => &mut self.params,
            _ => &mut self.query,
        };
        list.push(text);
        None
    }

    /// A path parameter.
    pub(crate) fn param(&mut self, name: &str, value: &str, kind: Kind) -> Option<String> {
        self.check(&format!("params.{name}"), Some(value), kind, true)
    }

    /// The query against `fields` (name, kind, required): the values by name, and unknown
    /// names reported. A repeated name counts once, its last value wins.
    pub(crate) fn query<B>(
        &mut self,
        req: &Request<B>,
        fields: &[(&str, Kind, bool)],
    ) -> BTreeMap<String, String> {
        let mut given: Vec<(String, String)> = Vec::new();
        for (k, v) in url::form_urlencoded::parse(req.uri().query().unwrap_or_default().as_bytes())
        {
            match given.iter_mut().find(|(n, _)| *n == k) {
                Some(slot) => slot.1 = v.into_owned(),
                None => given.push((k.into_owned(), v.into_owned())),
            }
        }
        let mut out = BTreeMap::new();
        for (name, kind, required) in fields {
            let value = given
                .iter()
                .find(|(n, _)| n == name)
                .map(|(_, v)| v.as_str());
            if let Some(v) = self.check(&format!("query.{name}"), value, *kind, *required) {
                out.insert((*name).to_owned(), v);
            }
        }
        let unknown: Vec<&str> = given
            .iter()
            .map(|(n, _)| n.as_str())
            .filter(|n| !fields.iter().any(|(f, _, _)| f == n))
            .collect();
        if !unknown.is_empty() {
            self.query.push(format!(
                "query contains unknown properties: {}",
                unknown.join(", ")
            ));
        }
        out
    }

    /// The body as an object with exactly `fields` (name, required); string values (numbers
    /// and booleans are cast to text, as yup casts them).
    pub(crate) fn body_strings(
        &mut self,
        body: Option<&Value>,
        fields: &[(&str, bool)],
    ) -> BTreeMap<String, String> {
        let mut out = BTreeMap::new();
        let Some(map) = self.body_object(body, &fields.iter().map(|f| f.0).collect::<Vec<_>>())
        else {
            return out;
        };
        for (name, required) in fields {
            let at = format!("body.{name}");
            match map.get(*name) {
                None => {
                    if *required {
                        self.body.push(format!("{at} must be defined"));
                    }
                }
                Some(Value::Null) => self.body.push(format!("{at} cannot be null")),
                Some(Value::String(s)) => {
                    out.insert((*name).to_owned(), s.clone());
                }
                Some(v @ (Value::Number(_) | Value::Bool(_))) => {
                    out.insert((*name).to_owned(), v.to_string());
                }
                Some(other) => self.body.push(format!(
                    "{at} must be a `string` type, but the final value was: `{}`.",
                    serde_json::to_string_pretty(other).unwrap_or_default()
                )),
            }
        }
        out
    }

    /// The body as an object with only `fields`.
    pub(crate) fn body_object<'b>(
        &mut self,
        body: Option<&'b Value>,
        fields: &[&str],
    ) -> Option<&'b Map<String, Value>> {
        match body {
            None => {
                self.body.push("body must be defined".into());
                None
            }
            Some(Value::Object(map)) => {
                let unknown: Vec<&str> = map
                    .keys()
                    .map(String::as_str)
                    .filter(|k| !fields.contains(k))
                    .collect();
                if !unknown.is_empty() {
                    self.body.push(format!(
                        "body contains unknown properties: {}",
                        unknown.join(", ")
                    ));
                }
                Some(map)
            }
            Some(other) => {
                self.body.push(format!(
                    "body must be a `object` type, but the final value was: `{}`.",
                    serde_json::to_string_pretty(other).unwrap_or_default()
                ));
                None
            }
        }
    }

    /// The verdict: `me` without a user, then the access type, then the schema problems.
    pub(crate) fn finish(self, auth: &Auth, allowed: &[&str]) -> Result<(), Refused> {
        if self.me_missing {
            return Err(KnownError::cannot_get_own_user_without_user().into());
        }
        if !allowed.contains(&auth.access_type.as_str()) {
            return Err(KnownError::insufficient_access_type(&auth.access_type, allowed).into());
        }
        let problems: Vec<String> = self
            .body
            .into_iter()
            .chain(self.params)
            .chain(self.query)
            .collect();
        if problems.is_empty() {
            return Ok(());
        }
        let lines: Vec<String> = problems.iter().map(|p| format!("  - {p}")).collect();
        Err(KnownError::schema_error(format!(
            "Request validation failed on {} {}:\n{}",
            self.method,
            self.path,
            lines.join("\n")
        ))
        .into())
    }
}

fn one_of(at: &str, value: &str, list: &[&str]) -> Option<String> {
    (!list.contains(&value)).then(|| {
        format!(
            "{at} must be one of the following values: {}",
            list.join(", ")
        )
    })
}

fn int_problem(at: &str, value: &str) -> Option<String> {
    match value.trim().parse::<f64>() {
        Ok(n) if n.fract() != 0.0 => Some(format!("{at} must be an integer")),
        Ok(n) if n < 1.0 => Some(format!("{at} must be greater than or equal to 1")),
        Ok(_) => None,
        Err(_) => Some(format!(
            "{at} must be a `number` type, but the final value was: `NaN` (cast from the value `\"{value}\"`)."
        )),
    }
}
