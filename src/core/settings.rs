//! One typed table of every setting a demo has: key, type, range, default and a label.
//!
//! The same table validates the URL, the UI controls and the automation API (`set(key, v)`),
//! and writes the URL back, so a link always names every setting (tensorflow/playground's
//! scheme). Unknown keys are ignored; a bad value keeps the default and yields a notice.

use std::collections::BTreeMap;

#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Kind {
    Int { min: i64, max: i64 },
    Float { min: f64, max: f64 },
    Choice(&'static [&'static str]),
    /// A non-empty subset of the options, written `a,b,c` (kept in the options' order).
    Set(&'static [&'static str]),
    /// Free text of at most `max_len` link-safe characters (A–Z a–z 0–9 - _ .), e.g. an
    /// encoded drawing; what it means is checked by the demo that owns it.
    Text { max_len: usize },
}

#[derive(Clone, Copy, Debug)]
pub struct Spec {
    pub key: &'static str,
    pub kind: Kind,
    pub default: &'static str,
    pub label: &'static str,
}

#[derive(Clone, Debug, PartialEq)]
pub enum Value {
    Int(i64),
    Float(f64),
    Choice(&'static str),
    Set(Vec<&'static str>),
    Text(String),
}

impl Value {
    pub fn to_text(&self) -> String {
        match self {
            Value::Int(i) => i.to_string(),
            Value::Float(f) => format_float(*f),
            Value::Choice(s) => s.to_string(),
            Value::Set(v) => v.join(","),
            Value::Text(t) => t.clone(),
        }
    }
}

/// Shortest text that parses back to the same f64 (Rust's `Display` is round-trip exact).
fn format_float(f: f64) -> String {
    format!("{f}")
}

impl Spec {
    /// Parse and range-check a value written as text (URL, form field or API).
    pub fn parse(&self, raw: &str) -> Result<Value, String> {
        let raw = raw.trim();
        match self.kind {
            Kind::Int { min, max } => {
                let v: i64 = raw.parse().map_err(|_| format!("{} must be a whole number, got “{raw}”", self.key))?;
                if v < min || v > max {
                    return Err(format!("{} must be between {min} and {max}, got {v}", self.key));
                }
                Ok(Value::Int(v))
            }
            Kind::Float { min, max } => {
                let v: f64 = raw.parse().map_err(|_| format!("{} must be a number, got “{raw}”", self.key))?;
                if !v.is_finite() || v < min || v > max {
                    return Err(format!("{} must be between {min} and {max}, got {raw}", self.key));
                }
                Ok(Value::Float(v))
            }
            Kind::Choice(options) => options
                .iter()
                .find(|o| **o == raw)
                .map(|o| Value::Choice(o))
                .ok_or_else(|| format!("{} must be one of {}, got “{raw}”", self.key, options.join(", "))),
            Kind::Set(options) => {
                let parts: Vec<&str> = raw.split(',').map(str::trim).filter(|p| !p.is_empty()).collect();
                if let Some(bad) = parts.iter().find(|p| !options.contains(p)) {
                    return Err(format!("{} takes a comma-separated list of {}, got “{bad}”", self.key, options.join(", ")));
                }
                let chosen: Vec<&'static str> = options.iter().copied().filter(|o| parts.contains(o)).collect();
                if chosen.is_empty() {
                    return Err(format!("{} needs at least one of {}", self.key, options.join(", ")));
                }
                Ok(Value::Set(chosen))
            }
            Kind::Text { max_len } => {
                if raw.len() > max_len {
                    return Err(format!("{} is longer than {max_len} characters", self.key));
                }
                if let Some(bad) = raw.chars().find(|c| !(c.is_ascii_alphanumeric() || "-_.".contains(*c))) {
                    return Err(format!("{} cannot contain “{bad}”", self.key));
                }
                Ok(Value::Text(raw.to_string()))
            }
        }
    }

    fn default_value(&self) -> Value {
        // The table's defaults are tested to parse (see tests), so this cannot fail.
        self.parse(self.default).unwrap_or_else(|e| panic!("bad default in settings table: {e}"))
    }
}

/// Current values of one demo's settings.
#[derive(Clone, Debug)]
pub struct Settings {
    table: &'static [Spec],
    values: BTreeMap<&'static str, Value>,
}

impl PartialEq for Settings {
    fn eq(&self, other: &Self) -> bool {
        self.values == other.values
    }
}

impl Settings {
    pub fn defaults(table: &'static [Spec]) -> Self {
        let values = table.iter().map(|s| (s.key, s.default_value())).collect();
        Self { table, values }
    }

    pub fn table(&self) -> &'static [Spec] {
        self.table
    }

    pub fn spec(&self, key: &str) -> Option<&'static Spec> {
        self.table.iter().find(|s| s.key == key)
    }

