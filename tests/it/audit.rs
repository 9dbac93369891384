//! The audit from events to output: a scripted night gives exactly the expected table; periods
//! and groupings; CSV with a BOM and quoted Chinese text. (The real binary: `audit_cli.rs`.)

use chrono::{DateTime, FixedOffset};
use dutydesk::cli::audit::{csv, json, table};
use dutydesk::config::Config;
use dutydesk::domain::{
    Event, EventBody, Flag, FlagKind, Lang, Level, QueuedNotice, RecipientKind, Report,
    ReportDraft, Resolution, ResolutionMethod, ResolutionResult, GENESIS_HASH,
};
use dutydesk::rules::audit::{self, AuditReport, GroupBy, Period, Source};

fn t(s: &str) -> DateTime<FixedOffset> {
    DateTime::parse_from_rfc3339(s).unwrap()
}

fn config() -> Config {
    toml::from_str(dutydesk::config::DEFAULT_TOML).unwrap()
}

#[derive(Default)]
struct Night(Vec<Event>);

impl Night {
    fn add(&mut self, at: &str, officer: &str, body: EventBody) {
        let prev = self
            .0
            .last()
            .map_or(GENESIS_HASH.to_string(), |e| e.hash.clone());
        let seq = self.0.len() as u64 + 1;
        self.0
            .push(Event::seal(seq, t(at), officer, "duty", body, &prev));
    }

    /// A first report received at `at`, with flags `R0-1…R0-n` raised beside it.
    fn call(&mut self, at: &str, inc: &str, who: &str, level: Option<Level>, cat: &str, n: u32) {
        let draft = ReportDraft {
            level,
            category: (!cat.is_empty()).then(|| cat.to_string()),
            summary: "据说河口镇仓库起火，十几人被困".into(),
            ..ReportDraft::default()
        };
        let report = Report::from_draft(draft, 0, t(at), who);
        let incident = inc.to_string();
        self.add(
            at,
            who,
            EventBody::ReportFiled {
                incident,
                report: Box::new(report),
            },
        );
        for k in 1..=n {
            let flag = Flag {
                id: format!("R0-{k}"),
                kind: FlagKind::Vague,
                field: "summary".into(),
                cue: Some("据说".into()),
                class: None,
                start: None,
                end: None,
                reason_zh: "传闻".into(),
                reason_en: "hearsay".into(),
                suggest_zh: String::new(),
                suggest_en: String::new(),
                weight: 60,
            };
            let incident = inc.to_string();
            self.add(
                at,
                who,
                EventBody::FlagRaised {
                    incident,
                    report: 0,
                    flag,
                },
            );
        }
    }

    /// A notice queued at `at` to a leader or a department, acknowledged within `ack_min`.
    fn notify(&mut self, at: &str, inc: &str, id: &str, kind: RecipientKind, ack_min: i64) {
        let notice = QueuedNotice {
            id: id.into(),
            token: format!("T-{id}"),
            incident: inc.into(),
            recipient: id.into(),
            recipient_kind: kind,
            deadline: Some(t(at) + chrono::Duration::minutes(ack_min)),
            ..QueuedNotice::default()
        };
        self.add(
            at,
            "张三",
            EventBody::NoticeQueued {
                notice: Box::new(notice),
            },
        );
    }

    fn delivered(&mut self, at: &str, id: &str) {
        let body = EventBody::NoticeDelivered {
            notice: id.into(),
            attempt: 1,
            detail: "ok".into(),
        };
        self.add(at, "张三", body);
    }

    fn acked(&mut self, at: &str, id: &str) {
        let body = EventBody::NoticeAcknowledged {
            notice: id.into(),
            token: format!("T-{id}"),
            by: "领导".into(),
            via: "phone".into(),
            note: String::new(),
            through: None,
        };
        self.add(at, "张三", body);
    }

    fn check(&mut self, at: &str, inc: &str, flag: &str, who: &str) {
        let resolution = Resolution {
            method: ResolutionMethod::CallBack,
            result: ResolutionResult::Confirmed,
            note: "回拨确认".into(),
            by: who.into(),
            at: t(at),
        };
        let (incident, flag) = (inc.to_string(), flag.to_string());
        self.add(
            at,
            who,
            EventBody::FlagResolved {
                incident,
                flag,
                resolution,
            },
        );
    }
}

