//! Casualties from the words (读伤亡): "造成12人死亡、30人受伤", "1死3伤", "3名乘客均未受伤",
//! "被困2人", "伤亡情况不详", "3 dead and 11 injured", "killing two", "no one was hurt".
//!
//! Chinese is read around each casualty word: a count just before it (the number, then 人/名/位/个
//! and at most five more characters of the clause: "3名工人当场死亡"), else just after it
//! ("死亡12人", "被困人员2名"); with no count, a negation before it (无、未、没) reads as 0 and
//! "不详/不明" after it as unknown. English uses patterns (the regex crate). Every count is
//! read by [`Count::parse`], so "十几", "20余" and "约30" stay approximate.

use super::CasualtyKind;
use crate::domain::Count;
use crate::rules::verify::numbers::is_numeral;

/// One count found in the text, in normalised character offsets.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Mention {
    pub kind: CasualtyKind,
    pub count: Count,
    pub s: usize,
    pub e: usize,
    /// 重伤 / 轻伤: parts of the injured that add up.
    pub part: bool,
    /// Read from a symptom (呕吐, 发热…), not an injury.
    pub symptom: bool,
}

impl Mention {
    pub(crate) fn new(kind: CasualtyKind, count: Count, s: usize, e: usize) -> Mention {
        Mention {
            kind,
            count,
            s,
            e,
            part: false,
            symptom: false,
        }
    }
}

/// Nouns among the casualty words: a count comes before them only ("5名伤者"), never after
/// ("死者家属和村民二三十人" is not 30 dead).
const NOUNS: &[&str] = &["死者", "伤者", "伤员", "遇难者"];

/// Verbs whose subject is at least one person even with no number: "捞上来已经没气了".
const AT_LEAST_ONE: &[&str] = &[
    "死亡",
    "遇难",
    "身亡",
    "没气了",
    "无生命体征",
    "撞死",
    "砸死",
    "烧死",
    "淹死",
    "压死",
    "炸死",
    "死了",
    "受伤",
    "重伤",
    "轻伤",
    "摔伤",
    "砸伤",
    "烧伤",
    "撞伤",
    "砍伤",
    "击伤",
    "受了伤",
    "擦破",
    "流血",
    "流了好多血",
    "流了不少血",
    "被困",
    "困了",
    "困住",
    "卡在",
    "卡住",
    "失联",
    "失踪",
    "未找到",
    "没找到",
    "找不到",
    "未归",
    "走散",
    "失去联系",
    "联系不上",
];

/// Symptoms, counted as injured (a meal, a gas): not in an epidemic, where they are cases.
pub(crate) const SYMPTOMS: &[&str] = &["恶心", "呕吐", "腹泻", "发热", "不适", "头晕"];

/// Words whose clause must name its own count: "左手被压了" is no count of people held.
const OWN_COUNT_ONLY: &[&str] = &["被压"];

/// Words before a casualty word in its clause that make it a precaution, not a fact.
const NOT_A_FACT: &[&str] = &[
    "防止", "避免", "以免", "预防", "是否", "有无", "防范", "谨防",
];

/// Things, not people, that a clause may say are trapped or crushed: 车辆被困水中.
const THINGS_HELD: &[&str] = &[
    "车辆", "车子", "船只", "房屋", "物资", "货物", "农田", "大棚",
];

