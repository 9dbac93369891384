//! Drawing the audit screen: stage table with compliance bars, breaches, histogram, sparkline.

use std::time::Duration;

use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{BarChart, Paragraph, Sparkline, Wrap};
use ratatui::Frame;

use super::audit::AuditView;
use super::window_offset;
use crate::clock::short_duration;
use crate::rules::audit::{AuditReport, Stage, StageRow};
use crate::tui::env::Env;
use crate::tui::i18n::Text;
use crate::tui::widgets::frame::{block, safe_fit, safe_pad};

fn secs(s: Option<u64>) -> String {
    s.map(|s| short_duration(Duration::from_secs(s)))
        .unwrap_or_else(|| "-".into())
}

/// `██████░░░░ 62%`: compliance as a bar of `width` cells.
fn bar(share: Option<f64>, width: usize) -> String {
    match share {
        None if width == 0 => "-".into(),
        Some(c) if width == 0 => format!("{:>3.0}%", c * 100.0),
        None => format!("{} -", "·".repeat(width)),
        Some(c) => {
            let full = ((c.clamp(0.0, 1.0)) * width as f64).round() as usize;
            format!(
                "{}{} {:>3.0}%",
                "█".repeat(full),
                "░".repeat(width - full),
                c * 100.0
            )
        }
    }
}

/// A stage's name short enough for the compact table.
fn short_stage(stage: Stage, lang: crate::domain::Lang) -> &'static str {
    match stage {
        Stage::ReceivedToLeaderReported => lang.pick("报告领导", "leader told"),
        Stage::ReceivedToLeaderAcknowledged => lang.pick("领导确认", "leader ack"),
        Stage::ReceivedToAllNotified => lang.pick("通报到位", "all notified"),
        Stage::ReceivedToFlagsResolved => lang.pick("核实完毕", "checked"),
        Stage::NoticeSentToAcknowledged => lang.pick("通知签收", "notice ack"),
        Stage::InstructionToRelayed => lang.pick("批示传达", "relayed"),
        Stage::RelayedToFinalFeedback => lang.pick("传达反馈", "feedback"),
    }
}

/// Right-aligns `s` in `w` display columns (CJK counts two).
fn rpad(s: &str, w: usize) -> String {
    let sw = unicode_width::UnicodeWidthStr::width(s);
    format!("{}{s}", " ".repeat(w.saturating_sub(sw)))
}

/// Column widths of the stage table: roomy, or compact below 80 cells.
#[derive(Clone, Copy)]
struct Cols {
    label: usize,
    p50: bool,
    p95: bool,
    bar: usize,
}

impl Cols {
    /// The columns that fit: all of them from 80 cells; without p95 and with a short bar from
    /// 56; below that (a console of 80 columns gives the table about 44) count, open, p90, max
    /// and the share within the limit, which is what must never be cut off.
    fn for_width(w: usize) -> Cols {
        if w >= 80 {
            Cols {
                label: 22,
                p50: true,
                p95: true,
                bar: 10,
            }
        } else if w >= 56 {
            Cols {
                label: 12,
                p50: true,
                p95: false,
                bar: 5,
            }
        } else {
            Cols {
                label: 12,
                p50: false,
                p95: false,
                bar: 0,
            }
        }
    }

    fn line(self, label: &str, count: &str, open: &str, p: [&str; 4], tail: &str) -> String {
        let opt = |on: bool, v: &str| {
            if on {
                format!(" {}", rpad(v, 6))
            } else {
                String::new()
            }
        };
        format!(
            "{} {} {}{} {}{} {}  {tail}",
            safe_pad(label, self.label),
            rpad(count, 5),
            rpad(open, 4),
            opt(self.p50, p[0]),
            rpad(p[1], 6),
            opt(self.p95, p[2]),
            rpad(p[3], 6),
        )
    }
}

