//! Unit tests of the rule engine: one table per rule, the false friends, and a proptest on offsets.

use std::sync::OnceLock;

use chrono::{DateTime, TimeZone, Utc};
use proptest::prelude::*;

use super::*;
use crate::domain::{Casualties, Count, ReportKind, Reporter};

fn verifier() -> &'static Verifier {
    static V: OnceLock<Verifier> = OnceLock::new();
    V.get_or_init(|| Verifier::new(&crate::config::defaults()))
}

fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 22, 15, 0, 0).unwrap()
}

/// The vague cues found in `text` (as the summary).
fn cues(text: &str) -> Vec<(String, FlagClass)> {
    let mut out = Vec::new();
    verifier().vague_in("summary", text, &mut out);
    out.into_iter()
        .map(|f| (f.cue.unwrap(), f.class.unwrap()))
        .collect()
}

fn cue_list(text: &str) -> Vec<String> {
    cues(text).into_iter().map(|(c, _)| c).collect()
}

fn base() -> Report {
    Report {
        kind: ReportKind::First,
        seq_in_incident: 0,
        received_at: now().fixed_offset(),
        channel: None,
        reporter: Reporter {
            name: Some("张伟".into()),
            unit: Some("县消防救援大队".into()),
            post: Some("值班员".into()),
            phone: Some("0379-6651119".into()),
        },
        occurred_at: Some(OccurredAt::At(now().fixed_offset())),
        location: Some("城关镇东街12号".into()),
        category: Some("fire".into()),
        level: None,
        casualties: Casualties {
            dead: Count::Known(0),
            ..Default::default()
        },
        summary: "一居民楼三楼起火，明火已扑灭。".into(),
        measures: None,
        requests: None,
        already_told: None,
        declined: Vec::new(),
        accepted: Vec::new(),
        recorder: "李明".into(),
    }
}

fn kinds(a: &Assessment) -> Vec<(FlagKind, String)> {
    a.flags.iter().map(|f| (f.kind, f.field.clone())).collect()
}

#[test]
fn lexicon_words_zh_and_en() {
    use FlagClass::*;
    let table: &[(&str, &[(&str, FlagClass)])] = &[
        ("据说有人被困", &[("据说", Hearsay)]),
        ("网传现场有爆炸声", &[("网传", Hearsay)]),
        ("伤亡情况有待核实", &[("有待核实", Hearsay)]),
        ("人数尚未核实", &[("尚未核实", Hearsay)]),
        ("可能是电线老化引起", &[("可能", Guess)]),
        ("疑似燃气泄漏", &[("疑似", Guess)]),
        ("不排除人为纵火的可能", &[("不排除", Guess)]),
        ("起火原因不明", &[("原因不明", Unknown)]),
        ("被困人数不详", &[("人数不详", Unknown)]),
        ("具体位置不清楚", &[("不清楚", Unknown)]),
        ("Reportedly two cars collided", &[("Reportedly", Hearsay)]),
        ("it is PROBABLY a gas leak", &[("PROBABLY", Guess)]),
        ("cause unknown", &[("unknown", Unknown)]),
        ("There may be people inside", &[("may", Guess)]),
        (
            "dozens of residents evacuated",
            &[("dozens", ApproximateNumber)],
        ),
        ("about 20 people trapped", &[("about", ApproximateNumber)]),
        ("around 30 houses flooded", &[("around", ApproximateNumber)]),
        ("more than 30 cars", &[("more than", ApproximateNumber)]),
        ("some 40 workers", &[("some", ApproximateNumber)]),
        (
            "approximately 12 injured",
            &[("approximately", ApproximateNumber)],
        ),
        ("ａｂｏｕｔ 20 people", &[("ａｂｏｕｔ", ApproximateNumber)]),
        ("许多人围观", &[("许多", ApproximateNumber)]),
        ("造成多人受伤", &[("多人", ApproximateNumber)]),
        ("听工友说下面压着人", &[("听工友说", Hearsay)]),
        ("网友在群里说有人受伤", &[("网友在群里说", Hearsay)]),
    ];
    for (text, want) in table {
        let got = cues(text);
        let want: Vec<(String, FlagClass)> =
            want.iter().map(|(c, k)| (c.to_string(), *k)).collect();
        assert_eq!(got, want, "{text}");
    }
}