/// Chinese casualty words by kind; `true` marks a part (重伤, 轻伤).
const ZH_WORDS: &[(&str, CasualtyKind, bool)] = &[
    ("没气了", CasualtyKind::Dead, false),
    ("无生命体征", CasualtyKind::Dead, false),
    ("撞死", CasualtyKind::Dead, false),
    ("砸死", CasualtyKind::Dead, false),
    ("烧死", CasualtyKind::Dead, false),
    ("淹死", CasualtyKind::Dead, false),
    ("压死", CasualtyKind::Dead, false),
    ("炸死", CasualtyKind::Dead, false),
    ("死了", CasualtyKind::Dead, false),
    ("砍伤", CasualtyKind::Injured, false),
    ("击伤", CasualtyKind::Injured, false),
    ("受了伤", CasualtyKind::Injured, false),
    ("擦破", CasualtyKind::Injured, false),
    ("流血", CasualtyKind::Injured, false),
    ("流了好多血", CasualtyKind::Injured, false),
    ("流了不少血", CasualtyKind::Injured, false),
    ("头晕", CasualtyKind::Injured, false),
    ("送县", CasualtyKind::Injured, false),
    ("送至", CasualtyKind::Injured, false),
    ("送到", CasualtyKind::Injured, false),
    ("送入", CasualtyKind::Injured, false),
    ("卡在", CasualtyKind::Trapped, false),
    ("卡住", CasualtyKind::Trapped, false),
    ("未找到", CasualtyKind::Missing, false),
    ("没找到", CasualtyKind::Missing, false),
    ("找不到", CasualtyKind::Missing, false),
    ("未归", CasualtyKind::Missing, false),
    ("走散", CasualtyKind::Missing, false),
    ("失去联系", CasualtyKind::Missing, false),
    ("联系不上", CasualtyKind::Missing, false),
    ("挂了彩", CasualtyKind::Injured, false),
    ("挂彩", CasualtyKind::Injured, false),
    ("送往", CasualtyKind::Injured, false),
    ("送医", CasualtyKind::Injured, false),
    ("住院", CasualtyKind::Injured, false),
    ("困了", CasualtyKind::Trapped, false),
    ("困住", CasualtyKind::Trapped, false),
    ("被压", CasualtyKind::Trapped, false),
    ("不幸遇难", CasualtyKind::Dead, false),
    ("死亡", CasualtyKind::Dead, false),
    ("遇难", CasualtyKind::Dead, false),
    ("身亡", CasualtyKind::Dead, false),
    ("罹难", CasualtyKind::Dead, false),
    ("丧生", CasualtyKind::Dead, false),
    ("殒命", CasualtyKind::Dead, false),
    ("丧命", CasualtyKind::Dead, false),
    ("死者", CasualtyKind::Dead, false),
    ("亡", CasualtyKind::Dead, false),
    ("死", CasualtyKind::Dead, false),
    ("重伤", CasualtyKind::Injured, true),
    ("轻伤", CasualtyKind::Injured, true),
    ("受伤", CasualtyKind::Injured, false),
    ("烧伤", CasualtyKind::Injured, false),
    ("砸伤", CasualtyKind::Injured, false),
    ("摔伤", CasualtyKind::Injured, false),
    ("撞伤", CasualtyKind::Injured, false),
    ("擦伤", CasualtyKind::Injured, false),
    ("烫伤", CasualtyKind::Injured, false),
    ("负伤", CasualtyKind::Injured, false),
    ("压伤", CasualtyKind::Injured, false),
    ("割伤", CasualtyKind::Injured, false),
    ("扭伤", CasualtyKind::Injured, false),
    ("咬伤", CasualtyKind::Injured, false),
    ("刺伤", CasualtyKind::Injured, false),
    ("炸伤", CasualtyKind::Injured, false),
    ("划伤", CasualtyKind::Injured, false),
    ("中毒", CasualtyKind::Injured, false),
    ("恶心", CasualtyKind::Injured, false),
    ("呕吐", CasualtyKind::Injured, false),
    ("腹泻", CasualtyKind::Injured, false),
    ("发热", CasualtyKind::Injured, false),
    ("不适", CasualtyKind::Injured, false),
    ("伤者", CasualtyKind::Injured, false),
    ("伤员", CasualtyKind::Injured, false),
    ("伤", CasualtyKind::Injured, false),
    ("失踪", CasualtyKind::Missing, false),
    ("失联", CasualtyKind::Missing, false),
    ("下落不明", CasualtyKind::Missing, false),
    ("走失", CasualtyKind::Missing, false),
    ("被困", CasualtyKind::Trapped, false),
    ("被埋", CasualtyKind::Trapped, false),
    ("受困", CasualtyKind::Trapped, false),
    ("困在", CasualtyKind::Trapped, false),
];

/// Measure words of people after a number.
const PEOPLE: &str = "人名位个口";
/// One person named by role, with no number: 驾驶员受轻伤, 司机当场死亡.
const ONE_PERSON: &[&str] = &["驾驶员", "驾驶人", "司机", "骑车人", "骑手", "船主", "户主"];
/// Measure words of things: 一辆, 一处 do not name a person.
const THINGS: &str = "辆处座栋间家艘台起场次些批条块片只头户项段辆架";
/// Words before a count that make it approximate or a bound.
const PREFIXES: &[&str] = &["大约", "将近", "超过", "至少", "约", "近", "逾"];
/// How many characters of the clause may stand between a count and its word.
const GAP: usize = 10;

