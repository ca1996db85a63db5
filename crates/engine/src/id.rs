//! An index into one of the engine's arenas (segments, allocation records) that can say
//! "none" without a sentinel value: `Option<Id>` is as small as a `u32` (the index is stored
//! plus one, so zero is free for `None`), and no index can be mistaken for "none".

use std::fmt;
use std::num::NonZeroU32;

#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub(crate) struct Id(NonZeroU32);

impl Id {
    /// The id of index `i` (an arena never holds `u32::MAX` entries).
    pub fn new(i: u32) -> Id {
        Id(NonZeroU32::MIN.saturating_add(i))
    }

    pub fn get(self) -> u32 {
        self.0.get() - 1
    }

    pub fn index(self) -> usize {
        self.get() as usize
    }
}

impl fmt::Debug for Id {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.get())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_id_round_trips_and_none_costs_nothing() {
        for i in [0, 1, 7, u32::MAX - 1] {
            assert_eq!(Id::new(i).get(), i);
        }
        assert_eq!(std::mem::size_of::<Option<Id>>(), 4);
    }
}
