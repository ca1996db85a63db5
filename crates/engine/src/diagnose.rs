//! The allocator's part of the diagnosis: fragmentation, and out-of-memory caused by it,
//! found in a scenario's timeline (the Diagnosis page and `memlab diagnose SCRIPT.mem`).

use memlab_text::{tr, Lang};
use serde::Serialize;

use crate::model::Policy;
use crate::timeline::Timeline;

/// Fragmentation (1 − largest free / total free) at or above this, with at least
/// [`FRAGMENTATION_MIN_FREE`] of the pool free, is reported: half the free memory is then
/// unusable for a request as large as the free total.
pub const FRAGMENTATION_HIGH: f64 = 0.5;
/// …so a nearly full pool with a few scattered bytes free is not reported.
pub const FRAGMENTATION_MIN_FREE: f64 = 0.1;

#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PoolFinding {
    /// `fragmentation-oom` or `fragmentation`.
    pub kind: &'static str,
    /// `critical` or `warning`.
    pub severity: &'static str,
    /// The step that shows it (1-based, as the allocator's timeline counts).
    pub step: usize,
    pub line: Option<u32>,
    pub headline: String,
    pub explanation: String,
}

const WHY_PAGES_ZH: &str = "Flink 的 MemoryManager 和 NetworkBufferPool 从不分配连续区间：内存被切成固定大小的页（taskmanager.memory.segment-size，默认 32 KiB），请求可以占用任意空闲页，所以空闲内存总能用上，这种失败在那里不会发生（代价是每个请求最后一页里的内部浪费）。在块分配器中，只有压缩——把存活块挪到一起——才能让空闲空间重新连成一块。";

const WHY_PAGES: &str = "Flink's MemoryManager and NetworkBufferPool never hand out contiguous ranges: memory is cut into fixed-size pages (taskmanager.memory.segment-size, 32 KiB by default) and a request takes any free pages, so total free memory is always usable and this failure cannot happen there (the price is internal waste in each request's last page). In a block allocator only compaction — moving live blocks together — makes the free space one block again.";

const WHY_BUDDY_ZH: &str = "这是一个伙伴池：空闲块只与它的伙伴（大小相同、地址为“本块地址异或本块大小”的块）合并，所以不是伙伴的空闲块即使相邻也不会合并，而且每个请求都需要一整块 2 的幂大小的块。压缩会按从大到小的顺序重新排列各块，腾出更大的块。";

const WHY_BUDDY: &str = "This is a buddy pool: a free block merges only with its buddy (the block of the same size at offset XOR size), so free blocks that are not buddies stay apart even side by side, and every request needs a whole power-of-two block. Compaction packs the blocks largest first and frees larger blocks.";

fn mib(b: u64) -> String {
    memlab_size::human(b)
}

pub fn diagnose(t: &Timeline) -> Vec<PoolFinding> {
    diagnose_in(t, Lang::En)
}

/// The same findings, written in `lang`.
pub fn diagnose_in(t: &Timeline, lang: Lang) -> Vec<PoolFinding> {
    let mut out = Vec::new();
    let buddy = t.config().policy == Policy::Buddy;
    let why = match (buddy, lang) {
        (true, Lang::Zh) => WHY_BUDDY_ZH,
        (true, _) => WHY_BUDDY,
        (false, Lang::Zh) => WHY_PAGES_ZH,
        (false, _) => WHY_PAGES,
    };
    for f in t.failures().iter().filter(|f| f.reason == "fragmentation") {
        out.push(PoolFinding {
            kind: "fragmentation-oom",
            severity: "critical",
            step: f.step as usize,
            line: Some(f.line),
            headline: tr!(lang, "`{}` failed: {}", "`{}` 失败：{}", f.op, f.error.describe(lang)),
            explanation: tr!(
                lang,
                "The free memory is split into blocks that cannot merge, so no single block fits the request: an out-of-memory caused by fragmentation, not by a full pool. {why}",
                "空闲内存被分成了无法合并的块，没有哪一块放得下这个请求：这是碎片导致的内存不足，而不是内存池满了。{why}"
            ),
        });
    }
    if t.config().policy == Policy::Pages {
        return out;
    }
    let pool = t.config().size as f64;
    let worst =
        t.samples().iter().enumerate().filter(|(_, s)| s.free as f64 >= FRAGMENTATION_MIN_FREE * pool).fold(
            None,
            |best: Option<(usize, &crate::Sample)>, (i, s)| match best {
                Some((_, b)) if b.fragmentation() >= s.fragmentation() => best,
                _ => Some((i, s)),
            },
        );
    if let Some((i, s)) = worst.filter(|(_, s)| s.fragmentation() >= FRAGMENTATION_HIGH) {
        out.push(PoolFinding {
            kind: "fragmentation",
            severity: "warning",
            step: i,
            line: t.op_at(i).map(|(l, _)| l),
            headline: tr!(
                lang,
                "Fragmentation {:.0} % at step {i}: {} free in {} blocks, the largest {}",
                "第 {i} 步碎片率 {:.0} %：空闲 {}，分成 {} 块，最大 {}",
                s.fragmentation() * 100.0,
                mib(s.free),
                s.free_blocks,
                mib(s.largest_free)
            ),
            explanation: tr!(
                lang,
                "Fragmentation is 1 − largest free block / total free. At {:.0} %, a request larger than {} fails even though {} are free. {why}",
                "碎片率 = 1 − 最大空闲块 / 空闲总量。在 {:.0} % 时，大于 {} 的请求会失败，尽管空闲内存有 {}。{why}",
                s.fragmentation() * 100.0,
                mib(s.largest_free),
                mib(s.free)
            ),
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{scenarios, script};

    fn run(text: &str) -> Vec<PoolFinding> {
        diagnose(&Timeline::run(&script::parse(text).unwrap()).unwrap())
    }

    #[test]
    fn the_fragmentation_oom_scenario_is_diagnosed() {
        let f = run(scenarios::get("fragmentation-oom").unwrap().text);
        let oom = f.iter().find(|f| f.kind == "fragmentation-oom").unwrap();
        assert_eq!(oom.line, Some(23));
        assert!(
            oom.headline.contains("`alloc big 20 mb` failed") && oom.headline.contains("50 MiB are free"),
            "{}",
            oom.headline
        );
        let frag = f.iter().find(|f| f.kind == "fragmentation").unwrap();
        assert!(frag.headline.starts_with("Fragmentation 80 %"), "{}", frag.headline);
    }

    #[test]
    fn a_buddy_pool_explains_that_only_buddies_merge() {
        let f = run("pool 32b policy buddy\nalloc a 8b\nalloc b 8b\nalloc c 8b\nalloc d 8b\nrelease b\nrelease c\nsweep\nalloc e 9b");
        let oom = f.iter().find(|f| f.kind == "fragmentation-oom").unwrap();
        assert!(oom.explanation.contains("merges only with its buddy"), "{}", oom.explanation);
        assert!(!oom.explanation.contains("MemoryManager"), "{}", oom.explanation);
    }

    #[test]
    fn pages_and_a_tidy_pool_have_no_findings() {
        assert!(run("pool 100mb pages 32kb\nalloc a 10mb\nalloc b 10mb\nrelease a\nsweep\nalloc c 20mb")
            .is_empty());
        assert!(run("pool 100mb policy first-fit\nalloc a 10mb\nrelease a\nsweep").is_empty());
    }
}
