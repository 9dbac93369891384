//! The intake form's fields, in the order a caller gives them, and the conversion between the
//! field values and a [`ReportDraft`].

use chrono::{FixedOffset, NaiveDateTime, TimeZone};

use crate::domain::{Casualties, Channel, Count, Level, OccurredAt, ReportDraft, Reporter};
use crate::tui::env::Env;
use crate::tui::i18n::Text;
use crate::tui::widgets::editor::Editor;

/// One field of the form.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FieldId {
    /// 接报时间
    ReceivedAt,
    /// 来报方式
    Channel,
    /// 报告人
    ReporterName,
    /// 单位
    ReporterUnit,
    /// 职务
    ReporterPost,
    /// 电话
    ReporterPhone,
    /// 发生时间
    OccurredAt,
    /// 地点
    Location,
    /// 类别
    Category,
    /// 级别
    Level,
    /// 死亡
    Dead,
    /// 受伤
    Injured,
    /// 失踪
    Missing,
    /// 被困
    Trapped,
    /// 事件经过
    Summary,
    /// 已采取措施
    Measures,
    /// 请求事项
    Requests,
    /// 已报告谁
    AlreadyTold,
}

impl FieldId {
    /// Every field, in form order.
    pub const ALL: [FieldId; 18] = [
        FieldId::ReceivedAt,
        FieldId::Channel,
        FieldId::ReporterName,
        FieldId::ReporterUnit,
        FieldId::ReporterPost,
        FieldId::ReporterPhone,
        FieldId::OccurredAt,
        FieldId::Location,
        FieldId::Category,
        FieldId::Level,
        FieldId::Dead,
        FieldId::Injured,
        FieldId::Missing,
        FieldId::Trapped,
        FieldId::Summary,
        FieldId::Measures,
        FieldId::Requests,
        FieldId::AlreadyTold,
    ];

    /// The label.
    pub fn label(self) -> Text {
        match self {
            FieldId::ReceivedAt => Text::FieldReceivedAt,
            FieldId::Channel => Text::FieldChannel,
            FieldId::ReporterName => Text::FieldReporterName,
            FieldId::ReporterUnit => Text::FieldReporterUnit,
            FieldId::ReporterPost => Text::FieldReporterPost,
            FieldId::ReporterPhone => Text::FieldReporterPhone,
            FieldId::OccurredAt => Text::FieldOccurredAt,
            FieldId::Location => Text::FieldLocation,
            FieldId::Category => Text::FieldCategory,
            FieldId::Level => Text::FieldLevel,
            FieldId::Dead => Text::FieldDead,
            FieldId::Injured => Text::FieldInjured,
            FieldId::Missing => Text::FieldMissing,
            FieldId::Trapped => Text::FieldTrapped,
            FieldId::Summary => Text::FieldSummary,
            FieldId::Measures => Text::FieldMeasures,
            FieldId::Requests => Text::FieldRequests,
            FieldId::AlreadyTold => Text::FieldAlreadyTold,
        }
    }

    /// The report field name a flag uses (`summary`, `reporter.unit`, `casualties.dead`…).
    pub fn key(self) -> &'static str {
        match self {
            FieldId::ReceivedAt => "received_at",
            FieldId::Channel => "channel",
            FieldId::ReporterName => "reporter.name",
            FieldId::ReporterUnit => "reporter.unit",
            FieldId::ReporterPost => "reporter.post",
            FieldId::ReporterPhone => "reporter.phone",
            FieldId::OccurredAt => "occurred_at",
            FieldId::Location => "location",
            FieldId::Category => "category",
            FieldId::Level => "level",
            FieldId::Dead => "casualties.dead",
            FieldId::Injured => "casualties.injured",
            FieldId::Missing => "casualties.missing",
            FieldId::Trapped => "casualties.trapped",
            FieldId::Summary => "summary",
            FieldId::Measures => "measures",
            FieldId::Requests => "requests",
            FieldId::AlreadyTold => "already_told",
        }
    }

    /// True for the fields where Enter inserts a newline.
    pub fn multi_line(self) -> bool {
        matches!(self, FieldId::Summary | FieldId::Measures)
    }

    /// True for the fields chosen from a list (←→).
    pub fn is_choice(self) -> bool {
        matches!(self, FieldId::Channel | FieldId::Category | FieldId::Level)
    }

    /// The form field a flag's `field` belongs to (`reporter` goes to the name).
    pub fn of_flag(field: &str) -> Option<FieldId> {
        match field {
            "reporter" => Some(FieldId::ReporterName),
            "casualties" => Some(FieldId::Dead),
            f => FieldId::ALL.into_iter().find(|x| x.key() == f),
        }
    }
}

