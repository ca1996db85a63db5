//! The scenario language: one statement per line, `#` starts a comment.
//!
//! ```text
//! pool 60mb policy first-fit          # or: pool 1gb pages 32kb   |   pool 64mb network
//! executor te1 0.5 slots 2            # te1 may hold floor(M*0.5) bytes; each slot half
//! alloc a 10mb by te1.s1              # "by OWNER" is optional
//! retain a
//! release a
//! sweep
//! compact
//! gate g1 channels 100                # network pools: 2 exclusive/channel + 8 floating
//! workload churn seed=7 ops=10000 min=4kb max=4mb live=100
//! ```
//!
//! `pool` comes first; `executor` lines come before the first operation. `pool` options:
//! `policy P`, `pages [SIZE]`, `network [segment SIZE]`, `autosweep N`, `eager`,
//! `coalesce`, `leak-after K` (`network` implies `coalesce`: buffers return at once). Errors carry the line and column and say what was expected.

use std::fmt;
use std::sync::Arc;

use memlab_size::MemorySize;

use crate::model::{ExecutorDecl, Op, Policy, PoolConfig, ReleaseMode};
use crate::workload::{WorkloadSpec, MAX_OPS};

/// Flink 2.x's network defaults: exclusive buffers per channel and floating per gate.
pub const DEFAULT_EXCLUSIVE: u32 = 2;
pub const DEFAULT_FLOATING: u32 = 8;

/// A parsed scenario.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Script {
    pub pool: PoolConfig,
    pub executors: Vec<ExecutorDecl>,
    pub body: Vec<Stmt>,
}

/// One statement of the body, with its 1-based line number.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Stmt {
    pub line: u32,
    pub kind: StmtKind,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum StmtKind {
    Op(Op),
    Workload(WorkloadSpec),
}

/// A syntax error at a line and column (both 1-based; columns count characters).
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub struct ParseError {
    pub line: u32,
    pub column: u32,
    pub message: String,
}

impl fmt::Display for ParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "line {}, column {}: {}", self.line, self.column, self.message)
    }
}

#[derive(Clone, Copy, Debug)]
struct Tok<'a> {
    text: &'a str,
    col: u32,
}

struct Line<'a> {
    no: u32,
    toks: Vec<Tok<'a>>,
    end_col: u32,
    pos: usize,
}

impl<'a> Line<'a> {
    fn new(no: u32, raw: &'a str) -> Line<'a> {
        let code = raw.split('#').next().unwrap_or("");
        let mut toks = Vec::new();
        let mut start: Option<(usize, u32)> = None;
        let mut col = 0u32;
        for (i, c) in code.char_indices() {
            col += 1;
            if c.is_whitespace() {
                if let Some((s, sc)) = start.take() {
                    toks.push(Tok { text: &code[s..i], col: sc });
                }
            } else if start.is_none() {
                start = Some((i, col));
            }
        }
        if let Some((s, sc)) = start {
            toks.push(Tok { text: &code[s..], col: sc });
        }
        Line { no, toks, end_col: col + 1, pos: 0 }
    }

    fn err(&self, col: u32, message: impl Into<String>) -> ParseError {
        ParseError { line: self.no, column: col, message: message.into() }
    }

    fn next(&mut self) -> Option<Tok<'a>> {
        let t = self.toks.get(self.pos).copied();
        self.pos += 1;
        t
    }

    fn peek(&self) -> Option<Tok<'a>> {
        self.toks.get(self.pos).copied()
    }

    /// The next token, or an error saying what was expected there.
    fn expect(&mut self, what: &str) -> Result<Tok<'a>, ParseError> {
        let end = self.end_col;
        self.next().ok_or_else(|| self.err(end, format!("expected {what}, found the end of the line")))
    }

    fn name(&mut self, what: &str) -> Result<Arc<str>, ParseError> {
        let t = self.expect(what)?;
        if t.text.contains('=') {
            return Err(
                self.err(t.col, format!("expected {what}, found `{}` (names cannot contain `=`)", t.text))
            );
        }
        Ok(t.text.into())
    }

    fn size(&mut self, what: &str) -> Result<u64, ParseError> {
        let t = self.expect(what)?;
        parse_size(t.text).map_err(|m| self.err(t.col, format!("expected {what}, found `{}`: {m}", t.text)))
    }

    fn number(&mut self, what: &str) -> Result<u64, ParseError> {
        let t = self.expect(what)?;
        t.text
            .parse::<u64>()
            .map_err(|_| self.err(t.col, format!("expected {what} (a whole number), found `{}`", t.text)))
    }

    fn done(&self) -> Result<(), ParseError> {
        match self.peek() {
            None => Ok(()),
            Some(t) => Err(self.err(t.col, format!("unexpected `{}`: expected the end of the line", t.text))),
        }
    }
}

