//! How a page is presented, as opposed to what it trains: embed mode, autoplay, the theme and
//! hidden controls. These ride in the same query string as the settings (one link scheme,
//! tensorflow/playground's convention: `embed=1`, `autoplay=1`, `theme=dark`,
//! `<key>_hide=true`) and survive every rewrite of the link. See docs/embedding.md.

use crate::core::settings::{query_pairs, Spec};
use std::collections::BTreeSet;

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Theme {
    /// Follows the system's light/dark preference (not written into links).
    #[default]
    Auto,
    Light,
    Dark,
    /// High contrast for projectors: black on white, heavier lines, larger text.
    Contrast,
}

impl Theme {
    pub const ALL: [Theme; 4] = [Theme::Auto, Theme::Light, Theme::Dark, Theme::Contrast];

    pub fn key(self) -> &'static str {
        match self {
            Theme::Auto => "auto",
            Theme::Light => "light",
            Theme::Dark => "dark",
            Theme::Contrast => "contrast",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Theme::Auto => "System",
            Theme::Light => "Light",
            Theme::Dark => "Dark",
            Theme::Contrast => "Projector (high contrast)",
        }
    }

    pub fn parse(raw: &str) -> Option<Theme> {
        Theme::ALL.into_iter().find(|t| t.key() == raw)
    }
}

/// Parts of a demo's page that `<part>_hide=true` hides besides its setting controls.
pub const UI_PARTS: &[(&str, &str)] = &[
    ("transport", "Play, step and reset buttons"),
    ("presets", "Presets"),
    ("stats", "Step, speed and loss readouts"),
    ("files", "Save and load run"),
    ("undo", "Undo"),
];

/// Longest name accepted before `_hide` (longer ones cannot be keys and are ignored).
const MAX_HIDE_NAME: usize = 40;

#[derive(Clone, Debug, Default, PartialEq)]
pub struct PageOptions {
    pub embed: bool,
    pub autoplay: bool,
    pub theme: Theme,
    /// Names whose control is hidden (setting keys or `UI_PARTS`).
    pub hidden: BTreeSet<String>,
}

fn flag(key: &str, raw: &str) -> Result<bool, String> {
    match raw.trim() {
        "1" | "true" => Ok(true),
        "0" | "false" | "" => Ok(false),
        other => Err(format!("{key} must be 1 or 0 (true or false), got “{other}”; using 0")),
    }
}

impl PageOptions {
    /// Reads the page options from `key=value` pairs (decoded); other keys are left for the
    /// demo's settings table. Returns one notice per refused value.
    pub fn from_pairs<'a>(pairs: impl IntoIterator<Item = (&'a str, &'a str)>) -> (Self, Vec<String>) {
        let mut options = Self::default();
        let mut notices = Vec::new();
        for (key, raw) in pairs {
            let result = match key {
                "embed" => flag(key, raw).map(|on| options.embed = on),
                "autoplay" => flag(key, raw).map(|on| options.autoplay = on),
                "theme" => Theme::parse(raw.trim()).map(|t| options.theme = t).ok_or_else(|| {
                    let names: Vec<&str> = Theme::ALL.iter().map(|t| t.key()).collect();
                    format!("theme must be one of {}, got “{raw}”; using auto", names.join(", "))
                }),
                _ => match key.strip_suffix("_hide") {
                    Some(name) if is_name(name) => flag(key, raw).map(|hide| {
                        if hide {
                            options.hidden.insert(name.to_string());
                        } else {
                            options.hidden.remove(name);
                        }
                    }),
                    _ => Ok(()),
                },
            };
            if let Err(e) = result {
                notices.push(e);
            }
        }
        (options, notices)
    }

    /// Reads the page options from a query string (see `from_pairs`).
    pub fn from_query(query: &str) -> (Self, Vec<String>) {
        let pairs = query_pairs(query);
        Self::from_pairs(pairs.iter().map(|(k, v)| (k.as_str(), v.as_str())))
    }

    /// The options as link pairs, defaults left out; hidden names only where the page has
    /// them (a setting of `table` or a UI part), so a link never carries stale names.
    pub fn to_pairs(&self, table: &[Spec]) -> Vec<(String, String)> {
        let mut out = Vec::new();
        if self.embed {
            out.push(("embed".to_string(), "1".to_string()));
        }
        if self.autoplay {
            out.push(("autoplay".to_string(), "1".to_string()));
        }
        if self.theme != Theme::Auto {
            out.push(("theme".to_string(), self.theme.key().to_string()));
        }
        let names = UI_PARTS.iter().map(|(name, _)| *name).chain(table.iter().map(|s| s.key));
        for name in names.filter(|n| self.hidden.contains(*n)) {
            out.push((format!("{name}_hide"), "true".to_string()));
        }
        out
    }

    pub fn is_hidden(&self, name: &str) -> bool {
        self.hidden.contains(name)
    }
}