/// The value of a field: text, or a choice index (None = not chosen).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Value {
    /// Typed text.
    Text(Editor),
    /// An index into the field's options.
    Choice(Option<usize>),
}

/// How many options a choice field has.
pub fn option_count(env: &Env, id: FieldId) -> usize {
    match id {
        FieldId::Channel => Channel::ALL.len(),
        FieldId::Category => env.config.categories.len(),
        FieldId::Level => Level::ALL.len(),
        _ => 0,
    }
}

/// The label of option `i` of a choice field.
pub fn option_label(env: &Env, id: FieldId, i: Option<usize>) -> String {
    let Some(i) = i else {
        return env.t(Text::NotChosen).to_string();
    };
    match id {
        FieldId::Channel => Channel::ALL
            .get(i)
            .map(|c| channel_label(env, *c).to_string())
            .unwrap_or_default(),
        FieldId::Category => env
            .config
            .categories
            .get(i)
            .map(|c| c.name(env.lang).to_string())
            .unwrap_or_default(),
        FieldId::Level => Level::ALL
            .get(i)
            .map(|l| format!("{} {}", l.numeral(), l.name(env.lang)))
            .unwrap_or_default(),
        _ => String::new(),
    }
}

fn channel_label(env: &Env, c: Channel) -> &'static str {
    match c {
        Channel::Phone => env.lang.pick("电话", "phone"),
        Channel::Fax => env.lang.pick("传真", "fax"),
        Channel::Sms => env.lang.pick("短信", "SMS"),
        Channel::Email => env.lang.pick("电子邮件", "e-mail"),
        Channel::InPerson => env.lang.pick("当面", "in person"),
        Channel::Radio => env.lang.pick("电台", "radio"),
        Channel::System => env.lang.pick("系统", "system"),
        Channel::Other => env.lang.pick("其他", "other"),
    }
}

/// The time format of the received-at field.
pub const TIME_FORMAT: &str = "%Y-%m-%d %H:%M:%S";

fn count_text(c: Count) -> String {
    match c {
        Count::NotStated => String::new(),
        Count::Unknown => "?".into(),
        Count::Known(n) => n.to_string(),
        Count::About(a) => a.said,
    }
}

/// Parses a count field: empty = not stated, `?` = unknown, a number, or an approximate
/// value as said (十几, 10余, 10+: kept verbatim, flagged as vague).
pub fn parse_count(s: &str) -> Result<Count, Text> {
    Count::parse(s).ok_or(Text::BadCount)
}

/// The values of every field for a draft (in [`FieldId::ALL`] order).
pub fn values_of(env: &Env, d: &ReportDraft) -> Vec<Value> {
    let rep = d.reporter.clone().unwrap_or_default();
    let cas = d.casualties.clone().unwrap_or_default();
    let t = |s: Option<&str>| Value::Text(Editor::new(s.unwrap_or("")));
    FieldId::ALL
        .iter()
        .map(|id| match id {
            FieldId::ReceivedAt => Value::Text(Editor::new(
                d.received_at
                    .map(|r| env.local(&r).format(TIME_FORMAT).to_string())
                    .unwrap_or_default(),
            )),
            FieldId::Channel => Value::Choice(
                d.channel
                    .and_then(|c| Channel::ALL.iter().position(|x| *x == c)),
            ),
            FieldId::ReporterName => t(rep.name.as_deref()),
            FieldId::ReporterUnit => t(rep.unit.as_deref()),
            FieldId::ReporterPost => t(rep.post.as_deref()),
            FieldId::ReporterPhone => t(rep.phone.as_deref()),
            FieldId::OccurredAt => Value::Text(Editor::new(match &d.occurred_at {
                Some(OccurredAt::At(a)) => env.local(a).format(TIME_FORMAT).to_string(),
                Some(OccurredAt::Words(w)) => w.clone(),
                None => String::new(),
            })),
            FieldId::Location => t(d.location.as_deref()),
            FieldId::Category => Value::Choice(
                d.category
                    .as_deref()
                    .and_then(|k| env.config.categories.iter().position(|c| c.key == k)),
            ),
            FieldId::Level => Value::Choice(
                d.level
                    .and_then(|l| Level::ALL.iter().position(|x| *x == l)),
            ),
            FieldId::Dead => Value::Text(Editor::new(count_text(cas.dead.clone()))),
            FieldId::Injured => Value::Text(Editor::new(count_text(cas.injured.clone()))),
            FieldId::Missing => Value::Text(Editor::new(count_text(cas.missing.clone()))),
            FieldId::Trapped => Value::Text(Editor::new(count_text(cas.trapped.clone()))),
            FieldId::Summary => t(Some(&d.summary)),
            FieldId::Measures => t(d.measures.as_deref()),
            FieldId::Requests => t(d.requests.as_deref()),
            FieldId::AlreadyTold => t(d.already_told.as_deref()),
        })
        .collect()
}

