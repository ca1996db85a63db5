//! The buddy tree as SVG markup: one row per depth (a top block on the first row, each row
//! below halving the one above), every block of the pool at its place and width, and above
//! it the blocks it was halved from. Plain Rust (a string), so it is tested natively and the
//! component only sets it.

use memlab_engine::{buddy_tree, Block, BlockState, TreeNode};
use memlab_size::human;

/// More nodes than this are not drawn (the component says so instead).
pub const MAX_NODES: usize = 4000;

/// The words the picture uses, in the reader's language.
pub struct Words<'a> {
    pub split: &'a str,
    /// Live, unreferenced, free.
    pub states: [&'a str; 3],
    /// "{size} at {offset}", already filled in by the caller's language.
    pub at: &'a dyn Fn(&str, &str) -> String,
    /// The whole picture's text alternative, given the number of rows and of split blocks.
    pub summary: &'a dyn Fn(u32, usize) -> String,
}

impl std::fmt::Debug for Words<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Words")
            .field("split", &self.split)
            .field("states", &self.states)
            .finish_non_exhaustive()
    }
}

impl Words<'_> {
    fn state(&self, s: BlockState) -> &str {
        match s {
            BlockState::Live => self.states[0],
            BlockState::Unreferenced => self.states[1],
            BlockState::Free => self.states[2],
        }
    }
}

/// What to draw for a buddy pool: its nodes, its rows and the pool's size.
#[derive(Clone, Debug)]
pub struct Tree {
    pub nodes: Vec<TreeNode>,
    pub rows: u32,
    pool: u64,
}

impl Tree {
    pub fn of(blocks: &[Block], pool: u64) -> Tree {
        let nodes = buddy_tree(blocks, pool);
        let rows = nodes.iter().map(|n| n.depth + 1).max().unwrap_or(0);
        Tree { nodes, rows, pool }
    }

    /// Row height in CSS pixels: roomy for a shallow tree, at least 6 for a deep one.
    pub fn row_height(&self) -> f64 {
        if self.rows <= 8 {
            22.0
        } else {
            (176.0 / f64::from(self.rows)).floor().max(6.0)
        }
    }

    /// The `<svg>` element.
    pub fn svg(&self, blocks: &[Block], w: &Words<'_>) -> String {
        use std::fmt::Write;
        let row = self.row_height();
        let height = row * f64::from(self.rows);
        let splits = self.nodes.iter().filter(|n| n.block.is_none()).count();
        let mut o = String::new();
        let _ = write!(
            o,
            r#"<svg class="buddy-tree" width="100%" height="{height}" role="img" aria-label="{}">"#,
            escape(&(w.summary)(self.rows, splits))
        );
        let pct = |x: u64| x as f64 / self.pool.max(1) as f64 * 100.0;
        for n in &self.nodes {
            let (x, width, y) = (pct(n.offset), pct(n.size), f64::from(n.depth) * row);
            let block = n.block.and_then(|i| blocks.get(i));
            let (kind, name) = match block {
                None => ("split", None),
                Some(b) => (b.state.name(), b.name.as_deref()),
            };
            let title = describe(n, block, w);
            // A split block is an outline on a roomy row, and on a thin one a bar along the
            // row's foot (a bracket over its two halves): outlines that thin are noise.
            let (top, tall) =
                if block.is_none() && row < 16.0 { (y + row - 5.0, 3.0) } else { (y, row - 2.0) };
            let _ = write!(
                o,
                r#"<g data-depth="{}" data-offset="{}" data-size="{}" data-kind="{kind}"><title>{}</title><rect class="{kind}" x="{x:.4}%" y="{top}" width="{width:.4}%" height="{tall}"></rect>"#,
                n.depth,
                n.offset,
                n.size,
                escape(&title),
            );
            // A label where it fits: the block's name (or size) on a wide enough node.
            if row >= 16.0 && width >= 7.0 {
                let label = match (block, name) {
                    (Some(_), Some(name)) => format!("{name} · {}", human(n.size)),
                    (Some(_), None) => human(n.size),
                    (None, _) => format!("{} · {}", human(n.size), w.split),
                };
                let _ = write!(
                    o,
                    r#"<text x="{:.4}%" y="{}">{}</text>"#,
                    x + 0.6,
                    y + row * 0.5 + 3.0,
                    escape(&label)
                );
            }
            o.push_str("</g>");
        }
        o.push_str("</svg>");
        o
    }
}

impl Tree {
    /// The tree as text, for reading rather than seeing: every node as (depth, description),
    /// each split block followed by its two halves (depth first).
    pub fn outline(&self, blocks: &[Block], w: &Words<'_>) -> Vec<(u32, String)> {
        let mut nodes: Vec<&TreeNode> = self.nodes.iter().collect();
        // A split block starts where its low half does, one row higher: by offset, then
        // depth, every block comes before its halves and a low half's subtree before the
        // high half.
        nodes.sort_by_key(|n| (n.offset, n.depth));
        nodes.into_iter().map(|n| (n.depth, describe(n, n.block.and_then(|i| blocks.get(i)), w))).collect()
    }
}