fn is_han(c: char) -> bool {
    matches!(c as u32, 0x4E00..=0x9FFF | 0x3400..=0x4DBF)
}

/// 无、未、没 — but not 无效 (抢救无效死亡: died), 未成 (未成年), 无法.
fn is_negation(c: &[char], i: usize) -> bool {
    matches!(c[i], '无' | '未' | '没')
        && !matches!(
            (c[i], c.get(i + 1)),
            ('无', Some('效' | '法')) | ('未', Some('成'))
        )
}

/// Matches `word` at `i`.
fn at(c: &[char], i: usize, word: &str) -> bool {
    (i..).zip(word.chars()).all(|(k, w)| c.get(k) == Some(&w))
}

/// The numeral run ending at `e` (exclusive), with 余/多/来 after it and 约/近… before it.
fn run_before(c: &[char], e: usize) -> Option<(usize, usize)> {
    let mut s = e;
    if s >= 2 && matches!(c[s - 1], '余' | '多' | '来' | '几') && is_numeral(c[s - 2]) {
        s -= 1;
    }
    while s > 0 && is_numeral(c[s - 1]) {
        s -= 1;
    }
    if s == e || (s + 1 == e && matches!(c[s], '几' | '余' | '多' | '来')) {
        return None;
    }
    for p in PREFIXES {
        let n = p.chars().count();
        // 附近5名 is "nearby, 5", not "nearly 5".
        let word = s > n && matches!(c[s - n - 1], '附' | '最' | '临' | '接');
        if s >= n && at(c, s - n, p) && !word {
            s -= n;
            break;
        }
    }
    Some((s, e))
}

/// The numeral run starting at `s`.
fn run_after(c: &[char], s: usize) -> Option<(usize, usize)> {
    let mut b = s;
    for p in PREFIXES {
        if at(c, b, p) {
            b += p.chars().count();
            break;
        }
    }
    let mut e = b;
    while e < c.len() && is_numeral(c[e]) {
        e += 1;
    }
    if e == b {
        return None;
    }
    if e < c.len() && matches!(c[e], '余' | '多' | '来') {
        e += 1;
    }
    Some((s, e))
}

fn parse_run(c: &[char], s: usize, e: usize) -> Option<Count> {
    let w: String = c[s..e].iter().collect();
    let w = w.replace('逾', "超过");
    match Count::parse(&w)? {
        Count::NotStated | Count::Unknown => None,
        n => Some(n),
    }
}

/// A count before the word at `v`: "12人死亡", "3名工人当场死亡", "1死", "3名乘客均未受伤" (0).
fn before(c: &[char], v: usize, single: bool) -> Option<(usize, Count)> {
    // Directly after the numerals: 1死3伤, 10余人 (the 人 is the gap below).
    if let Some((s, _)) = run_before(c, v) {
        return parse_run(c, s, v).map(|n| (s, n));
    }
    if single {
        return None;
    }
    let mut j = v;
    let mut negated = false;
    while j > 0 && v - j <= GAP {
        let ch = c[j - 1];
        if PEOPLE.contains(ch) && j >= 2 && (is_numeral(c[j - 2]) || "余多来".contains(c[j - 2]))
        {
            let (s, e) = run_before(c, j - 1)?;
            let n = parse_run(c, s, e)?;
            return Some((s, if negated { Count::Known(0) } else { n }));
        }
        if !is_han(ch) || is_numeral(ch) {
            return None;
        }
        if is_negation(c, j - 1) {
            negated = true;
        }
        j -= 1;
    }
    None
}

