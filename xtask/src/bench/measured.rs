//! The numbers of one run: criterion's medians and the benches' JSON results.

use std::{collections::BTreeMap, path::Path, time::SystemTime};

use serde_json::Value;

use super::Paths;
use crate::run::Step;

/// Every criterion bench the report needs, as `group/id` (the IDs of
/// `crates/stack-auth-jwks/benches/verify.rs` and `benchmarks/benches/*.rs`).
pub(crate) const BENCH_IDS: &[&str] = &[
    "verify/jsonwebtoken_decode_baseline",
    "verify/aws_lc_ecdsa_verify_only",
    "verify/aws_lc_ecdsa_verify_parsed_key",
    "verify/jwks_verifier_warm",
    "verify/jwks_verifier_token_cache_hit",
    "token_digest/siphash13_128",
    "token_digest/siphash24_128",
    "token_digest/sha256",
    "threads/jwks_1_thread",
    "threads/jwks_2_threads",
    "threads/decode_1_thread",
    "threads/decode_2_threads",
    "composite/jwks_warm",
    "composite/composite_warm_profile",
    "composite/jwks_token_cache_hit",
    "composite/composite_token_cache_hit",
    "rest/cached",
    "rest/uncached",
    "rest/uncached_16_concurrent",
];

/// Result files the benches write (`<name>.json`).
const RESULT_FILES: &[&str] = &[
    "verify",
    "threads",
    "composite",
    "rest",
    "memory",
    "revocation",
];

/// Criterion's median time per iteration, with its 95% confidence interval.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Median {
    pub(crate) ns: f64,
    pub(crate) low_ns: f64,
    pub(crate) high_ns: f64,
}

/// Everything measured in one run.
pub(crate) struct Measured {
    medians: BTreeMap<&'static str, Median>,
    results: BTreeMap<&'static str, Value>,
}

impl Measured {
    /// Reads every median and result file, refusing any older than `started`.
    pub(crate) fn read(paths: &Paths, started: SystemTime) -> Result<Measured, Step> {
        let mut medians = BTreeMap::new();
        for id in BENCH_IDS {
            let file = paths
                .target
                .join("criterion")
                .join(id)
                .join("new/estimates.json");
            medians.insert(*id, median(&read_fresh(&file, started)?, &file)?);
        }
        let mut results = BTreeMap::new();
        for name in RESULT_FILES {
            let file = paths.results().join(format!("{name}.json"));
            results.insert(*name, read_fresh(&file, started)?);
        }
        Ok(Measured { medians, results })
    }

    /// A run made of these numbers, for tests of the report.
    #[cfg(test)]
    pub(crate) fn from_parts(
        medians: BTreeMap<&'static str, Median>,
        results: BTreeMap<&'static str, Value>,
    ) -> Measured {
        Measured { medians, results }
    }

    /// The median of `id` (one of [`BENCH_IDS`]); NaN for another id.
    pub(crate) fn median(&self, id: &str) -> Median {
        self.medians.get(id).copied().unwrap_or(Median {
            ns: f64::NAN,
            low_ns: f64::NAN,
            high_ns: f64::NAN,
        })
    }

    /// A number from a result file by JSON pointer (`/jwks/entries`); NaN when absent.
    pub(crate) fn number(&self, file: &str, pointer: &str) -> f64 {
        self.results
            .get(file)
            .and_then(|v| v.pointer(pointer))
            .and_then(Value::as_f64)
            .unwrap_or(f64::NAN)
    }
}

pub(super) fn read_fresh(file: &Path, started: SystemTime) -> Result<Value, Step> {
    let shown = file.display();
    let modified = std::fs::metadata(file)
        .and_then(|m| m.modified())
        .map_err(|e| Step(format!("reading {shown} ({e}); did that bench run?")))?;
    if modified < started {
        return Err(Step(format!("{shown} is older than this run")));
    }
    let text = std::fs::read_to_string(file).map_err(|e| Step(format!("reading {shown} ({e})")))?;
    serde_json::from_str(&text).map_err(|e| Step(format!("parsing {shown} ({e})")))
}

pub(super) fn median(estimates: &Value, file: &Path) -> Result<Median, Step> {
    let number = |pointer: &str| {
        estimates
            .pointer(pointer)
            .and_then(Value::as_f64)
            .ok_or_else(|| Step(format!("{} has no {pointer}", file.display())))
    };
    Ok(Median {
        ns: number("/median/point_estimate")?,
        low_ns: number("/median/confidence_interval/lower_bound")?,
        high_ns: number("/median/confidence_interval/upper_bound")?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_median_and_its_interval() {
        let estimates: Value = serde_json::from_str(
            r#"{"mean":{"point_estimate":9.0},"median":{"point_estimate":41.5,
               "confidence_interval":{"confidence_level":0.95,"lower_bound":40.0,"upper_bound":43.0}}}"#,
        )
        .unwrap();
        let m = median(&estimates, Path::new("x")).unwrap();
        assert_eq!((m.ns, m.low_ns, m.high_ns), (41.5, 40.0, 43.0));
        let missing: Value = serde_json::from_str(r#"{"mean":{}}"#).unwrap();
        assert!(median(&missing, Path::new("x")).is_err());
    }

    #[test]
    fn refuses_files_older_than_the_run() {
        let dir = std::env::temp_dir().join(format!("xtask-bench-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let file = dir.join("r.json");
        std::fs::write(&file, "{\"a\": 1}").unwrap();
        assert_eq!(read_fresh(&file, SystemTime::UNIX_EPOCH).unwrap()["a"], 1);
        let later = SystemTime::now() + std::time::Duration::from_secs(60);
        assert!(read_fresh(&file, later).is_err());
        assert!(read_fresh(&dir.join("missing.json"), SystemTime::UNIX_EPOCH).is_err());
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
