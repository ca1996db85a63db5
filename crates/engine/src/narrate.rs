//! Plain-language sentences for events, shared by the app's event log and the CLI
//! (`memlab simulate --explain`), in every language memlab speaks.

use memlab_size::human;
use memlab_text::{tr, Lang};

use crate::event::Event;
use crate::model::{OpError, Policy};

/// One sentence for one event, in English.
pub fn sentence(e: &Event) -> String {
    sentence_in(e, Lang::En)
}

/// The sentences for one step's events, in `lang`, in order: [`sentence_in`] for each,
/// except that a release to refcount 0 followed by a `Free` of the same name (an eager or
/// coalescing release) says the block was freed at once, which a single event cannot tell;
/// and in a `buddy` pool, sweeps and merges say that only buddies merge.
pub fn step_sentences(events: &[Event], lang: Lang, policy: Policy) -> Vec<String> {
    events
        .iter()
        .enumerate()
        .map(|(i, e)| match e {
            Event::SweepStart | Event::Merge { .. } | Event::SweepEnd { .. } if policy == Policy::Buddy => {
                buddy_sentence(e, lang).unwrap_or_else(|| sentence_in(e, lang))
            }
            Event::Release { name, refcount: 0 }
                if matches!(events.get(i + 1), Some(Event::Free { name: freed, .. }) if freed == name) =>
            {
                tr!(
                    lang,
                    "release {name}: refcount 1 → 0, so the block is freed at once",
                    "release {name}：引用计数 1 → 0，该块立即被释放"
                )
            }
            _ => sentence_in(e, lang),
        })
        .collect()
}

/// What sweeps and merges do in a buddy pool, where only buddies merge.
fn buddy_sentence(e: &Event, lang: Lang) -> Option<String> {
    Some(match e {
        Event::SweepStart => tr!(
            lang,
            "sweep: mark every unreferenced block, free it, merge each free block with its buddy while the buddy is free",
            "清扫：标记每个无引用的块，释放它，只要伙伴块空闲就与伙伴块合并"
        ),
        Event::Merge { offset, size, parts } => {
            let (n, size, at) = (parts.len(), human(*size), human(*offset));
            tr!(
                lang,
                "merge buddies: {n} free blocks become one block of {size} at {at}",
                "合并伙伴块：{n} 个空闲块合并成一个 {size} 的块，位于 {at}"
            )
        }
        Event::SweepEnd { freed, merged } if freed + merged > 0 => tr!(
            lang,
            "sweep done: {freed} block(s) freed, {merged} merge(s); free blocks that are not buddies stay separate, even side by side",
            "清扫完成：释放 {freed} 个块，合并 {merged} 次；不是伙伴的空闲块即使相邻也各自独立"
        ),
        _ => return None,
    })
}

