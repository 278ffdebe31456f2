//! kubectl-compatible column output.
//!
//! kubectl prints tables through Go's `text/tabwriter` with min width 6, padding 3 and spaces
//! (`printers.GetNewTabWriter`). Every cell but the last of a row is a column; the last cell is
//! written as is. Reproducing that exactly lets tests compare Loupe's output with kubectl's byte
//! for byte.

const MIN_WIDTH: usize = 6;
const PADDING: usize = 3;

/// Formats rows (all of the same length) the way kubectl's tabwriter does. Each row ends in `\n`.
pub fn tabwrite(rows: &[Vec<String>]) -> String {
    let cols = rows.iter().map(Vec::len).max().unwrap_or(0);
    let mut widths = vec![MIN_WIDTH; cols.saturating_sub(1)];
    for row in rows {
        for (i, cell) in row.iter().enumerate().take(cols.saturating_sub(1)) {
            widths[i] = widths[i].max(cell.chars().count() + PADDING);
        }
    }
    let mut out = String::new();
    for row in rows {
        for (i, cell) in row.iter().enumerate() {
            out.push_str(cell);
            if let Some(w) = widths.get(i) {
                let pad = w - cell.chars().count();
                out.extend(std::iter::repeat_n(' ', pad));
            }
        }
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(cells: &[&str]) -> Vec<String> {
        cells.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn matches_kubectl_get_contexts_layout() {
        // Captured from kubectl v1.32 `config get-contexts`.
        let out = tabwrite(&[
            row(&["CURRENT", "NAME", "CLUSTER", "AUTHINFO", "NAMESPACE"]),
            row(&["*", "ctxB", "c2", "u2", ""]),
            row(&["", "shared", "c1", "u1", "from-a"]),
        ]);
        assert_eq!(
            out,
            "CURRENT   NAME     CLUSTER   AUTHINFO   NAMESPACE\n\
             *         ctxB     c2        u2         \n          \
             shared   c1        u1         from-a\n"
        );
    }

    #[test]
    fn narrow_columns_use_the_minimum_width() {
        assert_eq!(tabwrite(&[row(&["", "a", "b"])]), "      a     b\n");
    }
}