/// 22–23 November in Asia/Shanghai, shift change at 08:30, verification clock 30 min.
fn scripted_night() -> Night {
    let mut n = Night::default();
    n.call(
        "2026-11-22T23:00:00+08:00",
        "20261122-001",
        "张三",
        Some(Level::III),
        "fire",
        2,
    );
    n.check("2026-11-22T23:10:00+08:00", "20261122-001", "R0-2", "张三");
    n.check("2026-11-22T23:25:00+08:00", "20261122-001", "R0-1", "张三"); // 25 min
                                                                          // Ⅲ, phone limit 30 min: the leader told at 12 min, acknowledging at 20; the brigade at 40.
    n.notify(
        "2026-11-22T23:05:00+08:00",
        "20261122-001",
        "L1",
        RecipientKind::Leader,
        15,
    );
    n.notify(
        "2026-11-22T23:05:00+08:00",
        "20261122-001",
        "D1",
        RecipientKind::Department,
        30,
    );
    n.delivered("2026-11-22T23:12:00+08:00", "L1");
    n.acked("2026-11-22T23:20:00+08:00", "L1");
    n.delivered("2026-11-22T23:40:00+08:00", "D1");
    n.call(
        "2026-11-23T01:00:00+08:00",
        "20261123-001",
        "李四",
        Some(Level::I),
        "traffic",
        1,
    );
    n.check("2026-11-23T01:45:00+08:00", "20261123-001", "R0-1", "李四"); // 45 min: 15 over
                                                                          // Ⅰ, phone limit 15 min: the leader told at 20 min (5 over), never acknowledging.
    n.notify(
        "2026-11-23T01:05:00+08:00",
        "20261123-001",
        "L2",
        RecipientKind::Leader,
        10,
    );
    n.delivered("2026-11-23T01:20:00+08:00", "L2");
    n.call(
        "2026-11-23T03:00:00+08:00",
        "20261123-002",
        "李四",
        None,
        "",
        1,
    ); // still open
    n.call(
        "2026-11-23T04:00:00+08:00",
        "20261123-003",
        "张三",
        None,
        "fire",
        0,
    ); // no flags
    n.call(
        "2026-11-23T09:00:00+08:00",
        "20261123-004",
        "王五",
        Some(Level::IV),
        "fire",
        1,
    );
    n.check("2026-11-23T09:10:00+08:00", "20261123-004", "R0-1", "王五"); // next shift, 10 min
    n
}

fn night_report(period: Period, by: Option<GroupBy>) -> AuditReport {
    let c = config();
    let now = t("2026-11-23T10:00:00+08:00");
    let iv = audit::intervals(scripted_night().0.iter(), &c, now);
    let source = Source {
        events_read: 12,
        incidents: 5,
        chain_verified: true,
    };
    audit::build(iv, period, by, now, source)
}

const NIGHT_ZH: &str = "\
审计期间 … — …  截至 2026-11-23 10:00  日志链已校验 ✓
接报事件 5  读取日志 12
我们最慢的环节是接报→通报到位：p90 为 40 分钟，时限内完成 0%。

环节                       分组                 n  未完     p50     p90     p95     max   达标  超时
接报→报告领导              全部                 5     3   1h00m   7h00m   7h00m   7h00m    25%     3
接报→领导确认              全部                 2     1     20m   9h00m   9h00m   9h00m    50%     1
接报→通报到位              全部                 1     0     40m     40m     40m     40m     0%     1
接报→核实完毕              全部                 4     1     25m   7h00m   7h00m   7h00m    50%     2
通知→签收                  全部                 3     2   8h55m  10h55m  10h55m  10h55m    33%     2
批示→传达                  全部                 0     0       —       —       —       —      —     0
传达→反馈                  全部                 0     0       —       —       —       —      —     0
接报→报告领导              2026-11-22           4     2     20m   7h00m   7h00m   7h00m    25%     3
接报→报告领导              2026-11-23           1     1   1h00m   1h00m   1h00m   1h00m      —     0
接报→领导确认              2026-11-22           2     1     20m   9h00m   9h00m   9h00m    50%     1
接报→通报到位              2026-11-22           1     0     40m     40m     40m     40m     0%     1
接报→核实完毕              2026-11-22           3     1     45m   7h00m   7h00m   7h00m    33%     2
接报→核实完毕              2026-11-23           1     0     10m     10m     10m     10m   100%     0
通知→签收                  2026-11-22           3     2   8h55m  10h55m  10h55m  10h55m    33%     2

