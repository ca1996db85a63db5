//! Where the app keeps its state in the address bar.
//!
//! Everything lives in the **query string** (`?view=calculator&…`), never in the path, so
//! that `dist/` works from any sub-path of a plain static server with no rewrite rules: a
//! reload or a shared link always fetches the same `index.html`, and the app reads the
//! query itself. The hash is left free for in-page anchors.
//!
//! | parameter    | used by            | meaning                                   |
//! |--------------|--------------------|-------------------------------------------|
//! | `view`       | all                | `allocator` (default), `calculator`, `cluster`, `diagnosis`, `lessons` |
//! | `script`     | allocator          | scenario text, plain URL-encoded          |
//! | `scenario`   | allocator          | name of a built-in scenario               |
//! | `policy`     | allocator          | allocation policy override                |
//! | `step`       | allocator          | timeline position                         |
//! | `cluster`    | cluster, diagnosis | Flink REST base URL (connects)            |
//! | `recording`  | cluster, diagnosis | URL of a `.memlab.json` recording to open |
//! | `prometheus` | cluster, diagnosis | a Prometheus's base URL: reads a window of Flink's metrics |
//! | `range`, `end` | cluster, diagnosis | that window: `30m`, `6h`, `7d` (default `1h`); its end, unix seconds or RFC 3339 (default now, then following live) |
//! | `at`         | cluster            | replay position (poll index)              |
//! | `interval`, `segment` | cluster   | poll interval (s), assumed segment size   |
//! | `container`  | diagnosis          | the container's memory limit, e.g. `2g`   |
//! | `lesson`, `ls` | any (lesson bar) | the lesson file and its step (1-based)    |
//! | `presenter`  | any                | `1`: presenter view (large type, no chrome) |
//! | `p`          | calculator         | `tm` (TaskManager, default) or `jm`       |
//! | `<option>`   | calculator         | any Flink option, e.g. `taskmanager.memory.process.size=4g` |
//!
//! A link that carries `cluster=`, `recording=` or `prometheus=` but no `view=` opens the cluster view; one that carries
//! `script=` or `scenario=` opens the allocator.

use std::fmt;

/// The top-level areas of the product, in navigation order.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum View {
    Allocator,
    Calculator,
    Cluster,
    Diagnosis,
    Lessons,
}

impl View {
    pub const ALL: [View; 5] =
        [View::Allocator, View::Calculator, View::Cluster, View::Diagnosis, View::Lessons];

    /// The value of `view=` in the URL.
    pub fn slug(self) -> &'static str {
        match self {
            View::Allocator => "allocator",
            View::Calculator => "calculator",
            View::Cluster => "cluster",
            View::Diagnosis => "diagnosis",
            View::Lessons => "lessons",
        }
    }

    pub fn from_slug(s: &str) -> Option<View> {
        View::ALL.into_iter().find(|v| v.slug() == s)
    }
}

impl fmt::Display for View {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.slug())
    }
}

/// The decoded query string: the view plus every other parameter, in order.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Route {
    pub view: View,
    params: Vec<(String, String)>,
}

impl Default for Route {
    fn default() -> Self {
        Route { view: View::Allocator, params: Vec::new() }
    }
}

impl Route {
    /// Parses `location.search` (with or without the leading `?`). Unknown views fall back
    /// to the default instead of showing an empty page.
    pub fn from_query(query: &str) -> Route {
        let query = query.strip_prefix('?').unwrap_or(query);
        let mut view = None;
        let mut params = Vec::new();
        for (k, v) in form_urlencoded::parse(query.as_bytes()) {
            if k == "view" {
                view = View::from_slug(&v);
            } else {
                params.push((k.into_owned(), v.into_owned()));
            }
        }
        let has = |name: &str| params.iter().any(|(k, _)| k == name);
        let view = view.unwrap_or(if has("cluster") || has("recording") || has("prometheus") {
            View::Cluster
        } else {
            View::Allocator
        });
        Route { view, params }
    }

    /// The `view=` a query names, if it names no view there is (the route shows the default
    /// one instead, and the shell says so).
    pub fn unknown_view(query: &str) -> Option<String> {
        let query = query.strip_prefix('?').unwrap_or(query);
        form_urlencoded::parse(query.as_bytes())
            .find(|(k, _)| k == "view")
            .map(|(_, v)| v.into_owned())
            .filter(|v| View::from_slug(v).is_none())
    }

