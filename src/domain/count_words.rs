//! Counts as people say them: `12`, `十二`, `十几` (11–19), `10余` (11–19), `10+` (more than
//! 10), `十七八` (17–18), `二三十` (20–30), `约20`, `20左右`, `近百` (under 100), `10-20`,
//! `上百`, `若干`, `dozens`. A pure reading of the words; the words themselves are kept.

use super::report::{About, Count};

/// Words that only say "not known (yet)".
const UNKNOWN: &[&str] = &[
    "?",
    "不详",
    "不明",
    "未知",
    "不清楚",
    "待查",
    "unknown",
    "n/a",
];

/// Quantity words with no number in them: kept as said, no range.
const QUANTITY: &[&str] = &[
    "若干",
    "多人",
    "数人",
    "一些",
    "部分",
    "不少",
    "大量",
    "许多",
    "很多",
    "several",
    "a few",
    "some",
    "many",
    "a number of",
];

/// Units after a count, dropped before reading it.
const UNITS: &[&str] = &["人", "名", "个", "位", "例", "people", "persons"];

/// English numerals zero to nineteen, by value.
const EN_UNITS: [&str; 20] = [
    "zero",
    "one",
    "two",
    "three",
    "four",
    "five",
    "six",
    "seven",
    "eight",
    "nine",
    "ten",
    "eleven",
    "twelve",
    "thirteen",
    "fourteen",
    "fifteen",
    "sixteen",
    "seventeen",
    "eighteen",
    "nineteen",
];

/// English tens.
const EN_TENS: [(&str, u32); 8] = [
    ("twenty", 20),
    ("thirty", 30),
    ("forty", 40),
    ("fifty", 50),
    ("sixty", 60),
    ("seventy", 70),
    ("eighty", 80),
    ("ninety", 90),
];

/// An English numeral word up to ninety-nine ("twelve", "forty", "forty-two"), lower case.
pub fn en_number(w: &str) -> Option<u32> {
    let unit = |w: &str| EN_UNITS.iter().position(|x| *x == w).map(|p| p as u32);
    let tens = |w: &str| EN_TENS.iter().find(|(x, _)| *x == w).map(|(_, v)| *v);
    match w.split_once('-') {
        Some((t, u)) => Some(tens(t)? + unit(u).filter(|u| (1..10).contains(u))?),
        None => unit(w).or_else(|| tens(w)),
    }
}

/// Reads a count (see the module). `None` when the text is not a count at all.
pub fn parse(s: &str) -> Option<Count> {
    let t: String = s
        .trim()
        .chars()
        .map(|c| match c {
            '０'..='９' => char::from_u32(c as u32 - '０' as u32 + '0' as u32).unwrap_or(c),
            '？' => '?',
            '～' | '〜' => '~',
            '＋' => '+',
            '－' | '—' | '–' => '-',
            c => c.to_ascii_lowercase(),
        })
        .collect();
    let t = t.split_whitespace().collect::<Vec<_>>().join(" ");
    if t.is_empty() {
        return Some(Count::NotStated);
    }
    if UNKNOWN.contains(&t.as_str()) {
        return Some(Count::Unknown);
    }
    let about = |low: Option<u32>, high: Option<u32>| {
        Some(Count::About(Box::new(About {
            said: s.trim().to_string(),
            low,
            high,
        })))
    };
    if QUANTITY.contains(&t.as_str()) {
        return about(None, None);
    }
    let mut core = t.clone();
    for u in UNITS {
        if let Some(c) = core.strip_suffix(u) {
            core = c.trim().to_string();
            break;
        }
    }
    if let Some(n) = number(&core) {
        return Some(Count::Known(n));
    }
    let (low, high) = range(&core)?;
    about(low, high)
}

