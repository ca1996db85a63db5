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

use memlab_size::MemorySize;
use memlab_text::{tr, Lang};

use crate::model::{ExecutorDecl, Op, Policy, PoolConfig, ReleaseMode};
use crate::name::Name;
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

impl Script {
    /// How many steps the script runs: one per operation, `ops` per workload (a workload
    /// emits exactly that many). Known from the text alone, so a run that would be too long
    /// is refused before it starts.
    pub fn steps(&self) -> u64 {
        self.body
            .iter()
            .map(|s| match &s.kind {
                StmtKind::Op(_) => 1,
                StmtKind::Workload(w) => w.ops,
            })
            .fold(0u64, u64::saturating_add)
    }
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

impl ParseError {
    /// The located message in `lang` (the message itself is in the language `parse_in`
    /// was given).
    pub fn describe(&self, lang: Lang) -> String {
        let (line, column, m) = (self.line, self.column, &self.message);
        tr!(lang, "line {line}, column {column}: {m}", "第 {line} 行第 {column} 列：{m}")
    }
}

/// What a parser expected, in both languages.
type What = (&'static str, &'static str);

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
    lang: Lang,
}

impl<'a> Line<'a> {
    fn new(no: u32, raw: &'a str, lang: Lang) -> Line<'a> {
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
        Line { no, toks, end_col: col + 1, pos: 0, lang }
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

    fn what(&self, w: What) -> &'static str {
        match self.lang {
            Lang::En => w.0,
            Lang::Zh => w.1,
        }
    }

    /// The next token, or an error saying what was expected there.
    fn expect(&mut self, w: What) -> Result<Tok<'a>, ParseError> {
        let (end, what) = (self.end_col, self.what(w));
        let m = tr!(
            self.lang,
            "expected {what}, found the end of the line",
            "这里应当是{what}，但这一行已经结束"
        );
        self.next().ok_or_else(|| self.err(end, m))
    }

    fn name(&mut self, w: What) -> Result<Name, ParseError> {
        let t = self.expect(w)?;
        if t.text.contains('=') {
            let (what, x) = (self.what(w), t.text);
            return Err(self.err(
                t.col,
                tr!(
                    self.lang,
                    "expected {what}, found `{x}` (names cannot contain `=`)",
                    "这里应当是{what}，却是 `{x}`（名字里不能有 `=`）"
                ),
            ));
        }
        Ok(t.text.into())
    }

    fn size(&mut self, w: What) -> Result<u64, ParseError> {
        let t = self.expect(w)?;
        let (what, x, lang) = (self.what(w), t.text, self.lang);
        parse_size(t.text, lang).map_err(|m| {
            self.err(
                t.col,
                tr!(lang, "expected {what}, found `{x}`: {m}", "这里应当是{what}，却是 `{x}`：{m}"),
            )
        })
    }

    fn number(&mut self, w: What) -> Result<u64, ParseError> {
        let t = self.expect(w)?;
        let (what, x) = (self.what(w), t.text);
        let m = tr!(
            self.lang,
            "expected {what} (a whole number), found `{x}`",
            "这里应当是{what}（整数），却是 `{x}`"
        );
        t.text.parse::<u64>().map_err(|_| self.err(t.col, m))
    }

    fn done(&self) -> Result<(), ParseError> {
        match self.peek() {
            None => Ok(()),
            Some(t) => {
                let x = t.text;
                Err(self.err(
                    t.col,
                    tr!(
                        self.lang,
                        "unexpected `{x}`: expected the end of the line",
                        "多余的 `{x}`：这一行应当在此结束"
                    ),
                ))
            }
        }
    }
}

/// A size, or why it is not one (Flink's `MemorySize` message stays as Flink says it).
fn parse_size(text: &str, lang: Lang) -> Result<u64, String> {
    MemorySize::parse(text).map(MemorySize::bytes).map_err(|e| {
        tr!(
            lang,
            "{e} (sizes are whole numbers with an optional unit: b, kb, mb, gb, tb — e.g. 10mb)",
            "`{e}`（Flink 的原始报错；大小是整数加可选单位：b、kb、mb、gb、tb——例如 10mb）"
        )
    })
}