    /// Applies `key=raw` pairs (e.g. a query string); returns one notice per refused pair.
    /// Keys not in the table are ignored, as links from newer versions may carry them.
    pub fn from_pairs<'a>(table: &'static [Spec], pairs: impl IntoIterator<Item = (&'a str, &'a str)>) -> (Self, Vec<String>) {
        let mut s = Self::defaults(table);
        let mut notices = Vec::new();
        for (k, v) in pairs {
            if let Some(spec) = s.spec(k) {
                if let Err(e) = s.set(k, v) {
                    notices.push(format!("{e}; using the default {}", spec.default));
                }
            }
        }
        (s, notices)
    }

    pub fn set(&mut self, key: &str, raw: &str) -> Result<(), String> {
        let spec = self.spec(key).ok_or_else(|| format!("unknown setting “{key}”"))?;
        let v = spec.parse(raw)?;
        self.values.insert(spec.key, v);
        Ok(())
    }

    pub fn get(&self, key: &str) -> Option<&Value> {
        self.values.get(key)
    }

    pub fn text(&self, key: &str) -> String {
        self.get(key).map(Value::to_text).unwrap_or_default()
    }

    pub fn int(&self, key: &str) -> i64 {
        match self.values.get(key) {
            Some(Value::Int(i)) => *i,
            other => panic!("setting {key} is not an int: {other:?}"),
        }
    }

    pub fn float(&self, key: &str) -> f64 {
        match self.values.get(key) {
            Some(Value::Float(f)) => *f,
            Some(Value::Int(i)) => *i as f64,
            other => panic!("setting {key} is not a number: {other:?}"),
        }
    }

    pub fn choice(&self, key: &str) -> &'static str {
        match self.values.get(key) {
            Some(Value::Choice(c)) => c,
            other => panic!("setting {key} is not a choice: {other:?}"),
        }
    }

    pub fn set_of(&self, key: &str) -> Vec<&'static str> {
        match self.values.get(key) {
            Some(Value::Set(v)) => v.clone(),
            other => panic!("setting {key} is not a set: {other:?}"),
        }
    }

    pub fn text_value(&self, key: &str) -> &str {
        match self.values.get(key) {
            Some(Value::Text(t)) => t,
            other => panic!("setting {key} is not text: {other:?}"),
        }
    }

    /// Every setting as `key=value` pairs in table order (the link format).
    pub fn to_pairs(&self) -> Vec<(&'static str, String)> {
        self.table.iter().map(|s| (s.key, self.text(s.key))).collect()
    }

    /// `key=value&…` with values percent-encoded where needed.
    pub fn to_query(&self) -> String {
        join_query(&self.to_pairs())
    }

    /// Parses a query string (with or without the leading `?`).
    pub fn from_query(table: &'static [Spec], query: &str) -> (Self, Vec<String>) {
        let pairs = query_pairs(query);
        Self::from_pairs(table, pairs.iter().map(|(k, v)| (k.as_str(), v.as_str())))
    }
}

/// A query string (with or without the leading `?`) as decoded `(key, value)` pairs, in order.
pub fn query_pairs(query: &str) -> Vec<(String, String)> {
    query
        .trim_start_matches('?')
        .split('&')
        .filter(|p| !p.is_empty())
        .map(|p| {
            let (k, v) = p.split_once('=').unwrap_or((p, ""));
            (decode(k), decode(v))
        })
        .collect()
}

/// `key=value&…` from pairs, values percent-encoded where needed.
pub fn join_query<K: AsRef<str>, V: AsRef<str>>(pairs: &[(K, V)]) -> String {
    pairs.iter().map(|(k, v)| format!("{}={}", k.as_ref(), encode(v.as_ref()))).collect::<Vec<_>>().join("&")
}