fn is_name(name: &str) -> bool {
    !name.is_empty() && name.len() <= MAX_HIDE_NAME && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
}

/// A metric history as CSV: a header row, then one row per index of the (equal-length)
/// columns; a NaN (a value a step did not compute) is an empty cell.
pub fn csv_table(header: &[&str], columns: &[&[f64]]) -> String {
    let rows = columns.iter().map(|c| c.len()).min().unwrap_or(0);
    let mut out = header.join(",");
    out.push('\n');
    for i in 0..rows {
        let cells: Vec<String> = columns.iter().map(|c| if c[i].is_nan() { String::new() } else { format!("{}", c[i]) }).collect();
        out.push_str(&cells.join(","));
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::toy::TOY_SETTINGS;

    fn parse(pairs: &[(&str, &str)]) -> (PageOptions, Vec<String>) {
        PageOptions::from_pairs(pairs.iter().copied())
    }

    #[test]
    fn reads_flags_theme_and_hidden_controls() {
        let (o, notices) = parse(&[("embed", "1"), ("autoplay", "true"), ("theme", "contrast"), ("lrD_hide", "true"), ("seed", "4")]);
        assert!(notices.is_empty(), "{notices:?}");
        assert!(o.embed && o.autoplay);
        assert_eq!(o.theme, Theme::Contrast);
        assert!(o.is_hidden("lrD") && !o.is_hidden("lrG"));
    }

    #[test]
    fn bad_values_keep_the_default_with_a_notice_naming_the_key() {
        let (o, notices) = parse(&[("embed", "yes"), ("theme", "neon"), ("batch_hide", "maybe"), ("autoplay", "1")]);
        assert_eq!(o, PageOptions { autoplay: true, ..PageOptions::default() });
        assert_eq!(notices.len(), 3, "{notices:?}");
        assert!(notices[0].starts_with("embed"));
        assert!(notices[1].starts_with("theme"));
        assert!(notices[2].starts_with("batch_hide"));
    }

    #[test]
    fn links_carry_only_non_defaults_and_names_the_page_has() {
        let (o, _) = parse(&[("theme", "dark"), ("lrD_hide", "1"), ("nothere_hide", "1"), ("presets_hide", "true"), ("_hide", "1")]);
        let pairs = o.to_pairs(TOY_SETTINGS);
        let text: Vec<String> = pairs.iter().map(|(k, v)| format!("{k}={v}")).collect();
        assert_eq!(text, ["theme=dark", "presets_hide=true", "lrD_hide=true"]);
        let back = PageOptions::from_pairs(pairs.iter().map(|(k, v)| (k.as_str(), v.as_str()))).0;
        assert_eq!(back.to_pairs(TOY_SETTINGS), pairs);
        assert!(PageOptions::default().to_pairs(TOY_SETTINGS).is_empty());
    }

    #[test]
    fn a_later_false_unhides() {
        let (o, _) = parse(&[("lrD_hide", "true"), ("lrD_hide", "false")]);
        assert!(!o.is_hidden("lrD"));
    }

    #[test]
    fn csv_has_a_header_a_row_per_step_and_empty_cells_for_nan() {
        let csv = csv_table(&["step", "loss"], &[&[1.0, 2.0], &[0.5, f64::NAN]]);
        assert_eq!(csv, "step,loss\n1,0.5\n2,\n");
    }
}