const POOL_OPTIONS: &str =
    "`policy`, `pages`, `network`, `segment`, `autosweep`, `eager`, `coalesce` or `leak-after`";
const STATEMENTS: &str = "`alloc`, `retain`, `release`, `sweep`, `compact`, `gate`, `workload` or `executor`";

/// Parses a scenario (errors in English).
pub fn parse(text: &str) -> Result<Script, ParseError> {
    parse_in(text, Lang::En)
}

/// Parses a scenario; errors are written in `lang`.
pub fn parse_in(text: &str, lang: Lang) -> Result<Script, ParseError> {
    let mut pool: Option<PoolConfig> = None;
    let mut executors = Vec::new();
    let mut body = Vec::new();
    for (i, raw) in text.lines().enumerate() {
        let mut l = Line::new(i as u32 + 1, raw, lang);
        let Some(kw) = l.next() else { continue };
        if pool.is_none() && kw.text != "pool" {
            let x = kw.text;
            return Err(l.err(
                kw.col,
                tr!(
                    lang,
                    "expected `pool SIZE …` as the first statement, found `{x}`",
                    "第一条语句应当是 `pool SIZE …`，却是 `{x}`"
                ),
            ));
        }
        match kw.text {
            "pool" if pool.is_some() => {
                return Err(l.err(
                    kw.col,
                    tr!(lang, "a script has one `pool` statement", "一个脚本只能有一条 `pool` 语句"),
                ))
            }
            "pool" => pool = Some(parse_pool(&mut l)?),
            "executor" => {
                if !body.is_empty() {
                    return Err(l.err(
                        kw.col,
                        tr!(
                            lang,
                            "`executor` lines must come before the first operation",
                            "`executor` 行必须写在第一个操作之前"
                        ),
                    ));
                }
                let name = l.name(("an executor name", "执行器名"))?;
                let f = l.expect(("a fraction of the pool, like 0.5", "内存池的份额，例如 0.5"))?;
                let mut slots = 1;
                if let Some(t) = l.next() {
                    if t.text != "slots" {
                        let x = t.text;
                        return Err(l.err(
                            t.col,
                            tr!(
                                lang,
                                "expected `slots N` or the end of the line, found `{x}`",
                                "这里应当是 `slots N` 或行尾，却是 `{x}`"
                            ),
                        ));
                    }
                    let n = l.number(("a number of slots", "槽位数"))?;
                    let m = tr!(
                        lang,
                        "slots must be between 1 and 4294967295",
                        "槽位数必须在 1 到 4294967295 之间"
                    );
                    slots = u32::try_from(n).ok().filter(|n| *n >= 1).ok_or_else(|| l.err(t.col, m))?;
                }
                if crate::quota::exact_share(1, f.text).is_none() {
                    let x = f.text;
                    return Err(l.err(
                        f.col,
                        tr!(
                            lang,
                            "expected a fraction between 0 and 1 (at most 18 decimals), like 0.5, found `{x}`",
                            "这里应当是 0 到 1 之间的份额（最多 18 位小数），例如 0.5，却是 `{x}`"
                        ),
                    ));
                }
                executors.push(ExecutorDecl { name: name.to_string(), fraction: f.text.to_owned(), slots });
            }
            "alloc" => {
                let name = l.name(("a block name", "块名"))?;
                let size = l.size(("a size", "大小"))?;
                let owner = match l.next() {
                    None => None,
                    Some(t) if t.text == "by" => Some(l.name(("an owner after `by`", "`by` 后面的所有者"))?),
                    Some(t) => {
                        let x = t.text;
                        return Err(l.err(
                            t.col,
                            tr!(
                                lang,
                                "expected `by OWNER` or the end of the line, found `{x}`",
                                "这里应当是 `by OWNER` 或行尾，却是 `{x}`"
                            ),
                        ));
                    }
                };
                body.push(Stmt { line: l.no, kind: StmtKind::Op(Op::Alloc { name, size, owner }) });
            }
            "retain" | "release" => {
                let name = l.name(("a block name", "块名"))?;
                let op = if kw.text == "retain" { Op::Retain { name } } else { Op::Release { name } };
                body.push(Stmt { line: l.no, kind: StmtKind::Op(op) });
            }
            "sweep" => body.push(Stmt { line: l.no, kind: StmtKind::Op(Op::Sweep) }),
            "compact" => body.push(Stmt { line: l.no, kind: StmtKind::Op(Op::Compact) }),
            "gate" => {
                let name = l.name(("a gate name", "输入门名"))?;
                let (mut channels, mut exclusive, mut floating) = (None, DEFAULT_EXCLUSIVE, DEFAULT_FLOATING);
                while let Some(t) = l.next() {
                    let n = u32::try_from(l.number(("a number", "数字"))?)
                        .map_err(|_| l.err(t.col, tr!(lang, "number too large", "数字太大")))?;
                    match t.text {
                        "channels" => channels = Some(n),
                        "exclusive" => exclusive = n,
                        "floating" => floating = n,
                        other => {
                            return Err(l.err(
                                t.col,
                                tr!(
                                    lang,
                                    "expected `channels`, `exclusive` or `floating`, found `{other}`",
                                    "这里应当是 `channels`、`exclusive` 或 `floating`，却是 `{other}`"
                                ),
                            ))
                        }
                    }
                }
                let m = tr!(lang, "`gate` needs `channels N`", "`gate` 需要 `channels N`");
                let channels = channels.ok_or_else(|| l.err(kw.col, m))?;
                body.push(Stmt {
                    line: l.no,
                    kind: StmtKind::Op(Op::Gate { name, channels, exclusive, floating }),
                });
            }
            "workload" => body.push(Stmt { line: l.no, kind: StmtKind::Workload(parse_workload(&mut l)?) }),
            other => {
                return Err(l.err(
                    kw.col,
                    tr!(
                        lang,
                        "unknown statement `{other}`: expected {STATEMENTS}",
                        "未知语句 `{other}`：应当是 {STATEMENTS} 之一"
                    ),
                ))
            }
        }
        l.done()?;
    }
    let pool = pool.ok_or(ParseError {
        line: 1,
        column: 1,
        message: tr!(
            lang,
            "the script is empty: start with `pool SIZE`, e.g. `pool 60mb policy first-fit`",
            "脚本是空的：请以 `pool SIZE` 开头，例如 `pool 60mb policy first-fit`"
        ),
    })?;
    Ok(Script { pool, executors, body })
}