fn parse_size(text: &str) -> Result<u64, String> {
    MemorySize::parse(text).map(MemorySize::bytes).map_err(|e| {
        format!("{e} (sizes are whole numbers with an optional unit: b, kb, mb, gb, tb — e.g. 10mb)")
    })
}

const POOL_OPTIONS: &str =
    "`policy`, `pages`, `network`, `segment`, `autosweep`, `eager`, `coalesce` or `leak-after`";
const STATEMENTS: &str = "`alloc`, `retain`, `release`, `sweep`, `compact`, `gate`, `workload` or `executor`";

/// Parses a scenario.
pub fn parse(text: &str) -> Result<Script, ParseError> {
    let mut pool: Option<PoolConfig> = None;
    let mut executors = Vec::new();
    let mut body = Vec::new();
    for (i, raw) in text.lines().enumerate() {
        let mut l = Line::new(i as u32 + 1, raw);
        let Some(kw) = l.next() else { continue };
        if pool.is_none() && kw.text != "pool" {
            return Err(
                l.err(kw.col, format!("expected `pool SIZE …` as the first statement, found `{}`", kw.text))
            );
        }
        match kw.text {
            "pool" if pool.is_some() => return Err(l.err(kw.col, "a script has one `pool` statement")),
            "pool" => pool = Some(parse_pool(&mut l)?),
            "executor" => {
                if !body.is_empty() {
                    return Err(l.err(kw.col, "`executor` lines must come before the first operation"));
                }
                let name = l.name("an executor name")?;
                let f = l.expect("a fraction of the pool, like 0.5")?;
                let mut slots = 1;
                if let Some(t) = l.next() {
                    if t.text != "slots" {
                        return Err(l.err(
                            t.col,
                            format!("expected `slots N` or the end of the line, found `{}`", t.text),
                        ));
                    }
                    let n = l.number("a number of slots")?;
                    slots = u32::try_from(n)
                        .ok()
                        .filter(|n| *n >= 1)
                        .ok_or_else(|| l.err(t.col, "slots must be between 1 and 4294967295".to_string()))?;
                }
                if crate::quota::exact_share(1, f.text).is_none() {
                    return Err(l.err(
                        f.col,
                        format!(
                            "expected a fraction between 0 and 1 (at most 18 decimals), like 0.5, found `{}`",
                            f.text
                        ),
                    ));
                }
                executors.push(ExecutorDecl { name: name.to_string(), fraction: f.text.to_owned(), slots });
            }
            "alloc" => {
                let name = l.name("a block name")?;
                let size = l.size("a size")?;
                let owner = match l.next() {
                    None => None,
                    Some(t) if t.text == "by" => Some(l.name("an owner after `by`")?),
                    Some(t) => {
                        return Err(l.err(
                            t.col,
                            format!("expected `by OWNER` or the end of the line, found `{}`", t.text),
                        ))
                    }
                };
                body.push(Stmt { line: l.no, kind: StmtKind::Op(Op::Alloc { name, size, owner }) });
            }
            "retain" | "release" => {
                let name = l.name("a block name")?;
                let op = if kw.text == "retain" { Op::Retain { name } } else { Op::Release { name } };
                body.push(Stmt { line: l.no, kind: StmtKind::Op(op) });
            }
            "sweep" => body.push(Stmt { line: l.no, kind: StmtKind::Op(Op::Sweep) }),
            "compact" => body.push(Stmt { line: l.no, kind: StmtKind::Op(Op::Compact) }),
            "gate" => {
                let name = l.name("a gate name")?;
                let (mut channels, mut exclusive, mut floating) = (None, DEFAULT_EXCLUSIVE, DEFAULT_FLOATING);
                while let Some(t) = l.next() {
                    let n = u32::try_from(l.number(&format!("a number after `{}`", t.text))?)
                        .map_err(|_| l.err(t.col, "number too large"))?;
                    match t.text {
                        "channels" => channels = Some(n),
                        "exclusive" => exclusive = n,
                        "floating" => floating = n,
                        other => {
                            return Err(l.err(
                                t.col,
                                format!("expected `channels`, `exclusive` or `floating`, found `{other}`"),
                            ))
                        }
                    }
                }
                let channels = channels.ok_or_else(|| l.err(kw.col, "`gate` needs `channels N`"))?;
                body.push(Stmt {
                    line: l.no,
                    kind: StmtKind::Op(Op::Gate { name, channels, exclusive, floating }),
                });
            }
            "workload" => body.push(Stmt { line: l.no, kind: StmtKind::Workload(parse_workload(&mut l)?) }),
            other => return Err(l.err(kw.col, format!("unknown statement `{other}`: expected {STATEMENTS}"))),
        }
        l.done()?;
    }
    let pool = pool.ok_or(ParseError {
        line: 1,
        column: 1,
        message: "the script is empty: start with `pool SIZE`, e.g. `pool 60mb policy first-fit`".into(),
    })?;
    Ok(Script { pool, executors, body })
}

