//! Plain-language sentences for events, shared by the app's event log and the CLI.

use memlab_size::human;

use crate::event::Event;

/// One sentence for one event.
pub fn sentence(e: &Event) -> String {
    match e {
        Event::Split { offset, size, rest_offset, rest_size } => format!(
            "split the free block at {}: {} is taken, {} stays free at {}",
            human(*offset),
            human(*size),
            human(*rest_size),
            human(*rest_offset)
        ),
        Event::Allocate { name, offset, size, owner } => {
            let by = owner.as_ref().map(|o| format!(" for {o}")).unwrap_or_default();
            format!("allocate {name}: {} at {}{by}, refcount 1", human(*size), human(*offset))
        }
        Event::Retain { name, refcount } => {
            format!("retain {name}: refcount {} → {refcount}", refcount - 1)
        }
        Event::Release { name, refcount: 0 } => {
            format!("release {name}: refcount 1 → 0, the block is unreferenced until the next sweep (or freed now in eager/coalesce mode)")
        }
        Event::Release { name, refcount } => {
            format!("release {name}: refcount {} → {refcount}, still live", refcount + 1)
        }
        Event::SweepStart => "sweep: mark every unreferenced block, free it, merge adjacent free blocks".into(),
        Event::Mark { name, offset, size } => {
            format!("mark {name} ({} at {}): unreferenced", human(*size), human(*offset))
        }
        Event::Free { name, offset, size } => format!("free {name}: {} at {} is free again", human(*size), human(*offset)),
        Event::Merge { offset, size, parts } => format!(
            "merge {} adjacent free blocks into one block of {} at {}",
            parts.len(),
            human(*size),
            human(*offset)
        ),
        Event::SweepEnd { freed, merged } => match (freed, merged) {
            (0, 0) => "sweep done: nothing to free".into(),
            _ => format!("sweep done: {freed} block(s) freed, {merged} merge(s); free blocks that are not adjacent stay separate"),
        },
        Event::Move { name, from, to, size } => {
            format!("compaction moves {name} ({}) from {} to {}", human(*size), human(*from), human(*to))
        }
        Event::Fail { op, reason, message } => format!("{op} failed ({reason}): {message}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn release_to_zero_says_unreferenced() {
        let s = sentence(&Event::Release { name: "c".into(), refcount: 0 });
        assert!(s.starts_with("release c: refcount 1 → 0, the block is unreferenced until the next sweep"));
        assert_eq!(sentence(&Event::Retain { name: "b".into(), refcount: 2 }), "retain b: refcount 1 → 2");
    }
}
