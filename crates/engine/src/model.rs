//! The engine's public vocabulary: pool configuration, operations, blocks as listed, and
//! the typed reasons an operation fails.

use memlab_size::human;
use memlab_text::Lang;
use serde::{Deserialize, Serialize};

use crate::name::Name;

/// Flink's default memory segment (page) size, `taskmanager.memory.segment-size`.
pub const DEFAULT_PAGE_SIZE: u64 = 32 * 1024;

/// How a free block is chosen for a request.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Policy {
    /// The lowest-addressed free block that fits.
    FirstFit,
    /// Like first-fit, but starting where the last allocation ended, wrapping once.
    NextFit,
    /// The smallest free block that fits; ties go to the lower address.
    BestFit,
    /// The largest free block; ties go to the lower address.
    WorstFit,
    /// Flink's model: fixed-size pages; a request takes the lowest free pages, not
    /// necessarily contiguous.
    Pages,
    /// The classic buddy system: blocks are powers of two aligned to their size; a request
    /// takes the next power of two, halving a larger block as often as needed, and a freed
    /// block merges only with its buddy.
    Buddy,
}

impl Policy {
    pub const ALL: [Policy; 6] =
        [Policy::FirstFit, Policy::NextFit, Policy::BestFit, Policy::WorstFit, Policy::Pages, Policy::Buddy];

    pub fn name(self) -> &'static str {
        match self {
            Policy::FirstFit => "first-fit",
            Policy::NextFit => "next-fit",
            Policy::BestFit => "best-fit",
            Policy::WorstFit => "worst-fit",
            Policy::Pages => "pages",
            Policy::Buddy => "buddy",
        }
    }

    pub fn parse(s: &str) -> Option<Policy> {
        Policy::ALL.into_iter().find(|p| p.name() == s)
    }
}

impl std::fmt::Display for Policy {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

/// What happens when a block's reference count reaches zero.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ReleaseMode {
    /// The block becomes `unreferenced`: not reusable until a sweep frees and merges it.
    #[default]
    Deferred,
    /// The block is freed at once but not merged with free neighbours (until a sweep).
    Eager,
    /// The block is freed and merged with free neighbours at once, like a classic
    /// allocator (used to compare with TLSF).
    Coalesce,
}

/// Everything the `pool` statement sets.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PoolConfig {
    pub size: u64,
    pub policy: Policy,
    /// Page (segment) size in `pages` mode.
    pub page_size: u64,
    pub release: ReleaseMode,
    /// Sweep automatically after every N operations.
    pub autosweep: Option<u64>,
    /// A live block untouched (no retain/release) for more than K steps is a leak suspect.
    pub leak_after: Option<u64>,
    /// The pool is Flink's NetworkBufferPool (pages are network segments).
    pub network: bool,
}

impl PoolConfig {
    pub fn new(size: u64, policy: Policy) -> Self {
        PoolConfig {
            size,
            policy,
            page_size: DEFAULT_PAGE_SIZE,
            release: ReleaseMode::Deferred,
            autosweep: None,
            leak_after: None,
            network: false,
        }
    }
}

/// A TaskExecutor's share of the pool: at most floor(M × p) bytes, optionally split
/// equally among slots named `NAME.s1`, `NAME.s2`, …
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExecutorDecl {
    pub name: String,
    /// The fraction exactly as written, e.g. `"0.5"`.
    pub fraction: String,
    pub slots: u32,
}

/// One step of a scenario.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "op", rename_all = "kebab-case")]
pub enum Op {
    Alloc {
        name: Name,
        size: u64,
        owner: Option<Name>,
    },
    Retain {
        name: Name,
    },
    Release {
        name: Name,
    },
    Sweep,
    Compact,
    /// Registers an input gate with the NetworkBufferPool: `channels × exclusive`
    /// exclusive buffers plus `floating` floating buffers, all required at once.
    Gate {
        name: Name,
        channels: u32,
        exclusive: u32,
        floating: u32,
    },
}