/// A count after the word ending at `ve`: "死亡12人", "被困人员2名", "死亡人数为3".
fn after(c: &[char], ve: usize) -> Option<(usize, Count)> {
    let mut j = ve;
    while j < c.len() && j - ve <= GAP + 1 {
        if is_numeral(c[j]) || PREFIXES.iter().any(|p| at(c, j, p)) {
            let (s, e) = run_after(c, j)?;
            let counted = c.get(e).is_some_and(|ch| PEOPLE.contains(*ch))
                || c[ve..j].windows(2).any(|w| w == ['人', '数']);
            if !counted {
                return None;
            }
            return parse_run(c, s, e).map(|n| (e, n));
        }
        if !is_han(c[j]) {
            return None;
        }
        j += 1;
    }
    None
}

/// With no count: 无人员被困, 未造成人员死亡 → 0; 被困人数不详 → unknown.
fn stated_without_count(c: &[char], v: usize, ve: usize) -> Option<Count> {
    let tail: String = c[ve..(ve + 10).min(c.len())]
        .iter()
        .take_while(|ch| is_han(**ch))
        .collect();
    if [
        "不详", "不明", "未知", "核实", "不清", "统计", "待查", "尚未",
    ]
    .iter()
    .any(|w| tail.contains(w))
    {
        return Some(Count::Unknown);
    }
    let mut j = v;
    while j > 0 && v - j < 6 {
        let ch = c[j - 1];
        if !is_han(ch) {
            break;
        }
        if is_negation(c, j - 1) {
            return Some(Count::Known(0));
        }
        j -= 1;
    }
    None
}

/// The people the sentence is about, when the clause of the word names none: "一名电焊工在作业时
/// 触电，经抢救无效身亡" (1 dead), "两名小学生…溺水，经打捞均已死亡" (2). The nearest count of people
/// (a number, then 名/人/位) back to the sentence's start, at most 40 characters.
fn subject(c: &[char], v: usize) -> Option<(usize, Count)> {
    let mut j = v;
    while j > 1 && v - j < 40 {
        let ch = c[j - 1];
        if matches!(ch, '。' | '!' | '?' | ';' | '\n') {
            return None;
        }
        // A count that its own casualty word follows ("12人死亡") belongs to that word.
        let owned = ZH_WORDS.iter().any(|(w, _, _)| at(c, j, w));
        if PEOPLE.contains(ch) && ch != '个' && is_numeral(c[j - 2]) && !owned {
            let (s, e) = run_before(c, j - 1)?;
            return parse_run(c, s, e).map(|n| (s, n));
        }
        // 一村民, 一男子: 一 before a noun that is not a measure word of things.
        if ch == '一'
            && (j < 2 || c[j - 2] != '第')
            && c.get(j)
                .is_some_and(|n| is_han(*n) && !THINGS.contains(*n) && !is_numeral(*n))
            && (j < 2 || !is_numeral(c[j - 2]))
        {
            return Some((j - 1, Count::Known(1)));
        }
        if let Some(w) = ONE_PERSON.iter().find(|w| {
            let n = w.chars().count();
            j >= n && at(c, j - n, w)
        }) {
            return Some((j - w.chars().count(), Count::Known(1)));
        }
        j -= 1;
    }
    None
}

/// 被困3小时后获救: no longer trapped.
fn rescued(c: &[char], v: usize) -> bool {
    let after: String = c[v..(v + 10).min(c.len())].iter().collect();
    ["获救", "救出", "脱险", "脱困"]
        .iter()
        .any(|w| after.contains(w))
}

/// A death, injury or entrapment told with no number: at least one ("至少1"), unless the clause
/// makes it a precaution ("防止人员受伤").
fn at_least_one(c: &[char], v: usize, word: &str) -> Option<Count> {
    if !AT_LEAST_ONE.contains(&word) {
        return None;
    }
    let mut j = v;
    while j > 0 && v - j < 12 && is_han(c[j - 1]) {
        j -= 1;
    }
    let clause: String = c[j..v].iter().collect();
    // A number in the clause that was not a count of people (300头猪死亡): not people.
    if NOT_A_FACT.iter().any(|w| clause.contains(w))
        || THINGS_HELD.iter().any(|w| clause.contains(w))
        || clause.chars().any(|c| is_numeral(c) && c != '几')
        || (j > 0 && is_numeral(c[j - 1]))
        || rescued(c, v)
    {
        return None;
    }
    Count::parse("至少1")
}

