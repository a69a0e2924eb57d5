use std::{
    sync::atomic::{AtomicUsize, Ordering},
    time::Duration,
};

use super::*;

fn spawn(work: Task) -> Result<(), VerifyError> {
    tokio::spawn(work);
    Ok(())
}

fn leader(joined: Result<Joined<u32>, VerifyError>) -> (Flight<u32>, bool) {
    match joined.unwrap() {
        Joined::Flight { flight, leader } => (flight, leader),
        Joined::Cached(_) => panic!("expected a flight"),
    }
}

#[tokio::test(start_paused = true)]
async fn concurrent_callers_share_one_task_even_if_the_leader_is_cancelled() {
    let flights: SingleFlight<u8, u32> = SingleFlight::new();
    let runs = Arc::new(AtomicUsize::new(0));
    let start = |runs: Arc<AtomicUsize>| {
        move || async move {
            runs.fetch_add(1, Ordering::SeqCst);
            tokio::time::sleep(Duration::from_secs(1)).await;
            Ok(7)
        }
    };
    let (first, is_leader) = leader(flights.join_or_start(1, || None, start(runs.clone()), spawn));
    assert!(is_leader);
    let (second, is_leader) = leader(flights.join_or_start(1, || None, start(runs.clone()), spawn));
    assert!(!is_leader);
    assert!(flights.running(&1).is_some() && flights.running(&2).is_none());
    drop(first);
    assert_eq!(second.await.unwrap(), 7);
    assert_eq!(runs.load(Ordering::SeqCst), 1);
    tokio::task::yield_now().await;
    assert!(flights.is_empty());
    let cached = flights.join_or_start(1, || Some(Ok(8)), start(runs.clone()), spawn);
    assert!(matches!(cached, Ok(Joined::Cached(Ok(8)))));
}

#[tokio::test]
async fn a_panicking_flight_is_an_unexpected_error_for_every_waiter_and_is_cleared() {
    let flights: SingleFlight<u8, u32> = SingleFlight::new();
    let (a, _) = leader(flights.join_or_start(2, || None, || async { panic!("boom") }, spawn));
    let (b, _) = leader(flights.join_or_start(2, || None, || async { Ok(1) }, spawn));
    for err in [a.await.unwrap_err(), b.await.unwrap_err()] {
        assert_eq!(err.http_status(), 500);
        assert!(err.to_string().contains("panicked"), "{err}");
    }
    tokio::task::yield_now().await;
    assert_eq!(flights.len(), 0);
}

#[tokio::test]
async fn a_failing_spawn_leaves_nothing_in_flight() {
    let flights: SingleFlight<u8, u32> = SingleFlight::new();
    let refuse = |_work: Task| -> Result<(), VerifyError> {
        Err(Misconfiguration::new(MisconfigKind::UnexpectedError).into())
    };
    let err = flights
        .join_or_start(3, || None, || async { Ok(1) }, refuse)
        .unwrap_err();
    assert_eq!(err.http_status(), 500);
    assert!(flights.is_empty());
    let (next, is_leader) = leader(flights.join_or_start(3, || None, || async { Ok(2) }, spawn));
    assert!(is_leader);
    assert_eq!(next.await.unwrap(), 2);
}

/// A flight whose task is dropped with its runtime leaves the map: the next caller, on another
/// runtime, starts a new one instead of waiting forever.
#[test]
fn a_flight_dropped_with_its_runtime_is_cleared() {
    let flights: Arc<SingleFlight<u8, u32>> = Arc::new(SingleFlight::new());
    let a = tokio::runtime::Builder::new_current_thread()
        .enable_time()
        .build()
        .unwrap();
    a.block_on(async {
        let (flight, _) = leader(flights.join_or_start(
            4,
            || None,
            || async {
                std::future::pending::<()>().await;
                Ok(0)
            },
            spawn,
        ));
        drop(flight);
        tokio::task::yield_now().await;
    });
    assert_eq!(flights.len(), 1);
    drop(a);
    assert!(flights.is_empty());
    let b = tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap();
    let value = b.block_on(async {
        let (flight, is_leader) =
            leader(flights.join_or_start(4, || None, || async { Ok(5) }, spawn));
        assert!(is_leader);
        flight.await
    });
    assert_eq!(value.unwrap(), 5);
}
