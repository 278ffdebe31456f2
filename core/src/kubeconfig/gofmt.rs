//! Text formats as kubectl (Go) writes them, so Loupe's output can be compared byte for byte:
//! sigs.k8s.io/yaml (yaml.v2's emitter: sorted keys, its quoting rules, folding at 80 columns),
//! `encoding/json`'s `MarshalIndent`, and `strconv.Quote` (Go's `%q`).

use serde_json::Number;
use std::cmp::Ordering;

/// A value as Go's encoders see it.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum GoValue {
    /// `null`.
    Null,
    /// A boolean.
    Bool(bool),
    /// A number (integer or float).
    Num(Number),
    /// A string.
    Str(String),
    /// A list.
    Seq(Vec<GoValue>),
    /// A Go struct: JSON keeps this field order.
    Struct(Vec<(String, GoValue)>),
    /// A Go map: JSON sorts its keys bytewise.
    Map(Vec<(String, GoValue)>),
}

impl GoValue {
    /// Converts a parsed YAML/JSON value (a Go `map[string]interface{}` tree).
    pub(crate) fn from_json(v: &serde_json::Value) -> GoValue {
        use serde_json::Value;
        match v {
            Value::Null => GoValue::Null,
            Value::Bool(b) => GoValue::Bool(*b),
            Value::Number(n) => GoValue::Num(n.clone()),
            Value::String(s) => GoValue::Str(s.clone()),
            Value::Array(a) => GoValue::Seq(a.iter().map(GoValue::from_json).collect()),
            Value::Object(m) => GoValue::Map(
                m.iter()
                    .map(|(k, v)| (k.clone(), GoValue::from_json(v)))
                    .collect(),
            ),
        }
    }

    fn entries(&self) -> Option<&[(String, GoValue)]> {
        match self {
            GoValue::Struct(e) | GoValue::Map(e) => Some(e),
            _ => None,
        }
    }
}

// ---------------------------------------------------------------------------------------------
// strconv.Quote and Go error texts

