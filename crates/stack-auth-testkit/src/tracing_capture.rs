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
    sync::{Arc, Mutex},
};

use tracing::{
    field::{Field, Visit},
    span, Event, Subscriber,
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
pub fn capture() -> (Captured, tracing::subscriber::DefaultGuard) {
    let captured = Captured::default();
    let subscriber = Registry::default().with(CaptureLayer(captured.clone()));
    (captured, tracing::subscriber::set_default(subscriber))
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}
