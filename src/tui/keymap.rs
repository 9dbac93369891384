//! The keymap: the [`Action`] vocabulary (what a key can mean), a small [`Key`] type parsed
//! from text (`ctrl-s`, `shift-tab`, `G`) so tests need no terminal, and the built-in bindings
//! from `assets/keymap.toml`, overridable by action name.

use std::collections::BTreeMap;
use std::fmt;

use serde::{Deserialize, Serialize};

/// The built-in keymap.
pub const DEFAULT_KEYMAP: &str = include_str!("../../assets/keymap.toml");

/// Everything a key can be bound to. The snake_case names are the keymap file's vocabulary.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Action {
    /// Leave the console (asks first when a form is unsaved).
    Quit,
    /// Back out: close a dialog, leave a form, clear a filter.
    Back,
    /// Help for the current screen.
    Help,
    /// The command palette: every action by name.
    Palette,
    /// Next line / item.
    Down,
    /// Previous line / item.
    Up,
    /// First item.
    First,
    /// Last item.
    Last,
    /// One page down.
    PageDown,
    /// One page up.
    PageUp,
    /// Open the selected incident, or confirm.
    Open,
    /// A new first report (初报).
    NewReport,
    /// A follow-up (续报) to the selected incident.
    FollowUp,
    /// The final report (终报) of the selected incident.
    FinalReport,
    /// The event log.
    Log,
    /// The response-time audit (时效审计).
    Audit,
    /// Report and notify: propose notices for the selected incident (报告 · 通报).
    SendNotices,
    /// Every notice not yet acknowledged, with its countdown (回执).
    Notices,
    /// Record the selected notice's acknowledgement (回执).
    Acknowledge,
    /// Record that the phone call for the selected notice reached its recipient.
    CallReached,
    /// Choose or unchoose the selected item.
    Toggle,
    /// Leaders' instructions and their supervision (督办).
    Supervision,
    /// The shift handover (交接班).
    Handover,
    /// Resolve the selected verification flag.
    ResolveFlag,
    /// Filter the list.
    Filter,
    /// Reload from the desk.
    Refresh,
    /// Save the form.
    Save,
    /// Next field.
    NextField,
    /// Previous field.
    PrevField,
    /// Take what the report's words suggest for the focused field (or the first suggestion).
    AcceptSuggestion,
    /// Take every suggestion from the words.
    AcceptAllSuggestions,
    /// Decline the suggestion for the focused field (or the first): never used for this report.
    DeclineSuggestion,
}

impl Action {
    /// Every action, in palette order.
    pub const ALL: [Action; 32] = [
        Action::NewReport,
        Action::FollowUp,
        Action::FinalReport,
        Action::Open,
        Action::ResolveFlag,
        Action::Log,
        Action::Audit,
        Action::SendNotices,
        Action::Notices,
        Action::Acknowledge,
        Action::CallReached,
        Action::Toggle,
        Action::Supervision,
        Action::Handover,
        Action::Filter,
        Action::Refresh,
        Action::Save,
        Action::NextField,
        Action::PrevField,
        Action::AcceptSuggestion,
        Action::AcceptAllSuggestions,
        Action::DeclineSuggestion,
        Action::Down,
        Action::Up,
        Action::First,
        Action::Last,
        Action::PageDown,
        Action::PageUp,
        Action::Help,
        Action::Palette,
        Action::Back,
        Action::Quit,
    ];

    /// The snake_case name used in keymap files.
    pub fn name(self) -> String {
        serde_json::to_value(self)
            .ok()
            .and_then(|v| v.as_str().map(str::to_string))
            .unwrap_or_default()
    }

    /// Parses a snake_case name.
    pub fn from_name(s: &str) -> Option<Action> {
        serde_json::from_value(serde_json::Value::String(s.trim().to_string())).ok()
    }
}

/// A key without modifiers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Code {
    /// A character (shift is folded into it: `G`, `?`).
    Char(char),
    /// Enter / Return.
    Enter,
    /// Escape.
    Esc,
    /// Tab.
    Tab,
    /// Shift-Tab.
    BackTab,
    /// Backspace.
    Backspace,
    /// Delete.
    Delete,
    /// Arrow left.
    Left,
    /// Arrow right.
    Right,
    /// Arrow up.
    Up,
    /// Arrow down.
    Down,
    /// Home.
    Home,
    /// End.
    End,
    /// Page up.
    PageUp,
    /// Page down.
    PageDown,
    /// F1…F12.
    F(u8),
}

/// A key press: a code and the ctrl/alt modifiers (shift lives in the code).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Key {
    /// The key.
    pub code: Code,
    /// Ctrl held.
    pub ctrl: bool,
    /// Alt held.
    pub alt: bool,
}

impl Key {
    /// A key without modifiers.
    pub const fn plain(code: Code) -> Key {
        Key {
            code,
            ctrl: false,
            alt: false,
        }
    }

    /// A ctrl- key.
    pub const fn ctrl(code: Code) -> Key {
        Key {
            code,
            ctrl: true,
            alt: false,
        }
    }