impl Op {
    /// The block this operation names, if it names one.
    pub fn block_name(&self) -> Option<&Name> {
        match self {
            Op::Alloc { name, .. } | Op::Retain { name } | Op::Release { name } | Op::Gate { name, .. } => {
                Some(name)
            }
            Op::Sweep | Op::Compact => None,
        }
    }

    /// The keyword that starts this operation in a script.
    pub fn keyword(&self) -> &'static str {
        match self {
            Op::Alloc { .. } => "alloc",
            Op::Retain { .. } => "retain",
            Op::Release { .. } => "release",
            Op::Sweep => "sweep",
            Op::Compact => "compact",
            Op::Gate { .. } => "gate",
        }
    }
}

impl std::fmt::Display for Op {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Op::Alloc { name, size, owner } => {
                write!(f, "alloc {name} {}", memlab_size::MemorySize::new(*size))?;
                if let Some(o) = owner {
                    write!(f, " by {o}")?;
                }
                Ok(())
            }
            Op::Retain { name } => write!(f, "retain {name}"),
            Op::Release { name } => write!(f, "release {name}"),
            Op::Sweep => f.write_str("sweep"),
            Op::Compact => f.write_str("compact"),
            Op::Gate { name, channels, exclusive, floating } => {
                write!(f, "gate {name} channels {channels} exclusive {exclusive} floating {floating}")
            }
        }
    }
}

/// A block's state as users see it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum BlockState {
    /// Reference count ≥ 1.
    Live,
    /// Reference count 0, waiting for a sweep; not reusable and not merged.
    Unreferenced,
    Free,
}

impl BlockState {
    pub fn name(self) -> &'static str {
        match self {
            BlockState::Live => "live",
            BlockState::Unreferenced => "unreferenced",
            BlockState::Free => "free",
        }
    }
}

/// One entry of the pool's layout, in address order. In `pages` mode a request appears
/// as one entry per maximal run of contiguous pages, and free pages as merged runs.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Block {
    pub offset: u64,
    pub size: u64,
    pub state: BlockState,
    pub refcount: u32,
    pub name: Option<Name>,
    pub owner: Option<Name>,
}

/// Why an operation failed. The slug (`reason()`) is stable: the CLI's JSON and the app's
/// `data-cause` use it.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum OpError {
    #[error("no free block of {} ({need} bytes): {} are free in all, but the largest free block has only {} — external fragmentation (a sweep merges only adjacent free blocks; compaction makes one)", human(*need), human(*free), human(*largest))]
    Fragmentation { need: u64, free: u64, largest: u64 },
    #[error("out of memory: {} ({need} bytes) requested, only {} free{unref_hint}", human(*need), human(*free))]
    Exhausted { need: u64, free: u64, unref_hint: String },
    /// Fragmentation in a buddy pool: `asked` bytes need a block of `need` (a power of two).
    #[error("no free block of {} for {} ({asked} bytes): {} are free in all, but the largest free block has only {} — in a buddy pool a free block merges only with its buddy, so free neighbours that are not buddies stay apart (compaction packs the blocks and frees larger ones)", human(*need), human(*asked), human(*free), human(*largest))]
    BuddyFragmentation { asked: u64, need: u64, free: u64, largest: u64 },
    /// Out of memory in a buddy pool: `asked` bytes need a block of `need`.
    #[error("out of memory: {} ({asked} bytes) requested takes a {} buddy block, only {} free{unref_hint}", human(*asked), human(*need), human(*free))]
    BuddyExhausted { asked: u64, need: u64, free: u64, unref_hint: String },
    #[error("{owner} would hold {} ({would} bytes), over its quota of {} ({quota} bytes = {why})", human(*would), human(*quota))]
    Quota { owner: String, would: u64, quota: u64, why: String },
    #[error("no block named '{0}' (it was never allocated, or a sweep already freed it)")]
    UnknownName(String),
    #[error("'{name}' is {state}, not live: only live blocks can be retained or released")]
    NotLive { name: String, state: &'static str },
    #[error("a block named '{0}' already exists; names must be unique among live and unreferenced blocks")]
    DuplicateName(String),
    #[error("unknown owner '{owner}': {why}")]
    UnknownOwner { owner: String, why: String },
    #[error("a request must be at least 1 byte")]
    ZeroSize,
    #[error("Insufficient number of network buffers: required {required}, but only {available} available. The total number of network buffers is currently set to {total} of {segment} bytes each. You can increase this number by setting the configuration keys 'taskmanager.memory.network.fraction', 'taskmanager.memory.network.min', and 'taskmanager.memory.network.max'.")]
    InsufficientNetworkBuffers { required: u64, available: u64, total: u64, segment: u64 },
    #[error("'gate' needs a network pool: start the script with `pool SIZE network`")]
    GateNeedsNetworkPool,
}

