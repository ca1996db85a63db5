//! The raw answers a source gave, as a recording keeps them: one HTTP response with its
//! status and arrival time, and the responses of one poll (of Flink's REST API) or one
//! fetch (of a Prometheus window).

use serde::{Deserialize, Serialize};

/// One HTTP response as received (status 0: the request failed before an answer).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Response {
    pub path: String,
    pub status: u16,
    pub body: String,
    /// Milliseconds since the epoch.
    pub t: u64,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Poll {
    pub t: u64,
    pub responses: Vec<Response>,
}