/// The range an approximate form means, or `None` when it is not one.
fn range(t: &str) -> Option<(Option<u32>, Option<u32>)> {
    const NEAR: &[&str] = &[
        "大约",
        "大概",
        "约莫",
        "差不多",
        "约",
        "about",
        "around",
        "approximately",
        "roughly",
        "~",
    ];
    const NEAR_AFTER: &[&str] = &["左右", "上下", "来个"];
    const UNDER: &[&str] = &["将近", "接近", "近", "nearly", "almost", "close to"];
    const OVER: &[&str] = &["超过", "多于", "more than", "over"];
    const LEAST: &[&str] = &["至少", "起码", "at least"];
    let strip = |t: &str, words: &[&str]| -> Option<String> {
        words
            .iter()
            .find_map(|w| t.strip_prefix(w).map(|r| r.trim().to_string()))
    };
    if let Some(r) = strip(t, NEAR) {
        // "About n": no bounds can be read from it.
        number(&r)?;
        return Some((None, None));
    }
    if let Some(r) = NEAR_AFTER.iter().find_map(|w| t.strip_suffix(w)) {
        number(r.trim())?;
        return Some((None, None));
    }
    if let Some(r) = strip(t, UNDER) {
        let n = number(&r)?;
        return Some((None, Some(n.saturating_sub(1))));
    }
    if let Some(r) = strip(t, OVER) {
        return Some((Some(number(&r)? + 1), None));
    }
    if let Some(r) = strip(t, LEAST) {
        return Some((Some(number(&r)?), None));
    }
    if let Some(r) = t.strip_suffix('+') {
        return Some((Some(number(r.trim())? + 1), None));
    }
    match t {
        "上百" => return Some((Some(100), None)),
        "上千" => return Some((Some(1000), None)),
        "dozens" => return Some((Some(24), None)),
        "a dozen" => return Some((Some(12), Some(12))),
        _ => {}
    }
    // 10多, 十余, 20来: more than the number, within its last place.
    for tail in ['多', '余', '来'] {
        if let Some(r) = t.strip_suffix(tail) {
            let n = number(r)?;
            let mut unit = 1;
            while n % (unit * 10) == 0 && n >= unit * 10 {
                unit *= 10;
            }
            return Some(if unit > 1 {
                (Some(n + 1), Some(n + unit - 1))
            } else {
                (Some(n + 1), None)
            });
        }
    }
    // 10-20, 10到20, 10至20, 10~20.
    for sep in ["-", "~", "到", "至"] {
        if let Some((a, b)) = t.split_once(sep) {
            let (a, b) = (number(a.trim())?, number(b.trim())?);
            return (a <= b).then_some((Some(a), Some(b)));
        }
    }
    // 十几, 二十几, 几十, 几百, 数十, 10几: 几 stands for 1–9 (2–9 in front).
    let t = t.replace('数', "几");
    if t.contains('几') {
        let ends = |d: &str| -> Option<u32> {
            if let Some(r) = t
                .strip_suffix('几')
                .filter(|r| r.bytes().all(|b| b.is_ascii_digit()))
            {
                return Some(number(r)? + number(d)?);
            }
            number(&t.replacen('几', d, 1))
        };
        let low = if t.starts_with('几') { "二" } else { "一" };
        return Some((Some(ends(low)?), Some(ends("九")?)));
    }
    // 三四, 十七八, 二三十, 五六百: two neighbouring Chinese numerals.
    let chars: Vec<char> = t.chars().collect();
    for i in 0..chars.len().saturating_sub(1) {
        let (Some(a), Some(b)) = (digit(chars[i]), digit(chars[i + 1])) else {
            continue;
        };
        if b == a + 1 && a > 0 {
            let without = |k: usize| -> String {
                chars
                    .iter()
                    .enumerate()
                    .filter(|(j, _)| *j != k)
                    .map(|(_, c)| c)
                    .collect()
            };
            let (lo, hi) = (number(&without(i + 1))?, number(&without(i))?);
            return Some((Some(lo), Some(hi)));
        }
    }
    None
}

/// A Chinese digit's value (一…九, 两, 〇/零).
fn digit(c: char) -> Option<u32> {
    Some(match c {
        '〇' | '零' => 0,
        '一' => 1,
        '二' | '两' => 2,
        '三' => 3,
        '四' => 4,
        '五' => 5,
        '六' => 6,
        '七' => 7,
        '八' => 8,
        '九' => 9,
        _ => return None,
    })
}

