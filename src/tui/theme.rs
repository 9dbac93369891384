//! Colours and borders: `assets/theme.toml`, with `NO_COLOR` honoured (modifiers only) and an
//! ASCII-border option for terminals that draw box symbols wide.

use std::collections::BTreeMap;

use ratatui::style::{Color, Modifier, Style};
use ratatui::symbols::border;

/// The built-in theme.
pub const DEFAULT_THEME: &str = include_str!("../../assets/theme.toml");

/// Styles used by every screen.
#[derive(Debug, Clone, PartialEq)]
pub struct Theme {
    /// Titles, the clock, the focused field.
    pub accent: Style,
    /// Ordinary text.
    pub text: Style,
    /// Labels and hints.
    pub dim: Style,
    /// Errors and overdue flags.
    pub alert: Style,
    /// Open flags.
    pub warn: Style,
    /// Saved, resolved.
    pub ok: Style,
    /// A vague cue inside text.
    pub cue: Style,
    /// The selected row.
    pub selected: Style,
    /// Borders.
    pub border: Style,
    /// A field that differs from the previous report.
    pub changed: Style,
    /// The border set.
    pub borders: border::Set<'static>,
}

fn color(map: &BTreeMap<String, String>, key: &str, colour: bool) -> Color {
    if !colour {
        return Color::Reset;
    }
    map.get(key)
        .and_then(|s| s.parse::<Color>().ok())
        .unwrap_or(Color::Reset)
}

impl Theme {
    /// Builds the theme from TOML text; `colour` false (NO_COLOR) keeps only modifiers.
    pub fn from_toml(text: &str, colour: bool, ascii: bool) -> Theme {
        let map: BTreeMap<String, String> = toml::from_str(text).unwrap_or_default();
        let c = |k: &str| color(&map, k, colour);
        let fg = |k: &str| Style::default().fg(c(k));
        Theme {
            accent: fg("accent").add_modifier(Modifier::BOLD),
            text: fg("text"),
            dim: fg("dim"),
            alert: fg("alert").add_modifier(Modifier::BOLD),
            warn: fg("warn"),
            ok: fg("ok").add_modifier(Modifier::BOLD),
            cue: Style::default()
                .fg(c("cue_fg"))
                .bg(c("cue_bg"))
                .add_modifier(Modifier::UNDERLINED),
            selected: Style::default()
                .fg(c("selected_fg"))
                .bg(c("selected_bg"))
                .add_modifier(Modifier::REVERSED),
            border: fg("border"),
            changed: fg("changed").add_modifier(Modifier::ITALIC),
            borders: if ascii { ASCII } else { border::PLAIN },
        }
    }

    /// The built-in theme; colour unless `NO_COLOR` is set.
    pub fn from_env(ascii: bool) -> Theme {
        let no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
        Theme::from_toml(DEFAULT_THEME, !no_color, ascii)
    }
}

impl Default for Theme {
    fn default() -> Self {
        Theme::from_toml(DEFAULT_THEME, true, false)
    }
}

/// Borders drawn with `+`, `-` and `|`.
pub const ASCII: border::Set<'static> = border::Set {
    top_left: "+",
    top_right: "+",
    bottom_left: "+",
    bottom_right: "+",
    vertical_left: "|",
    vertical_right: "|",
    horizontal_top: "-",
    horizontal_bottom: "-",
};

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_color_keeps_modifiers_only() {
        let t = Theme::from_toml(DEFAULT_THEME, false, true);
        assert_eq!(t.alert.fg, Some(Color::Reset));
        assert!(t.alert.add_modifier.contains(Modifier::BOLD));
        assert_eq!(t.borders.top_left, "+");
        let c = Theme::default();
        assert_eq!(c.alert.fg, Some(Color::LightRed));
    }
}