#[test]
fn number_patterns() {
    let table: &[(&str, &[&str])] = &[
        ("十几人受伤", &["十几"]),
        ("三四个人被困", &["三四"]),
        ("十七八人", &["十七八"]),
        ("五六百亩农田被淹", &["五六百"]),
        ("数十人聚集", &["数十"]),
        ("几十辆车", &["几十"]),
        ("上百人围观", &["上百"]),
        ("十来个学生", &["十来"]),
        ("10多人就医", &["10多"]),
        ("１０多人就医", &["１０多"]),
        ("20余人", &["20余"]),
        ("30来人", &["30来"]),
        ("近百人", &["近百"]),
        ("约30人", &["约30"]),
        ("约有50户", &["约有50"]),
        ("30人左右", &["左右"]),
        ("一个多小时", &["一个多"]),
        ("3-5人受伤", &["3-5"]),
        ("晚上十点多起火", &["十点多"]),
        ("二十几名工人", &["二十几"]),
        ("将近30人", &["将近"]),
        ("大约30人", &["大约"]),
        ("大约十来辆车", &["大约", "十来"]),
        ("水有一米多深", &["一米多"]),
        ("三五户不愿走", &["三五"]),
        ("约有十几辆车", &["约有十几"]),
        ("好几百人", &["好几百"]),
    ];
    for (text, want) in table {
        assert_eq!(cue_list(text), *want, "{text}");
    }
}

#[test]
fn false_friends_are_not_flagged() {
    let table = [
        "现场无人员伤亡",
        "无人伤亡",
        "暂无人员伤亡",
        "人为纵火可能性已排除",
        "已排除燃气泄漏的可能",
        "经核实，3人受伤",
        "已核实",
        "核实后确认2人死亡",
        "尽可能疏散群众",
        "1人下落不明",
        "a report about the fire",
        "residents talk about the smell",
        "On May 3 the dam was inspected",
        "since 3 May",
        "flooding in May",
        "someone called",
        "the mayor arrived",
        "附近居民已疏散",
        "其余人员安全",
        "余震未造成损失",
        "后来火势变大",
        "道路左右两侧积水",
        "上下班高峰",
        "最近3天降雨",
        "预约了3辆救护车",
        "3人死亡，5人受伤",
        "二〇二三年修建",
        "看到几乎全部倒塌",
        "over the bridge",
        "around the house",
        "some of the roads",
        "病情好多了",
        "预计降雨量50至80毫米",
    ];
    for text in table {
        assert_eq!(cue_list(text), Vec::<String>::new(), "{text}");
    }
}

#[test]
fn hedges_that_look_like_false_friends_still_fire() {
    let table: &[(&str, &[&str])] = &[
        ("有无人员伤亡尚不清楚", &["尚不清楚"]),
        ("待核实", &["待核实"]),
        ("可能性很大", &["可能"]),
        ("无法排除爆炸可能", &["无法排除"]),
        ("May be a gas leak", &["May"]),
        ("they may evacuate in May", &["may"]),
    ];
    for (text, want) in table {
        assert_eq!(cue_list(text), *want, "{text}");
    }
}

#[test]
fn offsets_map_back_through_nfkc() {
    let text = "①号楼㎞处ﬁre，据说有１０多人";
    let mut out = Vec::new();
    verifier().vague_in("summary", text, &mut out);
    let chars: Vec<char> = text.chars().collect();
    let got: Vec<String> = out.iter().map(|f| f.cue.clone().unwrap()).collect();
    assert_eq!(got, ["据说", "１０多"]);
    for f in &out {
        let (s, e) = (f.start.unwrap(), f.end.unwrap());
        assert_eq!(
            chars[s..e].iter().collect::<String>(),
            *f.cue.as_ref().unwrap()
        );
    }
}

#[test]
fn source_rules() {
    let r = |unit: Option<&str>, name: Option<&str>, phone: Option<&str>, cat: &str| {
        let mut r = base();
        r.reporter = Reporter {
            name: name.map(Into::into),
            unit: unit.map(Into::into),
            post: None,
            phone: phone.map(Into::into),
        };
        r.category = Some(cat.into());
        verifier()
            .assess(&r, &[], now())
            .flags
            .iter()
            .any(|f| f.kind == FlagKind::UnverifiedSource)
    };
    let table = [
        (
            Some("县消防救援大队"),
            Some("张伟"),
            Some("0379-6651119"),
            "fire",
            false,
        ),
        (
            Some("县消防救援大队"),
            Some("张伟"),
            None,
            "food_safety",
            true,
        ),
        (Some("某某镇派出所"), Some("刘警官"), None, "traffic", false),
        (Some("河口镇人民政府"), Some("王"), None, "flood", false),
        (Some("县教育局"), Some("王"), None, "flood", true),
        (None, Some("路过的司机"), None, "traffic", true),
        (None, Some("王先生"), None, "fire", true),
        (Some("网友"), None, None, "fire", true),
        (None, Some("匿名"), None, "public_order", true),
        (None, None, Some("13903790119"), "fire", false),
        (None, Some("目击者"), Some("0379 665 1119"), "fire", false),
        (None, Some("目击者"), Some("0379-6654120"), "fire", true),
        (
            Some("County Fire Brigade"),
            Some("Tom"),
            None,
            "fire",
            false,
        ),
        (
            Some("Evening News media desk"),
            Some("Li"),
            None,
            "fire",
            true,
        ),
        (Some("县疾控中心"), None, None, "outbreak", false),
    ];
    for (unit, name, phone, cat, want) in table {
        assert_eq!(
            r(unit, name, phone, cat),
            want,
            "{unit:?} {name:?} {phone:?} {cat}"
        );
    }
}