/// Go's `%q` / `strconv.Quote`: double quotes, Go escapes, printable Unicode kept as is.
pub(crate) fn go_quote(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\u{7}' => out.push_str("\\a"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\u{b}' => out.push_str("\\v"),
            c if (c as u32) < 0x20 || c == '\u{7f}' => {
                out.push_str(&format!("\\x{:02x}", c as u32));
            }
            c if c.is_control() || c == '\u{feff}' => {
                let n = c as u32;
                if n <= 0xffff {
                    out.push_str(&format!("\\u{n:04x}"));
                } else {
                    out.push_str(&format!("\\U{n:08x}"));
                }
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// An I/O error as Go prints it (`no such file or directory`, `file exists`, ...).
pub(crate) fn go_io_error(e: &std::io::Error) -> String {
    let text = e.to_string();
    // Rust appends " (os error N)" and capitalises; Go's syscall texts are lower-case.
    let text = match text.rfind(" (os error ") {
        Some(i) => text[..i].to_string(),
        None => text,
    };
    let mut c = text.chars();
    match c.next() {
        Some(f) => f.to_lowercase().chain(c).collect(),
        None => text,
    }
}

// ---------------------------------------------------------------------------------------------
// yaml.v2 scalar resolution (what a plain scalar would be read as)

/// True when yaml.v2 would read `s`, written plain, as something other than a string
/// (bool, null, int, float, timestamp, merge key), or as a base-60 float it quotes anyway.
pub(crate) fn resolves_to_non_string(s: &str) -> bool {
    const MAP: &[&str] = &[
        "y", "Y", "yes", "Yes", "YES", "true", "True", "TRUE", "on", "On", "ON", "n", "N", "no",
        "No", "NO", "false", "False", "FALSE", "off", "Off", "OFF", "", "~", "null", "Null",
        "NULL", ".nan", ".NaN", ".NAN", ".inf", ".Inf", ".INF", "+.inf", "+.Inf", "+.INF", "-.inf",
        "-.Inf", "-.INF", "<<",
    ];
    if is_base60_float(s) {
        return true;
    }
    let Some(first) = s.bytes().next() else {
        return true; // "" is null
    };
    let hint = match first {
        b'+' | b'-' => 'S',
        b'0'..=b'9' => 'D',
        b'y' | b'Y' | b'n' | b'N' | b't' | b'T' | b'f' | b'F' | b'o' | b'O' | b'~' => 'M',
        b'.' => '.',
        _ => return false,
    };
    if MAP.contains(&s) {
        return true;
    }
    match hint {
        '.' => go_parse_float(s),
        'D' | 'S' => {
            if parse_timestamp(s) {
                return true;
            }
            let plain: String = s.chars().filter(|&c| c != '_').collect();
            if go_parse_int(&plain) || is_yaml_style_float(&plain) {
                return true;
            }
            if let Some(rest) = plain.strip_prefix("0b") {
                return !rest.is_empty() && rest.chars().all(|c| c == '0' || c == '1');
            }
            if let Some(rest) = plain.strip_prefix("-0b") {
                return !rest.is_empty() && rest.chars().all(|c| c == '0' || c == '1');
            }
            false
        }
        _ => false,
    }
}

/// `strconv.ParseInt(s, 0, 64)` or `ParseUint` succeeding (syntax only, with overflow checks).
fn go_parse_int(s: &str) -> bool {
    let (neg, body) = match s.as_bytes().first() {
        Some(b'+') => (false, &s[1..]),
        Some(b'-') => (true, &s[1..]),
        _ => (false, s),
    };
    let (radix, digits) =
        if let Some(r) = body.strip_prefix("0x").or_else(|| body.strip_prefix("0X")) {
            (16, r)
        } else if let Some(r) = body.strip_prefix("0o").or_else(|| body.strip_prefix("0O")) {
            (8, r)
        } else if let Some(r) = body.strip_prefix("0b").or_else(|| body.strip_prefix("0B")) {
            (2, r)
        } else if body.len() > 1 && body.starts_with('0') {
            (8, &body[1..])
        } else {
            (10, body)
        };
    if digits.is_empty() {
        return false;
    }
    match u64::from_str_radix(digits, radix) {
        Ok(v) => !neg || v <= 1u64 << 63,
        Err(_) => false,
    }
}

/// yaml.v2's `yamlStyleFloat`: `^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$`.
fn is_yaml_style_float(s: &str) -> bool {
    let b = s.as_bytes();
    let mut i = 0;
    if matches!(b.first(), Some(b'+' | b'-')) {
        i += 1;
    }
    let digits = |i: &mut usize| {
        let start = *i;
        while *i < b.len() && b[*i].is_ascii_digit() {
            *i += 1;
        }
        *i - start
    };
    if b.get(i) == Some(&b'.') {
        i += 1;
        if digits(&mut i) == 0 {
            return false;
        }
    } else {
        if digits(&mut i) == 0 {
            return false;
        }
        if b.get(i) == Some(&b'.') {
            i += 1;
            digits(&mut i);
        }
    }
    if matches!(b.get(i), Some(b'e' | b'E')) {
        i += 1;
        if matches!(b.get(i), Some(b'+' | b'-')) {
            i += 1;
        }
        if digits(&mut i) == 0 {
            return false;
        }
    }
    i == b.len()
}

/// `strconv.ParseFloat` accepting `s` (used for values starting with '.').
fn go_parse_float(s: &str) -> bool {
    is_yaml_style_float(s)
        || s.parse::<f64>()
            .is_ok_and(|_| !s.contains(['i', 'I', 'n', 'N']))
}

/// yaml.v2's `isBase60Float`: `^[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+(?:\.[0-9_]*)?$`.
fn is_base60_float(s: &str) -> bool {
    let b = s.as_bytes();
    let mut i = 0;
    if matches!(b.first(), Some(b'+' | b'-')) {
        i += 1;
    }
    if !b.get(i).is_some_and(u8::is_ascii_digit) {
        return false;
    }
    i += 1;
    while i < b.len() && (b[i].is_ascii_digit() || b[i] == b'_') {
        i += 1;
    }
    let mut groups = 0;
    while b.get(i) == Some(&b':') {
        i += 1;
        let start = i;
        while i < b.len() && b[i].is_ascii_digit() && i - start < 2 {
            i += 1;
        }
        match i - start {
            1 => {}
            2 if b[start] <= b'5' => {}
            _ => return false,
        }
        groups += 1;
    }
    if groups == 0 {
        return false;
    }
    if b.get(i) == Some(&b'.') {
        i += 1;
        while i < b.len() && (b[i].is_ascii_digit() || b[i] == b'_') {
            i += 1;
        }
    }
    i == b.len()
}

/// yaml.v2's `parseTimestamp`: `2006-1-2`, optionally followed by `T`/`t`/` ` and a time.
fn parse_timestamp(s: &str) -> bool {
    let b = s.as_bytes();
    let num = |i: &mut usize, min: usize, max: usize| -> Option<u32> {
        let start = *i;
        while *i < b.len() && b[*i].is_ascii_digit() && *i - start < max {
            *i += 1;
        }
        if *i - start < min {
            return None;
        }
        s[start..*i].parse().ok()
    };
    let mut i = 0;
    let Some(year) = num(&mut i, 4, 4) else {
        return false;
    };
    if b.get(i) != Some(&b'-') {
        return false;
    }
    i += 1;
    let Some(month) = num(&mut i, 1, 2) else {
        return false;
    };
    if b.get(i) != Some(&b'-') {
        return false;
    }
    i += 1;
    let Some(day) = num(&mut i, 1, 2) else {
        return false;
    };
    let leap = year % 4 == 0 && (year % 100 != 0 || year % 400 == 0);
    let days = [
        31,
        if leap { 29 } else { 28 },
        31,
        30,
        31,
        30,
        31,
        31,
        30,
        31,
        30,
        31,
    ];
    if !(1..=12).contains(&month) || day < 1 || day > days[month as usize - 1] {
        return false;
    }
    if i == b.len() {
        return true;
    }
    let zoned = match b[i] {
        b'T' | b't' => true,
        b' ' => false,
        _ => return false,
    };
    i += 1;
    let (Some(h), true, Some(m), true, Some(sec)) = (
        num(&mut i, 1, 2),
        b.get(i) == Some(&b':') && {
            i += 1;
            true
        },
        num(&mut i, 1, 2),
        b.get(i) == Some(&b':') && {
            i += 1;
            true
        },
        num(&mut i, 1, 2),
    ) else {
        return false;
    };
    if h > 23 || m > 59 || sec > 59 {
        return false;
    }
    if b.get(i) == Some(&b'.') {
        let start = i + 1;
        i = start;
        while i < b.len() && b[i].is_ascii_digit() {
            i += 1;
        }
        if i == start {
            return false;
        }
    }
    if !zoned {
        return i == b.len();
    }
    match b.get(i) {
        Some(b'Z') => i + 1 == b.len(),
        Some(b'+' | b'-') => {
            let z = &b[i + 1..];
            z.len() == 5
                && z[0].is_ascii_digit()
                && z[1].is_ascii_digit()
                && z[2] == b':'
                && z[3].is_ascii_digit()
                && z[4].is_ascii_digit()
        }
        _ => false,
    }
}

// ---------------------------------------------------------------------------------------------
// yaml.v2 scalar analysis (yaml_emitter_analyze_scalar)

#[derive(Debug, Clone, Copy)]
struct ScalarAnalysis {
    multiline: bool,
    flow_plain_allowed: bool,
    block_plain_allowed: bool,
    single_quoted_allowed: bool,
    block_allowed: bool,
}

fn is_printable(c: char) -> bool {
    let n = c as u32;
    c == '\n'
        || (0x20..=0x7e).contains(&n)
        || (0xa0..=0xd7ff).contains(&n)
        || ((0xe000..=0xfffd).contains(&n) && n != 0xfeff)
}

fn is_break(c: char) -> bool {
    matches!(c, '\r' | '\n' | '\u{85}' | '\u{2028}' | '\u{2029}')
}

fn is_blank(c: Option<char>) -> bool {
    matches!(c, Some(' ' | '\t'))
}

fn is_blankz(c: Option<char>) -> bool {
    match c {
        None | Some('\0') => true,
        Some(c) => c == ' ' || c == '\t' || is_break(c),
    }
}

fn analyze(value: &str) -> ScalarAnalysis {
    if value.is_empty() {
        return ScalarAnalysis {
            multiline: false,
            flow_plain_allowed: false,
            block_plain_allowed: true,
            single_quoted_allowed: true,
            block_allowed: false,
        };
    }
    let chars: Vec<char> = value.chars().collect();
    let (mut block_ind, mut flow_ind) = (false, false);
    let (mut line_breaks, mut special) = (false, false);
    let (mut leading_space, mut leading_break) = (false, false);
    let (mut trailing_space, mut trailing_break) = (false, false);
    let (mut break_space, mut space_break) = (false, false);
    let (mut prev_space, mut prev_break) = (false, false);
    if value.starts_with("---") || value.starts_with("...") {
        block_ind = true;
        flow_ind = true;
    }
    let mut preceded_by_ws = true;
    for (i, &c) in chars.iter().enumerate() {
        let next = chars.get(i + 1).copied();
        let followed_by_ws = next.is_none() || is_blank(next) || next.is_some_and(is_break);
        if i == 0 {
            match c {
                '#' | ',' | '[' | ']' | '{' | '}' | '&' | '*' | '!' | '|' | '>' | '\'' | '"'
                | '%' | '@' | '`' => {
                    flow_ind = true;
                    block_ind = true;
                }
                '?' | ':' => {
                    flow_ind = true;
                    if followed_by_ws {
                        block_ind = true;
                    }
                }
                '-' if followed_by_ws => {
                    flow_ind = true;
                    block_ind = true;
                }
                _ => {}
            }
        } else {
            match c {
                ',' | '?' | '[' | ']' | '{' | '}' => flow_ind = true,
                ':' => {
                    flow_ind = true;
                    if followed_by_ws {
                        block_ind = true;
                    }
                }
                '#' if preceded_by_ws => {
                    flow_ind = true;
                    block_ind = true;
                }
                _ => {}
            }
        }
        if !is_printable(c) {
            special = true;
        }
        if c == ' ' {
            if i == 0 {
                leading_space = true;
            }
            if i + 1 == chars.len() {
                trailing_space = true;
            }
            if prev_break {
                break_space = true;
            }
            prev_space = true;
            prev_break = false;
        } else if is_break(c) {
            line_breaks = true;
            if i == 0 {
                leading_break = true;
            }
            if i + 1 == chars.len() {
                trailing_break = true;
            }
            if prev_space {
                space_break = true;
            }
            prev_space = false;
            prev_break = true;
        } else {
            prev_space = false;
            prev_break = false;
        }
        // yaml.v2 checks the current character here (its comment wonders why); kept as is.
        preceded_by_ws = is_blankz(Some(c));
    }
    let mut a = ScalarAnalysis {
        multiline: line_breaks,
        flow_plain_allowed: true,
        block_plain_allowed: true,
        single_quoted_allowed: true,
        block_allowed: true,
    };
    if leading_space || leading_break || trailing_space || trailing_break {
        a.flow_plain_allowed = false;
        a.block_plain_allowed = false;
    }
    if trailing_space {
        a.block_allowed = false;
    }
    if break_space {
        a.flow_plain_allowed = false;
        a.block_plain_allowed = false;
        a.single_quoted_allowed = false;
    }
    if space_break || special {
        a.flow_plain_allowed = false;
        a.block_plain_allowed = false;
        a.single_quoted_allowed = false;
        a.block_allowed = false;
    }
    if line_breaks {
        a.flow_plain_allowed = false;
        a.block_plain_allowed = false;
    }
    if flow_ind {
        a.flow_plain_allowed = false;
    }
    if block_ind {
        a.block_plain_allowed = false;
    }
    a
}

/// True when yaml.v2 would write `s` as a plain (unquoted) block value, and every YAML reader
/// reads it back as the same string. Used to pick plain style in lossless edits.
pub(crate) fn plain_is_safe(s: &str) -> bool {
    !s.contains('\n') && !resolves_to_non_string(s) && analyze(s).block_plain_allowed
}

// ---------------------------------------------------------------------------------------------
// The yaml.v2 block emitter, reduced to what sigs.k8s.io/yaml produces

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Style {
    Plain,
    Single,
    Double,
    Literal,
}

const BEST_WIDTH: usize = 80;
const BEST_INDENT: usize = 2;

struct Emitter {
    out: String,
    column: usize,
    /// The last character written was whitespace (or nothing yet).
    whitespace: bool,
    /// Only indentation has been written on this line.
    indention: bool,
}

impl Emitter {
    fn put(&mut self, c: char) {
        self.out.push(c);
        self.column += 1;
    }

    fn put_break(&mut self) {
        self.out.push('\n');
        self.column = 0;
        self.indention = true;
    }

    fn write_indent(&mut self, indent: usize) {
        if !self.indention || self.column > indent || (self.column == indent && !self.whitespace) {
            self.put_break();
        }
        while self.column < indent {
            self.put(' ');
        }
        self.whitespace = true;
        self.indention = true;
    }

    fn write_indicator(&mut self, ind: &str, need_ws: bool, is_ws: bool, is_indention: bool) {
        if need_ws && !self.whitespace {
            self.put(' ');
        }
        for c in ind.chars() {
            self.put(c);
        }
        self.whitespace = is_ws;
        self.indention = self.indention && is_indention;
    }

    /// Writes a scalar; `indent` is the indentation continuation lines get, `simple_key` is
    /// true for mapping keys (no line folding; multi-line keys are double-quoted).
    fn scalar(&mut self, value: &str, requested: Style, indent: usize, simple_key: bool) {
        let a = analyze(value);
        let mut style = requested;
        if simple_key && a.multiline {
            style = Style::Double;
        }
        if style == Style::Plain && (!a.block_plain_allowed || (value.is_empty() && simple_key)) {
            style = Style::Single;
        }
        if style == Style::Single && !a.single_quoted_allowed {
            style = Style::Double;
        }
        if style == Style::Literal && (!a.block_allowed || simple_key) {
            style = Style::Double;
        }
        let breaks = !simple_key;
        match style {
            Style::Plain => self.plain(value, indent, breaks),
            Style::Single => self.single(value, indent, breaks),
            Style::Double => self.double(value, indent, breaks),
            Style::Literal => self.literal(value, indent),
        }
    }

    fn plain(&mut self, value: &str, indent: usize, allow_breaks: bool) {
        if !self.whitespace {
            self.put(' ');
        }
        let chars: Vec<char> = value.chars().collect();
        let (mut spaces, mut breaks) = (false, false);
        for (i, &c) in chars.iter().enumerate() {
            if c == ' ' {
                if allow_breaks
                    && !spaces
                    && self.column > BEST_WIDTH
                    && chars.get(i + 1) != Some(&' ')
                {
                    self.write_indent(indent);
                } else {
                    self.put(c);
                }
                spaces = true;
            } else if is_break(c) {
                if !breaks && c == '\n' {
                    self.put_break();
                }
                self.put_break();
                self.indention = true;
                breaks = true;
            } else {
                if breaks {
                    self.write_indent(indent);
                }
                self.put(c);
                self.indention = false;
                spaces = false;
                breaks = false;
            }
        }
        self.whitespace = false;
        self.indention = false;
    }

    fn single(&mut self, value: &str, indent: usize, allow_breaks: bool) {
        self.write_indicator("'", true, false, false);
        let chars: Vec<char> = value.chars().collect();
        let (mut spaces, mut breaks) = (false, false);
        for (i, &c) in chars.iter().enumerate() {
            if c == ' ' {
                if allow_breaks
                    && !spaces
                    && self.column > BEST_WIDTH
                    && i > 0
                    && i + 1 < chars.len()
                    && chars.get(i + 1) != Some(&' ')
                {
                    self.write_indent(indent);
                } else {
                    self.put(c);
                }
                spaces = true;
            } else if is_break(c) {
                if !breaks && c == '\n' {
                    self.put_break();
                }
                self.put_break();
                self.indention = true;
                breaks = true;
            } else {
                if breaks {
                    self.write_indent(indent);
                }
                if c == '\'' {
                    self.put('\'');
                }
                self.put(c);
                self.indention = false;
                spaces = false;
                breaks = false;
            }
        }
        self.write_indicator("'", false, false, false);
        self.whitespace = false;
        self.indention = false;
    }

    fn double(&mut self, value: &str, indent: usize, allow_breaks: bool) {
        self.write_indicator("\"", true, false, false);
        let chars: Vec<char> = value.chars().collect();
        let mut spaces = false;
        for (i, &c) in chars.iter().enumerate() {
            if !is_printable(c) || c == '\u{feff}' || is_break(c) || c == '"' || c == '\\' {
                self.put('\\');
                let esc = match c {
                    '\0' => Some('0'),
                    '\u{7}' => Some('a'),
                    '\u{8}' => Some('b'),
                    '\t' => Some('t'),
                    '\n' => Some('n'),
                    '\u{b}' => Some('v'),
                    '\u{c}' => Some('f'),
                    '\r' => Some('r'),
                    '\u{1b}' => Some('e'),
                    '"' => Some('"'),
                    '\\' => Some('\\'),
                    '\u{85}' => Some('N'),
                    '\u{a0}' => Some('_'),
                    '\u{2028}' => Some('L'),
                    '\u{2029}' => Some('P'),
                    _ => None,
                };
                match esc {
                    Some(e) => self.put(e),
                    None => {
                        let n = c as u32;
                        let text = if n <= 0xff {
                            format!("x{n:02X}")
                        } else if n <= 0xffff {
                            format!("u{n:04X}")
                        } else {
                            format!("U{n:08X}")
                        };
                        for t in text.chars() {
                            self.put(t);
                        }
                    }
                }
                spaces = false;
            } else if c == ' ' {
                if allow_breaks
                    && !spaces
                    && self.column > BEST_WIDTH
                    && i > 0
                    && i + 1 < chars.len()
                {
                    self.write_indent(indent);
                    if chars.get(i + 1) == Some(&' ') {
                        self.put('\\');
                    }
                } else {
                    self.put(c);
                }
                spaces = true;
            } else {
                self.put(c);
                spaces = false;
            }
        }
        self.write_indicator("\"", false, false, false);
        self.whitespace = false;
        self.indention = false;
    }

    fn literal(&mut self, value: &str, indent: usize) {
        self.write_indicator("|", true, false, false);
        let chars: Vec<char> = value.chars().collect();
        if chars.first().is_some_and(|&c| c == ' ' || is_break(c)) {
            self.write_indicator(&BEST_INDENT.to_string(), false, false, false);
        }
        let chomp = match chars.as_slice() {
            [] => Some("-"),
            [.., last] if !is_break(*last) => Some("-"),
            [_] => Some("+"),
            [.., prev, _] if is_break(*prev) => Some("+"),
            _ => None,
        };
        if let Some(ch) = chomp {
            self.write_indicator(ch, false, false, false);
        }
        self.put_break();
        self.indention = true;
        self.whitespace = true;
        let mut breaks = true;
        for &c in &chars {
            if is_break(c) {
                self.put_break();
                self.indention = true;
                breaks = true;
            } else {
                if breaks {
                    self.write_indent(indent);
                }
                self.put(c);
                self.indention = false;
                breaks = false;
            }
        }
    }

    /// A node in block context. `indent` is the current block indentation.
    fn node(&mut self, v: &GoValue, indent: usize, in_mapping_value: bool) {
        match v {
            GoValue::Null => self.plain("null", indent + BEST_INDENT, true),
            GoValue::Bool(b) => self.plain(if *b { "true" } else { "false" }, indent, true),
            GoValue::Num(n) => self.plain(&yaml_number(n), indent, true),
            GoValue::Str(s) => {
                let style = if s.contains('\n') {
                    Style::Literal
                } else if resolves_to_non_string(s) {
                    Style::Double
                } else {
                    Style::Plain
                };
                self.scalar(s, style, indent + BEST_INDENT, false);
            }
            GoValue::Seq(items) if items.is_empty() => {
                self.write_indicator("[]", true, false, false)
            }
            GoValue::Seq(items) => {
                // Sequences inside a mapping are not indented (yaml.v2's "indentless" lists).
                let seq_indent = if in_mapping_value {
                    indent
                } else {
                    indent + BEST_INDENT
                };
                for item in items {
                    self.write_indent(seq_indent);
                    self.write_indicator("-", true, false, true);
                    self.node(item, seq_indent, false);
                }
            }
            GoValue::Struct(e) | GoValue::Map(e) if e.is_empty() => {
                self.write_indicator("{}", true, false, false)
            }
            GoValue::Struct(_) | GoValue::Map(_) => {
                let map_indent = if self.out.is_empty() {
                    0
                } else {
                    indent + BEST_INDENT
                };
                let mut entries: Vec<&(String, GoValue)> =
                    v.entries().unwrap_or_default().iter().collect();
                entries.sort_by(|a, b| go_yaml_key_cmp(&a.0, &b.0));
                for (k, val) in entries {
                    self.write_indent(map_indent);
                    let style = if resolves_to_non_string(k) {
                        Style::Double
                    } else {
                        Style::Plain
                    };
                    self.scalar(k, style, map_indent + BEST_INDENT, true);
                    self.write_indicator(":", false, false, false);
                    self.node(val, map_indent, true);
                }
            }
        }
    }
}

/// The top-level value as `sigs.k8s.io/yaml.Marshal` prints it.
pub(crate) fn to_yaml(v: &GoValue) -> String {
    let mut e = Emitter {
        out: String::new(),
        column: 0,
        whitespace: true,
        indention: true,
    };
    e.node(v, 0, false);
    // yaml.v2 ends the document with a line break unless it is already at a fresh line.
    if !(e.indention && e.column == 0) {
        e.out.push('\n');
    }
    e.out
}

/// yaml.v2's map key order: letters before other characters, digit runs compared as numbers.
pub(crate) fn go_yaml_key_cmp(a: &str, b: &str) -> Ordering {
    if go_yaml_key_less(a, b) {
        Ordering::Less
    } else if go_yaml_key_less(b, a) {
        Ordering::Greater
    } else {
        Ordering::Equal
    }
}

fn go_yaml_key_less(a: &str, b: &str) -> bool {
    let ar: Vec<char> = a.chars().collect();
    let br: Vec<char> = b.chars().collect();
    for i in 0..ar.len().min(br.len()) {
        if ar[i] == br[i] {
            continue;
        }
        let al = ar[i].is_alphabetic();
        let bl = br[i].is_alphabetic();
        if al && bl {
            return ar[i] < br[i];
        }
        if al || bl {
            return bl;
        }
        let (mut an, mut bn) = (0i64, 0i64);
        if ar[i] == '0' || br[i] == '0' {
            let mut j = i;
            while j > 0 && ar[j - 1].is_ascii_digit() {
                j -= 1;
                if ar[j] != '0' {
                    an = 1;
                    bn = 1;
                    break;
                }
            }
        }
        let mut ai = i;
        while ai < ar.len() && ar[ai].is_ascii_digit() {
            an = an
                .wrapping_mul(10)
                .wrapping_add(i64::from(ar[ai] as u8 - b'0'));
            ai += 1;
        }
        let mut bi = i;
        while bi < br.len() && br[bi].is_ascii_digit() {
            bn = bn
                .wrapping_mul(10)
                .wrapping_add(i64::from(br[bi] as u8 - b'0'));
            bi += 1;
        }
        if an != bn {
            return an < bn;
        }
        if ai != bi {
            return ai < bi;
        }
        return ar[i] < br[i];
    }
    ar.len() < br.len()
}

/// A number as yaml.v2 prints it: integers in decimal, floats with `strconv`'s `'g'` format.
fn yaml_number(n: &Number) -> String {
    if n.is_i64() || n.is_u64() {
        return n.to_string();
    }
    let f = n.as_f64().unwrap_or(0.0);
    if f.is_nan() {
        return ".nan".into();
    }
    if f.is_infinite() {
        return if f > 0.0 { ".inf" } else { "-.inf" }.into();
    }
    // kubectl reads YAML into JSON text first, so a float without a fraction comes back as an
    // integer; the rest is printed with strconv's shortest 'g' (exponent when < -4 or >= 6).
    if f.fract() == 0.0 && f.abs() < 1e21 {
        return go_fixed_format(f);
    }
    let (mant, exp) = shortest_digits(f);
    if !(-4..6).contains(&exp) {
        go_exp_format(f < 0.0, &mant, exp)
    } else {
        go_fixed_format(f)
    }
}

/// Shortest round-trip decimal digits of `f` and its decimal exponent (d.ddd × 10^exp).
fn shortest_digits(f: f64) -> (String, i32) {
    let s = format!("{:e}", f.abs());
    let (m, e) = s.split_once('e').unwrap_or((&s, "0"));
    (m.replace('.', ""), e.parse().unwrap_or(0))
}

fn go_exp_format(neg: bool, digits: &str, exp: i32) -> String {
    let mut out = String::new();
    if neg {
        out.push('-');
    }
    let mut it = digits.chars();
    out.extend(it.next());
    let rest: String = it.collect();
    if !rest.is_empty() {
        out.push('.');
        out.push_str(&rest);
    }
    out.push('e');
    out.push(if exp < 0 { '-' } else { '+' });
    out.push_str(&format!("{:02}", exp.abs()));
    out
}

fn go_fixed_format(f: f64) -> String {
    // Rust's Display for f64 is the shortest round-trip representation without exponent.
    let s = format!("{f}");
    s.strip_suffix(".0").map(str::to_string).unwrap_or(s)
}

// ---------------------------------------------------------------------------------------------
// encoding/json MarshalIndent(v, "", "    ")

/// The value as Go's `json.MarshalIndent(v, "", "    ")` prints it, plus the trailing newline
/// kubectl adds.
pub(crate) fn to_json(v: &GoValue) -> String {
    let mut out = String::new();
    json_value(&mut out, v, 0);
    out.push('\n');
    out
}

fn json_value(out: &mut String, v: &GoValue, level: usize) {
    match v {
        GoValue::Null => out.push_str("null"),
        GoValue::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        GoValue::Num(n) => out.push_str(&json_number(n)),
        GoValue::Str(s) => json_string(out, s),
        GoValue::Seq(items) if items.is_empty() => out.push_str("[]"),
        GoValue::Seq(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                newline_indent(out, level + 1);
                json_value(out, item, level + 1);
            }
            newline_indent(out, level);
            out.push(']');
        }
        GoValue::Struct(e) | GoValue::Map(e) if e.is_empty() => out.push_str("{}"),
        GoValue::Struct(e) | GoValue::Map(e) => {
            let mut entries: Vec<&(String, GoValue)> = e.iter().collect();
            if matches!(v, GoValue::Map(_)) {
                entries.sort_by(|a, b| a.0.cmp(&b.0));
            }
            out.push('{');
            for (i, (k, val)) in entries.into_iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                newline_indent(out, level + 1);
                json_string(out, k);
                out.push_str(": ");
                json_value(out, val, level + 1);
            }
            newline_indent(out, level);
            out.push('}');
        }
    }
}

