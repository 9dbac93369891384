use chrono::DateTime;

use super::*;
use crate::domain::{Count, ReportDraft};

fn config() -> Config {
    crate::config::defaults()
}

fn report(summary: &str) -> Report {
    let received = DateTime::parse_from_rfc3339("2026-12-05T03:00:00+08:00").unwrap();
    Report::from_draft(
        ReportDraft {
            summary: summary.into(),
            ..ReportDraft::default()
        },
        0,
        received,
        "李明",
    )
}

fn counts(r: &Reading) -> Vec<(CasualtyKind, Count)> {
    r.suggestions
        .iter()
        .filter_map(|s| match &s.what {
            Suggestion::Casualty { kind, count } => Some((*kind, count.clone())),
            _ => None,
        })
        .collect()
}

fn categories(r: &Reading) -> Vec<String> {
    r.suggestions
        .iter()
        .filter_map(|s| match &s.what {
            Suggestion::Category { key } => Some(key.clone()),
            _ => None,
        })
        .collect()
}

#[test]
fn casualties_as_said() {
    use CasualtyKind::*;
    let k = Count::Known;
    let about = |s: &str| Count::parse(s).unwrap();
    let table: Vec<(&str, Vec<(CasualtyKind, Count)>)> = vec![
        (
            "一辆大客车与货车相撞,造成12人死亡、30人受伤。",
            vec![(Dead, k(12)), (Injured, k(30))],
        ),
        (
            "储罐爆炸起火,造成3人死亡、11人受伤",
            vec![(Dead, k(3)), (Injured, k(11))],
        ),
        ("两车相撞，造成1死3伤", vec![(Dead, k(1)), (Injured, k(3))]),
        ("3名工人当场死亡", vec![(Dead, k(3))]),
        ("十几人被困", vec![(Trapped, about("十几"))]),
        ("10余人受伤", vec![(Injured, about("10余"))]),
        ("死亡人数上升至5人", vec![(Dead, k(5))]),
        ("被困人员2名，正在救援", vec![(Trapped, k(2))]),
        ("车上3名乘客均未受伤", vec![(Injured, k(0))]),
        (
            "火已扑灭，无人员伤亡。",
            vec![(Dead, k(0)), (Injured, k(0))],
        ),
        (
            "伤亡情况不详",
            vec![(Dead, Count::Unknown), (Injured, Count::Unknown)],
        ),
        ("重伤2人、轻伤5人", vec![(Injured, k(7))]),
        (
            "一名电焊工在作业时触电，经抢救无效身亡。",
            vec![(Dead, k(1))],
        ),
        ("货车侧翻，驾驶员受轻伤。", vec![(Injured, k(1))]),
        ("厂区附近5名员工轻微中毒", vec![(Injured, k(5))]),
        ("一家三口死亡", vec![(Dead, k(3))]),
        // Animals and hours are not people.
        ("300头猪死亡", vec![]),
        ("被困3小时后获救", vec![]),
        // 第一中学 is no person.
        ("县城第一中学食堂早餐后多名学生呕吐", vec![]),
        (
            "3 dead and 11 injured",
            vec![(Dead, k(3)), (Injured, k(11))],
        ),
        (
            "Twelve people were killed and 30 injured.",
            vec![(Dead, k(12)), (Injured, k(30))],
        ),
        (
            "The fire spread fast, killing two and injuring 11.",
            vec![(Dead, k(2)), (Injured, k(11))],
        ),
        (
            "8 pupils were slightly injured; no one was killed.",
            vec![(Dead, k(0)), (Injured, k(8))],
        ),
        ("No one has been hurt.", vec![(Injured, k(0))]),
        (
            "No casualties reported.",
            vec![(Dead, k(0)), (Injured, k(0))],
        ),
        ("the driver was killed", vec![(Dead, k(1))]),
        (
            "dozens of people were trapped",
            vec![(Trapped, about("dozens"))],
        ),
        ("A bus and a lorry collided.", vec![]),
    ];
    let reader = Reader::new(&config());
    for (text, want) in table {
        assert_eq!(counts(&reader.read(&report(text))), want, "{text}");
    }
}