/// Serializes an error as its (English) message.
pub(crate) fn as_message<S: serde::Serializer>(e: &OpError, s: S) -> Result<S::Ok, S::Error> {
    s.collect_str(e)
}

impl OpError {
    /// The cause in a few words (`fragmentation` → 外部碎片), for labels.
    pub fn reason_label(reason: &str, lang: Lang) -> String {
        let zh = match reason {
            "fragmentation" => "外部碎片",
            "exhausted" => "内存耗尽",
            "quota" => "超出配额",
            "unknown-name" => "未知块名",
            "not-live" => "块已不存活",
            "duplicate-name" => "块名重复",
            "unknown-owner" => "未知所有者",
            "invalid-size" => "无效大小",
            "insufficient-network-buffers" => "网络缓冲区不足",
            "not-network" => "不是网络池",
            other => other,
        };
        match lang {
            Lang::En => reason.to_owned(),
            Lang::Zh => zh.to_owned(),
        }
    }

    /// The whole sentence in `lang`. Flink's own message (network buffers) stays verbatim in
    /// every language — it is what users search for in logs — with an explanation before it.
    pub fn describe(&self, lang: Lang) -> String {
        if lang == Lang::En {
            return self.to_string();
        }
        match self {
            OpError::Fragmentation { need, free, largest } => format!("没有 {} 的空闲块：空闲内存共有 {}，但最大的空闲块只有 {}——外部碎片（清扫只合并相邻的空闲块；压缩才能得到一整块）", human(*need), human(*free), human(*largest)),
            OpError::Exhausted { need, free, unref_hint } => {
                let hint = if unref_hint.is_empty() { String::new() } else { "；部分内存无引用，等待清扫".to_owned() };
                format!("内存不足：请求 {}，只有 {} 空闲{hint}", human(*need), human(*free))
            }
            OpError::BuddyFragmentation { asked, need, free, largest } => format!("没有可以容纳 {} 的 {} 空闲块：空闲内存共有 {}，但最大的空闲块只有 {}——伙伴池里空闲块只与自己的伙伴合并，不是伙伴的相邻空闲块仍然分开（压缩会重新排列各块，腾出更大的块）", human(*asked), human(*need), human(*free), human(*largest)),
            OpError::BuddyExhausted { asked, need, free, unref_hint } => {
                let hint = if unref_hint.is_empty() { String::new() } else { "；部分内存无引用，等待清扫".to_owned() };
                format!("内存不足：请求 {} 需要一个 {} 的伙伴块，只有 {} 空闲{hint}", human(*asked), human(*need), human(*free))
            }
            OpError::Quota { owner, would, quota, why } => format!("{owner} 将占用 {}，超过其配额 {}（{why}）", human(*would), human(*quota)),
            OpError::UnknownName(n) => format!("没有名为 '{n}' 的块（从未分配过，或已被清扫释放）"),
            OpError::NotLive { name, state } => format!("'{name}' 的状态是 {state}，不是 live：只有存活的块才能 retain 或 release"),
            OpError::DuplicateName(n) => format!("已有名为 '{n}' 的块；存活和无引用的块名字必须唯一"),
            OpError::UnknownOwner { owner, why } => format!("未知所有者 '{owner}'：{why}"),
            OpError::ZeroSize => "请求至少要 1 字节".to_owned(),
            OpError::InsufficientNetworkBuffers { .. } => format!("网络缓冲区不足：作业需要的段多于池中剩余的段。Flink 的原始报错：{}", self),
            OpError::GateNeedsNetworkPool => "'gate' 需要网络池：脚本以 `pool SIZE network` 开头".to_owned(),
        }
    }