fn newline_indent(out: &mut String, level: usize) {
    out.push('\n');
    for _ in 0..level {
        out.push_str("    ");
    }
}

fn json_string(out: &mut String, s: &str) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            // Go escapes HTML-significant characters and the JS line separators by default.
            '<' | '>' | '&' | '\u{2028}' | '\u{2029}' => {
                out.push_str(&format!("\\u{:04x}", c as u32))
            }
            c if (c as u32) < 0x20 => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
}

fn json_number(n: &Number) -> String {
    if n.is_i64() || n.is_u64() {
        return n.to_string();
    }
    let f = n.as_f64().unwrap_or(0.0);
    let abs = f.abs();
    if abs != 0.0 && !(1e-6..1e21).contains(&abs) {
        let (mant, exp) = shortest_digits(f);
        // Go writes e-07 as e-7 in JSON.
        let s = go_exp_format(f < 0.0, &mant, exp);
        return s.replace("e-0", "e-").replace("e+0", "e+");
    }
    go_fixed_format(f)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn resolution_matches_yaml_v2() {
        for s in [
            "",
            "true",
            "yes",
            "n",
            "Off",
            "~",
            "null",
            "123",
            "-1",
            "+1",
            "0x1F",
            "0o17",
            "017",
            "1e3",
            "1.5",
            ".5",
            ".inf",
            "-.inf",
            "2001-01-01",
            "2001-1-2T3:04:05Z",
            "1:30",
            "0b101",
            "1_000",
        ] {
            assert!(
                resolves_to_non_string(s),
                "{s:?} should not be a plain string"
            );
        }
        for s in [
            "abc",
            "c1",
            "kind-kind",
            "1.2.3",
            "v1",
            "0x",
            "2001-13-01",
            "a:b",
            "yess",
            "https://x",
            "1e",
            "-",
            "0b2",
            "..",
            ".",
            "<<",
        ] {
            assert!(!resolves_to_non_string(s), "{s:?} should be a plain string");
        }
    }

    #[test]
    fn plain_safety() {
        assert!(plain_is_safe("kind-kind"));
        assert!(plain_is_safe("https://127.0.0.1:6443"));
        assert!(plain_is_safe("a#b"));
        for s in [
            "", "a #b", "- x", "a: b", "#x", " lead", "trail ", "true", "*x", "x\ny",
        ] {
            assert!(!plain_is_safe(s), "{s:?}");
        }
    }

    #[test]
    fn go_quote_escapes_like_strconv() {
        assert_eq!(go_quote("x"), "\"x\"");
        assert_eq!(go_quote("a\"b\\c\n\u{1}é"), "\"a\\\"b\\\\c\\n\\x01é\"");
    }

    #[test]
    fn go_io_error_text() {
        let e = std::io::Error::from_raw_os_error(2);
        assert_eq!(go_io_error(&e), "no such file or directory");
        let e = std::io::Error::from_raw_os_error(17);
        assert_eq!(go_io_error(&e), "file exists");
    }

    #[test]
    fn yaml_key_order_is_yaml_v2s() {
        let mut keys = vec!["b", "a10", "a9", "a", "as-groups", "as", "_x", "x-y", "xy"];
        keys.sort_by(|a, b| go_yaml_key_cmp(a, b));
        assert_eq!(
            keys,
            ["_x", "a", "a9", "a10", "as", "as-groups", "b", "x-y", "xy"]
        );
    }

    #[test]
    fn yaml_emitter_folds_and_quotes_like_kubectl() {
        // Captured from kubectl v1.32 `config view` (a user entry, nested as kubectl nests it).
        let hint = "Install kubelogin: brew install int128/kubelogin/kubelogin and then some more words so the line is longer than eighty characters";
        let exec = GoValue::Struct(vec![
            ("installHint".into(), GoValue::Str(hint.into())),
            (
                "args".into(),
                GoValue::Seq(
                    ["--server-id=abc", "a b: c", "yes", "123", "", "#x"]
                        .iter()
                        .map(|s| GoValue::Str(s.to_string()))
                        .collect(),
                ),
            ),
            ("env".into(), GoValue::Null),
            ("empty".into(), GoValue::Struct(vec![])),
            ("false".into(), GoValue::Num(3.into())),
        ]);
        let v = GoValue::Struct(vec![(
            "users".into(),
            GoValue::Seq(vec![GoValue::Struct(vec![
                ("name".into(), GoValue::Str("exec-user".into())),
                ("user".into(), GoValue::Struct(vec![("exec".into(), exec)])),
            ])]),
        )]);
        assert_eq!(
            to_yaml(&v),
            "users:
- name: exec-user
  user:
    exec:
      args:
      - --server-id=abc
      - 'a b: c'
      - \"yes\"
      - \"123\"
      - \"\"
      - '#x'
      empty: {}
      env: null
      \"false\": 3
      installHint: 'Install kubelogin: brew install int128/kubelogin/kubelogin and
        then some more words so the line is longer than eighty characters'
"
        );
    }

    #[test]
    fn yaml_lists_of_maps_and_literals() {
        let v = GoValue::Struct(vec![
            (
                "users".into(),
                GoValue::Seq(vec![GoValue::Struct(vec![
                    ("name".into(), GoValue::Str("u".into())),
                    (
                        "user".into(),
                        GoValue::Struct(vec![("token".into(), GoValue::Str("REDACTED".into()))]),
                    ),
                ])]),
            ),
            ("pem".into(), GoValue::Str("a\nb\n".into())),
            ("clusters".into(), GoValue::Null),
        ]);
        assert_eq!(
            to_yaml(&v),
            "clusters: null\npem: |\n  a\n  b\nusers:\n- name: u\n  user:\n    token: REDACTED\n"
        );
    }

    #[test]
    fn json_matches_go() {
        let v = GoValue::Struct(vec![
            ("kind".into(), GoValue::Str("Config".into())),
            ("preferences".into(), GoValue::Struct(vec![])),
            ("clusters".into(), GoValue::Null),
            (
                "m".into(),
                GoValue::Map(vec![
                    ("b".into(), GoValue::Str("<&>".into())),
                    ("a".into(), GoValue::Seq(vec![GoValue::Num(1.into())])),
                ]),
            ),
        ]);
        assert_eq!(
            to_json(&v),
            "{\n    \"kind\": \"Config\",\n    \"preferences\": {},\n    \"clusters\": null,\n    \"m\": {\n        \"a\": [\n            1\n        ],\n        \"b\": \"\\u003c\\u0026\\u003e\"\n    }\n}\n"
        );
    }
}