/// Chinese counts.
pub(crate) fn zh(c: &[char], out: &mut Vec<Mention>) {
    let mut i = 0;
    while i < c.len() {
        // 伤亡 (dead and injured together): only "无人员伤亡" (0, 0) and "伤亡不详" (unknown).
        if at(c, i, "伤亡") {
            if let Some(n) = stated_without_count(c, i, i + 2) {
                for kind in [CasualtyKind::Dead, CasualtyKind::Injured] {
                    out.push(Mention {
                        kind,
                        count: n.clone(),
                        s: i,
                        e: i + 2,
                        part: false,
                        symptom: false,
                    });
                }
            }
            i += 2;
            continue;
        }
        let Some((w, kind, part)) = ZH_WORDS.iter().find(|(w, _, _)| at(c, i, w)) else {
            i += 1;
            continue;
        };
        let len = w.chars().count();
        // 被压塌, 被压坏: a thing crushed, not a person held.
        if *w == "被压" && c.get(i + 2).is_some_and(|n| "塌坏垮倒断".contains(*n)) {
            i += len;
            continue;
        }
        let single = len == 1;
        // 死 and 伤 alone count only right after a number (1死3伤), and 亡 never alone.
        let noun = NOUNS.contains(w);
        let found = match before(c, i, single) {
            Some((s, n)) => Some((s, i + len, n)),
            None if !single => (!noun)
                .then(|| after(c, i + len))
                .flatten()
                .map(|(e, n)| (i, e, n))
                .or_else(|| stated_without_count(c, i, i + len).map(|n| (i, i + len, n)))
                .or_else(|| {
                    (!OWN_COUNT_ONLY.contains(w))
                        .then(|| subject(c, i))
                        .flatten()
                        .map(|(s, n)| (s, i + len, n))
                })
                .or_else(|| at_least_one(c, i, w).map(|n| (i, i + len, n))),
            None => None,
        };
        if let Some((s, e, count)) = found {
            out.push(Mention {
                kind: *kind,
                count,
                s,
                e,
                part: *part,
                symptom: SYMPTOMS.contains(w),
            });
        }
        i += len;
    }
    // The same people counted dead and injured ("3名工人…中毒…均已死亡", "一名工人坠落，经送医
    // 抢救无效死亡"): they died.
    let dead: Vec<(usize, usize)> = out
        .iter()
        .filter(|m| m.kind == CasualtyKind::Dead && m.count.at_least().is_some_and(|n| n > 0))
        .map(|m| (m.s, m.e))
        .collect();
    out.retain(|m| {
        m.kind != CasualtyKind::Injured || !dead.iter().any(|(s, e)| *s == m.s && *e != m.e)
    });
}

/// The count of each kind from its mentions: the largest stated count (a later 续报 figure is
/// at least as large), 重伤 and 轻伤 added up when the text gives only those, and 0 or unknown
/// only when no count was said.
pub(crate) fn settle(mentions: &[Mention], kind: CasualtyKind) -> Option<&Mention> {
    let of: Vec<&Mention> = mentions.iter().filter(|m| m.kind == kind).collect();
    let counted = |m: &&&Mention| !matches!(m.count, Count::Unknown | Count::Known(0));
    // The largest; among equals the earliest and shortest ("30人受伤", not "30人受伤，伤者已送医").
    of.iter()
        .filter(counted)
        .min_by_key(|m| {
            (
                std::cmp::Reverse(m.count.at_least().unwrap_or(0)),
                m.s,
                m.e - m.s,
            )
        })
        .or_else(|| of.iter().find(|m| m.count == Count::Known(0)))
        .or_else(|| of.first())
        .copied()
}

/// 重伤 n、轻伤 m with no plain 受伤 count: n + m.
pub(crate) fn parts_sum(mentions: &[Mention]) -> Option<(u32, usize, usize)> {
    let injured: Vec<&Mention> = mentions
        .iter()
        .filter(|m| m.kind == CasualtyKind::Injured && m.count.known().is_some_and(|n| n > 0))
        .collect();
    if injured.len() < 2 || injured.iter().any(|m| !m.part) {
        return None;
    }
    let sum = injured.iter().filter_map(|m| m.count.known()).sum();
    let s = injured.iter().map(|m| m.s).min()?;
    let e = injured.iter().map(|m| m.e).max()?;
    Some((sum, s, e))
}