#[test]
fn categories_from_the_words() {
    let table: &[(&str, &[&str])] = &[
        ("一辆大客车与货车相撞,造成12人死亡", &["traffic"]),
        ("储罐爆炸起火,造成3人死亡", &["hazmat", "fire"]),
        ("一辆槽罐车侧翻，罐体破损发生泄漏", &["hazmat", "traffic"]),
        ("王家村一民房起火", &["fire"]),
        // A negation or a "careless" 不 is read as such.
        ("现场未发现明火", &[]),
        ("村民不慎失火", &["fire"]),
        ("受暴雨影响，石门乡发生泥石流", &["geological"]),
        ("宴席后20余人出现呕吐、腹泻", &["food_safety"]),
        ("某养老院出现聚集性发热病例", &["outbreak"]),
        ("村民在村委会门口聚集，要求公开村务", &["public_order"]),
        ("一名老人走失", &["missing_person"]),
        // Missing in a disaster is that disaster.
        ("山洪冲毁桥梁，2人下落不明", &["flood"]),
        ("渡船侧翻，1人落水失踪", &["missing_person"]),
        ("A bus and a lorry collided on the S308", &["traffic"]),
        (
            "An ammonia leak at a plant in the chemical park",
            &["hazmat"],
        ),
        ("No fire was found", &[]),
        ("Heavy rain flooded low-lying streets", &["flood"]),
        ("网传某地发生异常情况", &[]),
    ];
    let reader = Reader::new(&config());
    for (text, want) in table {
        let mut got = categories(&reader.read(&report(text)));
        got.sort();
        let mut want: Vec<String> = want.iter().map(|s| s.to_string()).collect();
        want.sort();
        assert_eq!(got, want, "{text}");
    }
}

#[test]
fn every_suggestion_shows_its_words_and_rule() {
    let text =
        "今日凌晨2时05分，县城人民路与建设路交叉口一辆大客车与货车相撞，造成12人死亡、30人受伤。";
    let r = Reader::new(&config()).read(&report(text));
    let chars: Vec<char> = text.chars().collect();
    for s in &r.suggestions {
        let span: String = chars[s.start..s.end].iter().collect();
        assert_eq!(span, s.evidence, "{s:?}");
        assert!(!s.rule.is_empty());
    }
    let keys: Vec<String> = r.suggestions.iter().map(Suggested::key).collect();
    assert_eq!(
        keys,
        [
            "category:traffic",
            "dead",
            "injured",
            "level",
            "location",
            "occurred_at"
        ]
    );
    let level = r.suggestions.iter().find(|s| s.key() == "level").unwrap();
    assert_eq!(level.what, Suggestion::Level { level: Level::II });
    let place = r
        .suggestions
        .iter()
        .find(|s| s.key() == "location")
        .unwrap();
    assert_eq!(place.evidence, "县城人民路与建设路交叉口");
    let when = r
        .suggestions
        .iter()
        .find(|s| s.key() == "occurred_at")
        .unwrap();
    assert_eq!(
        when.what,
        Suggestion::Occurred {
            at: OccurredAt::At(DateTime::parse_from_rfc3339("2026-12-05T02:05:00+08:00").unwrap())
        }
    );
}

#[test]
fn times_exact_and_vague() {
    let at = |s: &str| OccurredAt::At(DateTime::parse_from_rfc3339(s).unwrap());
    let words = |s: &str| OccurredAt::Words(s.into());
    let table = [
        ("凌晨2时05分发生", at("2026-12-05T02:05:00+08:00")),
        ("今日凌晨两点", at("2026-12-05T02:00:00+08:00")),
        // Later than the report: the day before.
        ("22:40 接报", at("2026-12-04T22:40:00+08:00")),
        ("昨晚10时30分", at("2026-12-04T22:30:00+08:00")),
        ("凌晨2时许", words("凌晨2时许")),
        (
            "at 2:05 am a fire broke out",
            at("2026-12-05T02:05:00+08:00"),
        ),
        ("around 1 am", words("around 1 am")),
    ];
    let reader = Reader::new(&config());
    for (text, want) in table {
        let r = reader.read(&report(text));
        let got = r.suggestions.iter().find_map(|s| match &s.what {
            Suggestion::Occurred { at } => Some(at.clone()),
            _ => None,
        });
        assert_eq!(got, Some(want), "{text}");
    }
}

