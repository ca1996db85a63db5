//! Flink configuration as Flink reads it: a `config.yaml` (Flink 2.x: YAML, nested maps
//! flattened with `.`), a legacy `flink-conf.yaml` (Flink 1.x: `key: value` lines), and
//! `-D key=value` overrides, which win. Values are kept as the text Flink would convert.

use std::collections::BTreeMap;

use yaml_rust2::{Yaml, YamlLoader};

/// Keys and their raw values, in the order first seen.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct FlinkConfig {
    entries: Vec<(String, String)>,
}

/// Why a configuration text could not be read.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ReadError {
    #[error("config.yaml is not valid YAML: {0}")]
    Yaml(String),
    #[error("config.yaml must be a map of options at the top level, like `taskmanager.memory.process.size: 1728m`")]
    NotAMap,
    #[error("-D {0}: expected key=value")]
    BadDynamic(String),
}

impl FlinkConfig {
    pub fn new() -> Self {
        Self::default()
    }

    /// Reads Flink 2.x `config.yaml` text: nested maps are flattened (`a: {b: 1}` is `a.b`),
    /// scalars keep their text, lists become Flink's `;`-separated form.
    pub fn from_yaml(text: &str) -> Result<FlinkConfig, ReadError> {
        let docs = YamlLoader::load_from_str(text).map_err(|e| ReadError::Yaml(e.to_string()))?;
        let mut c = FlinkConfig::new();
        match docs.into_iter().next() {
            None | Some(Yaml::Null) => {}
            Some(Yaml::Hash(h)) => flatten("", &Yaml::Hash(h), &mut c),
            Some(_) => return Err(ReadError::NotAMap),
        }
        Ok(c)
    }

    /// Reads a legacy (Flink 1.x) `flink-conf.yaml` as Flink's `GlobalConfiguration` does:
    /// everything after the first `#` is a comment, then `key: value` split at the first
    /// `": "`, both trimmed; lines without a key or a value are skipped.
    pub fn from_legacy(text: &str) -> FlinkConfig {
        let mut c = FlinkConfig::new();
        for line in text.lines() {
            let line = line.split('#').next().unwrap_or("").trim();
            if let Some((k, v)) = line.split_once(": ") {
                let (k, v) = (k.trim(), v.trim());
                if !k.is_empty() && !v.is_empty() {
                    c.set(k, v);
                }
            }
        }
        c
    }

    /// Applies `-D key=value` overrides (each `key=value`).
    pub fn apply_dynamic<'a>(&mut self, props: impl IntoIterator<Item = &'a str>) -> Result<(), ReadError> {
        for p in props {
            let (k, v) = p.split_once('=').ok_or_else(|| ReadError::BadDynamic(p.to_owned()))?;
            self.set(k.trim(), v.trim());
        }
        Ok(())
    }

    pub fn set(&mut self, key: &str, value: &str) {
        if let Some(e) = self.entries.iter_mut().find(|(k, _)| k == key) {
            e.1 = value.to_owned();
        } else {
            self.entries.push((key.to_owned(), value.to_owned()));
        }
    }

    pub fn remove(&mut self, key: &str) {
        self.entries.retain(|(k, _)| k != key);
    }

    pub fn get(&self, key: &str) -> Option<&str> {
        self.entries.iter().find(|(k, _)| k == key).map(|(_, v)| v.as_str())
    }

    pub fn entries(&self) -> impl Iterator<Item = (&str, &str)> {
        self.entries.iter().map(|(k, v)| (k.as_str(), v.as_str()))
    }

    /// As a flat `config.yaml` (keys sorted), for export.
    pub fn to_yaml(&self) -> String {
        let sorted: BTreeMap<&str, &str> = self.entries().collect();
        sorted.iter().map(|(k, v)| format!("{k}: {}\n", yaml_scalar(v))).collect()
    }
}

/// Quotes a value only when YAML would otherwise read it as something else.
fn yaml_scalar(v: &str) -> String {
    let plain = !v.is_empty()
        && v.chars().all(|c| c.is_ascii_alphanumeric() || "._-/".contains(c))
        && !matches!(v, "true" | "false" | "null" | "~" | "yes" | "no");
    if plain {
        v.to_owned()
    } else {
        format!("'{}'", v.replace('\'', "''"))
    }
}

fn flatten(prefix: &str, node: &Yaml, out: &mut FlinkConfig) {
    match node {
        Yaml::Hash(h) => {
            for (k, v) in h {
                let key = scalar_text(k).unwrap_or_default();
                let full = if prefix.is_empty() { key } else { format!("{prefix}.{key}") };
                flatten(&full, v, out);
            }
        }
        Yaml::Array(items) => {
            let parts: Vec<String> = items.iter().filter_map(scalar_text).collect();
            out.set(prefix, &parts.join(";"));
        }
        other => {
            if let Some(t) = scalar_text(other) {
                out.set(prefix, &t);
            }
        }
    }
}

fn scalar_text(y: &Yaml) -> Option<String> {
    Some(match y {
        Yaml::String(s) | Yaml::Real(s) => s.clone(),
        Yaml::Integer(i) => i.to_string(),
        Yaml::Boolean(b) => b.to_string(),
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nested_and_flat_keys_mean_the_same() {
        let nested = FlinkConfig::from_yaml(
            "taskmanager:\n  memory:\n    process.size: 1728m\n  numberOfTaskSlots: 4\n",
        )
        .unwrap();
        let flat = FlinkConfig::from_yaml(
            "taskmanager.memory.process.size: 1728m\ntaskmanager.numberOfTaskSlots: 4\n",
        )
        .unwrap();
        assert_eq!(nested.get("taskmanager.memory.process.size"), Some("1728m"));
        assert_eq!(nested.get("taskmanager.numberOfTaskSlots"), Some("4"));
        assert_eq!(
            flat.get("taskmanager.memory.process.size"),
            nested.get("taskmanager.memory.process.size")
        );
    }

    #[test]
    fn dynamic_properties_override() {
        let mut c = FlinkConfig::from_yaml("taskmanager.memory.process.size: 2g").unwrap();
        c.apply_dynamic(["taskmanager.memory.process.size=4g", "a.b = c"]).unwrap();
        assert_eq!(c.get("taskmanager.memory.process.size"), Some("4g"));
        assert_eq!(c.get("a.b"), Some("c"));
        assert!(c.apply_dynamic(["nokey"]).is_err());
    }

    #[test]
    fn legacy_files_and_errors() {
        let c = FlinkConfig::from_legacy(
            "# comment\ntaskmanager.heap.size: 1024m\n\njobmanager.rpc.address: localhost # here\n",
        );
        assert_eq!(c.get("taskmanager.heap.size"), Some("1024m"));
        assert_eq!(c.get("jobmanager.rpc.address"), Some("localhost"));
        assert_eq!(c.get("no-value"), None);
        assert!(matches!(FlinkConfig::from_yaml("a: [b"), Err(ReadError::Yaml(_))));
        assert_eq!(FlinkConfig::from_yaml("- a\n- b"), Err(ReadError::NotAMap));
    }

    #[test]
    fn export_round_trips() {
        let c = FlinkConfig::from_yaml("taskmanager.memory.process.size: 1728m\nx.y: 'a b'\n").unwrap();
        assert_eq!(FlinkConfig::from_yaml(&c.to_yaml()).unwrap().get("x.y"), Some("a b"));
    }
}