/// A plain number: Arabic digits, or Chinese numerals up to 万 (十二, 二十, 一百零五, 两千).
pub fn number(s: &str) -> Option<u32> {
    let s = s.trim();
    if s.is_empty() {
        return None;
    }
    if s.bytes().all(|b| b.is_ascii_digit()) {
        return s.parse().ok();
    }
    let (mut total, mut section, mut current) = (0u32, 0u32, None::<u32>);
    for c in s.chars() {
        if let Some(d) = digit(c) {
            // 二三 is two numbers (a range), not one; 零 only holds a place (一百零五).
            if current.is_some_and(|x| x != 0) {
                return None;
            }
            current = Some(d);
            continue;
        }
        let unit = match c {
            '十' => 10,
            '百' => 100,
            '千' => 1000,
            '万' => {
                total = total
                    .checked_add((section + current.take().unwrap_or(0)).checked_mul(10_000)?)?;
                section = 0;
                continue;
            }
            _ => return None,
        };
        // 十二: a bare 十 is one ten.
        section = section.checked_add(current.take().unwrap_or(1).checked_mul(unit)?)?;
    }
    total.checked_add(section + current.unwrap_or(0))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn about(said: &str, low: Option<u32>, high: Option<u32>) -> Option<Count> {
        Some(Count::About(Box::new(About {
            said: said.into(),
            low,
            high,
        })))
    }

    #[test]
    fn counts_as_people_say_them() {
        let cases: Vec<(&str, Option<Count>)> = vec![
            ("", Some(Count::NotStated)),
            ("?", Some(Count::Unknown)),
            ("不详", Some(Count::Unknown)),
            ("12", Some(Count::Known(12))),
            ("１２人", Some(Count::Known(12))),
            ("十二", Some(Count::Known(12))),
            ("二十", Some(Count::Known(20))),
            ("一百零五", Some(Count::Known(105))),
            ("两千", Some(Count::Known(2000))),
            ("3名", Some(Count::Known(3))),
            ("十几", about("十几", Some(11), Some(19))),
            ("十几人", about("十几人", Some(11), Some(19))),
            ("10几", about("10几", Some(11), Some(19))),
            ("二十几", about("二十几", Some(21), Some(29))),
            ("几十", about("几十", Some(20), Some(90))),
            ("数百", about("数百", Some(200), Some(900))),
            ("10余", about("10余", Some(11), Some(19))),
            ("10余人", about("10余人", Some(11), Some(19))),
            ("十多", about("十多", Some(11), Some(19))),
            ("100多", about("100多", Some(101), Some(199))),
            ("20来", about("20来", Some(21), Some(29))),
            ("10+", about("10+", Some(11), None)),
            ("十七八", about("十七八", Some(17), Some(18))),
            ("三四", about("三四", Some(3), Some(4))),
            ("二三十", about("二三十", Some(20), Some(30))),
            ("五六百", about("五六百", Some(500), Some(600))),
            ("10-20", about("10-20", Some(10), Some(20))),
            ("10到20人", about("10到20人", Some(10), Some(20))),
            ("近百", about("近百", None, Some(99))),
            ("上百", about("上百", Some(100), None)),
            ("至少3", about("至少3", Some(3), None)),
            ("more than 10", about("more than 10", Some(11), None)),
            ("约20", about("约20", None, None)),
            ("20左右", about("20左右", None, None)),
            ("about 20", about("about 20", None, None)),
            ("若干", about("若干", None, None)),
            ("dozens", about("dozens", Some(24), None)),
            // Not counts: refused, so the caller's text goes elsewhere.
            ("x3", None),
            ("很严重", None),
            ("20-10", None),
        ];
        for (said, want) in cases {
            assert_eq!(parse(said), want, "{said:?}");
        }
    }

    #[test]
    fn english_numerals() {
        let table = [
            ("zero", Some(0)),
            ("twelve", Some(12)),
            ("nineteen", Some(19)),
            ("forty", Some(40)),
            ("forty-two", Some(42)),
            ("ninety-nine", Some(99)),
            ("forty-zero", None),
            ("twelve-one", None),
            ("hundred", None),
            ("Twelve", None),
        ];
        for (w, want) in table {
            assert_eq!(en_number(w), want, "{w}");
        }
    }
}
