//! JSON log lines, pretty-printed on demand.
//!
//! Structured loggers write one JSON object per line. [`pretty_json`] indents such a line for
//! reading and leaves every other line alone. It re-indents the line's own text instead of
//! re-serialising a parsed value, so keys keep their order and numbers keep their exact spelling
//! (`1.50`, `1e3` and 20-digit ids stay as written).

/// Indentation per nesting level.
const INDENT: &str = "  ";

/// The line indented over several lines, when it is exactly one JSON object (surrounding
/// whitespace allowed); `None` for anything else (plain text, arrays, a JSON value followed by
/// more text, broken JSON).
pub fn pretty_json(line: &str) -> Option<String> {
    let t = line.trim();
    if !(t.starts_with('{') && t.ends_with('}')) {
        return None;
    }
    // Validate first (strict JSON: no trailing commas, no comments); the re-indenting below
    // relies on it.
    serde_json::from_str::<serde::de::IgnoredAny>(t).ok()?;
    Some(reindent(t))
}

/// Re-indents valid JSON text: one member or element per line, `": "` after keys, empty
/// objects and arrays kept as `{}` / `[]`. Strings are copied untouched (escapes included).
fn reindent(json: &str) -> String {
    let mut out = String::with_capacity(json.len() + json.len() / 2);
    let mut depth = 0usize;
    let mut in_string = false;
    let mut escaped = false;
    let mut chars = json.chars().peekable();
    let newline = |out: &mut String, depth: usize| {
        out.push('\n');
        for _ in 0..depth {
            out.push_str(INDENT);
        }
    };
    while let Some(c) = chars.next() {
        if in_string {
            out.push(c);
            if escaped {
                escaped = false;
            } else if c == '\\' {
                escaped = true;
            } else if c == '"' {
                in_string = false;
            }
            continue;
        }
        match c {
            '"' => {
                in_string = true;
                out.push(c);
            }
            '{' | '[' => {
                out.push(c);
                // An empty container stays on one line.
                while chars.peek().is_some_and(|n| n.is_ascii_whitespace()) {
                    chars.next();
                }
                if let Some(&close @ ('}' | ']')) = chars.peek() {
                    out.push(close);
                    chars.next();
                } else {
                    depth += 1;
                    newline(&mut out, depth);
                }
            }
            '}' | ']' => {
                depth = depth.saturating_sub(1);
                newline(&mut out, depth);
                out.push(c);
            }
            ',' => {
                out.push(c);
                newline(&mut out, depth);
            }
            ':' => out.push_str(": "),
            c if c.is_ascii_whitespace() => {}
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn objects_are_indented_keeping_key_order_and_number_spelling() {
        let line =
            r#"{"level":"info","ts":1.50,"id":12345678901234567890,"msg":"started","z":1e3}"#;
        assert_eq!(
            pretty_json(line).unwrap(),
            "{\n  \"level\": \"info\",\n  \"ts\": 1.50,\n  \"id\": 12345678901234567890,\n  \"msg\": \"started\",\n  \"z\": 1e3\n}"
        );
    }

    #[test]
    fn nesting_arrays_and_empty_containers() {
        let line = r#"  {"a": {"b": [1, 2, {"c": null}]}, "e": {}, "f": [ ], "g": true}  "#;
        assert_eq!(
            pretty_json(line).unwrap(),
            "{\n  \"a\": {\n    \"b\": [\n      1,\n      2,\n      {\n        \"c\": null\n      }\n    ]\n  },\n  \"e\": {},\n  \"f\": [],\n  \"g\": true\n}"
        );
        assert_eq!(pretty_json("{}").unwrap(), "{}");
    }

    #[test]
    fn strings_are_copied_untouched() {
        // Structural characters, escaped quotes, backslashes and spaces inside strings.
        let line = r#"{"msg":"a, b: {c} [d] \"q\" \\","path":"C:\\dir\\","u":"\u00e9 ü"}"#;
        let pretty = pretty_json(line).unwrap();
        assert_eq!(
            pretty,
            "{\n  \"msg\": \"a, b: {c} [d] \\\"q\\\" \\\\\",\n  \"path\": \"C:\\\\dir\\\\\",\n  \"u\": \"\\u00e9 ü\"\n}"
        );
        // Whitespace removed outside strings only: parsing both gives the same value.
        let a: serde_json::Value = serde_json::from_str(line).unwrap();
        let b: serde_json::Value = serde_json::from_str(&pretty).unwrap();
        assert_eq!(a, b);
    }

    #[test]
    fn other_lines_are_left_alone() {
        for line in [
            "",
            "plain text",
            "INFO {\"a\":1}",         // text before the object
            "{\"a\":1} trailing",     // text after it
            "[1,2,3]",                // an array is not an object line
            "\"just a string\"",      // nor is a string
            "{\"a\":1,}",             // trailing comma
            "{\"a\":}",               // broken
            "{not json}",             // braces but not JSON
            "{\"a\":1}{\"b\":2}",     // two objects
            "{\"unterminated\":\"x}", // open string
        ] {
            assert_eq!(pretty_json(line), None, "{line:?}");
        }
    }
}
