//! A tracing layer keeping every closed span's name and fields, and every event's text, so tests
//! can assert on the stable fields (and on what never appears in them).
#![allow(dead_code, unreachable_pub, clippy::unwrap_used, clippy::expect_used)]

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
    pub name: &'static str,
    pub fields: BTreeMap<&'static str, String>,
}

impl SpanRecord {
    /// The value of `field`, if recorded.
    pub fn get(&self, field: &str) -> Option<&str> {
        self.fields.get(field).map(String::as_str)
    }
}

/// What the layer saw.
#[derive(Clone, Default)]
pub struct Captured {
    spans: Arc<Mutex<Vec<SpanRecord>>>,
    text: Arc<Mutex<String>>,
}

impl Captured {
    /// The closed spans named `name`, in closing order.
    pub fn spans(&self, name: &str) -> Vec<SpanRecord> {
        let spans = self.spans.lock().unwrap();
        spans.iter().filter(|s| s.name == name).cloned().collect()
    }

    /// The one closed span named `name` (panics if there is not exactly one).
    pub fn only(&self, name: &str) -> SpanRecord {
        let mut spans = self.spans(name);
        assert_eq!(spans.len(), 1, "spans named {name}: {spans:#?}");
        spans.remove(0)
    }

    /// Every span field and event field seen so far, as text.
    pub fn all_text(&self) -> String {
        let spans = self.spans.lock().unwrap();
        let mut text = self.text.lock().unwrap().clone();
        for s in spans.iter() {
            text.push_str(&format!("{s:?}\n"));
        }
        text
    }

    /// Forgets what was seen.
    pub fn clear(&self) {
        self.spans.lock().unwrap().clear();
        self.text.lock().unwrap().clear();
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
        ctx.span(id).unwrap().extensions_mut().insert(fields);
    }

    fn on_record(&self, id: &span::Id, values: &span::Record<'_>, ctx: Context<'_, S>) {
        let span = ctx.span(id).unwrap();
        let mut extensions = span.extensions_mut();
        if let Some(fields) = extensions.get_mut::<Fields>() {
            values.record(fields);
        }
    }

    fn on_event(&self, event: &Event<'_>, _ctx: Context<'_, S>) {
        let mut fields = Fields::default();
        event.record(&mut fields);
        let line = format!("{} {:?}\n", event.metadata().target(), fields.0);
        self.0.text.lock().unwrap().push_str(&line);
    }

    fn on_close(&self, id: span::Id, ctx: Context<'_, S>) {
        let span = ctx.span(&id).unwrap();
        let fields = span
            .extensions_mut()
            .remove::<Fields>()
            .unwrap_or_default()
            .0;
        let record = SpanRecord {
            name: span.name(),
            fields,
        };
        self.0.spans.lock().unwrap().push(record);
    }
}

/// Captures every span and event of this thread (all levels) until the guard drops.
pub fn capture() -> (Captured, tracing::subscriber::DefaultGuard) {
    let captured = Captured::default();
    let subscriber = Registry::default().with(CaptureLayer(captured.clone()));
    (captured, tracing::subscriber::set_default(subscriber))
}
