//! Capture the `tracing` output of the SDK in a test: every closed span with its fields and every
//! event, so a test can assert the stable fields of `stack_auth.verify` (strategy, outcome,
//! reason, cache, ...) and that no token or secret ever appears in them.
//!
//! ```
//! use stack_auth_testkit::tracing_capture::capture;
//!
//! let (captured, _guard) = capture();
//! tracing::debug_span!("stack_auth.verify", strategy = "jwks").in_scope(|| {});
//! assert_eq!(captured.only("stack_auth.verify").get("strategy"), Some("jwks"));
//! assert!(!captured.all_text().contains("eyJ"));
//! ```

use std::{
    collections::BTreeMap,
    fmt,
    sync::{Arc, Mutex, Once},
};

use tracing::{
    field::{Field, Visit},
    level_filters::LevelFilter,
    span,
    subscriber::{DefaultGuard, Interest},
    Event, Metadata, Subscriber,
};
use tracing_subscriber::{
    layer::{Context, SubscriberExt as _},
    registry::LookupSpan,
    Layer, Registry,
};

/// A closed span: its name and the fields it was given or recorded.
#[derive(Debug, Clone)]
pub struct SpanRecord {
    /// The span's name, e.g. `stack_auth.verify`.
    pub name: &'static str,
    /// Every field given at creation or recorded later, formatted.
    pub fields: BTreeMap<&'static str, String>,
}

impl SpanRecord {
    /// The value of `field`, if recorded.
    pub fn get(&self, field: &str) -> Option<&str> {
        self.fields.get(field).map(String::as_str)
    }
}

/// What the capturing layer saw; clones share the same record.
#[derive(Debug, Clone, Default)]
pub struct Captured {
    spans: Arc<Mutex<Vec<SpanRecord>>>,
    text: Arc<Mutex<String>>,
}

impl Captured {
    /// The closed spans named `name`, in closing order.
    pub fn spans(&self, name: &str) -> Vec<SpanRecord> {
        let spans = lock(&self.spans);
        spans.iter().filter(|s| s.name == name).cloned().collect()
    }

    /// The one closed span named `name`.
    ///
    /// # Panics
    ///
    /// When there is not exactly one (this is an assertion helper for tests).
    pub fn only(&self, name: &str) -> SpanRecord {
        let mut spans = self.spans(name);
        assert_eq!(spans.len(), 1, "spans named {name}: {spans:#?}");
        spans.remove(0)
    }

    /// Every span field and event field seen so far, as text.
    pub fn all_text(&self) -> String {
        let spans = lock(&self.spans);
        let mut text = lock(&self.text).clone();
        for s in spans.iter() {
            text.push_str(&format!("{s:?}\n"));
        }
        text
    }

    /// Forgets what was seen.
    pub fn clear(&self) {
        lock(&self.spans).clear();
        lock(&self.text).clear();
    }
}

#[derive(Default)]
struct Fields(BTreeMap<&'static str, String>);

impl Visit for Fields {
    fn record_str(&mut self, field: &Field, value: &str) {
        self.0.insert(field.name(), value.to_owned());
    }

    fn record_debug(&mut self, field: &Field, value: &dyn fmt::Debug) {
        self.0.insert(field.name(), format!("{value:?}"));
    }
}

struct CaptureLayer(Captured);

impl<S: Subscriber + for<'a> LookupSpan<'a>> Layer<S> for CaptureLayer {
    fn on_new_span(&self, attrs: &span::Attributes<'_>, id: &span::Id, ctx: Context<'_, S>) {
        let mut fields = Fields::default();
        attrs.record(&mut fields);
        if let Some(span) = ctx.span(id) {
            span.extensions_mut().insert(fields);
        }
    }

    fn on_record(&self, id: &span::Id, values: &span::Record<'_>, ctx: Context<'_, S>) {
        let Some(span) = ctx.span(id) else { return };
        let mut extensions = span.extensions_mut();
        if let Some(fields) = extensions.get_mut::<Fields>() {
            values.record(fields);
        }
    }

    fn on_event(&self, event: &Event<'_>, _ctx: Context<'_, S>) {
        let mut fields = Fields::default();
        event.record(&mut fields);
        let line = format!("{} {:?}\n", event.metadata().target(), fields.0);
        lock(&self.0.text).push_str(&line);
    }

    fn on_close(&self, id: span::Id, ctx: Context<'_, S>) {
        let Some(span) = ctx.span(&id) else { return };
        let fields = span
            .extensions_mut()
            .remove::<Fields>()
            .unwrap_or_default()
            .0;
        let record = SpanRecord {
            name: span.name(),
            fields,
        };
        lock(&self.0.spans).push(record);
    }
}

/// Captures every span and event of this thread (all levels) until the guard drops.
///
/// Like [`scoped`], it first makes sure no other test thread can hide a span from it.
pub fn capture() -> (Captured, DefaultGuard) {
    let captured = Captured::default();
    let subscriber = Registry::default().with(CaptureLayer(captured.clone()));
    (captured, scoped(subscriber))
}

/// `tracing::subscriber::set_default(subscriber)`, safe when tests run in parallel threads.
///
/// tracing-core caches, once per process, whether each span or event site is wanted at all,
/// and while a single subscriber is registered it asks only the thread that reaches the site
/// first (tokio-rs/tracing#3611). A concurrent test with no subscriber would then switch the
/// site off for every thread, and a capture would miss it. So the first call also installs,
/// unless a global default is already set, a process-wide subscriber that records nothing but
/// keeps every site asked of each thread's own subscriber. Set your own global default before
/// the first call if the process needs one.
pub fn scoped(subscriber: impl Subscriber + Send + Sync + 'static) -> DefaultGuard {
    static KEEP_INTEREST: Once = Once::new();
    KEEP_INTEREST.call_once(|| {
        // An error means a global default exists already; it keeps sites registered too.
        let _ = tracing::subscriber::set_global_default(KeepInterest);
    });
    tracing::subscriber::set_default(subscriber)
}

/// Records nothing; answers "sometimes" for every site, so that whether a span or event is
/// recorded is decided by the current thread's subscriber each time.
struct KeepInterest;

impl Subscriber for KeepInterest {
    fn register_callsite(&self, _: &'static Metadata<'static>) -> Interest {
        Interest::sometimes()
    }

    fn max_level_hint(&self) -> Option<LevelFilter> {
        Some(LevelFilter::TRACE)
    }

    fn enabled(&self, _: &Metadata<'_>) -> bool {
        false
    }

    fn new_span(&self, _: &span::Attributes<'_>) -> span::Id {
        span::Id::from_u64(1)
    }

    fn record(&self, _: &span::Id, _: &span::Record<'_>) {}

    fn record_follows_from(&self, _: &span::Id, _: &span::Id) {}

    fn event(&self, _: &Event<'_>) {}

    fn enter(&self, _: &span::Id) {}

    fn exit(&self, _: &span::Id) {}
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn probe() {
        tracing::debug_span!("stack_auth.test.probe").in_scope(|| {});
    }

    /// The site is first reached by a thread without a subscriber while this thread captures:
    /// with a plain `set_default` tracing-core would switch it off for the whole process.
    #[test]
    fn a_site_first_reached_by_a_thread_without_a_subscriber_is_still_captured() {
        let (seen, _guard) = capture();
        std::thread::spawn(probe).join().unwrap();
        probe();
        assert_eq!(seen.spans("stack_auth.test.probe").len(), 1);
    }
}
