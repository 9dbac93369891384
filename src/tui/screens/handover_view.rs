//! Drawing the handover screen: a header (shift, officers, items left), the items section by
//! section with their seen marks, and the notes.

use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Wrap};
use ratatui::Frame;

use super::handover::HandoverView;
use crate::domain::handover::ItemKind;
use crate::tui::env::Env;
use crate::tui::i18n::Text;
use crate::tui::widgets::frame::{block, safe_fit};

impl HandoverView {
    /// Draws the screen.
    pub fn render(&self, frame: &mut Frame, env: &Env, area: Rect) {
        let th = &env.theme;
        let Some(r) = &self.record else {
            let p =
                Paragraph::new(env.t(Text::Loading)).block(block(env, env.t(Text::HandoverTitle)));
            frame.render_widget(p, area);
            return;
        };
        let [head, body, notes] = Layout::vertical([
            Constraint::Length(3),
            Constraint::Min(3),
            Constraint::Length(5),
        ])
        .areas(area);
        let status = if self.accepted {
            format!(
                "{} {} → {}  #{}",
                env.t(Text::HandoverAccepted),
                r.from,
                r.to,
                r.head.as_ref().map(|h| h.0).unwrap_or(0)
            )
        } else {
            format!(
                "{} {}/{}",
                env.t(Text::HandoverSeen),
                r.items.len() - self.unseen(),
                r.items.len()
            )
        };
        let next = r.shift.succ_opt().unwrap_or(r.shift);
        let roster = format!(
            "{}: {} / {}",
            env.t(Text::HandoverNextRoster),
            env.config.officers_on_duty(next).join("、"),
            env.config
                .leader_on_duty(next)
                .map(|p| p.name.as_str())
                .unwrap_or("-")
        );
        let head_line = Line::from(vec![
            Span::styled(r.shift.format("%Y-%m-%d").to_string(), th.accent),
            Span::raw("  "),
            Span::raw(status),
            Span::raw("  "),
            Span::styled(roster, th.dim),
        ]);
        frame.render_widget(
            Paragraph::new(head_line).block(block(env, env.t(Text::HandoverTitle))),
            head,
        );
        let width = body.width.saturating_sub(8) as usize;
        let mut lines: Vec<Line> = Vec::new();
        let mut sel_line = 0;
        let mut index = 0;
        for kind in ItemKind::ALL {
            lines.push(Line::from(Span::styled(kind.heading(env.lang), th.accent)));
            let items: Vec<_> = r.items.iter().filter(|i| i.kind == kind).collect();
            if items.is_empty() {
                lines.push(Line::from(format!("    {}", env.t(Text::HandoverNone))));
            }
            for i in items {
                let mark = if self.seen.contains(&i.id) || self.accepted {
                    "[x]"
                } else {
                    "[ ]"
                };
                let text = format!("  {mark} {}", safe_fit(&i.summary, width));
                if index == self.selected && !self.editing_notes {
                    sel_line = lines.len();
                    lines.push(Line::from(Span::styled(text, th.selected)));
                } else {
                    lines.push(Line::from(text));
                }
                index += 1;
            }
        }
        let height = body.height.saturating_sub(2) as usize;
        let offset = sel_line.saturating_sub(height.saturating_sub(1));
        let shown: Vec<Line> = lines.into_iter().skip(offset).collect();
        frame.render_widget(
            Paragraph::new(shown).block(block(env, env.t(Text::HandoverItems))),
            body,
        );
        let mut note_block = block(env, env.t(Text::HandoverNotes));
        if self.editing_notes {
            note_block = note_block.border_style(th.selected);
        }
        frame.render_widget(
            Paragraph::new(self.notes.as_str())
                .wrap(Wrap { trim: false })
                .block(note_block),
            notes,
        );
    }
}
