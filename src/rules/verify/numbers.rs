//! Vague numbers written with numerals: 十几, 三四个, 三五个, 十七八, 五六百, 数十, 几十, 上百, 十来个,
//! 10多人, 20余人, 30来人, 近百, 约30人, 一个多小时, 一米多, 3-5人, 30人左右, 十点多, 22时许.
//!
//! Single characters such as 约 近 多 余 来 左右 上下 are too noisy as plain lexicon words (附近,
//! 其余, 后来, 上下班, 左右两侧), so they count here only beside a numeral. The cue is the numeral
//! with its approximator, without the measure word ("十几人" → `十几`, "约30人" → `约30`), except
//! 左右/上下, whose cue is the word itself.

use super::text::Norm;
use super::Hit;
use crate::domain::FlagClass;

/// Weight of a vague number.
const WEIGHT: u8 = 60;
/// Weight of an approximate clock time (十点多, 22时许).
const TIME_WEIGHT: u8 = 40;

/// Measure words that may follow a numeral range of people or things ("3-5人"); forecast ranges
/// such as 50至80毫米 are not vague.
const COUNTERS: &str = "人名个户间辆处栋座家头只条艘台";
/// Measure words that may stand between a numeral and 左右 / 上下 (30人左右, 两个小时左右).
const MEASURES: &str =
    "人名个户间辆处栋座家头只吨米亩次起条艘台层岁天小时分钟公里平方厘毫克升秒点度斤元";
/// Measure words after which 多 means "more than": 一米多, 两年多, 一个多小时.
const MORE_AFTER: &str = "个米天年月岁斤吨里周";

/// True for a Chinese numeral character or an ASCII digit.
pub(crate) fn is_numeral(c: char) -> bool {
    matches!(
        c,
        '0'..='9'
            | '零'
            | '〇'
            | '一'
            | '二'
            | '两'
            | '三'
            | '四'
            | '五'
            | '六'
            | '七'
            | '八'
            | '九'
            | '十'
            | '百'
            | '千'
            | '万'
            | '亿'
            | '几'
    )
}

fn digit_val(c: char) -> Option<u32> {
    "一二三四五六七八九"
        .chars()
        .position(|d| d == c)
        .map(|p| p as u32 + 1)
        .or(if c == '两' { Some(2) } else { None })
}

fn is_unit_numeral(c: char) -> bool {
    "十百千万亿".contains(c)
}

/// A run "ends round" if 多/余/来 after it reads as "more than": 十多, 百余, 20来, 1000多.
fn ends_round(run: &[char]) -> bool {
    match run.last() {
        Some(&c) if is_unit_numeral(c) => true,
        Some('0') => run.len() >= 2 && run.iter().all(char::is_ascii_digit),
        _ => false,
    }
}

fn push(out: &mut Vec<Hit>, s: usize, e: usize, weight: u8) {
    out.push(Hit {
        s,
        e,
        class: FlagClass::ApproximateNumber,
        weight,
    });
}

/// Finds vague numbers in `n`.
pub(crate) fn find(n: &Norm, out: &mut Vec<Hit>) {
    let c = &n.chars;
    let len = c.len();
    let at = |i: usize| c.get(i).copied();
    let mut i = 0;
    while i < len {
        if !at(i).is_some_and(is_numeral) {
            i += 1;
            continue;
        }
        let a = i;
        let mut b = i;
        while b < len
            && (at(b).is_some_and(is_numeral)
                || at(b) == Some('.') && b > a && at(b + 1).is_some_and(|x| x.is_ascii_digit()))
        {
            b += 1;
        }
        i = b;
        let run = &c[a..b];
        if run == ['几'] && at(b) == Some('乎') {
            continue;
        }
        // A year spelled in Chinese numerals (二〇二三年) is not a range.
        let is_year = at(b) == Some('年') && run.len() >= 4;
        let mut s = a;
        let mut e = b;
        let mut vague = false;
        let mut weight = WEIGHT;
        if run.contains(&'几') {
            vague = true;
        }
        if !is_year
            && run.windows(2).any(
                |w| matches!((digit_val(w[0]), digit_val(w[1])), (Some(x), Some(y)) if y == x + 1 || (x, y) == (3, 5)),
            )
        {
            vague = true;
        }
        let prev = a.checked_sub(1).and_then(at);
        let prev2 = a.checked_sub(2).and_then(at);
        if prev == Some('数') && is_unit_numeral(run[0]) {
            s = a - 1;
            vague = true;
        }
        if prev == Some('上') && run.len() == 1 && "百千万".contains(run[0]) {
            s = a - 1;
            vague = true;
        }
        if prev == Some('好') && run[0] == '几' {
            s = a - 1;
        }
        if prev == Some('近') && !prev2.is_some_and(|p| "附最靠邻接就将临".contains(p)) {
            s = a - 1;
            vague = true;
        }
        if prev == Some('约') && prev2 != Some('大') {
            // 大约 is a lexicon word: 大约十来辆 gives 大约 and 十来.
            s = a - 1;
            vague = true;
        } else if prev == Some('有') && prev2 == Some('约') {
            s = a - 2;
            vague = true;
        }
        match (at(b), at(b + 1)) {
            (Some('多' | '余' | '来'), _) if ends_round(run) => {
                e = b + 1;
                vague = true;
            }
            (Some(m), Some('多')) if MORE_AFTER.contains(m) => {
                e = b + 2;
                vague = true;
            }
            (Some('点' | '时'), Some('多' | '许')) => {
                e = b + 2;
                vague = true;
                weight = TIME_WEIGHT;
            }
            (Some('-' | '~' | '至' | '到' | '—' | '–'), Some(d)) if is_numeral(d) && d != '几' =>
            {
                let mut k = b + 1;
                while at(k).is_some_and(|x| is_numeral(x) && x != '几') {
                    k += 1;
                }
                if at(k).is_some_and(|m| COUNTERS.contains(m)) {
                    e = k;
                    vague = true;
                    i = k;
                }
            }
            _ => {}
        }
        if vague {
            push(out, s, e, weight);
        }
    }
    // 左右 / 上下 after a numeral and at most three measure characters: 30人左右, 两个小时左右.
    for k in 0..len.saturating_sub(1) {
        let pair = (c[k], c[k + 1]);
        if pair != ('左', '右') && pair != ('上', '下') {
            continue;
        }
        if pair == ('上', '下') && at(k + 2).is_some_and(|x| "班游楼车级属".contains(x)) {
            continue;
        }
        let mut j = k;
        let mut steps = 0;
        let mut found = false;
        while j > 0 && steps < 4 {
            j -= 1;
            let x = c[j];
            if is_numeral(x) {
                found = true;
                break;
            }
            if !MEASURES.contains(x) {
                break;
            }
            steps += 1;
        }
        if found {
            push(out, k, k + 2, WEIGHT);
        }
    }
}
