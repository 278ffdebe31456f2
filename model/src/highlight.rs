//! YAML syntax highlighting for the object panel: splits Kubernetes-style YAML (block style, as
//! the API server's objects print) into classed pieces. It only colours; the text is unchanged,
//! so joining a line's pieces gives the line back.

use serde::{Deserialize, Serialize};

/// What a piece of a YAML line is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Token {
    /// Indentation, spaces, anything unclassified.
    Plain,
    /// A mapping key.
    Key,
    /// `:`, `- `, block scalar indicators, flow brackets.
    Punct,
    /// A string value (plain or quoted), or a line inside a block scalar.
    Str,
    /// A number.
    Num,
    /// `true`, `false`, `null`, `~`.
    Literal,
    /// A comment.
    Comment,
}

/// The pieces of each line of `text`.
pub fn highlight_yaml(text: &str) -> Vec<Vec<(Token, String)>> {
    let mut out = Vec::new();
    // Inside a block scalar (`key: |`): lines indented deeper than the key are text.
    let mut block_indent: Option<usize> = None;
    for line in text.split('\n') {
        let indent = line.len() - line.trim_start_matches(' ').len();
        if let Some(b) = block_indent {
            if line.trim().is_empty() || indent > b {
                out.push(vec![(Token::Str, line.to_string())]);
                continue;
            }
            block_indent = None;
        }
        let (pieces, opens_block) = line_pieces(line);
        if opens_block {
            block_indent = Some(indent);
        }
        out.push(pieces);
    }
    out
}

/// One line's pieces, and whether it opens a block scalar.
fn line_pieces(line: &str) -> (Vec<(Token, String)>, bool) {
    let mut p = Vec::new();
    let mut rest = line;
    let lead = rest.len() - rest.trim_start_matches(' ').len();
    if lead > 0 {
        p.push((Token::Plain, rest[..lead].to_string()));
        rest = &rest[lead..];
    }
    // List markers ("- ", possibly nested: "- - ").
    while let Some(r) = rest
        .strip_prefix("- ")
        .or_else(|| (rest == "-").then_some(""))
    {
        p.push((Token::Punct, rest[..rest.len() - r.len()].to_string()));
        rest = r;
    }
    if rest.starts_with('#') {
        p.push((Token::Comment, rest.to_string()));
        return (p, false);
    }
    if let Some(colon) = key_end(rest) {
        p.push((Token::Key, rest[..colon].to_string()));
        p.push((Token::Punct, ":".to_string()));
        rest = &rest[colon + 1..];
        let sp = rest.len() - rest.trim_start_matches(' ').len();
        if sp > 0 {
            p.push((Token::Plain, rest[..sp].to_string()));
            rest = &rest[sp..];
        }
    }
    if rest.is_empty() {
        return (p, false);
    }
    let (value, comment) = split_comment(rest);
    let opens_block = matches!(value.trim_end().chars().next(), Some('|' | '>'))
        && value
            .trim_end()
            .chars()
            .skip(1)
            .all(|c| matches!(c, '-' | '+' | '0'..='9'));
    p.push((
        if opens_block {
            Token::Punct
        } else {
            scalar_token(value.trim_end())
        },
        value.to_string(),
    ));
    if let Some(c) = comment {
        p.push((Token::Comment, c.to_string()));
    }
    (p, opens_block)
}

/// The byte index of the `:` that ends a mapping key at the start of `s`, if there is one.
fn key_end(s: &str) -> Option<usize> {
    let quote = s.chars().next().filter(|c| *c == '"' || *c == '\'');
    let from = match quote {
        // A quoted key: the colon after its closing quote.
        Some(q) => s[1..].find(q)? + 2,
        None => 0,
    };
    let idx = from
        + s[from..]
            .char_indices()
            .find(|&(i, c)| c == ':' && s[from + i + 1..].chars().next().is_none_or(|n| n == ' '))?
            .0;
    // A plain scalar such as `- "a: b"` or a URL value is not a key.
    if quote.is_none()
        && (s[..idx].contains(' ') && s[..idx].contains('"') || s.starts_with(['{', '[']))
    {
        return None;
    }
    Some(idx)
}

/// Splits a trailing ` #comment` from an unquoted value.
fn split_comment(v: &str) -> (&str, Option<&str>) {
    if v.starts_with(['"', '\'']) {
        return (v, None);
    }
    match v.find(" #") {
        Some(i) => (&v[..i], Some(&v[i..])),
        None => (v, None),
    }
}

fn scalar_token(v: &str) -> Token {
    match v {
        "true" | "false" | "True" | "False" | "null" | "Null" | "~" => Token::Literal,
        _ if v.starts_with(['{', '[']) => Token::Punct,
        _ if is_number(v) => Token::Num,
        _ => Token::Str,
    }
}

fn is_number(v: &str) -> bool {
    let d = v.strip_prefix(['-', '+']).unwrap_or(v);
    !d.is_empty()
        && d.chars().next().is_some_and(|c| c.is_ascii_digit())
        && d.parse::<f64>().is_ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kinds(line: &[(Token, String)]) -> Vec<Token> {
        line.iter().map(|(t, _)| *t).collect()
    }

    #[test]
    fn pieces_join_back_to_the_text() {
        let text = "apiVersion: v1\nkind: Pod\nmetadata:\n  labels:\n    app: \"web\" \n  annotations:\n    note: |\n      a: b\n      - c\n  name: x # why\nspec:\n  containers:\n  - name: c\n    ports:\n    - containerPort: 80\n      protocol: TCP\n  hostNetwork: false\n  priority: null\n  url: http://a:b/c\n";
        let lines = highlight_yaml(text);
        let joined: Vec<String> = lines
            .iter()
            .map(|l| l.iter().map(|(_, s)| s.as_str()).collect())
            .collect();
        assert_eq!(joined.join("\n"), text);
    }

    #[test]
    fn keys_values_and_literals() {
        let l =
            highlight_yaml("  replicas: 3\n  paused: false\n  name: web # the app\n  - port: 80");
        assert_eq!(
            kinds(&l[0]),
            [
                Token::Plain,
                Token::Key,
                Token::Punct,
                Token::Plain,
                Token::Num
            ]
        );
        assert_eq!(l[1].last().map(|p| p.0), Some(Token::Literal));
        assert_eq!(
            kinds(&l[2])[4..],
            [Token::Str, Token::Comment],
            "{:?}",
            l[2]
        );
        assert_eq!(
            kinds(&l[3]),
            [
                Token::Plain,
                Token::Punct,
                Token::Key,
                Token::Punct,
                Token::Plain,
                Token::Num
            ]
        );
    }

    #[test]
    fn block_scalars_are_text_until_the_indent_returns() {
        let l = highlight_yaml("data:\n  cfg: |\n    a: 1\n    # not a comment\n  next: 2");
        assert_eq!(l[1].last().map(|p| p.0), Some(Token::Punct));
        assert_eq!(kinds(&l[2]), [Token::Str]);
        assert_eq!(kinds(&l[3]), [Token::Str]);
        assert_eq!(l[4][1], (Token::Key, "next".to_string()));
    }

    #[test]
    fn urls_and_quoted_keys() {
        let l = highlight_yaml("- http://example:80/x\n\"a.b/c\": \"v: w\"");
        assert_eq!(kinds(&l[0]), [Token::Punct, Token::Str]);
        assert_eq!(l[1][0], (Token::Key, "\"a.b/c\"".to_string()));
        assert_eq!(l[1].last(), Some(&(Token::Str, "\"v: w\"".to_string())));
    }
}
