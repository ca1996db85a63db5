//! Every interface string exists in every language: a key English has and Chinese lacks
//! (or the reverse), an empty translation, or a placeholder that differs between them fails
//! here — before a user could see a raw key or a half-English page.
#![cfg(not(target_arch = "wasm32"))]

use std::collections::BTreeMap;

fn flatten(prefix: &str, v: &serde_json::Value, out: &mut BTreeMap<String, String>) {
    match v {
        serde_json::Value::Object(m) => {
            for (k, v) in m {
                let key = if prefix.is_empty() { k.clone() } else { format!("{prefix}.{k}") };
                flatten(&key, v, out);
            }
        }
        serde_json::Value::String(s) => {
            out.insert(prefix.to_owned(), s.clone());
        }
        other => panic!("{prefix}: translations are strings, found {other}"),
    }
}

fn locale(tag: &str) -> BTreeMap<String, String> {
    let path = format!(
        "{}/locales/{tag}.json",
        std::env::var("CARGO_MANIFEST_DIR").unwrap_or_else(|_| env!("CARGO_MANIFEST_DIR").to_owned())
    );
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    let json: serde_json::Value = serde_json::from_str(&text).unwrap_or_else(|e| panic!("{path}: {e}"));
    let mut out = BTreeMap::new();
    flatten("", &json, &mut out);
    out
}

/// `{name}` placeholders of a message (filled by `memlab_app::lang::fill`), sorted.
fn placeholders(s: &str) -> Vec<String> {
    let mut out: Vec<String> =
        s.split('{').skip(1).filter_map(|p| p.split('}').next()).map(str::to_owned).collect();
    out.sort();
    out
}

#[test]
fn every_key_is_translated_with_the_same_placeholders() {
    let en = locale("en");
    let zh = locale("zh");
    assert!(en.len() > 20, "locales/en.json looks empty");
    let missing: Vec<&String> = en.keys().filter(|k| !zh.contains_key(*k)).collect();
    assert!(missing.is_empty(), "missing in locales/zh.json: {missing:?}");
    let extra: Vec<&String> = zh.keys().filter(|k| !en.contains_key(*k)).collect();
    assert!(extra.is_empty(), "in locales/zh.json but not in locales/en.json: {extra:?}");
    for (k, e) in &en {
        let z = &zh[k];
        assert!(!e.trim().is_empty() && !z.trim().is_empty(), "{k}: empty translation");
        assert_eq!(placeholders(e), placeholders(z), "{k}: placeholders differ between en and zh");
    }
}

#[test]
fn chinese_strings_are_chinese() {
    // A value copied over untranslated is the usual slip: every Chinese string that has
    // letters must also have Chinese characters, unless it is only names, units or keys.
    let zh = locale("zh");
    let en = locale("en");
    let copied: Vec<&String> = zh
        .iter()
        .filter(|(k, z)| {
            let has_cjk = memlab_text::has_han(z);
            let words = z.split(|c: char| !c.is_ascii_alphabetic()).filter(|w| w.len() > 3).count();
            !has_cjk && words > 0 && en.get(*k) == Some(z) && !k.ends_with("_verbatim")
        })
        .map(|(k, _)| k)
        .collect();
    assert!(copied.is_empty(), "untranslated (same as English, no Chinese): {copied:?}");
}
