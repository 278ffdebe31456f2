//! ANSI colour codes in log lines (SGR `ESC[...m`), turned into styled text runs so the view can
//! colour them instead of showing escape bytes. Other escape sequences are dropped.

/// A run of text with one style.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StyledRun {
    /// The text, without escape sequences.
    pub text: String,
    /// Foreground colour: 0–7 normal, 8–15 bright (the 16 terminal colours), `None` default.
    pub fg: Option<u8>,
    /// Bold.
    pub bold: bool,
}

/// Whether `line` contains an escape sequence worth parsing.
pub fn has_ansi(line: &str) -> bool {
    line.contains('\u{1b}')
}

/// Splits `line` into styled runs (one run without style when it has no escapes).
pub fn parse_ansi(line: &str) -> Vec<StyledRun> {
    let mut runs = Vec::new();
    let (mut fg, mut bold) = (None::<u8>, false);
    let mut text = String::new();
    let mut chars = line.chars().peekable();
    while let Some(c) = chars.next() {
        if c != '\u{1b}' {
            text.push(c);
            continue;
        }
        // CSI: ESC [ params final-byte. Anything else after ESC is dropped with the ESC.
        if chars.peek() != Some(&'[') {
            chars.next();
            continue;
        }
        chars.next();
        let mut params = String::new();
        let mut fin = None;
        for p in chars.by_ref() {
            if ('\u{40}'..='\u{7e}').contains(&p) {
                fin = Some(p);
                break;
            }
            params.push(p);
        }
        if fin != Some('m') {
            continue;
        }
        if !text.is_empty() {
            runs.push(StyledRun {
                text: std::mem::take(&mut text),
                fg,
                bold,
            });
        }
        let codes: Vec<u16> = params.split(';').map(|p| p.parse().unwrap_or(0)).collect();
        let mut i = 0;
        while i < codes.len() {
            match codes[i] {
                0 => (fg, bold) = (None, false),
                1 => bold = true,
                22 => bold = false,
                n @ 30..=37 => fg = Some((n - 30) as u8),
                39 => fg = None,
                n @ 90..=97 => fg = Some((n - 90 + 8) as u8),
                38 => {
                    // 38;5;N picks from 256 colours; the first 16 are the terminal colours.
                    if codes.get(i + 1) == Some(&5) {
                        fg = codes
                            .get(i + 2)
                            .and_then(|&n| u8::try_from(n).ok())
                            .filter(|n| *n < 16);
                        i += 2;
                    } else if codes.get(i + 1) == Some(&2) {
                        fg = None; // 24-bit colour: shown in the default colour
                        i += 4;
                    }
                }
                _ => {}
            }
            i += 1;
        }
    }
    if !text.is_empty() || runs.is_empty() {
        runs.push(StyledRun { text, fg, bold });
    }
    runs
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(text: &str, fg: Option<u8>, bold: bool) -> StyledRun {
        StyledRun {
            text: text.into(),
            fg,
            bold,
        }
    }

    #[test]
    fn plain_text_is_one_run() {
        assert_eq!(parse_ansi("hello"), [run("hello", None, false)]);
        assert_eq!(parse_ansi(""), [run("", None, false)]);
        assert!(!has_ansi("hello"));
    }

    #[test]
    fn colours_bold_and_reset() {
        let l = "\u{1b}[31mERROR\u{1b}[0m done \u{1b}[1;92mok\u{1b}[22m!";
        assert!(has_ansi(l));
        assert_eq!(
            parse_ansi(l),
            [
                run("ERROR", Some(1), false),
                run(" done ", None, false),
                run("ok", Some(10), true),
                run("!", Some(10), false),
            ]
        );
    }

    #[test]
    fn other_sequences_are_dropped_and_bad_input_is_safe() {
        assert_eq!(parse_ansi("a\u{1b}[2Kb"), [run("ab", None, false)]);
        assert_eq!(
            parse_ansi("\u{1b}[38;5;3my\u{1b}[38;5;200mz"),
            [run("y", Some(3), false), run("z", None, false)]
        );
        assert_eq!(parse_ansi("x\u{1b}"), [run("x", None, false)]);
        assert_eq!(parse_ansi("x\u{1b}[31"), [run("x", None, false)]);
        assert_eq!(parse_ansi("\u{1b}[38;2;1;2;3mq"), [run("q", None, false)]);
    }
}