    /// The query string for this route, starting with `?`.
    pub fn to_query(&self) -> String {
        // `for_suffix`: the pairs start after the `?` (no `?&view=`).
        let mut out = form_urlencoded::Serializer::for_suffix(String::from("?"), 1);
        out.append_pair("view", self.view.slug());
        for (k, v) in &self.params {
            out.append_pair(k, v);
        }
        out.finish()
    }

    /// Every parameter except `view`, in order.
    pub fn params(&self) -> impl Iterator<Item = (&str, &str)> {
        self.params.iter().map(|(k, v)| (k.as_str(), v.as_str()))
    }

    /// The same view with exactly these parameters.
    pub fn with_params(&self, params: Vec<(String, String)>) -> Route {
        Route { view: self.view, params }
    }

    pub fn get(&self, name: &str) -> Option<&str> {
        self.params.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str())
    }

    /// Sets (or with `None` removes) one parameter, keeping the others.
    pub fn with(mut self, name: &str, value: Option<&str>) -> Route {
        self.params.retain(|(k, _)| k != name);
        if let Some(v) = value {
            self.params.push((name.to_owned(), v.to_owned()));
        }
        self
    }

    /// Whether both routes open the same state: the same view and the same parameters, in
    /// any order.
    pub fn same_state(&self, other: &Route) -> bool {
        fn sorted(r: &Route) -> Vec<(&str, &str)> {
            let mut p: Vec<(&str, &str)> = r.params().collect();
            p.sort_unstable();
            p
        }
        self.view == other.view && sorted(self) == sorted(other)
    }

    /// Navigating to another area drops the parameters that belong to the old one, but
    /// keeps the cluster URL (the cluster and diagnosis views share it).
    pub fn navigate(&self, view: View) -> Route {
        let keep = |k: &str| {
            matches!(k, "cluster" | "recording" | "prometheus" | "range" | "end" | "tm_label" | "presenter")
        };
        Route { view, params: self.params.iter().filter(|(k, _)| keep(k)).cloned().collect() }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_view_that_does_not_exist_is_named() {
        assert_eq!(Route::unknown_view("?view=nope&step=2").as_deref(), Some("nope"));
        assert_eq!(Route::from_query("?view=nope&step=2").view, View::Allocator);
        assert_eq!(Route::unknown_view("?view=lessons"), None);
        assert_eq!(Route::unknown_view("?step=2"), None);
    }

    #[test]
    fn the_same_state_in_another_order_is_the_same() {
        let a = Route::from_query("?view=allocator&scenario=leak&step=2");
        assert!(a.same_state(&Route::from_query("?step=2&scenario=leak")));
        assert!(!a.same_state(&Route::from_query("?step=3&scenario=leak")));
        assert!(!a.same_state(&Route::from_query("?view=calculator&step=2&scenario=leak")));
        assert!(!a.same_state(&Route::from_query("?step=2&scenario=leak&ls=1")));
    }

    #[test]
    fn queries_start_with_the_first_pair() {
        assert_eq!(Route::default().with("a", Some("1")).to_query(), "?view=allocator&a=1");
    }

    #[test]
    fn empty_query_opens_the_allocator() {
        assert_eq!(Route::from_query("").view, View::Allocator);
        assert_eq!(Route::from_query("?").view, View::Allocator);
    }

    #[test]
    fn view_parameter_selects_the_area() {
        for v in View::ALL {
            assert_eq!(Route::from_query(&format!("?view={}", v.slug())).view, v);
        }
    }

    #[test]
    fn unknown_view_falls_back_to_allocator() {
        assert_eq!(Route::from_query("?view=nope").view, View::Allocator);
    }

    #[test]
    fn cluster_link_without_view_opens_cluster() {
        let r = Route::from_query("?cluster=http%3A%2F%2F127.0.0.1%3A8081");
        assert_eq!(r.view, View::Cluster);
        assert_eq!(r.get("cluster"), Some("http://127.0.0.1:8081"));
    }

    #[test]
    fn plain_url_encoded_script_round_trips() {
        let script = "pool 60mb policy first-fit\nalloc a 10mb # note & more";
        let r = Route::default().with("script", Some(script));
        let back = Route::from_query(&r.to_query());
        assert_eq!(back.get("script"), Some(script));
        assert_eq!(back.view, View::Allocator);
    }

    #[test]
    fn navigation_keeps_cluster_but_drops_allocator_state() {
        let r = Route::from_query("?view=allocator&script=x&cluster=http%3A%2F%2Fh");
        let n = r.navigate(View::Diagnosis);
        assert_eq!(n.view, View::Diagnosis);
        assert_eq!(n.get("script"), None);
        assert_eq!(n.get("cluster"), Some("http://h"));
    }
}