#[test]
fn typed_fields_win_declined_ones_are_never_used_and_contradictions_are_kept() {
    let c = config();
    let reader = Reader::new(&c);
    let mut r = report("两车相撞，造成12人死亡、30人受伤。");
    r.category = Some("fire".into());
    r.casualties.dead = Count::Known(2);
    let read = reader.read(&r);
    assert!(read.suggestions.iter().all(|s| s.key() != "dead"));
    assert_eq!(read.disagreements.len(), 1);
    assert_eq!(read.disagreements[0].said, Count::Known(12));
    let f = facts(&c, &r, &read);
    // The typed category first; the words add the one they call for as well.
    assert_eq!(f.categories, ["fire", "traffic"]);
    assert_eq!(f.casualties.dead, Count::Known(2));
    assert_eq!(f.casualties.injured, Count::Known(30));
    assert_eq!(f.level, Some(Level::III));

    let mut r = report("两车相撞，造成12人死亡。");
    r.declined = vec!["category:traffic".into(), "dead".into()];
    let read = reader.read(&r);
    let f = facts(&c, &r, &read);
    assert!(f.categories.is_empty());
    assert_eq!(f.casualties.dead, Count::NotStated);
    assert_eq!(f.level, None);
}

#[test]
fn routing_calls_for_every_unit_the_words_do_and_says_why() {
    use crate::rules::routing::propose;
    let c = config();
    let day = chrono::NaiveDate::from_ymd_opt(2026, 12, 4).unwrap();
    let mut r = report("一辆大客车与货车相撞,造成12人死亡、30人受伤。");
    r.location = Some("县城人民路与建设路交叉口".into());
    let p = propose(&c, &r, day);
    let names: Vec<&str> = p.iter().map(|p| p.name.as_str()).collect();
    for want in [
        "刘志强",
        "县公安局指挥中心",
        "县公安局交通警察大队",
        "县应急管理局",
        "县卫生健康委员会",
        "县120急救指挥中心",
        "城关镇人民政府",
    ] {
        assert!(names.contains(&want), "{want} missing from {names:?}");
    }
    let why = |name: &str| p.iter().find(|p| p.name == name).unwrap().why_zh.clone();
    let police = why("县公安局交通警察大队");
    assert!(
        police.ends_with("的职能部门（按报告文字推断：道路交通事故）"),
        "{police}"
    );
    let leader = why("刘志强");
    assert!(
        leader.contains("（按报告文字推断：死亡 12、受伤 30 → Ⅱ级）"),
        "{leader}"
    );
    let health = why("县卫生健康委员会");
    assert!(
        health.contains("（按报告文字推断：道路交通事故 · 死亡 12、受伤 30 → Ⅱ级）"),
        "{health}"
    );
    let r = report("储罐爆炸起火,造成3人死亡、11人受伤,有毒物料泄漏流入河道");
    let names: Vec<String> = propose(&c, &r, day).into_iter().map(|p| p.name).collect();
    for want in [
        "县消防救援大队",
        "县应急管理局",
        "县生态环境分局",
        "县卫生健康委员会",
    ] {
        assert!(
            names.iter().any(|n| n == want),
            "{want} missing from {names:?}"
        );
    }
}

#[test]
fn a_level_from_typed_counts_says_so_not_that_the_words_said_it() {
    use crate::rules::routing::propose;
    let c = config();
    let day = chrono::NaiveDate::from_ymd_opt(2026, 12, 4).unwrap();
    let mut r = report("仓库起火。");
    r.category = Some("fire".into());
    r.casualties.dead = Count::Known(3);
    let p = propose(&c, &r, day);
    let why = |name: &str| p.iter().find(|p| p.name == name).unwrap().why_zh.clone();
    let em = why("县应急管理局");
    assert!(
        em.contains("较大及以上事故：应急管理部门（按伤亡人数定级：死亡 3 → Ⅲ级）"),
        "{em}"
    );
    assert!(!em.contains("按报告文字推断"), "{em}");
}

#[test]
fn the_place_phrase_ends_where_the_event_begins() {
    let table = [
        (
            "县城人民路与建设路交叉口一辆大客车与货车相撞",
            Some("县城人民路与建设路交叉口"),
        ),
        ("河口镇化工园区一储罐泄漏起火", Some("河口镇化工园区")),
        ("石门乡大坪村发生山体滑坡", Some("石门乡大坪村")),
        ("据说河口镇化工厂起火", Some("河口镇化工厂")),
        ("城关一小门口一辆电动车撞倒学生", Some("城关一小门口")),
        ("某地发生火灾", None),
    ];
    let reader = Reader::new(&config());
    for (text, want) in table {
        let r = reader.read(&report(text));
        let got = r.suggestions.iter().find_map(|s| match &s.what {
            Suggestion::Place { location, .. } => Some(location.clone()),
            _ => None,
        });
        assert_eq!(got.as_deref(), want, "{text}");
    }
}
