//! A job's graph as Flink's REST API gives it (`plan` in `GET /jobs/<jid>`): its vertices,
//! their parallelism, and how each vertex's input is shipped. Tuning counts network buffers
//! from it as the Flink Kubernetes Operator does (`MemoryTuning.adjustNetworkMemory`).

use serde::Deserialize;

/// How records travel from one vertex to the next (`ship_strategy` in the plan; the
/// operator's `ShipStrategy`, unknown names as [`Ship::Unknown`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Ship {
    Hash,
    Rebalance,
    Rescale,
    Forward,
    Custom,
    Broadcast,
    Global,
    Shuffle,
    Unknown,
}

impl Ship {
    /// The operator's `ShipStrategy.of`: the name, case-insensitively, else unknown.
    pub fn of(name: &str) -> Ship {
        match name.to_ascii_uppercase().as_str() {
            "HASH" => Ship::Hash,
            "REBALANCE" => Ship::Rebalance,
            "RESCALE" => Ship::Rescale,
            "FORWARD" => Ship::Forward,
            "CUSTOM" => Ship::Custom,
            "BROADCAST" => Ship::Broadcast,
            "GLOBAL" => Ship::Global,
            "SHUFFLE" => Ship::Shuffle,
            _ => Ship::Unknown,
        }
    }
}

/// One vertex: its id, parallelism and inputs (the vertex each comes from, and how).
#[derive(Clone, Debug, PartialEq)]
pub struct Vertex {
    pub id: String,
    pub name: String,
    pub parallelism: u32,
    pub inputs: Vec<(String, Ship)>,
}

/// A job's vertices. Built from the plan's JSON ([`JobGraph::from_plan`]) or by hand.
#[derive(Clone, Debug, PartialEq, Default)]
pub struct JobGraph {
    pub vertices: Vec<Vertex>,
}

#[derive(Deserialize)]
struct RawPlan {
    #[serde(default)]
    nodes: Vec<RawNode>,
}

#[derive(Deserialize)]
struct RawNode {
    id: String,
    #[serde(default)]
    description: String,
    parallelism: u32,
    #[serde(default)]
    inputs: Vec<RawInput>,
}

#[derive(Deserialize)]
struct RawInput {
    id: String,
    #[serde(default)]
    ship_strategy: String,
}

impl JobGraph {
    /// The graph from the plan object of `GET /jobs/<jid>`. As in the operator's
    /// `JobTopology`, a vertex read twice from the same input counts once.
    pub fn from_plan(plan: &serde_json::Value) -> Option<JobGraph> {
        let raw: RawPlan = serde_json::from_value(plan.clone()).ok()?;
        if raw.nodes.is_empty() {
            return None;
        }
        let vertices = raw
            .nodes
            .into_iter()
            .map(|n| {
                let mut inputs: Vec<(String, Ship)> = Vec::new();
                for i in n.inputs {
                    let ship = Ship::of(&i.ship_strategy);
                    match inputs.iter_mut().find(|(id, _)| *id == i.id) {
                        Some(e) => e.1 = ship,
                        None => inputs.push((i.id, ship)),
                    }
                }
                Vertex { id: n.id, name: short_name(&n.description), parallelism: n.parallelism, inputs }
            })
            .collect();
        Some(JobGraph { vertices })
    }

    fn parallelism(&self, id: &str) -> Option<u32> {
        self.vertices.iter().find(|v| v.id == id).map(|v| v.parallelism)
    }

    /// Network buffers (segments) one slot needs when every vertex runs a subtask in it: for
    /// every vertex, each input gate and each output, as `MemoryTuning` counts them
    /// ([`gate_segments`]). Inputs from a vertex not in the graph are skipped.
    pub fn segments_per_slot(&self, buffers_per_channel: u32, floating: u32) -> u64 {
        let mut total = 0u64;
        for v in &self.vertices {
            for (input, ship) in &v.inputs {
                if let Some(p) = self.parallelism(input) {
                    total += gate_segments(v.parallelism, p, *ship, buffers_per_channel, floating);
                }
            }
            for w in &self.vertices {
                for (input, ship) in &w.inputs {
                    if *input == v.id {
                        total +=
                            gate_segments(v.parallelism, w.parallelism, *ship, buffers_per_channel, floating);
                    }
                }
            }
        }
        total
    }
}

/// The operator's `calculateNetworkSegmentNumber`: the segments a gate between a vertex of
/// parallelism `current` and one of `connected` needs.
pub fn gate_segments(
    current: u32,
    connected: u32,
    ship: Ship,
    buffers_per_channel: u32,
    floating: u32,
) -> u64 {
    let (bpc, fl) = (u64::from(buffers_per_channel), u64::from(floating));
    if current == connected && ship == Ship::Forward {
        bpc + fl
    } else if matches!(ship, Ship::Forward | Ship::Rescale) {
        let channels = u64::from(connected).div_ceil(u64::from(current.max(1)));
        channels * bpc + fl
    } else {
        u64::from(connected) * bpc + fl
    }
}

/// A vertex's description (`Source: numbers<br/>+- Sink: Writer<br/>`) as one line.
fn short_name(description: &str) -> String {
    description.split("<br/>").map(str::trim).filter(|s| !s.is_empty()).collect::<Vec<_>>().join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gates_count_as_the_operator_counts_them() {
        // MemoryTuningTest.testCalculateNetworkSegmentNumber (operator 1.15.0).
        assert_eq!(gate_segments(10, 10, Ship::Forward, 2, 8), 10);
        assert_eq!(gate_segments(10, 15, Ship::Forward, 2, 8), 12);
        assert_eq!(gate_segments(10, 15, Ship::Rescale, 2, 8), 12);
        assert_eq!(gate_segments(10, 15, Ship::Rebalance, 2, 8), 38);
        assert_eq!(gate_segments(10, 15, Ship::Unknown, 2, 8), 38);
    }

    #[test]
    fn a_plan_from_flink_reads_with_its_ship_strategies() {
        // The shape of Flink 2.3.0's `plan` (from public/recordings/network-buffers.memlab.json).
        let plan = serde_json::json!({
            "jid": "18b5", "name": "memlab load", "type": "STREAMING",
            "nodes": [
                {"id": "b", "parallelism": 8, "description": "KeyedProcess<br/>+- Sink: Writer<br/>",
                 "inputs": [{"id": "a", "num": 0, "exchange": "pipelined_bounded", "ship_strategy": "HASH"}]},
                {"id": "a", "parallelism": 8, "description": "Source: numbers<br/>"}
            ]
        });
        let g = JobGraph::from_plan(&plan).unwrap();
        assert_eq!(g.vertices[0].inputs, [("a".to_owned(), Ship::Hash)]);
        assert_eq!(g.vertices[0].name, "KeyedProcess +- Sink: Writer");
        // b's input gate: 8·2 + 8; a's output: 8·2 + 8.
        assert_eq!(g.segments_per_slot(2, 8), 48);
        assert_eq!(JobGraph::from_plan(&serde_json::json!({"nodes": []})), None);
        assert_eq!(JobGraph::from_plan(&serde_json::json!("not a plan")), None);
    }
}