/// One node in words: "b · 8 MiB at 16 MiB · live", "64 MiB at 0 B · split in two".
fn describe(n: &TreeNode, block: Option<&Block>, w: &Words<'_>) -> String {
    let place = (w.at)(&human(n.size), &human(n.offset));
    match block {
        None => format!("{place} · {}", w.split),
        Some(b) => match b.name.as_deref() {
            Some(name) => format!("{name} · {place} · {}", w.state(b.state)),
            None => format!("{place} · {}", w.state(b.state)),
        },
    }
}

/// Text made safe for SVG markup (element content and attribute values).
fn escape(s: &str) -> String {
    let mut o = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => o.push_str("&amp;"),
            '<' => o.push_str("&lt;"),
            '>' => o.push_str("&gt;"),
            '"' => o.push_str("&quot;"),
            '\'' => o.push_str("&#39;"),
            c => o.push(c),
        }
    }
    o
}

#[cfg(test)]
mod tests {
    use super::*;
    use memlab_engine::{script, Timeline};

    fn at(size: &str, at: &str) -> String {
        format!("{size} at {at}")
    }

    fn summary(rows: u32, splits: usize) -> String {
        format!("{rows} rows, {splits} split")
    }

    const WORDS: Words<'static> =
        Words { split: "split", states: ["live", "unreferenced", "free"], at: &at, summary: &summary };

    #[test]
    fn the_svg_draws_each_node_at_its_place_with_its_title() {
        let text = memlab_engine::scenarios::get("buddy").unwrap().text;
        let t = Timeline::run(&script::parse(text).unwrap()).unwrap();
        let blocks = t.state_at(6).blocks();
        let tree = Tree::of(&blocks, 64 << 20);
        assert_eq!((tree.rows, tree.nodes.len(), tree.row_height()), (4, 7, 22.0));
        let svg = tree.svg(&blocks, &WORDS);
        assert!(svg.starts_with(
            r#"<svg class="buddy-tree" width="100%" height="88" role="img" aria-label="4 rows, 3 split">"#
        ));
        // b: 8 MiB at 16 MiB, on the fourth row, a quarter of the way in.
        assert!(
            svg.contains(r#"data-depth="3" data-offset="16777216" data-size="8388608" data-kind="live"><title>b · 8 MiB at 16 MiB · live</title><rect class="live" x="25.0000%" y="66" width="12.5000%" height="20">"#),
            "{svg}"
        );
        assert!(svg.contains(r#"<title>64 MiB at 0 B · split</title>"#), "{svg}");
        assert!(svg.contains(r#"<text x="25.6000%" y="80">b · 8 MiB</text>"#), "{svg}");
        assert_eq!(svg.matches("<g ").count(), 7);
        // The same tree as text, each split block before its halves.
        let outline: Vec<String> = tree
            .outline(&blocks, &WORDS)
            .into_iter()
            .map(|(d, t)| format!("{}{t}", "  ".repeat(d as usize)))
            .collect();
        assert_eq!(
            outline,
            [
                "64 MiB at 0 B · split",
                "  32 MiB at 0 B · split",
                "    16 MiB at 0 B · free",
                "    16 MiB at 16 MiB · split",
                "      b · 8 MiB at 16 MiB · live",
                "      8 MiB at 24 MiB · free",
                "  32 MiB at 32 MiB · free",
            ]
        );
    }

    #[test]
    fn names_are_escaped_and_deep_trees_get_thin_rows() {
        // (Scripts do not allow such a name; a recording or a future source might.)
        let block = |offset: u64, size: u64, state: BlockState, name: Option<&str>| Block {
            offset,
            size,
            state,
            refcount: u32::from(state == BlockState::Live),
            name: name.map(Into::into),
            owner: None,
        };
        let blocks =
            [block(0, 64, BlockState::Live, Some("<a&\"b'>")), block(64, 64, BlockState::Free, None)];
        let tree = Tree::of(&blocks, 1 << 20);
        // 1 MiB down to 64 B: 15 rows.
        assert_eq!(tree.rows, 15);
        assert_eq!(tree.row_height(), 11.0);
        let svg = tree.svg(&blocks, &WORDS);
        assert!(svg.contains("&lt;a&amp;&quot;b&#39;&gt; · 64 B at 0 B · live"), "{svg}");
        assert!(!svg.contains("<a&"), "{svg}");
        // Rows under 16 px carry no labels, and split blocks are bars at each row's foot.
        assert!(!svg.contains("<text"), "{svg}");
        assert!(svg.contains(r#"data-kind="split"><title>1 MiB at 0 B · split</title><rect class="split" x="0.0000%" y="6" width="100.0000%" height="3">"#), "{svg}");
    }
}
