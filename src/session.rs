//! The cluster session the Live cluster and Diagnosis pages share: a live connection or an
//! opened recording, with one typed snapshot per poll. It lives as long as the app, so a
//! live connection keeps polling while the user reads its diagnosis.

use std::sync::Arc;

use leptos::prelude::*;
use memlab_flink::recording::{Recording, Snapshot};

/// The recording shipped with the app (relative: works from any sub-path).
pub const BUNDLED: &str = "public/recordings/local-2tm.memlab.json";

/// Real recordings of a local Flink 2.3.0 cluster (tools/record-diagnosis.sh), for the
/// Diagnosis page: (file, what it shows).
pub const DIAGNOSIS_RECORDINGS: [(&str, &str); 4] = [
    ("public/recordings/heap-leak.memlab.json", "keyed heap state that grows without bound"),
    ("public/recordings/managed-idle.memlab.json", "heap state backend with Flink's default managed memory"),
    ("public/recordings/rocksdb.memlab.json", "RocksDB using its managed memory"),
    ("public/recordings/healthy.memlab.json", "a healthy job, memory sized for it"),
];

#[derive(Clone, Debug, PartialEq)]
pub enum Source {
    None,
    Live(String),
    File(String),
}

pub fn now_ms() -> u64 {
    js_sys::Date::now() as u64
}

#[derive(Clone, Copy, Debug)]
pub struct Session {
    pub source: RwSignal<Source>,
    pub recording: RwSignal<Option<Arc<Recording>>>,
    /// Kept in step with `recording`: one typed snapshot per poll, appended as polls arrive
    /// (never recomputed from scratch, so a long live session stays cheap).
    pub snapshots: RwSignal<Arc<Vec<Snapshot>>>,
    pub problem: RwSignal<Option<String>>,
    pub loading: RwSignal<Option<String>>,
    /// Each connection gets a generation: a newer one (or Stop) ends older polling loops.
    pub generation: StoredValue<u32>,
}

impl Session {
    pub fn new() -> Session {
        Session {
            source: RwSignal::new(Source::None),
            recording: RwSignal::new(None),
            snapshots: RwSignal::new(Arc::new(Vec::new())),
            problem: RwSignal::new(None),
            loading: RwSignal::new(None),
            generation: StoredValue::new(0),
        }
    }

    /// Opens a recording (or a Prometheus scrape) a few hundred polls at a time, letting the
    /// page paint between chunks, so a big file does not freeze it.
    pub fn open_text(self, label: String, text: String) {
        let Session { source, recording, snapshots, problem, loading, generation } = self;
        leptos::task::spawn_local(async move {
            if !text.trim_start().starts_with('{') && memlab_flink::prometheus::looks_like_scrape(&text) {
                let r = Recording::from_prometheus(&label, &text, now_ms());
                generation.update_value(|g| *g += 1);
                snapshots.set(Arc::new(r.snapshots()));
                recording.set(Some(Arc::new(r)));
                source.set(Source::File(label));
                problem.set(None);
                loading.set(None);
                return;
            }
            let (head, raw) = match Recording::parse_lazy(&text) {
                Ok(x) => x,
                Err(e) => {
                    problem.set(Some(format!("{label}: {e}")));
                    loading.set(None);
                    return;
                }
            };
            drop(text);
            let mut rec = head;
            let mut snaps = Vec::with_capacity(raw.len());
            for (chunk_no, chunk) in raw.chunks(200).enumerate() {
                for (i, r) in chunk.iter().enumerate() {
                    match Recording::parse_poll(r, chunk_no * 200 + i) {
                        Ok(p) => {
                            snaps.push(Snapshot::from_poll(&p));
                            rec.polls.push(p);
                        }
                        Err(e) => {
                            problem.set(Some(format!("{label}: {e}")));
                            loading.set(None);
                            return;
                        }
                    }
                }
                loading.set(Some(format!("Reading {label}: {} of {} polls…", rec.polls.len(), raw.len())));
                gloo_timers::future::TimeoutFuture::new(0).await;
            }
            generation.update_value(|g| *g += 1);
            snapshots.set(Arc::new(snaps));
            recording.set(Some(Arc::new(rec)));
            source.set(Source::File(label));
            problem.set(None);
            loading.set(None);
        });
    }

    pub fn open_url(self, u: String) {
        let problem = self.problem;
        self.loading.set(Some(format!("Loading {u}…")));
        leptos::task::spawn_local(async move {
            match gloo_net::http::Request::get(&u).send().await {
                Ok(r) if r.ok() => match r.text().await {
                    Ok(t) => self.open_text(u.clone(), t),
                    Err(e) => problem.set(Some(format!("{u}: could not read the file: {e}"))),
                },
                Ok(r) => problem.set(Some(format!("{u}: HTTP {} — the recording is not there.", r.status()))),
                Err(e) => problem.set(Some(format!("{u}: {e}"))),
            }
            if problem.get_untracked().is_some() {
                self.loading.set(None);
            }
        });
    }

    pub fn open_file(self, file: web_sys::File) {
        let name = file.name();
        let mb = file.size() / 1e6;
        let loading = self.loading;
        loading.set(Some(format!("Reading {name} ({mb:.1} MB)…")));
        leptos::task::spawn_local(async move {
            let text = wasm_bindgen_futures::JsFuture::from(file.text()).await;
            // Let the page paint "Parsing…" before the (synchronous) parse starts.
            loading.set(Some(format!("Parsing {name} ({mb:.1} MB)…")));
            gloo_timers::future::TimeoutFuture::new(30).await;
            match text {
                Ok(t) => self.open_text(name, t.as_string().unwrap_or_default()),
                Err(_) => {
                    self.problem.set(Some(format!("{name}: the browser could not read this file.")));
                    loading.set(None);
                }
            }
        });
    }
}

impl Default for Session {
    fn default() -> Self {
        Session::new()
    }
}