超时清单（最严重的在前）：
  20261122-001   通知→签收                  用时  10h55m 超出  10h25m (未完) 张三
  20261123-001   接报→领导确认              用时   9h00m 超出   8h45m (未完) 李四
  20261123-001   通知→签收                  用时   8h55m 超出   8h45m (未完) 李四
  20261123-002   接报→报告领导              用时   7h00m 超出   6h30m (未完) 李四
  20261123-002   接报→核实完毕              用时   7h00m 超出   6h30m (未完) 李四
  20261123-003   接报→报告领导              用时   6h00m 超出   5h30m (未完) 张三
  20261123-001   接报→核实完毕              用时     45m 超出     15m 李四
  20261122-001   接报→通报到位              用时     40m 超出     10m 张三
  20261123-001   接报→报告领导              用时     20m 超出      5m 李四
";

#[test]
fn a_table_lists_the_worst_fifty_breaches_and_says_how_many_more() {
    let mut r = night_report(Period::default(), None);
    r.breaches = r.breaches.iter().cycle().take(60).cloned().collect();
    for (lang, more) in [
        (Lang::Zh, "……另有 10 条（完整清单：--format csv 或 json）"),
        (
            Lang::En,
            "… and 10 more (the full list: --format csv or json)",
        ),
    ] {
        let mut out = Vec::new();
        table(&mut out, &r, &config(), lang).unwrap();
        let text = String::from_utf8(out).unwrap();
        let listed = text.lines().filter(|l| l.starts_with("  2026112")).count();
        assert_eq!(listed, 50, "{text}");
        assert!(text.contains(more), "{text}");
    }
    r.breaches.truncate(50);
    let mut out = Vec::new();
    table(&mut out, &r, &config(), Lang::En).unwrap();
    assert!(!String::from_utf8(out)
        .unwrap()
        .contains("more (the full list"));
}

#[test]
fn a_scripted_night_gives_exactly_the_expected_table() {
    let r = night_report(Period::default(), Some(GroupBy::Shift));
    let mut out = Vec::new();
    table(&mut out, &r, &config(), Lang::Zh).unwrap();
    let text = String::from_utf8(out).unwrap();
    print!("{text}");
    assert_eq!(text, NIGHT_ZH);
    let s = r
        .stages
        .iter()
        .find(|s| s.stage == audit::Stage::ReceivedToFlagsResolved)
        .unwrap();
    assert_eq!((s.count, s.open, s.within, s.breached), (4, 1, 2, 2));
    assert_eq!(
        (s.p50_s, s.p90_s, s.max_s),
        (Some(1500), Some(25_200), Some(25_200))
    );
    assert_eq!(
        r.slowest.as_ref().unwrap().en,
        "we are slowest at received → all notified: p90 40 min, 0% within the limit."
    );
}

#[test]
fn the_period_selects_incidents_by_shift_and_groups_name_their_keys() {
    let r = night_report(
        Period {
            from: chrono::NaiveDate::from_ymd_opt(2026, 11, 23),
            to: chrono::NaiveDate::from_ymd_opt(2026, 11, 23),
        },
        Some(GroupBy::Officer),
    );
    let flags = audit::Stage::ReceivedToFlagsResolved;
    let stage = |r: &AuditReport| r.stages.iter().find(|s| s.stage == flags).unwrap().clone();
    let groups = |r: &AuditReport| -> Vec<audit::StageRow> {
        r.groups
            .iter()
            .filter(|g| g.stage == flags)
            .cloned()
            .collect()
    };
    assert_eq!(
        stage(&r).count,
        1,
        "only 09:00 on the 23rd is in the shift of the 23rd"
    );
    assert_eq!(groups(&r)[0].group.as_deref(), Some("王五"));
    assert!(
        r.breaches.is_empty(),
        "09:00, Ⅳ: not yet reported to the leader, but within the hour"
    );
    let r = night_report(Period::default(), Some(GroupBy::Level));
    let keys: Vec<_> = groups(&r)
        .iter()
        .map(|g| g.group.clone().unwrap())
        .collect();
    assert_eq!(keys, ["I", "III", "IV", "ungraded"]);
    let r = night_report(Period::default(), Some(GroupBy::Category));
    assert_eq!(groups(&r)[0].group, None, "the category was not stated");
    let r = night_report(Period::default(), Some(GroupBy::Month));
    assert_eq!(r.groups[0].group.as_deref(), Some("2026-11"));
    // The JSON shape round-trips and names the stages that wait for their events.
    let v = serde_json::to_value(&r).unwrap();
    assert_eq!(v["stages"][0]["stage"], "received_to_leader_reported");
    assert_eq!(v["not_measured"], serde_json::json!([]));
    assert_eq!(v["by"], "month");
    assert_eq!(serde_json::from_value::<AuditReport>(v).unwrap(), r);
}

