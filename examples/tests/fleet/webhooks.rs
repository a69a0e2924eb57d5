//! A webhook delivered to one instance reaches every instance: the stand-in posts `user.deleted`
//! to the first instance's receiver over HTTP, which evicts into its bus; every instance then
//! refuses the deleted user's token, cached or not, without asking Stack Auth. The delay from
//! the deletion to each instance's refusal is measured (p50, p99 on loopback) and printed.

use std::time::{Duration, Instant};

use stack_auth::{
    testkit::{Route, UserSpec},
    Eviction, RefusalReason, TokenVerifier,
};

use stack_auth::testkit::{eventually, quantile};

use crate::support::{Fleet, Tuning};

const INSTANCES: usize = 3;
const DELETIONS: usize = 40;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_webhook_delivered_to_one_instance_makes_every_instance_refuse_the_deleted_user() {
    let fleet = Fleet::start(INSTANCES, Tuning::PATIENT).await;
    let bob = fleet.stack.create_user(UserSpec::normal()).unwrap();
    let bobs = fleet.stack.mint(&bob);
    for instance in &fleet.instances {
        instance.verifier.verify(&bobs).await.unwrap();
    }
    let (mut first, mut every) = (Vec::new(), Vec::new());
    for _ in 0..DELETIONS {
        let ada = fleet.stack.create_user(UserSpec::normal()).unwrap();
        let (cached, fresh) = (fleet.stack.mint(&ada), fleet.stack.mint(&ada));
        for instance in &fleet.instances {
            instance.verifier.verify(&cached).await.unwrap();
        }
        fleet.settled().await; // user.created: nothing to evict
        fleet.stack.reset_counts();

        let deleted = Instant::now();
        fleet.stack.delete_user(&ada.id).unwrap();
        let gone = Eviction::UserDeleted {
            user_id: ada.id.clone(),
        };
        eventually("every instance heard it", || async {
            fleet.heard.iter().all(|h| h.when(&gone).is_some())
        })
        .await;
        let at: Vec<Duration> = fleet
            .heard
            .iter()
            .filter_map(|h| h.when(&gone))
            .map(|t| t.duration_since(deleted))
            .collect();
        first.push(at[0]);
        every.push(at.iter().copied().max().unwrap_or_default());

        for (i, instance) in fleet.instances.iter().enumerate() {
            for token in [&cached, &fresh] {
                let e = instance.verifier.verify(token).await.unwrap_err();
                assert_eq!(
                    e.refusal_reason(),
                    Some(RefusalReason::UserNotFound),
                    "instance {i}"
                );
            }
            assert_eq!(
                instance.verifier.verify(&bobs).await.unwrap().user_id(),
                bob.id
            );
        }
        assert_eq!(
            fleet.stack.requests(Route::UsersMe),
            0,
            "refused without asking Stack Auth; Bob from the caches"
        );
    }
    let deliveries = fleet.stack.webhook_deliveries();
    assert!(deliveries.iter().all(|d| d.attempts.len() == 1));
    first.sort();
    every.sort();
    let published: u64 = fleet
        .instances
        .iter()
        .map(|i| i.bus.stats().published)
        .sum();
    assert_eq!(published, DELETIONS as u64, "each deletion published once");
    println!(
        "user deleted in Stack Auth → refused by the instance the webhook reached: p50 {:?}, \
         p99 {:?}; by every one of {INSTANCES} instances: p50 {:?}, p99 {:?}, max {:?} \
         ({DELETIONS} deletions, loopback)",
        quantile(&first, 0.5),
        quantile(&first, 0.99),
        quantile(&every, 0.5),
        quantile(&every, 0.99),
        every.last().copied().unwrap_or_default()
    );
}
