//! A unified diff of two texts, line by line (`diff -u`'s format, as `kubectl diff` prints it).

/// One line of an edit script.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Op {
    Same(usize, usize),
    Del(usize),
    Add(usize),
}

/// Above this many cells the middle part is shown as a whole replacement rather than computing
/// a longest common subsequence (objects this different are rare; the answer stays correct).
const MAX_CELLS: usize = 4_000_000;

fn script(a: &[&str], b: &[&str]) -> Vec<Op> {
    // Common prefix and suffix first: edits usually touch a few lines of a long object.
    let prefix = a.iter().zip(b).take_while(|(x, y)| x == y).count();
    let suffix = a[prefix..]
        .iter()
        .rev()
        .zip(b[prefix..].iter().rev())
        .take_while(|(x, y)| x == y)
        .count();
    let (am, bm) = (&a[prefix..a.len() - suffix], &b[prefix..b.len() - suffix]);
    let mut ops: Vec<Op> = (0..prefix).map(|i| Op::Same(i, i)).collect();
    let (n, m) = (am.len(), bm.len());
    if n * m > MAX_CELLS {
        ops.extend((0..n).map(|i| Op::Del(prefix + i)));
        ops.extend((0..m).map(|j| Op::Add(prefix + j)));
    } else {
        // lcs[i][j]: length of the LCS of am[i..] and bm[j..].
        let w = m + 1;
        let mut lcs = vec![0u32; (n + 1) * w];
        for i in (0..n).rev() {
            for j in (0..m).rev() {
                lcs[i * w + j] = if am[i] == bm[j] {
                    lcs[(i + 1) * w + j + 1] + 1
                } else {
                    lcs[(i + 1) * w + j].max(lcs[i * w + j + 1])
                };
            }
        }
        let (mut i, mut j) = (0, 0);
        while i < n || j < m {
            if i < n && j < m && am[i] == bm[j] {
                ops.push(Op::Same(prefix + i, prefix + j));
                i += 1;
                j += 1;
            } else if j < m && (i == n || lcs[i * w + j + 1] >= lcs[(i + 1) * w + j]) {
                ops.push(Op::Add(prefix + j));
                j += 1;
            } else {
                ops.push(Op::Del(prefix + i));
                i += 1;
            }
        }
        // Deletions before additions within a change, as diff prints them.
        let mut k = 0;
        while k < ops.len() {
            if matches!(ops[k], Op::Same(..)) {
                k += 1;
                continue;
            }
            let end = ops[k..]
                .iter()
                .position(|o| matches!(o, Op::Same(..)))
                .map_or(ops.len(), |p| k + p);
            ops[k..end].sort_by_key(|o| match o {
                Op::Del(i) => (0, *i),
                Op::Add(j) => (1, *j),
                Op::Same(..) => (2, 0),
            });
            k = end;
        }
    }
    let (a0, b0) = (a.len() - suffix, b.len() - suffix);
    ops.extend((0..suffix).map(|k| Op::Same(a0 + k, b0 + k)));
    ops
}

/// `diff -u` of `old` and `new` with `context` lines around each change, headed
/// `--- old_name` / `+++ new_name`. Empty when the texts are equal.
pub fn unified(old: &str, new: &str, old_name: &str, new_name: &str, context: usize) -> String {
    let a: Vec<&str> = old.lines().collect();
    let b: Vec<&str> = new.lines().collect();
    let ops = script(&a, &b);
    let changed: Vec<usize> = ops
        .iter()
        .enumerate()
        .filter(|(_, o)| !matches!(o, Op::Same(..)))
        .map(|(i, _)| i)
        .collect();
    if changed.is_empty() {
        return String::new();
    }
    // Group changes whose context overlaps into hunks.
    let mut hunks: Vec<(usize, usize)> = Vec::new();
    for &c in &changed {
        let lo = c.saturating_sub(context);
        let hi = (c + context + 1).min(ops.len());
        match hunks.last_mut() {
            Some((_, end)) if lo <= *end => *end = hi,
            _ => hunks.push((lo, hi)),
        }
    }
    let mut out = format!("--- {old_name}\n+++ {new_name}\n");
    for (lo, hi) in hunks {
        let part = &ops[lo..hi];
        // Where the hunk starts in each file (1-based; a hunk with no lines of a file names
        // the line before it, as diff does).
        let a_start = part.iter().find_map(|o| match o {
            Op::Same(i, _) | Op::Del(i) => Some(*i),
            Op::Add(_) => None,
        });
        let b_start = part.iter().find_map(|o| match o {
            Op::Same(_, j) | Op::Add(j) => Some(*j),
            Op::Del(_) => None,
        });
        let a_len = part.iter().filter(|o| !matches!(o, Op::Add(_))).count();
        let b_len = part.iter().filter(|o| !matches!(o, Op::Del(_))).count();
        let pos = |start: Option<usize>, len: usize, before: usize| match start {
            Some(s) if len > 0 => format!("{},{len}", s + 1),
            _ => format!("{before},0"),
        };
        let before_a = ops[..lo]
            .iter()
            .filter(|o| !matches!(o, Op::Add(_)))
            .count();
        let before_b = ops[..lo]
            .iter()
            .filter(|o| !matches!(o, Op::Del(_)))
            .count();
        out.push_str(&format!(
            "@@ -{} +{} @@\n",
            pos(a_start, a_len, before_a),
            pos(b_start, b_len, before_b)
        ));
        for o in part {
            match *o {
                Op::Same(i, _) => out.push_str(&format!(" {}\n", a[i])),
                Op::Del(i) => out.push_str(&format!("-{}\n", a[i])),
                Op::Add(j) => out.push_str(&format!("+{}\n", b[j])),
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn equal_texts_have_no_diff() {
        assert_eq!(unified("a\nb\n", "a\nb\n", "x", "y", 3), "");
    }

    #[test]
    fn one_changed_line_with_context() {
        let old = "a\nb\nc\nd\ne\nf\ng\nh\n";
        let new = "a\nb\nc\nd\nE\nf\ng\nh\n";
        assert_eq!(
            unified(old, new, "live", "dry-run", 3),
            "--- live\n+++ dry-run\n@@ -2,7 +2,7 @@\n b\n c\n d\n-e\n+E\n f\n g\n h\n"
        );
    }

    #[test]
    fn creation_and_separate_hunks() {
        assert_eq!(
            unified("", "a\nb\n", "live", "dry-run", 3),
            "--- live\n+++ dry-run\n@@ -0,0 +1,2 @@\n+a\n+b\n"
        );
        let old: String = (0..20).map(|i| format!("{i}\n")).collect();
        let new: String = (0..20)
            .filter(|&i| i != 17)
            .map(|i| {
                if i == 2 {
                    "two\n".to_string()
                } else {
                    format!("{i}\n")
                }
            })
            .collect();
        let d = unified(&old, &new, "a", "b", 1);
        assert_eq!(d.matches("@@ -").count(), 2, "{d}");
        assert!(d.contains("-2\n+two\n"), "{d}");
        assert!(d.contains("-17\n"), "{d}");
    }
}
