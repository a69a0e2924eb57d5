//! Interleaved A/B measurement: a ratio that load drifting on a shared machine cannot skew.

use std::time::{Duration, Instant};

use serde_json::{json, Value};

/// The outcome of [`paired`]: median time per call of each side and the median of the
/// per-pair time ratios `a / b`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Paired {
    /// Median time per call of `a`, nanoseconds.
    pub a_ns: f64,
    /// Median time per call of `b`, nanoseconds.
    pub b_ns: f64,
    /// Median over the pairs of `a`'s time divided by `b`'s (below 1: `a` is faster).
    pub ratio: f64,
    /// Number of pairs measured.
    pub pairs: usize,
}

impl Paired {
    /// The result as JSON (`a_ns`, `b_ns`, `ratio`, `pairs`).
    pub fn to_json(&self) -> Value {
        json!({ "a_ns": self.a_ns, "b_ns": self.b_ns, "ratio": self.ratio, "pairs": self.pairs })
    }
}

/// Runs `pairs` pairs of batches, `a` then `b` in even pairs and `b` then `a` in odd ones, each
/// closure running one batch and returning its time per call, so both sides see the same
/// machine at nearly the same moment.
///
/// # Panics
///
/// When `pairs` is zero.
pub fn paired(
    pairs: usize,
    mut a: impl FnMut() -> Duration,
    mut b: impl FnMut() -> Duration,
) -> Paired {
    let [result] = paired_together(pairs, [(&mut a, &mut b)]);
    result
}

/// A batch-running closure of [`paired_together`].
pub type Batch<'a> = &'a mut dyn FnMut() -> Duration;

/// [`paired`] for several pairs at once: each round measures every pair once (the first pair
/// of a round rotates, and each pair's sides alternate as in [`paired`]), so all pairs see the
/// same moments of a machine whose load changes; a control pair then controls for that.
///
/// # Panics
///
/// When `rounds` is zero.
pub fn paired_together<const N: usize>(
    rounds: usize,
    mut pairs: [(Batch<'_>, Batch<'_>); N],
) -> [Paired; N] {
    assert!(rounds > 0, "at least one round");
    let mut times: [Vec<(f64, f64)>; N] = std::array::from_fn(|_| Vec::new());
    for round in 0..rounds {
        for k in 0..N {
            let k = (k + round) % N;
            let (a, b) = &mut pairs[k];
            let (ta, tb) = if round % 2 == 0 {
                let ta = a();
                (ta, b())
            } else {
                let tb = b();
                (a(), tb)
            };
            times[k].push((ta.as_secs_f64(), tb.as_secs_f64()));
        }
    }
    times.map(|t| Paired {
        a_ns: median(t.iter().map(|(a, _)| a * 1e9).collect()),
        b_ns: median(t.iter().map(|(_, b)| b * 1e9).collect()),
        ratio: median(t.iter().map(|(a, b)| a / b).collect()),
        pairs: rounds,
    })
}

/// Time per call of `iters` calls of `call`.
pub fn per_call(iters: u32, mut call: impl FnMut()) -> Duration {
    let start = Instant::now();
    for _ in 0..iters {
        call();
    }
    start.elapsed() / iters.max(1)
}

/// Calls per second of `call`, as the peers' scripts measure it: one second of warm-up, then
/// the median rate of 20 batches sharing `seconds`, each running calls in chunks of 100.
pub fn rate(seconds: f64, mut call: impl FnMut()) -> f64 {
    let mut batch = |duration: f64| {
        let start = Instant::now();
        let mut n = 0u64;
        while start.elapsed().as_secs_f64() < duration {
            for _ in 0..100 {
                call();
            }
            n += 100;
        }
        n as f64 / start.elapsed().as_secs_f64()
    };
    batch(1.0);
    let rates = (0..20).map(|_| batch(seconds / 20.0)).collect();
    median(rates)
}

/// The upper median (the middle element for an odd count), as the peers' scripts take it.
fn median(mut values: Vec<f64>) -> f64 {
    values.sort_by(f64::total_cmp);
    values.get(values.len() / 2).copied().unwrap_or(f64::NAN)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn alternates_the_order_and_takes_medians() {
        let mut order = Vec::new();
        let ms = Duration::from_millis;
        let mut a_times = [ms(2), ms(4), ms(100)].into_iter();
        let mut b_times = [ms(1), ms(2), ms(1)].into_iter();
        let order_cell = std::cell::RefCell::new(&mut order);
        let p = paired(
            3,
            || {
                order_cell.borrow_mut().push('a');
                a_times.next().unwrap()
            },
            || {
                order_cell.borrow_mut().push('b');
                b_times.next().unwrap()
            },
        );
        assert_eq!(order, ['a', 'b', 'b', 'a', 'a', 'b']);
        assert_eq!((p.a_ns, p.b_ns), (4e6, 1e6));
        // ratios 2, 2, 100: the outlier does not move the median.
        assert_eq!(p.ratio, 2.0);
        assert_eq!(p.to_json()["pairs"], 3);
    }

    #[test]
    fn measures_pairs_together_in_rotating_order() {
        let log = std::cell::RefCell::new(Vec::new());
        let side = |name: &'static str, ms: u64| {
            let log = &log;
            move || {
                log.borrow_mut().push(name);
                Duration::from_millis(ms)
            }
        };
        let (mut a1, mut b1, mut a2, mut b2) =
            (side("a1", 3), side("b1", 1), side("a2", 2), side("b2", 4));
        let [one, two] = paired_together(2, [(&mut a1, &mut b1), (&mut a2, &mut b2)]);
        assert_eq!(
            *log.borrow(),
            ["a1", "b1", "a2", "b2", "b2", "a2", "b1", "a1"]
        );
        assert_eq!((one.ratio, two.ratio), (3.0, 0.5));
        assert_eq!((one.pairs, two.a_ns), (2, 2e6));
    }

    #[test]
    fn per_call_divides_by_the_calls() {
        let mut calls = 0;
        let t = per_call(10, || {
            calls += 1;
            std::thread::sleep(Duration::from_millis(1));
        });
        assert_eq!(calls, 10);
        assert!(
            t >= Duration::from_millis(1) && t < Duration::from_millis(50),
            "{t:?}"
        );
    }

    #[test]
    fn median_of_an_even_count_is_the_upper_middle() {
        assert_eq!(median(vec![4.0, 1.0, 3.0, 2.0]), 3.0);
        assert!(median(Vec::new()).is_nan());
    }
}
