//! What the allocator page shows, as a plain value read from and written to the address
//! bar: which script (a built-in scenario, or a text of the reader's own), the policies,
//! the step and the speed. The page holds one of these in a signal; every rule about the
//! address (`compare=none`, a scenario's own comparison, a shared script) lives here.

use memlab_engine::{scenarios, Policy};
use memlab_text::{tr, Lang};

use crate::route::Route;
use crate::viz::player::SPEEDS;
use crate::viz::share::{self, ShareError};

/// The parameters this page owns.
pub const PARAMS: [&str; 7] = ["script", "scriptz", "scenario", "policy", "compare", "step", "speed"];

#[derive(Clone, Debug, PartialEq)]
pub struct AllocatorState {
    /// The editor's text.
    pub text: String,
    /// The built-in scenario the text came from (it stays named while the text is its own).
    pub scenario: Option<&'static str>,
    /// A policy other than the script's own.
    pub policy: Option<Policy>,
    /// A second policy, side by side.
    pub compare: Option<Policy>,
    pub step: usize,
    pub speed: f64,
}

/// Something in the address the page could not follow, said above the editor.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RouteWarning {
    NoScenario(String),
    BadScript(ShareError),
    NoPolicy { key: &'static str, value: String },
}

impl RouteWarning {
    pub fn message(&self, lang: Lang) -> String {
        match self {
            RouteWarning::NoScenario(id) => tr!(
                lang,
                "There is no built-in scenario '{id}'; showing the seed example instead.",
                "没有名为 '{id}' 的内置场景；改为显示种子示例。"
            ),
            RouteWarning::BadScript(e) => {
                let e = e.message(lang);
                tr!(lang, "{e}; showing the seed example instead.", "{e}；改为显示种子示例。")
            }
            RouteWarning::NoPolicy { key, value } => {
                let names = Policy::ALL.iter().map(|p| p.name()).collect::<Vec<_>>().join(", ");
                tr!(
                    lang,
                    "There is no policy '{value}' ({key}=): the policies are {names}.",
                    "没有名为 '{value}' 的策略（{key}=）：可用的策略有 {names}。"
                )
            }
        }
    }
}

impl Default for AllocatorState {
    fn default() -> Self {
        AllocatorState::scenario(&scenarios::ALL[0])
    }
}

impl AllocatorState {
    fn scenario(s: &'static scenarios::Scenario) -> AllocatorState {
        AllocatorState {
            text: s.text.to_owned(),
            scenario: Some(s.id),
            policy: None,
            // A scenario about two policies opens side by side.
            compare: s.compare(),
            step: 0,
            speed: 1.0,
        }
    }

    /// The state an address opens, and what in it could not be followed (the state then
    /// falls back to the seed example, or drops the unknown policy).
    pub fn from_route(route: &Route) -> (AllocatorState, Vec<RouteWarning>) {
        let mut warnings = Vec::new();
        let named = route.get("scenario").and_then(|id| {
            let s = scenarios::get(id);
            if s.is_none() {
                warnings.push(RouteWarning::NoScenario(id.to_owned()));
            }
            s
        });
        let text = if let Some(t) = route.get("script") {
            Some(t.to_owned())
        } else if let Some(z) = route.get("scriptz") {
            share::decode_compressed(z).map_err(|e| warnings.push(RouteWarning::BadScript(e))).ok()
        } else {
            None
        };
        let mut state = match text {
            Some(text) => AllocatorState { text, scenario: None, compare: None, ..AllocatorState::default() },
            None => AllocatorState::scenario(named.unwrap_or(&scenarios::ALL[0])),
        };
        for key in ["policy", "compare"] {
            match route.get(key) {
                Some(p) if Policy::parse(p).is_none() && !(key == "compare" && p == "none") => {
                    warnings.push(RouteWarning::NoPolicy { key, value: p.to_owned() })
                }
                _ => {}
            }
        }
        state.policy = route.get("policy").and_then(Policy::parse);
        // `compare=none` turns a scenario's own comparison off.
        if let Some(c) = route.get("compare") {
            state.compare = Policy::parse(c);
        }
        state.step = route.get("step").and_then(|s| s.parse().ok()).unwrap_or(0);
        state.speed =
            route.get("speed").and_then(|s| s.parse().ok()).filter(|s| SPEEDS.contains(s)).unwrap_or(1.0);
        (state, warnings)
    }