fn parse_pool(l: &mut Line<'_>) -> Result<PoolConfig, ParseError> {
    let size = l.size("the pool size")?;
    let mut cfg = PoolConfig::new(size, Policy::FirstFit);
    while let Some(t) = l.next() {
        match t.text {
            "policy" => {
                let p = l.expect("a policy")?;
                cfg.policy = Policy::parse(p.text).ok_or_else(|| {
                    l.err(
                        p.col,
                        format!(
                            "unknown policy `{}`: expected first-fit, next-fit, best-fit, worst-fit or pages",
                            p.text
                        ),
                    )
                })?;
            }
            "pages" | "network" => {
                cfg.policy = Policy::Pages;
                if t.text == "network" {
                    // Flink returns a finished task's network buffers to the pool at once.
                    cfg.network = true;
                    cfg.release = ReleaseMode::Coalesce;
                }
                if let Some(n) = l.peek() {
                    if n.text.starts_with(|c: char| c.is_ascii_digit()) {
                        cfg.page_size = l.size("a page size")?;
                    }
                }
            }
            "segment" => {
                cfg.policy = Policy::Pages;
                cfg.page_size = l.size("a segment size")?;
            }
            "autosweep" => cfg.autosweep = Some(l.number("a number of operations")?),
            "leak-after" => cfg.leak_after = Some(l.number("a number of steps")?),
            "eager" => cfg.release = ReleaseMode::Eager,
            "coalesce" => cfg.release = ReleaseMode::Coalesce,
            other => {
                return Err(l.err(t.col, format!("unknown pool option `{other}`: expected {POOL_OPTIONS}")))
            }
        }
    }
    Ok(cfg)
}