#[test]
fn source_reason_mentions_the_phone() {
    let mut r = base();
    r.reporter = Reporter {
        name: Some("目击者".into()),
        phone: Some("0379-6654120".into()),
        ..Default::default()
    };
    let a = verifier().assess(&r, &[], now());
    let f = a
        .flags
        .iter()
        .find(|f| f.kind == FlagKind::UnverifiedSource)
        .unwrap();
    assert!(f.reason_zh.contains("县卫生健康委员会"), "{}", f.reason_zh);
    r.reporter.phone = Some("13800000000".into());
    let a = verifier().assess(&r, &[], now());
    assert!(a.flags[0].reason_en.contains("not in the directory"));
}

#[test]
fn missing_elements_by_kind() {
    let mut r = base();
    assert!(kinds(&verifier().assess(&r, &[], now())).is_empty());
    r.occurred_at = None;
    r.location = None;
    r.reporter.phone = Some(" ".into());
    r.casualties = Casualties::default();
    let got = kinds(&verifier().assess(&r, &[], now()));
    let m = |f: &str| (FlagKind::Missing, f.to_string());
    assert_eq!(
        got,
        [
            m("location"),
            m("occurred_at"),
            m("reporter.phone"),
            m("casualties")
        ]
    );
    // 无人员伤亡 in the summary states casualties.
    r.summary = "仓库起火，无人员伤亡".into();
    assert!(!kinds(&verifier().assess(&r, &[], now())).contains(&m("casualties")));
    r.summary = "有无人员伤亡还不清楚".into();
    assert!(kinds(&verifier().assess(&r, &[], now())).contains(&m("casualties")));
    // Time in words: vague, not missing.
    r.occurred_at = Some(OccurredAt::Words("昨天晚上".into()));
    let a = verifier().assess(&r, &[], now());
    let f = a.flags.iter().find(|f| f.field == "occurred_at").unwrap();
    assert_eq!(
        (f.kind, f.class, f.cue.as_deref()),
        (FlagKind::Vague, Some(FlagClass::Unknown), Some("昨天晚上"))
    );
    // Follow-up: only the summary.
    let mut fu = base();
    fu.kind = ReportKind::FollowUp;
    fu.seq_in_incident = 1;
    fu.location = None;
    fu.reporter = Reporter::default();
    fu.casualties = Casualties::default();
    fu.occurred_at = None;
    fu.category = None;
    let got = kinds(&verifier().assess(&fu, &[], now()));
    assert!(got.iter().all(|(k, _)| *k != FlagKind::Missing), "{got:?}");
    fu.summary = "  ".into();
    assert!(kinds(&verifier().assess(&fu, &[], now())).contains(&m("summary")));
    // Final: an outcome or measures.
    fu.kind = ReportKind::Final;
    fu.summary = "情况如前".into();
    assert!(kinds(&verifier().assess(&fu, &[], now())).contains(&m("measures")));
    fu.summary = "明火已于23时扑灭".into();
    assert!(!kinds(&verifier().assess(&fu, &[], now())).contains(&m("measures")));
}