    /// The built-in scenario whose text the editor holds unchanged.
    pub fn builtin(&self) -> Option<&'static scenarios::Scenario> {
        self.scenario.and_then(scenarios::get).filter(|s| s.text == self.text)
    }

    /// `route` with this page's parameters set to this state. `shared` is the script's
    /// share parameter ([`share::encode`] of the text: packing a long script is slow, so the
    /// page computes it once per run).
    pub fn to_route(&self, route: Route, shared: Option<&(&'static str, String)>) -> Route {
        let mut route = PARAMS.iter().fold(route, |r, k| r.with(k, None));
        let builtin = self.builtin();
        route = match (builtin, shared) {
            (Some(s), _) => route.with("scenario", Some(s.id)),
            (None, Some((k, v))) => route.with(k, Some(v)),
            (None, None) => {
                let (k, v) = share::encode(&self.text);
                route.with(k, Some(&v))
            }
        };
        route = route.with("policy", self.policy.map(Policy::name));
        // Turning off a scenario's own comparison must survive a reload.
        let compare = match self.compare {
            Some(c) => Some(c.name()),
            None if builtin.is_some_and(|s| s.compare().is_some()) => Some("none"),
            None => None,
        };
        route = route.with("compare", compare);
        if self.step > 0 {
            route = route.with("step", Some(&self.step.to_string()));
        }
        if self.speed != 1.0 {
            route = route.with("speed", Some(&self.speed.to_string()));
        }
        route
    }

    /// Switches to a built-in scenario. A comparison the last scenario brought goes with it;
    /// one the reader chose stays, unless the new scenario brings its own.
    pub fn choose_scenario(&mut self, s: &'static scenarios::Scenario) {
        let brought = self.scenario.and_then(scenarios::get).and_then(|p| p.compare());
        if s.compare().is_some() || self.compare == brought {
            self.compare = s.compare();
        }
        self.scenario = Some(s.id);
        self.text = s.text.to_owned();
        self.step = 0;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn route(q: &str) -> Route {
        Route::from_query(q)
    }

    /// Every state the page can be in survives the trip through the address bar.
    #[test]
    fn states_round_trip_through_the_address() {
        let long = "pool 64mb\n".to_owned() + &"alloc a 1kb\nfree a\n".repeat(100);
        let mut states = Vec::new();
        for s in scenarios::ALL.iter() {
            let base = AllocatorState::scenario(s);
            states.push(base.clone());
            states.push(AllocatorState { compare: None, step: 3, ..base.clone() });
            states.push(AllocatorState { policy: Some(Policy::WorstFit), speed: 512.0, ..base.clone() });
            // The scenario's text, edited: a script of the reader's own.
            states.push(AllocatorState { text: format!("{}\nalloc z 1kb\n", s.text), ..base });
        }
        states.push(AllocatorState {
            text: long,
            scenario: None,
            compare: Some(Policy::Buddy),
            ..Default::default()
        });
        for st in states {
            let r = st.to_route(Route::default(), None);
            let (back, warnings) = AllocatorState::from_route(&route(&r.to_query()));
            assert!(warnings.is_empty(), "{warnings:?}");
            assert_eq!(back.text, st.text);
            assert_eq!(
                (back.policy, back.compare, back.step, back.speed),
                (st.policy, st.compare, st.step, st.speed)
            );
            assert_eq!(back.builtin().map(|s| s.id), st.builtin().map(|s| s.id), "{}", r.to_query());
            // Writing it again gives the same address.
            assert_eq!(back.to_route(Route::default(), None), r);
        }
    }

    #[test]
    fn other_parameters_are_kept_and_own_ones_replaced() {
        let r = route("?view=allocator&lesson=intro&ls=2&step=9&scriptz=junk");
        let st = AllocatorState::default();
        let out = st.to_route(r, None);
        assert_eq!(out.get("lesson"), Some("intro"));
        assert_eq!(out.get("ls"), Some("2"));
        assert_eq!(out.get("step"), None);
        assert_eq!(out.get("scriptz"), None);
        assert_eq!(out.get("scenario"), Some(scenarios::ALL[0].id));
    }

    #[test]
    fn what_cannot_be_followed_is_said_and_the_rest_kept() {
        let (st, w) = AllocatorState::from_route(&route("?scenario=nope&policy=fastest&step=4"));
        assert_eq!(st.scenario, Some(scenarios::ALL[0].id));
        assert_eq!((st.policy, st.step), (None, 4));
        assert_eq!(
            w,
            vec![
                RouteWarning::NoScenario("nope".into()),
                RouteWarning::NoPolicy { key: "policy", value: "fastest".into() }
            ]
        );
        assert!(w[1].message(Lang::En).contains("best-fit"));
        let (_, w) = AllocatorState::from_route(&route("?scriptz=%%%"));
        assert!(matches!(w[..], [RouteWarning::BadScript(_)]));
        // An unknown speed is ignored; compare=none is not a policy but a choice.
        let (st, w) = AllocatorState::from_route(&route("?speed=3&compare=none"));
        assert_eq!((st.speed, st.compare, w.len()), (1.0, None, 0));
    }

    #[test]
    fn a_comparison_goes_with_the_scenario_that_brought_it() {
        let two = scenarios::ALL.iter().find(|s| s.compare().is_some()).expect("a comparing scenario");
        let one = scenarios::ALL.iter().find(|s| s.compare().is_none()).expect("a plain scenario");
        let mut st = AllocatorState::scenario(two);
        st.step = 7;
        st.choose_scenario(one);
        assert_eq!((st.compare, st.step, st.scenario), (None, 0, Some(one.id)));
        // One the reader chose stays.
        st.compare = Some(Policy::Buddy);
        let other = scenarios::ALL.iter().find(|s| s.compare().is_none() && s.id != one.id).unwrap_or(one);
        st.choose_scenario(other);
        assert_eq!(st.compare, Some(Policy::Buddy));
        // Unless the new scenario brings its own.
        st.choose_scenario(two);
        assert_eq!(st.compare, two.compare());
    }
}