/// A local `YYYY-MM-DD HH:MM:SS` in the office zone.
pub fn parse_local(env: &Env, s: &str) -> Option<chrono::DateTime<FixedOffset>> {
    let naive = NaiveDateTime::parse_from_str(s.trim(), TIME_FORMAT).ok()?;
    let offset = env.zone.offset_at(naive.and_utc());
    offset.from_local_datetime(&naive).single()
}

/// Builds the draft. `strict` fails on a malformed time or count; otherwise they are skipped
/// (for live flags while typing).
pub fn draft_of(env: &Env, values: &[Value], strict: bool) -> Result<ReportDraft, Text> {
    let text = |id: FieldId| -> &str {
        match values.get(id as usize) {
            Some(Value::Text(e)) => e.text(),
            _ => "",
        }
    };
    let choice = |id: FieldId| -> Option<usize> {
        match values.get(id as usize) {
            Some(Value::Choice(c)) => *c,
            _ => None,
        }
    };
    let opt = |id: FieldId| {
        let s = text(id).trim();
        (!s.is_empty()).then(|| s.to_string())
    };
    let received_at = match text(FieldId::ReceivedAt).trim() {
        "" => None,
        s => match parse_local(env, s) {
            Some(t) => Some(t),
            None if strict => return Err(Text::BadTime),
            None => None,
        },
    };
    let mut cas = Casualties::default();
    for (id, slot) in [
        (FieldId::Dead, &mut cas.dead),
        (FieldId::Injured, &mut cas.injured),
        (FieldId::Missing, &mut cas.missing),
        (FieldId::Trapped, &mut cas.trapped),
    ] {
        match parse_count(text(id)) {
            Ok(c) => *slot = c,
            Err(e) if strict => return Err(e),
            Err(_) => {}
        }
    }
    let reporter = Reporter {
        name: opt(FieldId::ReporterName),
        unit: opt(FieldId::ReporterUnit),
        post: opt(FieldId::ReporterPost),
        phone: opt(FieldId::ReporterPhone),
    };
    let occurred_at = opt(FieldId::OccurredAt).map(|s| {
        match crate::rules::when::typed(&s, env.now_local(), env.zone) {
            Some(t) => OccurredAt::At(t),
            None => OccurredAt::Words(s),
        }
    });
    Ok(ReportDraft {
        kind: crate::domain::ReportKind::First,
        incident: None,
        received_at,
        channel: choice(FieldId::Channel).and_then(|i| Channel::ALL.get(i).copied()),
        reporter: (reporter != Reporter::default()).then_some(reporter),
        occurred_at,
        location: opt(FieldId::Location),
        category: choice(FieldId::Category)
            .and_then(|i| env.config.categories.get(i).map(|c| c.key.clone())),
        level: choice(FieldId::Level).and_then(|i| Level::ALL.get(i).copied()),
        casualties: cas.any_stated().then_some(cas),
        summary: text(FieldId::Summary).to_string(),
        measures: opt(FieldId::Measures),
        requests: opt(FieldId::Requests),
        already_told: opt(FieldId::AlreadyTold),
        declined: Vec::new(),
        accepted: Vec::new(),
    })
}
