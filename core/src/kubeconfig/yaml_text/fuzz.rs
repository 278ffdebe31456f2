//! Property test: arbitrary bytes and mutated kubeconfigs never make the loader, the views or
//! the editor panic; load errors name the file; every edit that succeeds means what it should.

use super::*;
use crate::kubeconfig::insight::InsightEnv;
use crate::kubeconfig::{ChainOrigin, FileConfig, FileState, Kubeconfig, ViewOptions};

const SEEDS: &[&str] = &[
    "apiVersion: v1\nkind: Config\ncurrent-context: a\nclusters:\n- name: c\n  cluster: {server: 'https://h', certificate-authority-data: TUlJQg==}\nusers:\n- name: u\n  user:\n    token: t\n    exec: {command: x, args: [a], env: [{name: K, value: V}]}\ncontexts:\n- name: a\n  context: {cluster: c, user: u, namespace: n}\n",
    "# c\nkind: Config\ncontexts:\n  - name: b\n    context:\n      cluster: x # y\nextensions:\n- name: e\n  extension: {k: [1, 2.5, true, null]}\n",
    "contexts: [{name: a, context: {}}, {name: b}]\nusers: []\nclusters: null\n",
    "",
    "---\nkind: Config\n...\n",
];

const TOKENS: &[&str] = &[
    ":",
    "-",
    "- ",
    "[",
    "]",
    "{",
    "}",
    ",",
    "&a ",
    "*a",
    "!!binary ",
    "!!str ",
    "\t",
    "\"",
    "'",
    "#",
    "\n",
    "  ",
    "? ",
    "|",
    ">",
    "%",
    "@",
    "\u{feff}",
    "\r\n",
    "name: ",
    "context:",
    "<<: ",
    "---\n",
    "\\",
    "\u{0}",
    "é",
    "~",
    "0x",
    "1e9",
];

/// xorshift64*: deterministic, so a failure is reproducible from its iteration number.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    fn below(&mut self, n: usize) -> usize {
        if n == 0 {
            0
        } else {
            (self.next() % n as u64) as usize
        }
    }
}

fn mutate(rng: &mut Rng, input: &[u8]) -> Vec<u8> {
    let mut v = input.to_vec();
    for _ in 0..=rng.below(4) {
        let at = rng.below(v.len() + 1);
        match rng.below(6) {
            0 if !v.is_empty() => {
                let i = rng.below(v.len());
                v[i] = rng.next() as u8;
            }
            1 => {
                let t = TOKENS[rng.below(TOKENS.len())].as_bytes();
                v.splice(at..at, t.iter().copied());
            }
            2 if !v.is_empty() => {
                let end = (at + rng.below(16)).min(v.len());
                v.drain(at.min(end)..end);
            }
            3 => {
                // Duplicate a line somewhere else.
                let lines: Vec<&[u8]> = input.split(|b| *b == b'\n').collect();
                let line = lines[rng.below(lines.len())].to_vec();
                v.splice(at..at, line.into_iter().chain([b'\n']));
            }
            4 => v.truncate(at),
            _ => {
                let n = rng.below(8);
                v.splice(at..at, std::iter::repeat_n(b' ', n));
            }
        }
    }
    v
}

fn check(bytes: &[u8], iteration: usize) -> (usize, usize, bool) {
    let path = Path::new("/fuzz/dir/kubeconfig.yaml");
    let f = FileConfig::parse(path, bytes);
    if let FileState::Broken(e) = &f.state {
        assert!(
            e.to_string().contains("/fuzz/dir/kubeconfig.yaml"),
            "iteration {iteration}: error does not name the file: {e}"
        );
    }
    let kc = Kubeconfig::from_files(vec![f], ChainOrigin::Explicit);
    let env = InsightEnv {
        path: None,
        now: std::time::UNIX_EPOCH,
    };
    let _ = kc.overview_with(&env);
    let _ = kc.view(&ViewOptions::default());
    let _ = kc.view(&ViewOptions {
        minify: true,
        ..Default::default()
    });
    let broken = matches!(kc.files[0].state, FileState::Broken(_));
    let Ok(text) = std::str::from_utf8(bytes) else {
        return (0, 0, broken);
    };
    let edits = [
        TextEdit::SetCurrentContext("fuzz".into()),
        TextEdit::UpsertEntry {
            section: Section::Contexts,
            name: "a".into(),
            fields: vec![("namespace".into(), Some("x: y".into()))],
        },
        TextEdit::RemoveEntry {
            section: Section::Contexts,
            name: "b".into(),
        },
        TextEdit::RenameEntry {
            section: Section::Contexts,
            from: "a".into(),
            to: "renamed".into(),
        },
    ];
    let (mut ok, mut refused) = (0, 0);
    for edit in &edits {
        let Ok(out) = apply(path, text, std::slice::from_ref(edit)) else {
            refused += 1;
            continue;
        };
        ok += 1;
        {
            // `apply` verified the meaning; check that independently once more.
            let before = semantic(text).unwrap_or(Value::Null);
            let expected = expected_after(&before, std::slice::from_ref(edit)).unwrap();
            assert_eq!(semantic(&out).unwrap(), expected, "iteration {iteration}");
        }
    }
    (ok, refused, broken)
}

#[test]
fn mutated_kubeconfigs_never_panic() {
    let mut rng = Rng(0x5eed_1234_abcd_0001);
    let (mut ok, mut refused, mut broken) = (0, 0, 0);
    for i in 0..3000 {
        let seed = SEEDS[rng.below(SEEDS.len())].as_bytes();
        let input = mutate(&mut rng, seed);
        let (o, r, b) = check(&input, i);
        ok += o;
        refused += r;
        broken += usize::from(b);
    }
    eprintln!("3000 inputs: {broken} did not load; edits verified {ok}, refused {refused}");
    // The mutator must leave most inputs loadable and editable, or this tests nothing.
    assert!(ok > 3000, "too few successful edits: {ok}");
}

#[test]
fn arbitrary_bytes_never_panic() {
    let mut rng = Rng(0xdead_beef_cafe_f00d);
    for i in 0..500 {
        let len = rng.below(200);
        let bytes: Vec<u8> = (0..len).map(|_| rng.next() as u8).collect();
        check(&bytes, i);
    }
}

#[test]
fn deep_nesting_is_an_error_not_a_crash() {
    for open in ["[", "{a: ", "- "] {
        let text = open.repeat(20_000);
        check(text.as_bytes(), 0);
    }
}