/// One sentence for one event, in `lang`.
pub fn sentence_in(e: &Event, lang: Lang) -> String {
    match e {
        Event::Split { offset, size, rest_offset, rest_size } => {
            let (at, size, rest, rest_at) = (human(*offset), human(*size), human(*rest_size), human(*rest_offset));
            tr!(
                lang,
                "split the free block at {at}: {size} is taken, {rest} stays free at {rest_at}",
                "拆分位于 {at} 的空闲块：取走 {size}，剩下 {rest} 在 {rest_at} 处保持空闲"
            )
        }
        Event::Halve { offset, size } => {
            let (at, whole, half, high) = (human(*offset), human(2 * size), human(*size), human(offset + size));
            tr!(
                lang,
                "halve the free block of {whole} at {at}: two buddies of {half}, the high one at {high} stays free",
                "把位于 {at} 的 {whole} 空闲块对半拆分：得到两个 {half} 的伙伴块，位于 {high} 的高半块保持空闲"
            )
        }
        Event::Allocate { name, offset, size, owner } => {
            let (size, at) = (human(*size), human(*offset));
            match owner {
                Some(o) => tr!(
                    lang,
                    "allocate {name}: {size} at {at} for {o}, refcount 1",
                    "分配 {name}：{size}，位于 {at}，属于 {o}，引用计数 1"
                ),
                None => tr!(lang, "allocate {name}: {size} at {at}, refcount 1", "分配 {name}：{size}，位于 {at}，引用计数 1"),
            }
        }
        Event::Retain { name, refcount } => {
            let before = refcount - 1;
            tr!(lang, "retain {name}: refcount {before} → {refcount}", "retain {name}：引用计数 {before} → {refcount}")
        }
        // Alone, a release to 0 is the deferred case; `step_sentences` tells the other.
        Event::Release { name, refcount: 0 } => tr!(
            lang,
            "release {name}: refcount 1 → 0, the block is unreferenced until a sweep frees it",
            "release {name}：引用计数 1 → 0，该块变为无引用，直到清扫将它释放"
        ),
        Event::Release { name, refcount } => {
            let before = refcount + 1;
            tr!(
                lang,
                "release {name}: refcount {before} → {refcount}, still live",
                "release {name}：引用计数 {before} → {refcount}，仍然存活"
            )
        }
        Event::SweepStart => tr!(
            lang,
            "sweep: mark every unreferenced block, free it, merge adjacent free blocks",
            "清扫：标记每个无引用的块，释放它，并合并相邻的空闲块"
        ),
        Event::Mark { name, offset, size } => {
            let (size, at) = (human(*size), human(*offset));
            tr!(lang, "mark {name} ({size} at {at}): unreferenced", "标记 {name}（{size}，位于 {at}）：无引用")
        }
        Event::Free { name, offset, size } => {
            let (size, at) = (human(*size), human(*offset));
            tr!(lang, "free {name}: {size} at {at} is free again", "释放 {name}：位于 {at} 的 {size} 重新空闲")
        }
        Event::Merge { offset, size, parts } => {
            let (n, size, at) = (parts.len(), human(*size), human(*offset));
            tr!(
                lang,
                "merge {n} adjacent free blocks into one block of {size} at {at}",
                "把 {n} 个相邻的空闲块合并成一个 {size} 的块，位于 {at}"
            )
        }
        Event::SweepEnd { freed: 0, merged: 0 } => tr!(lang, "sweep done: nothing to free", "清扫完成：没有可释放的块"),
        Event::SweepEnd { freed, merged } => tr!(
            lang,
            "sweep done: {freed} block(s) freed, {merged} merge(s); free blocks that are not adjacent stay separate",
            "清扫完成：释放 {freed} 个块，合并 {merged} 次；不相邻的空闲块仍然各自独立"
        ),
        Event::Move { name, from, to, size } => {
            let (size, from, to) = (human(*size), human(*from), human(*to));
            tr!(lang, "compaction moves {name} ({size}) from {from} to {to}", "压缩把 {name}（{size}）从 {from} 移到 {to}")
        }
        Event::Fail { op, reason, error } => match lang {
            Lang::En => format!("{op} failed ({reason}): {error}"),
            Lang::Zh => {
                let (why, detail) = (OpError::reason_label(reason, lang), error.describe(lang));
                format!("{op} 失败（{why}）：{detail}")
            }
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn release_to_zero_says_unreferenced() {
        let s = sentence(&Event::Release { name: "c".into(), refcount: 0 });
        assert_eq!(s, "release c: refcount 1 → 0, the block is unreferenced until a sweep frees it");
        assert_eq!(sentence(&Event::Retain { name: "b".into(), refcount: 2 }), "retain b: refcount 1 → 2");
    }

    #[test]
    fn a_step_says_whether_a_release_freed_the_block() {
        let release = Event::Release { name: "a".into(), refcount: 0 };
        let free = Event::Free { name: "a".into(), offset: 0, size: 1 << 20 };
        // Deferred release: nothing follows; the block waits for a sweep.
        assert_eq!(
            step_sentences(std::slice::from_ref(&release), Lang::En, Policy::FirstFit),
            ["release a: refcount 1 → 0, the block is unreferenced until a sweep frees it"]
        );
        // Eager or coalescing release: the block is freed in the same step.
        assert_eq!(
            step_sentences(&[release.clone(), free.clone()], Lang::En, Policy::FirstFit),
            [
                "release a: refcount 1 → 0, so the block is freed at once",
                "free a: 1 MiB at 0 B is free again"
            ]
        );
        // A free of another block (an autosweep) does not count.
        let other = Event::Free { name: "b".into(), offset: 0, size: 1 };
        assert!(step_sentences(&[release.clone(), other], Lang::En, Policy::FirstFit)[0]
            .ends_with("until a sweep frees it"));
        assert!(memlab_text::has_han(&step_sentences(&[release, free], Lang::Zh, Policy::FirstFit)[0]));
    }

    #[test]
    fn a_buddy_pool_says_only_buddies_merge() {
        let events = [
            Event::SweepStart,
            Event::Merge { offset: 0, size: 4, parts: vec![(0, 2), (2, 2)] },
            Event::SweepEnd { freed: 1, merged: 1 },
        ];
        let en = step_sentences(&events, Lang::En, Policy::Buddy);
        assert!(
            en[0].contains("with its buddy") && en[1].starts_with("merge buddies: 2 free blocks"),
            "{en:?}"
        );
        assert!(en[2].ends_with("not buddies stay separate, even side by side"), "{en:?}");
        let zh = step_sentences(&events, Lang::Zh, Policy::Buddy);
        assert!(zh.iter().all(|s| memlab_text::has_han(s) && s.contains("伙伴")), "{zh:?}");
        // Other policies keep the adjacent-blocks sentences.
        assert_eq!(step_sentences(&events, Lang::En, Policy::FirstFit)[1], sentence(&events[1]));
    }

    #[test]
    fn every_event_reads_in_chinese() {
        let cjk = memlab_text::has_han;
        let err = OpError::Fragmentation { need: 40 << 20, free: 40 << 20, largest: 30 << 20 };
        let events = [
            Event::Split { offset: 0, size: 1, rest_offset: 1, rest_size: 2 },
            Event::Halve { offset: 0, size: 1 },
            Event::Allocate { name: "a".into(), offset: 0, size: 1, owner: Some("te1".into()) },
            Event::Allocate { name: "a".into(), offset: 0, size: 1, owner: None },
            Event::Retain { name: "a".into(), refcount: 2 },
            Event::Release { name: "a".into(), refcount: 0 },
            Event::Release { name: "a".into(), refcount: 1 },
            Event::SweepStart,
            Event::Mark { name: "a".into(), offset: 0, size: 1 },
            Event::Free { name: "a".into(), offset: 0, size: 1 },
            Event::Merge { offset: 0, size: 3, parts: vec![(0, 1), (1, 2)] },
            Event::SweepEnd { freed: 0, merged: 0 },
            Event::SweepEnd { freed: 2, merged: 1 },
            Event::Move { name: "a".into(), from: 10, to: 0, size: 1 },
            Event::Fail { op: "alloc d 40mb".into(), reason: err.reason(), error: err },
        ];
        for e in &events {
            let zh = sentence_in(e, Lang::Zh);
            assert!(cjk(&zh) && zh != sentence(e), "{e:?}: {zh}");
        }
        let fail = sentence_in(events.last().unwrap(), Lang::Zh);
        assert_eq!(fail, "alloc d 40mb 失败（外部碎片）：没有 40 MiB 的空闲块：空闲内存共有 40 MiB，但最大的空闲块只有 30 MiB——外部碎片（清扫只合并相邻的空闲块；压缩才能得到一整块）");
    }
}