    /// A plain character key.
    pub const fn char(c: char) -> Key {
        Key::plain(Code::Char(c))
    }

    /// The character this key types into a field, if it types one.
    pub fn typed(self) -> Option<char> {
        match self.code {
            Code::Char(c) if !self.ctrl && !self.alt => Some(c),
            _ => None,
        }
    }

    /// Parses `q`, `G`, `?`, `ctrl-s`, `shift-tab`, `alt-enter`, `f1`, `pagedown`, `space`.
    pub fn parse(s: &str) -> Result<Key, String> {
        let mut rest = s.trim();
        let (mut ctrl, mut alt, mut shift) = (false, false, false);
        loop {
            let lower = rest.to_ascii_lowercase();
            if rest.chars().count() > 1 && lower.starts_with("ctrl-") {
                ctrl = true;
                rest = &rest[5..];
            } else if rest.chars().count() > 1 && lower.starts_with("alt-") {
                alt = true;
                rest = &rest[4..];
            } else if rest.chars().count() > 1 && lower.starts_with("shift-") {
                shift = true;
                rest = &rest[6..];
            } else {
                break;
            }
        }
        let mut chars = rest.chars();
        let code = match (chars.next(), chars.next()) {
            (Some(c), None) => {
                let c = if shift { c.to_ascii_uppercase() } else { c };
                if ctrl {
                    Code::Char(c.to_ascii_lowercase())
                } else {
                    Code::Char(c)
                }
            }
            _ => match rest.to_ascii_lowercase().as_str() {
                "enter" | "return" => Code::Enter,
                "esc" | "escape" => Code::Esc,
                "tab" if shift => Code::BackTab,
                "tab" => Code::Tab,
                "backtab" => Code::BackTab,
                "backspace" => Code::Backspace,
                "delete" | "del" => Code::Delete,
                "left" => Code::Left,
                "right" => Code::Right,
                "up" => Code::Up,
                "down" => Code::Down,
                "home" => Code::Home,
                "end" => Code::End,
                "pageup" | "pgup" => Code::PageUp,
                "pagedown" | "pgdn" => Code::PageDown,
                "space" => Code::Char(' '),
                f if f.starts_with('f') => match f[1..].parse::<u8>() {
                    Ok(n @ 1..=12) => Code::F(n),
                    _ => return Err(format!("unknown key {s:?}")),
                },
                _ => return Err(format!("unknown key {s:?}")),
            },
        };
        Ok(Key { code, ctrl, alt })
    }

    /// Converts a crossterm key event (shift folded into characters and BackTab).
    pub fn from_crossterm(e: &crossterm::event::KeyEvent) -> Option<Key> {
        use crossterm::event::{KeyCode as K, KeyModifiers as M};
        let ctrl = e.modifiers.contains(M::CONTROL);
        let alt = e.modifiers.contains(M::ALT);
        let code = match e.code {
            K::Char(c) if ctrl => Code::Char(c.to_ascii_lowercase()),
            K::Char(c) => Code::Char(c),
            K::Enter => Code::Enter,
            K::Esc => Code::Esc,
            K::Tab if e.modifiers.contains(M::SHIFT) => Code::BackTab,
            K::Tab => Code::Tab,
            K::BackTab => Code::BackTab,
            K::Backspace => Code::Backspace,
            K::Delete => Code::Delete,
            K::Left => Code::Left,
            K::Right => Code::Right,
            K::Up => Code::Up,
            K::Down => Code::Down,
            K::Home => Code::Home,
            K::End => Code::End,
            K::PageUp => Code::PageUp,
            K::PageDown => Code::PageDown,
            K::F(n) => Code::F(n),
            _ => return None,
        };
        Some(Key { code, ctrl, alt })
    }
}

impl fmt::Display for Key {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.ctrl {
            f.write_str("ctrl-")?;
        }
        if self.alt {
            f.write_str("alt-")?;
        }
        match self.code {
            Code::Char(' ') => f.write_str("space"),
            Code::Char(c) => write!(f, "{c}"),
            Code::Enter => f.write_str("enter"),
            Code::Esc => f.write_str("esc"),
            Code::Tab => f.write_str("tab"),
            Code::BackTab => f.write_str("shift-tab"),
            Code::Backspace => f.write_str("backspace"),
            Code::Delete => f.write_str("delete"),
            Code::Left => f.write_str("left"),
            Code::Right => f.write_str("right"),
            Code::Up => f.write_str("up"),
            Code::Down => f.write_str("down"),
            Code::Home => f.write_str("home"),
            Code::End => f.write_str("end"),
            Code::PageUp => f.write_str("pageup"),
            Code::PageDown => f.write_str("pagedown"),
            Code::F(n) => write!(f, "f{n}"),
        }
    }
}

/// Key → action, built from the defaults and overrides by action name.
#[derive(Debug, Clone, Default)]
pub struct Keymap {
    by_key: BTreeMap<Key, Action>,
    by_action: BTreeMap<Action, Vec<Key>>,
}

