//! The warm-path goals of issue 16, each with the number it is judged on: the warm verifier's
//! time against the ECDSA check alone, the token-cache hit, and the memory of a cached verdict.

use std::fmt::Write as _;

use super::{
    format::{count, fmt_ratio, time, Goal},
    measured::Measured,
};

/// Most time a token-cache hit may take, nanoseconds.
const HIT_NS: f64 = 700.0;
/// Most resident bytes one cached verdict may cost.
const BYTES_PER_VERDICT: f64 = 700.0;
/// Most time the warm verifier may take, as a multiple of the ECDSA check alone.
const OVER_ECDSA: f64 = 1.03;

/// One goal: what is measured, how, the number, the limit.
struct Row {
    what: &'static str,
    judged_on: &'static str,
    measured: String,
    goal: String,
    met: &'static str,
}

/// The rows, from this run's numbers.
fn rows(m: &Measured) -> [Row; 3] {
    let over_ecdsa = m.number("verify", "/paired_warm_ecdsa/ratio");
    let hit = m.median("verify/jwks_verifier_token_cache_hit").ns;
    let bytes = m.number("memory", "/jwks/bytes_per_entry");
    let claims = m.number("memory", "/jwks/claims_alone/bytes_per_entry");
    [
        Row {
            what: "warm `JwksVerifier` (token cache off), time per verification over the ECDSA \
                   P-256 check alone",
            judged_on: "interleaved ratio (`verify_paired`)",
            measured: fmt_ratio(over_ecdsa),
            goal: format!("<= {OVER_ECDSA}x"),
            met: Goal::AtMost(OVER_ECDSA).met(over_ecdsa),
        },
        Row {
            what: "token-cache hit (the same token again)",
            judged_on: "criterion median (`verify/jwks_verifier_token_cache_hit`)",
            measured: time(hit),
            goal: format!("<= {HIT_NS:.0} ns"),
            met: Goal::AtMost(HIT_NS).met(hit),
        },
        Row {
            what: "JWKS verified-token cache, resident memory per cached verdict",
            judged_on: "memory bench, 100,000 distinct tokens (see Memory)",
            measured: format!(
                "{} B, of which the claims it returns {} B",
                count(bytes),
                count(claims)
            ),
            goal: format!("<= {BYTES_PER_VERDICT:.0} B"),
            met: Goal::AtMost(BYTES_PER_VERDICT).met(bytes),
        },
    ]
}

/// The goals table.
pub(crate) fn render(out: &mut String, m: &Measured) {
    let _ = writeln!(
        out,
        "## Warm-path goals\n\n\
         | goal | judged on | measured | goal | met? |\n|---|---|---|---|---|"
    );
    for r in rows(m) {
        let _ = writeln!(
            out,
            "| {} | {} | {} | {} | {} |",
            r.what, r.judged_on, r.measured, r.goal, r.met
        );
    }
    out.push('\n');
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use serde_json::json;

    use super::*;
    use crate::bench::measured::Median;

    fn run(hit_ns: f64, over_ecdsa: f64, bytes: f64) -> Measured {
        let median = Median {
            ns: hit_ns,
            low_ns: hit_ns,
            high_ns: hit_ns,
        };
        Measured::from_parts(
            BTreeMap::from([("verify/jwks_verifier_token_cache_hit", median)]),
            BTreeMap::from([
                (
                    "verify",
                    json!({ "paired_warm_ecdsa": { "ratio": over_ecdsa } }),
                ),
                (
                    "memory",
                    json!({ "jwks": {
                        "bytes_per_entry": bytes,
                        "claims_alone": { "bytes_per_entry": 775 }
                    } }),
                ),
            ]),
        )
    }

    #[test]
    fn each_goal_is_judged_on_its_number() {
        let mut out = String::new();
        render(&mut out, &run(650.0, 1.02, 1_165.0));
        let lines: Vec<&str> = out
            .lines()
            .filter(|l| l.starts_with("| "))
            .skip(1)
            .collect();
        assert_eq!(lines.len(), 3, "{out}");
        assert!(
            lines[0].ends_with("| 1.02x | <= 1.03x | yes |"),
            "{}",
            lines[0]
        );
        assert!(
            lines[1].ends_with("| 650.0 ns | <= 700 ns | yes |"),
            "{}",
            lines[1]
        );
        assert!(
            lines[2]
                .ends_with("| 1,165 B, of which the claims it returns 775 B | <= 700 B | **no** |"),
            "{}",
            lines[2]
        );
        let mut out = String::new();
        render(&mut out, &run(990.0, 1.09, 700.0));
        let met: Vec<&str> = out
            .lines()
            .filter(|l| l.starts_with("| "))
            .skip(1)
            .map(|l| l.rsplit('|').nth(1).unwrap().trim())
            .collect();
        assert_eq!(met, ["**no**", "**no**", "yes"], "{out}");
    }
}
