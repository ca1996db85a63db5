//! What the Live cluster and Diagnosis pages read from the address bar: the source their
//! shared session opens (`recording=` or `cluster=`), and each page's own settings.

use crate::route::Route;

/// The polling intervals offered (seconds); Flink refreshes metrics every 10 s by default
/// (`metrics.fetcher.update-interval`), so polling faster shows nothing new there.
pub const INTERVALS_S: [u32; 5] = [1, 2, 5, 10, 30];
pub const DEFAULT_INTERVAL_S: u32 = 5;

/// What the session shows.
#[derive(Clone, Debug, PartialEq)]
pub enum Source {
    None,
    /// Polling a REST API (its base address).
    Live(String),
    /// An opened recording (its address or file name).
    File(String),
    /// A window read from a Prometheus (its base address), following live when it ends now.
    Prometheus(String),
}

/// The source an address asks the session to open. A recording wins over a Prometheus,
/// which wins over a cluster (whose address then serves the sizes Prometheus lacks).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Open {
    Recording(String),
    Cluster(String),
    Prometheus(PromWindow),
}

/// A Prometheus window as the address names it.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct PromWindow {
    pub url: String,
    /// `30m`, `6h`, `7d`; None: an hour.
    pub range: Option<String>,
    /// Unix seconds or RFC 3339; None: now, and following live.
    pub end: Option<String>,
    /// The cluster's REST address, for the configured sizes.
    pub cluster: Option<String>,
    /// The label that names a TaskManager (custom `metrics.scope.*`); None: Flink's `tm_id`.
    pub tm_label: Option<String>,
}

impl Open {
    pub fn from_route(route: &Route) -> Option<Open> {
        match (route.get("recording"), route.get("prometheus"), route.get("cluster")) {
            (Some(r), _, _) => Some(Open::Recording(r.to_owned())),
            (None, Some(p), c) => Some(Open::Prometheus(PromWindow {
                url: p.to_owned(),
                range: route.get("range").map(str::to_owned),
                end: route.get("end").map(str::to_owned),
                cluster: c.map(str::to_owned),
                tm_label: route.get("tm_label").map(str::to_owned),
            })),
            (None, None, Some(c)) => Some(Open::Cluster(c.to_owned())),
            (None, None, None) => None,
        }
    }

    /// `route` naming this source (and not the other kinds).
    pub fn to_route(&self, route: Route) -> Route {
        let route = route.with("range", None).with("end", None).with("tm_label", None);
        match self {
            Open::Recording(r) => {
                route.with("recording", Some(r)).with("cluster", None).with("prometheus", None)
            }
            Open::Cluster(c) => {
                route.with("cluster", Some(c)).with("recording", None).with("prometheus", None)
            }
            Open::Prometheus(w) => route
                .with("prometheus", Some(&w.url))
                .with("range", w.range.as_deref())
                .with("end", w.end.as_deref())
                .with("cluster", w.cluster.as_deref())
                .with("tm_label", w.tm_label.as_deref())
                .with("recording", None),
        }
    }

    /// Whether the session already shows this source (coming back from the other page).
    pub fn is_open(&self, source: &Source) -> bool {
        let bare = |u: &str| u.trim().trim_end_matches('/').to_owned();
        match self {
            Open::Recording(r) => *source == Source::File(r.clone()),
            Open::Cluster(c) => *source == Source::Live(bare(c)),
            Open::Prometheus(w) => *source == Source::Prometheus(bare(&w.url)),
        }
    }
}

/// The Live cluster page's own settings.
#[derive(Clone, Debug, PartialEq)]
pub struct ClusterState {
    /// The REST address in the connect field.
    pub url: String,
    /// The network segment size assumed (the REST API does not report
    /// `taskmanager.memory.segment-size`).
    pub segment: u64,
    /// Seconds between polls, when the address names one memlab offers.
    pub interval: Option<u32>,
    /// The poll shown (a link from Diagnosis evidence); None follows the newest.
    pub at: Option<usize>,
}

pub const DEFAULT_URL: &str = "http://127.0.0.1:8081";
pub const DEFAULT_SEGMENT: u64 = 32 << 10;

impl Default for ClusterState {
    fn default() -> Self {
        ClusterState { url: DEFAULT_URL.to_owned(), segment: DEFAULT_SEGMENT, interval: None, at: None }
    }
}

impl ClusterState {
    /// What the address says; what it cannot say (a segment under 1 KiB, an interval not
    /// offered, an `at` that is no number) keeps the default.
    pub fn from_route(route: &Route) -> ClusterState {
        ClusterState {
            url: route.get("cluster").unwrap_or(DEFAULT_URL).to_owned(),
            segment: route
                .get("segment")
                .and_then(|s| memlab_size::MemorySize::parse(s).ok())
                .map(|m| m.bytes())
                .filter(|b| *b >= 1024)
                .unwrap_or(DEFAULT_SEGMENT),
            interval: route.get("interval").and_then(|s| s.parse().ok()).filter(|s| INTERVALS_S.contains(s)),
            at: route.get("at").and_then(|a| a.parse().ok()),
        }
    }