fn parse_pool(l: &mut Line<'_>) -> Result<PoolConfig, ParseError> {
    let lang = l.lang;
    let size = l.size(("the pool size", "内存池大小"))?;
    let mut cfg = PoolConfig::new(size, Policy::FirstFit);
    while let Some(t) = l.next() {
        match t.text {
            "policy" => {
                let p = l.expect(("a policy", "策略"))?;
                let x = p.text;
                let m = tr!(
                    lang,
                    "unknown policy `{x}`: expected first-fit, next-fit, best-fit, worst-fit, pages or buddy",
                    "未知策略 `{x}`：应当是 first-fit、next-fit、best-fit、worst-fit、pages 或 buddy"
                );
                cfg.policy = Policy::parse(p.text).ok_or_else(|| l.err(p.col, m))?;
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
                        cfg.page_size = l.size(("a page size", "页大小"))?;
                    }
                }
            }
            "segment" => {
                cfg.policy = Policy::Pages;
                cfg.page_size = l.size(("a segment size", "段大小"))?;
            }
            "autosweep" => cfg.autosweep = Some(l.number(("a number of operations", "操作次数"))?),
            "leak-after" => cfg.leak_after = Some(l.number(("a number of steps", "步数"))?),
            "eager" => cfg.release = ReleaseMode::Eager,
            "coalesce" => cfg.release = ReleaseMode::Coalesce,
            other => {
                return Err(l.err(
                    t.col,
                    tr!(
                        lang,
                        "unknown pool option `{other}`: expected {POOL_OPTIONS}",
                        "未知的内存池选项 `{other}`：应当是 {POOL_OPTIONS} 之一"
                    ),
                ))
            }
        }
    }
    Ok(cfg)
}

