//! Console responsiveness with 100,000 incidents on the board: one key press handled and one
//! 200×50 frame drawn to a TestBackend, p50/p99. Rendering only draws the visible window.

use std::sync::Arc;
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use dutydesk::domain::{Actor, Lang, Level};
use dutydesk::service::{IncidentRow, Response};
use dutydesk::tui::keymap::{Code, Key, Keymap};
use dutydesk::tui::msg::{Msg, Reply};
use dutydesk::tui::theme::{Theme, DEFAULT_THEME};
use dutydesk::tui::{App, Env};
use ratatui::backend::TestBackend;
use ratatui::Terminal;

const ROWS: usize = 100_000;
const PRESSES: usize = 2_000;

fn rows(now: DateTime<Utc>) -> Vec<IncidentRow> {
    let cats = ["fire", "traffic", "hazmat", "flood", "missing_person"];
    (0..ROWS)
        .map(|i| IncidentRow {
            number: format!("2026{:04}-{:03}", 1100 + i % 28, i % 997),
            opened_at: (now - chrono::Duration::minutes(i as i64)).fixed_offset(),
            level: [None, Some(Level::IV), Some(Level::III)][i % 3],
            category: Some(cats[i % 5].into()),
            location: Some("河口镇化工园区东区".into()),
            summary: format!("第{i}起：据说河口镇化工厂起火，十几人被困，现场有浓烟"),
            reports: 1 + (i % 3) as u32,
            open_flags: (i % 4) as u32,
            closed: i % 5 == 0,
            stale_recipients: 0,
            open_flags_raised: Vec::new(),
        })
        .collect()
}

fn pct(v: &mut [Duration], p: f64) -> Duration {
    v.sort();
    v[((v.len() - 1) as f64 * p) as usize]
}

fn main() {
    let now = Utc::now();
    let env = Env::new(
        Arc::new(dutydesk::config::defaults()),
        Lang::Zh,
        Theme::from_toml(DEFAULT_THEME, true, false),
        Keymap::defaults(),
        Actor {
            officer: "李明".into(),
            os_user: "duty".into(),
        },
        now,
    );
    let mut app = App::new(env);
    app.update(Msg::Key(Key::plain(Code::Enter)));
    let t0 = Instant::now();
    app.update(Msg::Answer {
        reply: Reply::Rows,
        response: Response::Incidents {
            rows: rows(now),
            total: ROWS,
        },
    });
    println!("load {ROWS} rows: {:?}", t0.elapsed());
    let mut term = Terminal::new(TestBackend::new(200, 50)).expect("terminal");
    let keys = [
        Key::char('j'),
        Key::char('j'),
        Key::plain(Code::PageDown),
        Key::char('k'),
        Key::char('G'),
        Key::char('g'),
    ];
    let mut samples = Vec::with_capacity(PRESSES);
    for i in 0..PRESSES {
        let t = Instant::now();
        app.update(Msg::Key(keys[i % keys.len()]));
        term.draw(|f| app.render(f)).expect("draw");
        samples.push(t.elapsed());
    }
    let p50 = pct(&mut samples, 0.50);
    let p99 = pct(&mut samples, 0.99);
    let max = pct(&mut samples, 1.0);
    println!("key + 200x50 frame with {ROWS} incidents: p50 {p50:?}  p99 {p99:?}  max {max:?}");
}
