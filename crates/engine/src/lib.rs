//! memlab's allocator engine: a deterministic, pure-Rust simulation of Flink's off-heap
//! memory management, as the app animates it and the CLI runs it.
//!
//! - A **pool** of M bytes is cut into blocks that tile it exactly ([`Engine`]).
//! - **Policies** ([`Policy`]) choose the free block for a request; `pages` is Flink's
//!   real fixed-size page model, `buddy` the classic power-of-two contrast.
//! - **Reference counting**: `release` to 0 leaves a block `unreferenced` until a **sweep**
//!   frees it and merges adjacent free blocks; **compaction** slides live blocks down.
//! - **Quotas** give each TaskExecutor floor(M × p) bytes, split among its slots.
//! - A **scenario language** ([`script`]) drives it, **workloads** generate deterministic
//!   traces, and a **timeline** ([`Timeline`]) can return to any step.
//!
//! ```
//! use memlab_engine::{script, Timeline};
//! let s = script::parse("pool 60mb policy first-fit\nalloc a 10mb\nalloc b 20mb\nalloc c 30mb\n\
//!                        release a\nrelease c\nsweep\n").unwrap();
//! let t = Timeline::run(&s).unwrap();
//! let free: Vec<u64> = t.final_state().blocks().iter()
//!     .filter(|b| b.state == memlab_engine::BlockState::Free).map(|b| b.size).collect();
//! assert_eq!(free, [10 << 20, 30 << 20]); // swept, but not adjacent: two free blocks
//! ```
#![forbid(unsafe_code)]

mod addr_tree;
pub mod bench;
mod buddy;
pub mod diagnose;
mod engine;
mod event;
mod free_index;
mod id;
mod invariant;
mod layout;
mod model;
mod name;
mod names;
pub mod narrate;
mod pages;
mod quota;
pub mod scenarios;
pub mod script;
mod segments;
mod size_classes;
mod timeline;
pub mod workload;

pub use buddy::{buddy_of, buddy_tree, BuddyOf, TreeNode};
pub use engine::{Engine, LeakSuspect, Metrics, Sample};
pub use event::Event;
pub use invariant::InvariantError;
pub use model::{
    Block, BlockState, ConfigError, ExecutorDecl, Op, OpError, Policy, PoolConfig, ReleaseMode,
    DEFAULT_PAGE_SIZE,
};
pub use name::Name;
pub use pages::MAX_PAGES;
pub use quota::{exact_share, Executor, OwnerUse};
pub use timeline::{Failure, FailureExcerpt, RunError, Timeline};