fn parse_workload(l: &mut Line<'_>) -> Result<WorkloadSpec, ParseError> {
    let lang = l.lang;
    let kind = l.expect(("a workload kind (churn)", "负载类型（churn）"))?;
    if kind.text != "churn" {
        let x = kind.text;
        return Err(l.err(
            kind.col,
            tr!(lang, "unknown workload `{x}`: expected `churn`", "未知负载 `{x}`：应当是 `churn`"),
        ));
    }
    let mut spec = WorkloadSpec::default();
    while let Some(t) = l.next() {
        let Some((k, v)) = t.text.split_once('=') else {
            let x = t.text;
            return Err(l.err(
                t.col,
                tr!(
                    lang,
                    "expected key=value (seed, ops, min, max, live, by), found `{x}`",
                    "这里应当是 key=value（seed、ops、min、max、live、by），却是 `{x}`"
                ),
            ));
        };
        let vcol = t.col + k.chars().count() as u32 + 1;
        let num = |v: &str| {
            v.parse::<u64>().map_err(|_| {
                l.err(
                    vcol,
                    tr!(
                        lang,
                        "expected a whole number for `{k}`, found `{v}`",
                        "`{k}` 应当是整数，却是 `{v}`"
                    ),
                )
            })
        };
        let size = |v: &str| {
            parse_size(v, lang).map_err(|m| {
                l.err(vcol, tr!(lang, "expected a size for `{k}`: {m}", "`{k}` 应当是大小：{m}"))
            })
        };
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
                    tr!(
                        lang,
                        "unknown workload key `{k}`: expected seed, ops, min, max, live or by",
                        "未知的负载键 `{k}`：应当是 seed、ops、min、max、live 或 by"
                    ),
                ))
            }
        }
    }
    if spec.ops == 0 || spec.ops > MAX_OPS {
        return Err(l.err(
            kind.col,
            tr!(lang, "ops must be between 1 and {MAX_OPS}", "ops 必须在 1 到 {MAX_OPS} 之间"),
        ));
    }
    if spec.min == 0 || spec.min > spec.max {
        return Err(l.err(kind.col, tr!(lang, "need 1 byte <= min <= max", "需要 1 字节 <= min <= max")));
    }
    if spec.live == 0 {
        return Err(l.err(kind.col, tr!(lang, "live must be at least 1", "live 至少为 1")));
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
    fn errors_read_in_chinese_at_the_same_place() {
        let cjk = memlab_text::has_han;
        for bad in [
            "",
            "alloc a 1mb",
            "pool 60mb policy fastest",
            "pool 60mb\nalloc a 1.5mb",
            "pool 60mb\nalloc a",
            "pool 60mb\nfree a",
            "pool 60mb\nsweep now",
            "pool 60mb\nworkload churn ops=x",
            "pool 60mb\nexecutor te1 1.5",
            "pool 60mb\ngate g",
            "pool 60mb\nalloc a 1mb by",
        ] {
            let (en, zh) = (parse(bad).unwrap_err(), parse_in(bad, Lang::Zh).unwrap_err());
            assert_eq!((en.line, en.column), (zh.line, zh.column), "{bad}");
            assert!(cjk(&zh.describe(Lang::Zh)) && !cjk(&en.to_string()), "{bad}: {zh:?}");
        }
        let e = parse_in("pool 60mb\nalloc a 1.5mb", Lang::Zh).unwrap_err();
        assert!(e.describe(Lang::Zh).starts_with("第 2 行第 9 列：这里应当是大小，却是 `1.5mb`：`"), "{e:?}");
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