fn parse_workload(l: &mut Line<'_>) -> Result<WorkloadSpec, ParseError> {
    let kind = l.expect("a workload kind (churn)")?;
    if kind.text != "churn" {
        return Err(l.err(kind.col, format!("unknown workload `{}`: expected `churn`", kind.text)));
    }
    let mut spec = WorkloadSpec::default();
    while let Some(t) = l.next() {
        let Some((k, v)) = t.text.split_once('=') else {
            return Err(l.err(
                t.col,
                format!("expected key=value (seed, ops, min, max, live, by), found `{}`", t.text),
            ));
        };
        let vcol = t.col + k.chars().count() as u32 + 1;
        let num = |v: &str| {
            v.parse::<u64>()
                .map_err(|_| l.err(vcol, format!("expected a whole number for `{k}`, found `{v}`")))
        };
        let size =
            |v: &str| parse_size(v).map_err(|m| l.err(vcol, format!("expected a size for `{k}`: {m}")));
        match k {
            "seed" => spec.seed = num(v)?,
            "ops" => spec.ops = num(v)?,
            "live" => spec.live = num(v)?,
            "min" => spec.min = size(v)?,
            "max" => spec.max = size(v)?,
            "by" => spec.owner = Some(v.into()),
            _ => {
                return Err(l.err(
                    t.col,
                    format!("unknown workload key `{k}`: expected seed, ops, min, max, live or by"),
                ))
            }
        }
    }
    if spec.ops == 0 || spec.ops > MAX_OPS {
        return Err(l.err(kind.col, format!("ops must be between 1 and {MAX_OPS}")));
    }
    if spec.min == 0 || spec.min > spec.max {
        return Err(l.err(kind.col, "need 1 byte <= min <= max"));
    }
    if spec.live == 0 {
        return Err(l.err(kind.col, "live must be at least 1"));
    }
    Ok(spec)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn err(s: &str) -> ParseError {
        parse(s).unwrap_err()
    }

    #[test]
    fn parses_the_documented_example() {
        let s = parse(
            "pool 60mb policy first-fit  # comment\nexecutor te1 0.5 slots 2\n\nalloc a 10mb by te1.s1\nalloc b 20mb\nretain b\nrelease a\nsweep\ncompact\nworkload churn seed=7 ops=10000 min=4kb max=4mb\n",
        )
        .unwrap();
        assert_eq!(s.pool.size, 60 << 20);
        assert_eq!(s.executors, vec![ExecutorDecl { name: "te1".into(), fraction: "0.5".into(), slots: 2 }]);
        assert_eq!(s.body.len(), 7);
        assert_eq!(s.body[0].line, 4);
        assert_eq!(
            s.body[0].kind,
            StmtKind::Op(Op::Alloc { name: "a".into(), size: 10 << 20, owner: Some("te1.s1".into()) })
        );
        let StmtKind::Workload(w) = &s.body[6].kind else { panic!() };
        assert_eq!((w.seed, w.ops, w.min, w.max), (7, 10000, 4096, 4 << 20));
    }

    #[test]
    fn pool_options() {
        let p = parse("pool 1gb pages 32kb autosweep 10 eager leak-after 50").unwrap().pool;
        assert_eq!(
            (p.policy, p.page_size, p.autosweep, p.release, p.leak_after),
            (Policy::Pages, 32768, Some(10), ReleaseMode::Eager, Some(50))
        );
        let n = parse("pool 64mb network segment 16kb").unwrap().pool;
        assert!(n.network);
        assert_eq!(n.page_size, 16384);
        assert_eq!(parse("pool 1gb pages").unwrap().pool.page_size, 32768);
    }

    #[test]
    fn errors_point_at_line_and_column() {
        let e = err("pool 60mb\nalloc a 1.5mb");
        assert_eq!((e.line, e.column), (2, 9));
        assert!(e.message.contains("expected a size, found `1.5mb`"), "{e}");
        assert!(e.to_string().starts_with("line 2, column 9: "));

        let e = err("alloc a 1mb");
        assert_eq!((e.line, e.column), (1, 1));
        assert!(e.message.contains("`pool SIZE"));

        let e = err("pool 60mb policy fastest");
        assert_eq!(e.column, 18);
        assert!(e.message.contains("first-fit, next-fit"));

        let e = err("pool 60mb\nalloc a");
        assert_eq!((e.line, e.column), (2, 8));
        assert!(e.message.contains("found the end of the line"));

        let e = err("pool 60mb\nfree a");
        assert!(e.message.contains("unknown statement `free`"));

        let e = err("pool 60mb\nalloc a 1mb\nexecutor te1 0.5");
        assert!(e.message.contains("before the first operation"));

        let e = err("pool 60mb\nexecutor te1 1.5");
        assert_eq!(e.column, 14);

        let e = err("pool 60mb\nsweep now");
        assert_eq!(e.column, 7);

        let e = err("pool 60mb\nworkload churn ops=x");
        assert_eq!(e.column, 20);

        assert!(err("").message.contains("empty"));
        assert!(err("pool 1mb\npool 2mb").message.contains("one `pool`"));
    }

    #[test]
    fn columns_count_characters_not_bytes() {
        let e = err("pool 60mb\nalloc 块 1.5mb");
        assert_eq!(e.column, 9);
    }

    #[test]
    fn gates_default_to_flinks_buffers() {
        let s = parse("pool 64mb network\ngate g channels 10").unwrap();
        assert_eq!(
            s.body[0].kind,
            StmtKind::Op(Op::Gate { name: "g".into(), channels: 10, exclusive: 2, floating: 8 })
        );
    }
}