    pub fn to_route(&self, route: Route) -> Route {
        let segment =
            (self.segment != DEFAULT_SEGMENT).then(|| memlab_size::MemorySize::new(self.segment).to_string());
        route
            .with("segment", segment.as_deref())
            .with("interval", self.interval.map(|i| i.to_string()).as_deref())
            .with("at", self.at.map(|a| a.to_string()).as_deref())
    }
}

/// The Diagnosis page's own setting: the container limit as typed (`container=2g`).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct DiagnosisState {
    pub container: String,
    /// The Tune section is open (`tune=1`), with its headroom (`headroom=0.3`) and whether
    /// it shrinks the process (`shrink=1`).
    pub tune: bool,
    pub headroom: String,
    pub shrink: bool,
}

impl DiagnosisState {
    pub fn from_route(route: &Route) -> DiagnosisState {
        DiagnosisState {
            container: route.get("container").unwrap_or("").to_owned(),
            tune: route.get("tune") == Some("1"),
            headroom: route.get("headroom").unwrap_or("").to_owned(),
            shrink: route.get("shrink") == Some("1"),
        }
    }

    pub fn to_route(&self, route: Route) -> Route {
        let c = self.container.trim();
        let h = self.headroom.trim();
        route
            .with("container", (!c.is_empty()).then_some(c))
            .with("tune", self.tune.then_some("1"))
            .with("headroom", (self.tune && !h.is_empty()).then_some(h))
            .with("shrink", (self.tune && self.shrink).then_some("1"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn route(q: &str) -> Route {
        Route::from_query(q)
    }

    #[test]
    fn the_source_round_trips_and_a_recording_wins() {
        for open in [
            Open::Recording("public/recordings/heap-leak.memlab.json".into()),
            Open::Cluster("http://h:8081".into()),
            Open::Prometheus(PromWindow {
                url: "http://p:9090".into(),
                range: Some("6h".into()),
                end: Some("2026-12-03T10:00:00Z".into()),
                cluster: Some("http://h:8081".into()),
                tm_label: Some("pod".into()),
            }),
            Open::Prometheus(PromWindow { url: "http://p:9090".into(), ..PromWindow::default() }),
        ] {
            let r = open.to_route(route("?view=diagnosis&recording=x&cluster=y&range=1d"));
            assert_eq!(Open::from_route(&route(&r.to_query())), Some(open));
        }
        assert_eq!(Open::from_route(&route("?cluster=a&recording=b")), Some(Open::Recording("b".into())));
        assert_eq!(Open::from_route(&route("?view=cluster")), None);
        // The session normalises a cluster address; the address need not.
        assert!(Open::Cluster("http://h:8081/ ".into()).is_open(&Source::Live("http://h:8081".into())));
        assert!(!Open::Recording("a".into()).is_open(&Source::Live("a".into())));
        // With both, the cluster's address serves Prometheus's window.
        assert!(matches!(
            Open::from_route(&route("?cluster=a&prometheus=p")),
            Some(Open::Prometheus(PromWindow { cluster: Some(c), .. })) if c == "a"
        ));
    }

    #[test]
    fn cluster_settings_round_trip() {
        let states = [
            ClusterState::default(),
            ClusterState {
                segment: 64 << 10,
                interval: Some(INTERVALS_S[0]),
                at: Some(12),
                ..ClusterState::default()
            },
            ClusterState { segment: 4 << 20, at: Some(0), ..ClusterState::default() },
        ];
        for st in states {
            let r = st.to_route(route("?view=cluster&lesson=live"));
            assert_eq!(r.get("lesson"), Some("live"));
            assert_eq!(ClusterState::from_route(&route(&r.to_query())), st, "{}", r.to_query());
        }
        let bad = ClusterState::from_route(&route("?segment=12b&interval=7&at=last"));
        assert_eq!(bad, ClusterState::default());
    }

    #[test]
    fn the_container_limit_round_trips_as_typed() {
        for c in ["", "2g", "1536 mb"] {
            let st = DiagnosisState { container: c.into(), ..DiagnosisState::default() };
            let r = st.to_route(Route::default());
            assert_eq!(DiagnosisState::from_route(&route(&r.to_query())), st);
        }
        assert_eq!(
            DiagnosisState { container: "  ".into(), ..DiagnosisState::default() }
                .to_route(Route::default())
                .get("container"),
            None
        );
    }
}
