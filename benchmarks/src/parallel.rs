//! Running one call per token on several OS threads at once.

use std::time::{Duration, Instant};

/// Makes `iters` calls of `call` (cycling through `tokens`, each thread starting at its own
/// offset) split evenly over `threads` OS threads spawned for the purpose, each inside
/// `context`'s runtime when given, and returns the wall time scaled to exactly `iters` calls
/// (the shape of criterion's `iter_custom`).
///
/// # Panics
///
/// When `tokens` is empty, `threads` is zero or `call` panics.
pub fn on_threads(
    context: Option<&tokio::runtime::Handle>,
    tokens: &[String],
    threads: usize,
    iters: u64,
    call: impl Fn(&str) + Sync,
) -> Duration {
    assert!(threads > 0 && !tokens.is_empty(), "nothing to run");
    let per_thread = iters.div_ceil(threads as u64).max(1);
    let call = &call;
    let start = Instant::now();
    std::thread::scope(|scope| {
        for t in 0..threads {
            scope.spawn(move || {
                let _runtime = context.map(tokio::runtime::Handle::enter);
                let offset = t * tokens.len() / threads;
                for i in 0..per_thread {
                    call(&tokens[(offset + i as usize) % tokens.len()]);
                }
            });
        }
    });
    let done = per_thread * threads as u64;
    start.elapsed().mul_f64(iters as f64 / done as f64)
}

#[cfg(test)]
mod tests {
    use std::{
        collections::HashSet,
        sync::{
            atomic::{AtomicU64, Ordering},
            Mutex,
        },
    };

    use super::*;

    #[test]
    fn makes_the_calls_on_that_many_threads() {
        let tokens: Vec<String> = (0..10).map(|i| i.to_string()).collect();
        let calls = AtomicU64::new(0);
        let threads = Mutex::new(HashSet::new());
        on_threads(None, &tokens, 2, 100, |_| {
            calls.fetch_add(1, Ordering::Relaxed);
            threads.lock().unwrap().insert(std::thread::current().id());
        });
        assert_eq!(calls.load(Ordering::Relaxed), 100);
        assert_eq!(threads.lock().unwrap().len(), 2);
        assert!(!threads
            .lock()
            .unwrap()
            .contains(&std::thread::current().id()));
    }

    #[test]
    fn rounds_up_and_scales_the_time_back() {
        let tokens = vec!["t".to_owned()];
        let calls = AtomicU64::new(0);
        on_threads(None, &tokens, 2, 3, |_| {
            calls.fetch_add(1, Ordering::Relaxed);
        });
        assert_eq!(calls.load(Ordering::Relaxed), 4);
    }

    #[test]
    fn enters_the_runtime_when_given() {
        let rt = crate::runtime(1);
        let tokens = vec!["t".to_owned()];
        on_threads(Some(rt.handle()), &tokens, 1, 1, |_| {
            assert!(tokio::runtime::Handle::try_current().is_ok());
        });
        on_threads(None, &tokens, 1, 1, |_| {
            assert!(tokio::runtime::Handle::try_current().is_err());
        });
    }
}