#[test]
fn csv_has_a_bom_and_quotes_chinese_text_with_commas_and_newlines() {
    let mut c = config();
    let tricky_cat = "火灾,爆炸\n（含\"燃气\"）";
    c.categories[0].zh = tricky_cat.into();
    let mut n = Night::default();
    let officer = "张三,李四\n夜班";
    n.call(
        "2026-11-22T23:00:00+08:00",
        "20261122-001",
        officer,
        None,
        "fire",
        1,
    );
    let now = t("2026-11-22T23:20:00+08:00");
    let iv = audit::intervals(n.0.iter(), &c, now);
    for by in [GroupBy::Officer, GroupBy::Category] {
        let r = audit::build(
            iv.clone(),
            Period::default(),
            Some(by),
            now,
            Source::default(),
        );
        let mut out = Vec::new();
        csv(&mut out, &r, &c, Lang::Zh).unwrap();
        assert!(out.starts_with(b"\xEF\xBB\xBF"), "UTF-8 BOM first");
        let mut rd = ::csv::Reader::from_reader(&out[3..]);
        assert_eq!(&rd.headers().unwrap()[0], "stage");
        let rows: Vec<::csv::StringRecord> = rd
            .records()
            .map(Result::unwrap)
            .filter(|r| &r[1] == "接报→核实完毕")
            .collect();
        assert_eq!(rows.len(), 2, "the total and one group");
        assert_eq!(&rows[0][2], "all");
        assert_eq!(&rows[1][1], "接报→核实完毕");
        let want = if by == GroupBy::Officer {
            officer
        } else {
            tricky_cat
        };
        assert_eq!(&rows[1][4], want);
        assert_eq!(&rows[1][7], "1200", "p50 in seconds");
    }
}

#[test]
fn json_is_byte_for_byte_what_serde_writes_whatever_the_strings_and_dates_escaped_safely() {
    let mut r = night_report(Period::default(), Some(GroupBy::Officer));
    let base = r.breaches[0].clone();
    let long = "x".repeat(40);
    let odd = [
        ("20261122-001", "张三", "2026-11-22"),
        ("a\"quote", "back\\slash", "0001-01-01"),
        ("tab\there", "张\"三\"", "2026-01-09"),
        ("line\nbreak\u{1b}[31m", "\u{7f}\u{0}", "9999-12-31"),
        ("", "🚒 emoji 消防", "-0001-03-01"),
        (long.as_str(), "李四", "+10000-01-01"),
    ];
    r.breaches = odd
        .iter()
        .enumerate()
        .map(|(k, (incident, officer, shift))| audit::Breach {
            incident: (*incident).into(),
            officer: (*officer).into(),
            shift: shift.parse().unwrap(),
            duration_s: k as u64 * 1_000_000_007,
            open: k % 2 == 0,
            ..base.clone()
        })
        .collect();
    // Long lists are written in two halves on two threads.
    let long = AuditReport {
        breaches: r.breaches.iter().cycle().take(9001).cloned().collect(),
        ..r.clone()
    };
    let empty = AuditReport {
        breaches: Vec::new(),
        ..r.clone()
    };
    for r in [r, long, empty] {
        let mut out = Vec::new();
        json(&mut out, &r).unwrap();
        // serde's own writer, with the one JSON sanitiser every output uses (DEL, C1, bidi
        // and the like as \uXXXX escapes).
        let want = dutydesk::sanitize::json::to_string_pretty(&r).unwrap() + "\n";
        assert_eq!(String::from_utf8(out).unwrap(), want);
    }
}