impl Keymap {
    /// The built-in keymap with `overrides` (action name → keys) applied.
    pub fn with_overrides(overrides: &BTreeMap<String, Vec<String>>) -> Result<Keymap, String> {
        let base: BTreeMap<String, Vec<String>> =
            toml::from_str(DEFAULT_KEYMAP).map_err(|e| format!("built-in keymap: {e}"))?;
        let mut by_action = BTreeMap::new();
        for (name, keys) in base.iter().chain(overrides) {
            let action = Action::from_name(name).ok_or_else(|| {
                let known: Vec<String> = Action::ALL.iter().map(|a| a.name()).collect();
                format!(
                    "键位表中的未知动作 {name:?} / unknown action {name:?} in the keymap; known: {}",
                    known.join(", ")
                )
            })?;
            let parsed = keys
                .iter()
                .map(|k| Key::parse(k).map_err(|e| format!("keymap {name}: {e}")))
                .collect::<Result<Vec<_>, _>>()?;
            by_action.insert(action, parsed);
        }
        let mut by_key = BTreeMap::new();
        for (action, keys) in &by_action {
            for k in keys {
                by_key.insert(*k, *action);
            }
        }
        Ok(Keymap { by_key, by_action })
    }

    /// The built-in keymap.
    pub fn defaults() -> Keymap {
        Keymap::with_overrides(&BTreeMap::new()).unwrap_or_default()
    }

    /// Parses a user keymap file (`action = ["keys"]`) over the defaults.
    pub fn from_toml(text: &str) -> Result<Keymap, String> {
        let over: BTreeMap<String, Vec<String>> =
            toml::from_str(text).map_err(|e| format!("keymap: {e}"))?;
        Keymap::with_overrides(&over)
    }

    /// The action bound to a key.
    pub fn action(&self, key: Key) -> Option<Action> {
        self.by_key.get(&key).copied()
    }

    /// The keys of an action, for hints (`ctrl-s`).
    pub fn keys(&self, action: Action) -> String {
        self.by_action
            .get(&action)
            .map(|ks| ks.iter().map(Key::to_string).collect::<Vec<_>>().join("/"))
            .unwrap_or_default()
    }

    /// The first key of an action, for the footer.
    pub fn first_key(&self, action: Action) -> String {
        self.by_action
            .get(&action)
            .and_then(|ks| ks.first())
            .map(Key::to_string)
            .unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_keys() {
        let table = [
            ("ctrl-s", Key::ctrl(Code::Char('s'))),
            ("shift-tab", Key::plain(Code::BackTab)),
            ("?", Key::char('?')),
            ("G", Key::char('G')),
            ("shift-g", Key::char('G')),
            ("-", Key::char('-')),
            ("pagedown", Key::plain(Code::PageDown)),
            ("f1", Key::plain(Code::F(1))),
            (
                "alt-enter",
                Key {
                    code: Code::Enter,
                    ctrl: false,
                    alt: true,
                },
            ),
        ];
        for (s, want) in table {
            assert_eq!(Key::parse(s), Ok(want), "{s}");
        }
        assert!(Key::parse("ctrl-nope").is_err());
        assert!(Key::parse("f13").is_err());
    }

    #[test]
    fn defaults_bind_the_documented_keys() {
        let k = Keymap::defaults();
        assert_eq!(k.action(Key::ctrl(Code::Char('s'))), Some(Action::Save));
        assert_eq!(k.action(Key::plain(Code::BackTab)), Some(Action::PrevField));
        assert_eq!(k.action(Key::char('?')), Some(Action::Help));
        assert_eq!(k.action(Key::char('G')), Some(Action::Last));
        assert_eq!(k.action(Key::char('g')), Some(Action::First));
        assert_eq!(k.action(Key::char('x')), None);
    }

    #[test]
    fn override_by_action_name_replaces_its_keys() {
        let k = Keymap::from_toml("save = [\"ctrl-w\"]\nquit = [\"ctrl-x\"]").unwrap();
        assert_eq!(k.action(Key::ctrl(Code::Char('w'))), Some(Action::Save));
        assert_eq!(k.action(Key::ctrl(Code::Char('s'))), None);
        assert_eq!(k.action(Key::char('q')), None);
        assert_eq!(k.action(Key::char('?')), Some(Action::Help));
        assert_eq!(k.keys(Action::Save), "ctrl-w");
    }

    #[test]
    fn unknown_action_is_a_clear_error() {
        let e = Keymap::from_toml("sav = [\"ctrl-s\"]").unwrap_err();
        assert!(e.contains("unknown action \"sav\""), "{e}");
        assert!(e.contains("save"), "{e}");
        let e = Keymap::from_toml("save = [\"ctrl-\"]").unwrap_err();
        assert!(e.contains("unknown key"), "{e}");
    }

    #[test]
    fn every_action_has_a_default_key_and_a_name() {
        let k = Keymap::defaults();
        for a in Action::ALL {
            assert!(!k.keys(a).is_empty(), "{a:?}");
            assert_eq!(Action::from_name(&a.name()), Some(a));
        }
    }
}
