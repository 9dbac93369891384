//! Hostile text through every console screen: each payload of the corpus in the board's rows,
//! an incident's report and flags, the log, and pasted into the intake form. No escape, C1 or
//! bidi character may reach a cell of the terminal buffer.

use crate::common;
use crate::tui_support;

use common::hostile::{dangerous, payloads};
use dutydesk::domain::{Event, EventBody, Lang, GENESIS_HASH};
use dutydesk::service::Response;
use dutydesk::tui::keymap::{Code, Key};
use dutydesk::tui::msg::{Msg, Reply};
use tui_support::*;

fn text(term: &ratatui::Terminal<ratatui::backend::TestBackend>) -> String {
    term.backend()
        .buffer()
        .content()
        .iter()
        .map(|c| c.symbol())
        .collect()
}

fn scan(term: &ratatui::Terminal<ratatui::backend::TestBackend>) -> Option<char> {
    term.backend()
        .buffer()
        .content()
        .iter()
        .find_map(|cell| dangerous(cell.symbol()))
}

#[test]
fn no_payload_reaches_a_cell_on_any_screen() {
    let corpus = payloads();
    let mut reaching = 0;
    let mut frames = 0;
    // ratatui drops control characters from cells by itself; what the sanitiser adds is that
    // they are *shown* (␛, ⟦bidi⟧), so an officer sees that a text carried them.
    let mut hidden = 0;
    let mut marked = 0;
    for (i, p) in corpus.iter().enumerate() {
        let lang = if i % 2 == 0 { Lang::Zh } else { Lang::En };
        let mut app = board_app(lang, 4);
        let mut rows = rows(4);
        rows[0].summary = p.clone();
        rows[1].location = Some(p.clone());
        app.update(Msg::Answer {
            reply: Reply::Rows,
            response: Response::Incidents {
                total: rows.len(),
                rows,
            },
        });
        let mut inc = incident();
        inc.reports[0].summary = p.clone();
        inc.reports[0].location = Some(p.clone());
        inc.reports[0].reporter.name = Some(p.clone());
        inc.flags[0].flag.reason_zh = p.clone();
        inc.flags[0].flag.reason_en = p.clone();
        inc.flags[0].flag.cue = Some(p.clone());
        let note = Event::seal(
            9,
            t("2026-11-23T02:00:00+08:00"),
            p,
            p,
            EventBody::Note { text: p.clone() },
            GENESIS_HASH,
        );
        let mut timeline = timeline();
        timeline.push(note.clone());
        let detail = Response::Incident {
            incident: Box::new(inc.clone()),
            timeline: timeline.clone(),
            notices: Vec::new(),
            stale: Vec::new(),
        };
        app.update(Msg::Answer {
            reply: Reply::Detail(inc.number.0.clone()),
            response: detail.clone(),
        });
        let mut screens = vec![draw(&app, 120, 40)];
        // The incident view.
        key(&mut app, Key::plain(Code::Enter));
        app.update(Msg::Answer {
            reply: Reply::Incident(inc.number.0.clone()),
            response: detail,
        });
        screens.push(draw(&app, 120, 40));
        key(&mut app, Key::plain(Code::Esc));
        // The log.
        key(&mut app, Key::char('l'));
        app.update(Msg::Answer {
            reply: Reply::Log,
            response: Response::Events {
                events: vec![note.clone()],
            },
        });
        screens.push(draw(&app, 120, 40));
        key(&mut app, Key::plain(Code::Esc));
        // Pasted into the intake form (a paste is text, never keys).
        key(&mut app, Key::char('n'));
        app.update(Msg::Paste(p.chars().take(2000).collect()));
        screens.push(draw(&app, 120, 40));
        // Only where the control falls within what a screen can show (not at the end of a
        // 70,000-character line).
        let head: String = p.chars().take(40).collect();
        let visible_mark = if head.contains('\u{1b}') {
            Some("␛")
        } else if head.contains('\u{202e}') {
            Some("⟦bidi⟧")
        } else {
            None
        };
        if let Some(mark) = visible_mark {
            if text(&screens[0]).contains(mark) || text(&screens[1]).contains(mark) {
                marked += 1;
            } else {
                hidden += 1;
                eprintln!("payload {i}: its controls vanished without a visible mark");
            }
        }
        for s in &screens {
            frames += 1;
            if let Some(c) = scan(s) {
                reaching += 1;
                eprintln!("payload {i}: U+{:04X} reached a cell", c as u32);
            }
        }
    }
    println!(
        "hostile text in the console: {} payloads, {frames} frames (board, incident, log, intake), dangerous characters in cells: {reaching}",
        corpus.len()
    );
    println!(
        "payloads with ESC or RLO shown with a visible mark: {marked}, silently dropped: {hidden}"
    );
    assert_eq!(reaching, 0);
    assert!(marked > 20, "the corpus has many ESC and RLO payloads");
    assert_eq!(hidden, 0, "controls must be shown, not silently dropped");
}