    /// The stable cause slug.
    pub fn reason(&self) -> &'static str {
        match self {
            OpError::Fragmentation { .. } | OpError::BuddyFragmentation { .. } => "fragmentation",
            OpError::Exhausted { .. } | OpError::BuddyExhausted { .. } => "exhausted",
            OpError::Quota { .. } => "quota",
            OpError::UnknownName(_) => "unknown-name",
            OpError::NotLive { .. } => "not-live",
            OpError::DuplicateName(_) => "duplicate-name",
            OpError::UnknownOwner { .. } => "unknown-owner",
            OpError::ZeroSize => "invalid-size",
            OpError::InsufficientNetworkBuffers { .. } => "insufficient-network-buffers",
            OpError::GateNeedsNetworkPool => "not-network",
        }
    }
}

/// Why a pool could not be built from its configuration.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ConfigError {
    #[error("the pool size must be at least 1 byte")]
    EmptyPool,
    #[error("the page size must be at least 1 byte")]
    ZeroPage,
    #[error("a pool of {size} bytes is not a whole number of {page} byte pages; make the pool a multiple of the page size")]
    PoolNotPageMultiple { size: u64, page: u64 },
    #[error("{pages} pages is more than memlab simulates ({max}); use larger pages or a smaller pool")]
    TooManyPages { pages: u64, max: u64 },
    #[error("executor '{name}': fraction '{fraction}' must be a decimal number between 0 and 1 with at most 18 decimals, like 0.25")]
    BadFraction { name: String, fraction: String },
    #[error("executor '{0}' is declared twice")]
    DuplicateExecutor(String),
    #[error("executor '{0}': slots must be at least 1")]
    ZeroSlots(String),
    #[error("autosweep must be at least 1 operation")]
    ZeroAutosweep,
}

impl ConfigError {
    /// The message in `lang`.
    pub fn describe(&self, lang: Lang) -> String {
        if lang == Lang::En {
            return self.to_string();
        }
        match self {
            ConfigError::EmptyPool => "内存池大小至少为 1 字节".to_owned(),
            ConfigError::ZeroPage => "页大小至少为 1 字节".to_owned(),
            ConfigError::PoolNotPageMultiple { size, page } => {
                format!("{size} 字节的内存池不是 {page} 字节页的整数倍；请把内存池设为页大小的整数倍")
            }
            ConfigError::TooManyPages { pages, max } => {
                format!("{pages} 页超出了 memlab 能模拟的数量（{max}）；请用更大的页或更小的内存池")
            }
            ConfigError::BadFraction { name, fraction } => {
                format!(
                    "执行器 '{name}'：份额 '{fraction}' 必须是 0 到 1 之间、最多 18 位小数的数，例如 0.25"
                )
            }
            ConfigError::DuplicateExecutor(n) => format!("执行器 '{n}' 声明了两次"),
            ConfigError::ZeroSlots(n) => format!("执行器 '{n}'：槽位数至少为 1"),
            ConfigError::ZeroAutosweep => "autosweep 至少为 1 次操作".to_owned(),
        }
    }
}