fn row_line(env: &Env, r: &StageRow, label: &str, w: usize) -> Line<'static> {
    let cols = Cols::for_width(w);
    let text = cols.line(
        label,
        &r.count.to_string(),
        &r.open.to_string(),
        [
            &secs(r.p50_s),
            &secs(r.p90_s),
            &secs(r.p95_s),
            &secs(r.max_s),
        ],
        &bar(r.compliance, cols.bar),
    );
    let style = match r.compliance {
        Some(c) if c < 0.8 => env.theme.alert,
        Some(c) if c < 0.95 => env.theme.warn,
        Some(_) => env.theme.ok,
        None => env.theme.dim,
    };
    Line::styled(safe_fit(&text, w), style)
}

impl AuditView {
    /// Draws the screen.
    pub fn render(&self, frame: &mut Frame, env: &Env, area: Rect) {
        // The one sentence that answers "where are we slow?" wraps rather than being cut off.
        let slowest = self.report.as_ref().map(|report| {
            let s = report
                .slowest
                .as_ref()
                .map(|s| env.lang.pick(&s.zh, &s.en).to_string())
                .unwrap_or_else(|| env.t(Text::AuditNoData).to_string());
            Line::styled(format!(" {}", crate::sanitize::line(&s)), env.theme.warn)
        });
        let head_h = match &slowest {
            Some(line) if line.width() > usize::from(area.width) => 3,
            _ => 2,
        };
        let [head, body, charts] = Layout::vertical([
            Constraint::Length(head_h),
            Constraint::Min(6),
            Constraint::Length(8),
        ])
        .areas(area);
        let by = self
            .by()
            .map(|g| env.t(super::audit_group_text(g)).to_string())
            .unwrap_or_else(|| env.t(Text::GroupNone).to_string());
        let mut top = vec![
            Span::styled(format!(" {} ", env.t(Text::AuditTitle)), env.theme.accent),
            Span::raw(format!(" {} · {}   ", env.t(self.period.text()), by)),
        ];
        let (Some(report), Some(slowest)) = (&self.report, slowest) else {
            top.push(Span::styled(env.t(Text::Loading), env.theme.dim));
            frame.render_widget(Paragraph::new(Line::from(top)), head);
            return;
        };
        top.push(if report.chain_verified {
            Span::styled(env.t(Text::ChainVerified), env.theme.ok)
        } else {
            Span::styled(env.t(Text::ChainNotVerified), env.theme.alert)
        });
        let lines = vec![Line::from(top), slowest];
        frame.render_widget(Paragraph::new(lines).wrap(Wrap { trim: false }), head);
        let [left, right] =
            Layout::horizontal([Constraint::Percentage(58), Constraint::Percentage(42)])
                .areas(body);
        self.table(frame, env, report, left);
        self.breaches(frame, env, report, right);
        let [hist, days] =
            Layout::horizontal([Constraint::Percentage(58), Constraint::Percentage(42)])
                .areas(charts);
        histogram(frame, env, report, hist);
        daily(frame, env, report, days);
    }

    fn table(&self, frame: &mut Frame, env: &Env, report: &AuditReport, area: Rect) {
        let b = block(env, format!(" {} ", env.t(Text::AuditStages)));
        let inner = b.inner(area);
        frame.render_widget(b, area);
        let w = usize::from(inner.width);
        let cols = Cols::for_width(w);
        let head = cols.line(
            env.t(Text::AuditStage),
            env.t(Text::AuditCount),
            env.t(Text::AuditOpen),
            ["p50", "p90", "p95", "max"],
            env.t(if cols.bar == 0 {
                Text::AuditComplianceShort
            } else {
                Text::AuditCompliance
            }),
        );
        let mut lines = vec![Line::styled(safe_fit(&head, w), env.theme.dim)];
        let compact = cols.label < 22;
        for r in &report.stages {
            let name = if compact {
                short_stage(r.stage, env.lang)
            } else {
                r.stage.name(env.lang)
            };
            lines.push(row_line(env, r, name, w));
            for g in report.groups.iter().filter(|g| g.stage == r.stage) {
                let label = format!(
                    "  {}",
                    crate::sanitize::line(g.group.as_deref().unwrap_or("-"))
                );
                lines.push(row_line(env, g, &label, w));
            }
        }
        if !report.not_measured.is_empty() {
            let names: Vec<&str> = report
                .not_measured
                .iter()
                .map(|s| s.name(env.lang))
                .collect();
            lines.push(Line::styled(
                format!("{}: {}", env.t(Text::AuditNotMeasured), names.join("、")),
                env.theme.dim,
            ));
        }
        frame.render_widget(Paragraph::new(lines).wrap(Wrap { trim: false }), inner);
    }

