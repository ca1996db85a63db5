//! [`Name`]: what a block, an owner or a gate is called.
//!
//! Names are compared and hashed on every operation, copied into every event and kept in
//! every allocation record, so they are stored inline when they are short (up to 22 bytes,
//! which covers every name a script or a workload writes: `a`, `te1.s2`, `w12.348112`) and
//! shared behind an `Arc` only when longer. An inline name costs no heap allocation, no
//! reference count and no pointer chase: reading the operation or the record that holds it
//! reads the name too.

use std::borrow::Borrow;
use std::fmt;
use std::hash::{Hash, Hasher};
use std::ops::Deref;
use std::sync::Arc;

/// The longest name kept inline.
const INLINE: usize = 22;

/// A name: a string, inline when short. Compares, hashes and orders as its text.
#[derive(Clone)]
pub struct Name(Repr);

#[derive(Clone)]
enum Repr {
    /// `len` bytes of UTF-8, the rest zero (so two inline names are equal iff their arrays
    /// are).
    Inline { len: u8, bytes: [u8; INLINE] },
    /// Longer than [`INLINE`] bytes.
    Shared(Arc<str>),
}

impl Name {
    pub fn new(s: &str) -> Name {
        if s.len() <= INLINE {
            let mut bytes = [0u8; INLINE];
            bytes[..s.len()].copy_from_slice(s.as_bytes());
            Name(Repr::Inline { len: s.len() as u8, bytes })
        } else {
            Name(Repr::Shared(s.into()))
        }
    }

    /// The name's UTF-8 bytes (without re-checking them).
    pub fn as_bytes(&self) -> &[u8] {
        match &self.0 {
            Repr::Inline { len, bytes } => &bytes[..*len as usize],
            Repr::Shared(s) => s.as_bytes(),
        }
    }

    pub fn as_str(&self) -> &str {
        match &self.0 {
            Repr::Inline { len, bytes } => {
                std::str::from_utf8(&bytes[..*len as usize]).expect("built from a str")
            }
            Repr::Shared(s) => s,
        }
    }
}

impl Deref for Name {
    type Target = str;
    fn deref(&self) -> &str {
        self.as_str()
    }
}

impl AsRef<str> for Name {
    fn as_ref(&self) -> &str {
        self.as_str()
    }
}

impl Borrow<str> for Name {
    fn borrow(&self) -> &str {
        self.as_str()
    }
}

impl PartialEq for Name {
    fn eq(&self, other: &Name) -> bool {
        // A name's length decides its representation, so inline never equals shared.
        match (&self.0, &other.0) {
            (Repr::Inline { len: a, bytes: x }, Repr::Inline { len: b, bytes: y }) => a == b && x == y,
            (Repr::Shared(a), Repr::Shared(b)) => Arc::ptr_eq(a, b) || a == b,
            _ => false,
        }
    }
}

impl Eq for Name {}

impl PartialEq<str> for Name {
    fn eq(&self, other: &str) -> bool {
        self.as_bytes() == other.as_bytes()
    }
}

impl PartialEq<&str> for Name {
    fn eq(&self, other: &&str) -> bool {
        self.as_bytes() == other.as_bytes()
    }
}

impl Hash for Name {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.as_str().hash(state);
    }
}

impl PartialOrd for Name {
    fn partial_cmp(&self, other: &Name) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Name {
    fn cmp(&self, other: &Name) -> std::cmp::Ordering {
        self.as_str().cmp(other.as_str())
    }
}

impl fmt::Display for Name {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl fmt::Debug for Name {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self.as_str(), f)
    }
}

impl From<&str> for Name {
    fn from(s: &str) -> Name {
        Name::new(s)
    }
}

impl From<String> for Name {
    fn from(s: String) -> Name {
        Name::new(&s)
    }
}

impl From<&String> for Name {
    fn from(s: &String) -> Name {
        Name::new(s)
    }
}

impl serde::Serialize for Name {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl<'de> serde::Deserialize<'de> for Name {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Name, D::Error> {
        let s = std::borrow::Cow::<'de, str>::deserialize(d)?;
        Ok(Name::new(&s))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_and_long_names_behave_as_their_text() {
        let short = Name::from("w12.348112");
        let exact = Name::from("x".repeat(INLINE));
        let long = Name::from("y".repeat(INLINE + 1));
        assert!(matches!(short.0, Repr::Inline { .. }) && matches!(exact.0, Repr::Inline { .. }));
        assert!(matches!(long.0, Repr::Shared(_)));
        assert_eq!(&*short, "w12.348112");
        assert_eq!(long.len(), INLINE + 1);
        assert_eq!(short, Name::from(String::from("w12.348112")));
        assert_ne!(short, Name::from("w12.34811"));
        assert_eq!(long, Name::from("y".repeat(INLINE + 1)));
        let mut sorted: Vec<Name> = ["b", "ab", "a"].into_iter().map(Name::from).collect();
        sorted.sort();
        assert_eq!(sorted, ["a", "ab", "b"]);
        assert_eq!(format!("{short} {short:?}"), "w12.348112 \"w12.348112\"");
        assert_eq!(Name::from("名前"), "名前");
        let json = serde_json::to_string(&long).unwrap();
        assert_eq!(serde_json::from_str::<Name>(&json).unwrap(), long);
        assert_eq!(std::mem::size_of::<Name>(), 24);
        assert_eq!(std::mem::size_of::<Option<Name>>(), 24);
    }
}
