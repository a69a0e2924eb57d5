//! The webhook outbox: deliveries queued by changes, sent in order by one background task with
//! retries, each attempt signed afresh and recorded (PROTOCOL §10.5.1).

use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use bytes::Bytes;
use http::{header, Request};
use http_body_util::Full;
use hyper_util::rt::TokioIo;
use tokio::net::TcpStream;
use tokio::sync::{mpsc, watch};

use super::state::State;
use super::store::{Event, WebhookEndpoint};
use crate::webhook::random_message_id;
use crate::{
    DeliveryAttempt, DeliveryState, SignedWebhook, WebhookDelivery, WebhookHeaders, WebhookSecret,
};

/// The default pauses before the 2nd, 3rd and 4th attempt of a failed delivery.
pub const DEFAULT_WEBHOOK_RETRY_DELAYS: [Duration; 3] = [
    Duration::from_millis(100),
    Duration::from_millis(500),
    Duration::from_secs(2),
];

/// The default time an attempt may take before it counts as failed (Svix's 15 s).
pub const DEFAULT_WEBHOOK_TIMEOUT: Duration = Duration::from_secs(15);

/// How deliveries are sent.
#[derive(Debug, Clone)]
pub(crate) struct OutboxConfig {
    pub(crate) headers: WebhookHeaders,
    pub(crate) retry_delays: Vec<Duration>,
    pub(crate) timeout: Duration,
}

/// One queued delivery.
pub(crate) struct Job {
    index: usize,
    url: String,
    secret: WebhookSecret,
}

/// The deliveries so far and the queue to the sending task.
#[derive(Debug)]
pub(crate) struct Outbox {
    pub(crate) config: OutboxConfig,
    log: Mutex<Vec<WebhookDelivery>>,
    queue: mpsc::UnboundedSender<Job>,
    receiver: Mutex<Option<mpsc::UnboundedReceiver<Job>>>,
    pending: watch::Sender<usize>,
}

impl std::fmt::Debug for Job {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Job")
            .field("index", &self.index)
            .finish_non_exhaustive()
    }
}

impl Outbox {
    pub(crate) fn new(config: OutboxConfig) -> Self {
        let (queue, receiver) = mpsc::unbounded_channel();
        Outbox {
            config,
            log: Mutex::new(Vec::new()),
            queue,
            receiver: Mutex::new(Some(receiver)),
            pending: watch::channel(0).0,
        }
    }

    fn log(&self) -> MutexGuard<'_, Vec<WebhookDelivery>> {
        self.log.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Queues one delivery per event for `endpoint` (nothing when it has no URL).
    pub(crate) fn emit(&self, project_id: &str, endpoint: &WebhookEndpoint, events: Vec<Event>) {
        let Some(url) = &endpoint.url else { return };
        for event in events {
            let index = {
                let mut log = self.log();
                log.push(WebhookDelivery {
                    project_id: project_id.to_owned(),
                    event_type: event.kind.to_owned(),
                    message_id: random_message_id(),
                    body: event.body(),
                    attempts: Vec::new(),
                    state: DeliveryState::Pending,
                });
                log.len() - 1
            };
            self.pending.send_modify(|n| *n += 1);
            let job = Job {
                index,
                url: url.clone(),
                secret: endpoint.secret.clone(),
            };
            if self.queue.send(job).is_err() {
                self.finish(index, DeliveryState::Failed);
            }
        }
    }

    /// Every delivery so far, oldest first.
    pub(crate) fn deliveries(&self) -> Vec<WebhookDelivery> {
        self.log().clone()
    }

    /// Waits until no delivery is pending.
    pub(crate) async fn idle(&self) {
        let _ = self.pending.subscribe().wait_for(|n| *n == 0).await;
    }

    fn finish(&self, index: usize, state: DeliveryState) {
        if let Some(d) = self.log().get_mut(index) {
            d.state = state;
        }
        self.pending.send_modify(|n| *n = n.saturating_sub(1));
    }

    /// Takes the queue's receiving end (once, for the sending task).
    pub(crate) fn take_receiver(&self) -> Option<mpsc::UnboundedReceiver<Job>> {
        self.receiver
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .take()
    }
}

/// The sending task: one delivery at a time, in the order they were queued.
pub(crate) async fn run(state: Arc<State>, mut jobs: mpsc::UnboundedReceiver<Job>) {
    while let Some(job) = jobs.recv().await {
        deliver(&state, job).await;
    }
}

async fn deliver(state: &State, job: Job) {
    let outbox = &state.outbox;
    let (message_id, body) = match outbox.log().get(job.index) {
        Some(d) => (d.message_id.clone(), d.body.clone()),
        None => return,
    };
    let delays = outbox.config.retry_delays.clone();
    for attempt in 0..=delays.len() {
        if let Some(delay) = attempt.checked_sub(1).and_then(|i| delays.get(i)) {
            tokio::time::sleep(*delay).await;
        }
        let request = SignedWebhook::new(
            &job.secret,
            job.url.clone(),
            message_id.clone(),
            state.clock.unix_secs(),
            body.clone(),
            outbox.config.headers,
        );
        let answer = tokio::time::timeout(outbox.config.timeout, post(&request)).await;
        let (status, error) = match answer {
            Ok(Ok(status)) => (Some(status), None),
            Ok(Err(e)) => (None, Some(e)),
            Err(_) => (None, Some("timed out".to_owned())),
        };
        let ok = status.is_some_and(|s| (200..300).contains(&s));
        if let Some(d) = outbox.log().get_mut(job.index) {
            d.attempts.push(DeliveryAttempt {
                request,
                status,
                error,
            });
        }
        if ok {
            outbox.finish(job.index, DeliveryState::Delivered);
            return;
        }
    }
    outbox.finish(job.index, DeliveryState::Failed);
}

/// POSTs the request over plain HTTP/1.1 and returns the status.
async fn post(request: &SignedWebhook) -> Result<u16, String> {
    let url = url::Url::parse(&request.url).map_err(|e| format!("bad endpoint URL: {e}"))?;
    if url.scheme() != "http" {
        return Err("only http:// endpoints are supported".into());
    }
    let host = url.host_str().ok_or("the endpoint URL has no host")?;
    let port = url.port_or_known_default().unwrap_or(80);
    let stream = TcpStream::connect((host, port))
        .await
        .map_err(|e| format!("cannot connect: {e}"))?;
    let (mut sender, conn) = hyper::client::conn::http1::handshake(TokioIo::new(stream))
        .await
        .map_err(|e| format!("handshake failed: {e}"))?;
    tokio::spawn(conn);
    let target = match url.query() {
        Some(q) => format!("{}?{q}", url.path()),
        None => url.path().to_owned(),
    };
    let mut builder = Request::post(target)
        .header(header::HOST, format!("{host}:{port}"))
        .header(header::USER_AGENT, "stack-auth-testkit-webhooks");
    for (name, value) in &request.headers {
        builder = builder.header(name.as_str(), value.as_str());
    }
    let req = builder
        .body(Full::new(Bytes::from(request.body.clone())))
        .map_err(|e| format!("cannot build the request: {e}"))?;
    let res = sender
        .send_request(req)
        .await
        .map_err(|e| format!("request failed: {e}"))?;
    Ok(res.status().as_u16())
}