#[test]
fn inconsistencies_with_earlier_reports() {
    let mut first = base();
    first.casualties.dead = Count::Known(3);
    first.level = Some(Level::III);
    let mut fu = first.clone();
    fu.kind = ReportKind::FollowUp;
    fu.seq_in_incident = 1;
    fu.casualties.dead = Count::Known(2);
    let a = verifier().assess(&fu, std::slice::from_ref(&first), now());
    let f = a
        .flags
        .iter()
        .find(|f| f.kind == FlagKind::Inconsistent)
        .unwrap();
    assert_eq!(f.reason_zh, "死亡人数由3人变为2人，未说明原因");
    assert!(f.reason_en.contains("dead fell from 3 to 2"));
    assert_eq!(f.id, "R1-1");
    fu.summary = "经核实，此前重复统计1人，死亡2人".into();
    assert!(verifier()
        .assess(&fu, std::slice::from_ref(&first), now())
        .flags
        .is_empty());
    // Trapped falling is progress.
    let mut t = first.clone();
    t.casualties.trapped = Count::Known(5);
    let mut fu2 = fu.clone();
    fu2.casualties = first.casualties.clone();
    fu2.casualties.trapped = Count::Known(2);
    fu2.summary = "救援仍在进行".into();
    assert!(verifier().assess(&fu2, &[t], now()).flags.is_empty());
    // Location, level, category changes; refinement is fine.
    let mut fu3 = first.clone();
    fu3.kind = ReportKind::FollowUp;
    fu3.location = Some("河口镇".into());
    fu3.level = Some(Level::IV);
    fu3.category = Some("hazmat".into());
    let got = kinds(&verifier().assess(&fu3, std::slice::from_ref(&first), now()));
    let i = |f: &str| (FlagKind::Inconsistent, f.to_string());
    assert!(
        got.contains(&i("location")) && got.contains(&i("level")) && got.contains(&i("category")),
        "{got:?}"
    );
    fu3 = first.clone();
    fu3.kind = ReportKind::FollowUp;
    fu3.location = Some("城关镇东街12号3单元".into());
    assert!(kinds(&verifier().assess(&fu3, std::slice::from_ref(&first), now())).is_empty());
}

#[test]
fn level_suggestion_and_mismatch() {
    let table = [
        (Some(Level::IV), 3, 0, Some(Level::III), true),
        (Some(Level::III), 3, 0, Some(Level::III), false),
        (Some(Level::II), 3, 0, Some(Level::III), false),
        (None, 12, 0, Some(Level::II), false),
        (Some(Level::III), 0, 120, Some(Level::I), true),
    ];
    for (stated, dead, injured, want, flagged) in table {
        let mut r = base();
        r.level = stated;
        r.casualties.dead = Count::Known(dead);
        r.casualties.injured = Count::Known(injured);
        let a = verifier().assess(&r, &[], now());
        assert_eq!(a.level_suggested, want);
        assert_eq!(
            a.flags.iter().any(|f| f.kind == FlagKind::LevelMismatch),
            flagged,
            "{stated:?} {dead}"
        );
    }
}

#[test]
fn order_is_kind_field_start_and_ids_count() {
    let mut r = base();
    r.reporter = Reporter::default();
    r.location = Some("位置不详".into());
    r.summary = "据说十几人被困，可能是燃气爆炸".into();
    r.level = Some(Level::IV);
    r.casualties.dead = Count::Known(4);
    let a = verifier().assess(&r, &[], now());
    let got: Vec<(String, &str, Option<&str>)> = a
        .flags
        .iter()
        .map(|f| (f.id.clone(), f.kind.key(), f.cue.as_deref()))
        .collect();
    let want = [
        ("R0-1", "unverified_source", None),
        ("R0-2", "vague", Some("据说")),
        ("R0-3", "vague", Some("十几")),
        ("R0-4", "vague", Some("可能")),
        ("R0-5", "vague", Some("位置不详")),
        ("R0-6", "missing", None),
        ("R0-7", "missing", None),
        ("R0-8", "level_mismatch", None),
    ];
    let want: Vec<(String, &str, Option<&str>)> = want
        .iter()
        .map(|(a, b, c)| (a.to_string(), *b, *c))
        .collect();
    assert_eq!(got, want);
}

fn piece() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("①".to_string()),
        Just("㎞".to_string()),
        Just("ﬁ".to_string()),
        Just("１０多人".to_string()),
        Just("ａｂｏｕｔ 20".to_string()),
        Just("İ".to_string()),
        Just("据说".to_string()),
        Just("maybe".to_string()),
        Just("约30人".to_string()),
        Just("十几".to_string()),
        Just("不详".to_string()),
        "[a-zA-Z0-9 ,.]{0,6}",
        "[\\u{4e00}-\\u{4e40}]{0,4}",
        "\\PC{0,4}",
    ]
}

proptest! {
    #[test]
    fn offsets_slice_to_the_cue(parts in proptest::collection::vec(piece(), 0..12)) {
        let text: String = parts.concat();
        let chars: Vec<char> = text.chars().collect();
        let mut out = Vec::new();
        verifier().vague_in("summary", &text, &mut out);
        for f in &out {
            let (s, e) = (f.start.unwrap(), f.end.unwrap());
            prop_assert!(s < e && e <= chars.len());
            let slice: String = chars[s..e].iter().collect();
            prop_assert_eq!(&slice, f.cue.as_ref().unwrap());
        }
        let hearsay = out.iter().filter(|f| f.cue.as_deref() == Some("据说")).count();
        prop_assert_eq!(hearsay, text.matches("据说").count());
    }
}