    fn breaches(&self, frame: &mut Frame, env: &Env, report: &AuditReport, area: Rect) {
        let b = block(
            env,
            format!(" {} {} ", env.t(Text::AuditBreaches), report.breaches.len()),
        );
        let inner = b.inner(area);
        frame.render_widget(b, area);
        let h = usize::from(inner.height);
        self.page.set(h.max(1));
        let off = window_offset(self.offset.get(), self.selected, h, report.breaches.len());
        self.offset.set(off);
        let w = usize::from(inner.width);
        let lines: Vec<Line> = report
            .breaches
            .iter()
            .enumerate()
            .skip(off)
            .take(h)
            .map(|(i, br)| {
                let text = format!(
                    "{} +{:<6} {} {}",
                    br.incident,
                    short_duration(Duration::from_secs(br.over_s)),
                    safe_pad(&crate::sanitize::line(&br.officer), 8),
                    br.stage.name(env.lang)
                );
                let style = if i == self.selected {
                    env.theme.selected
                } else {
                    env.theme.alert
                };
                Line::styled(safe_fit(&text, w), style)
            })
            .collect();
        frame.render_widget(Paragraph::new(lines), inner);
    }
}

fn histogram(frame: &mut Frame, env: &Env, report: &AuditReport, area: Rect) {
    let b = block(env, format!(" {} ", env.t(Text::AuditHistogram)));
    let inner = b.inner(area);
    frame.render_widget(b, area);
    let labels: Vec<String> = report
        .histogram
        .iter()
        .map(|bk| match bk.up_to_s {
            Some(s) => format!("≤{}", short_duration(Duration::from_secs(s))),
            None => format!(">{}", short_duration(Duration::from_secs(6 * 3600))),
        })
        .collect();
    let data: Vec<(&str, u64)> = labels
        .iter()
        .zip(&report.histogram)
        .map(|(l, bk)| (l.as_str(), bk.count))
        .collect();
    let chart = BarChart::default()
        .data(&data)
        .bar_width(5)
        .bar_gap(1)
        .bar_style(env.theme.accent)
        .value_style(env.theme.selected);
    frame.render_widget(chart, inner);
}

fn daily(frame: &mut Frame, env: &Env, report: &AuditReport, area: Rect) {
    let total: u64 = report.daily.iter().map(|d| d.intervals).sum();
    let breached: u64 = report.daily.iter().map(|d| d.breached).sum();
    let b = block(
        env,
        format!(
            " {} · {} {} / {} {} ",
            env.t(Text::AuditDaily),
            total,
            env.t(Text::AuditDailyStages),
            breached,
            env.t(Text::AuditDailyOver)
        ),
    );
    let inner = b.inner(area);
    frame.render_widget(b, area);
    let w = usize::from(inner.width);
    let skip = report.daily.len().saturating_sub(w);
    let counts: Vec<u64> = report
        .daily
        .iter()
        .skip(skip)
        .map(|d| d.intervals)
        .collect();
    let [spark, labels] =
        Layout::vertical([Constraint::Min(1), Constraint::Length(1)]).areas(inner);
    frame.render_widget(
        Sparkline::default().data(&counts).style(env.theme.accent),
        spark,
    );
    if let (Some(first), Some(last)) = (report.daily.get(skip), report.daily.last()) {
        let text = format!("{} … {}", first.day, last.day);
        frame.render_widget(
            Paragraph::new(Line::styled(safe_fit(&text, w), env.theme.dim)),
            labels,
        );
    }
}