fn encode(v: &str) -> String {
    v.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' | b',' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

fn hex(b: u8) -> Option<u8> {
    (b as char).to_digit(16).map(|d| d as u8)
}

fn decode(v: &str) -> String {
    let bytes = v.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'+' => out.push(b' '),
            b'%' if i + 2 < bytes.len() => match (hex(bytes[i + 1]), hex(bytes[i + 2])) {
                (Some(h), Some(l)) => {
                    out.push(h * 16 + l);
                    i += 2;
                }
                _ => out.push(b'%'),
            },
            b => out.push(b),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// A demo's settings as a Markdown table (key, what it is, accepted values, default): the
/// documented ranges in docs/settings.md, which a test keeps equal to the tables.
pub fn markdown_table(table: &[Spec]) -> String {
    let mut out = String::from("| key | setting | accepted values | default |\n| --- | --- | --- | --- |\n");
    for s in table {
        let accepted = match s.kind {
            Kind::Int { min, max } => format!("whole number {min} … {max}"),
            Kind::Float { min, max } => format!("number {min} … {max}"),
            Kind::Choice(options) => options.join(", "),
            Kind::Set(options) => format!("comma-separated, one or more of {}", options.join(", ")),
            Kind::Text { max_len } => format!("text, ≤ {max_len} characters of A–Z a–z 0–9 - _ ."),
        };
        let default = if s.default.is_empty() { "(empty)" } else { s.default };
        out.push_str(&format!("| `{}` | {} | {accepted} | {default} |\n", s.key, s.label));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::toy::TOY_SETTINGS;

    #[test]
    fn every_default_parses_and_round_trips_through_a_link() {
        let s = Settings::defaults(TOY_SETTINGS);
        let (back, notices) = Settings::from_query(TOY_SETTINGS, &s.to_query());
        assert!(notices.is_empty(), "{notices:?}");
        assert_eq!(back, s);
    }

    #[test]
    fn bad_values_fall_back_to_defaults_with_a_notice_and_unknown_keys_are_ignored() {
        let (s, notices) = Settings::from_query(TOY_SETTINGS, "?lrD=abc&batch=0&loss=nope&seed=42&zzz=1&lrG=0.002&bad%ZZ=%");
        assert_eq!(notices.len(), 3, "{notices:?}");
        assert!(notices[0].contains("lrD"));
        assert_eq!(s.int("seed"), 42);
        assert_eq!(s.float("lrG"), 0.002);
        let d = Settings::defaults(TOY_SETTINGS);
        assert_eq!(s.float("lrD"), d.float("lrD"));
        assert_eq!(s.int("batch"), d.int("batch"));
        assert_eq!(s.choice("loss"), d.choice("loss"));
    }

    #[test]
    fn range_checks_refuse_out_of_range_and_non_finite() {
        let mut s = Settings::defaults(TOY_SETTINGS);
        assert!(s.set("lrD", "1e9").is_err());
        assert!(s.set("lrD", "0").is_err());
        assert!(s.set("lrD", "NaN").is_err());
        assert!(s.set("lrD", "inf").is_err());
        assert!(s.set("gLayers", "7").is_err());
        assert!(s.set("gLayers", "6").is_ok());
        assert!(s.set("nope", "1").is_err());
    }

    #[test]
    fn decode_survives_arbitrary_text() {
        for q in ["%", "%%", "a=%4", "=%E2%82", "%zz=1", "&&&=", "a=b=c", "é=ü%"] {
            let _ = Settings::from_query(TOY_SETTINGS, q);
        }
        assert_eq!(decode("a%20b+c"), "a b c");
        assert_eq!(encode("a b/é"), "a%20b%2F%C3%A9");
    }

    #[test]
    fn sets_parse_in_table_order_and_refuse_unknown_or_empty_lists() {
        use crate::core::saddle::SADDLE_SETTINGS;
        let (s, notices) = Settings::from_query(SADDLE_SETTINGS, "?methods=eg,sim%2Csim&steps=10");
        assert!(notices.is_empty(), "{notices:?}");
        assert_eq!(s.set_of("methods"), vec!["sim", "eg"]);
        assert!(s.to_query().contains("methods=sim,eg&"), "{}", s.to_query());
        let (s, notices) = Settings::from_query(SADDLE_SETTINGS, "?methods=sim,nope");
        assert_eq!(notices.len(), 1, "{notices:?}");
        assert_eq!(s.set_of("methods"), Settings::defaults(SADDLE_SETTINGS).set_of("methods"));
        let (_, notices) = Settings::from_query(SADDLE_SETTINGS, "?methods=,");
        assert_eq!(notices.len(), 1, "{notices:?}");
        let d = Settings::defaults(SADDLE_SETTINGS);
        assert_eq!(Settings::from_query(SADDLE_SETTINGS, &d.to_query()).0, d);
    }
}
