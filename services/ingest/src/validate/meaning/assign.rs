//! Each column to at most one field and each field to at most one column, for the best total score
//! (the Hungarian method), not the first come: `Funders` goes to the lead funder only if no other
//! column says it better.

/// The best assignment of `weights[field][column]` (0: the pair is not allowed). Returns, for each
/// field, its column, if any. Among assignments of equal total, leftmost columns win.
pub(crate) fn assign(weights: &[Vec<i64>]) -> Vec<Option<usize>> {
    let fields = weights.len();
    let columns = weights.iter().map(Vec::len).max().unwrap_or(0);
    if fields == 0 || columns == 0 {
        return vec![None; fields];
    }
    // Columns past the real ones are "no column"; at least one per field, so every field can take one.
    let width = columns + fields;
    // A field prefers, by less than one point in total, the leftmost of equal columns.
    let tie = |column: usize| (width - column) as i64;
    let scale = (width as i64 + 1) * (fields as i64 + 1);
    let cost = |field: usize, column: usize| -> i64 {
        match weights[field].get(column) {
            Some(&w) if w > 0 => -(w * scale + tie(column)),
            _ => 0,
        }
    };
    let matched = hungarian(fields, width, cost);
    matched
        .into_iter()
        .enumerate()
        .map(|(field, column)| column.filter(|&c| cost(field, c) < 0))
        .collect()
}

/// The minimum-cost assignment of `rows` rows to distinct columns of `width >= rows` columns; the
/// column of each row. (Potentials on rows and columns, one augmenting path per row: O(rows² width).)
fn hungarian(rows: usize, width: usize, cost: impl Fn(usize, usize) -> i64) -> Vec<Option<usize>> {
    const INF: i64 = i64::MAX / 4;
    // 1-based, as the method is usually written: index 0 is the virtual start.
    let mut u = vec![0i64; rows + 1];
    let mut v = vec![0i64; width + 1];
    let mut owner = vec![0usize; width + 1];
    let mut way = vec![0usize; width + 1];
    for row in 1..=rows {
        owner[0] = row;
        let mut j0 = 0;
        let mut min = vec![INF; width + 1];
        let mut used = vec![false; width + 1];
        loop {
            used[j0] = true;
            let i0 = owner[j0];
            let mut delta = INF;
            let mut j1 = 0;
            for j in 1..=width {
                if used[j] {
                    continue;
                }
                let reduced = cost(i0 - 1, j - 1) - u[i0] - v[j];
                if reduced < min[j] {
                    min[j] = reduced;
                    way[j] = j0;
                }
                if min[j] < delta {
                    delta = min[j];
                    j1 = j;
                }
            }
            for j in 0..=width {
                if used[j] {
                    u[owner[j]] += delta;
                    v[j] -= delta;
                } else {
                    min[j] -= delta;
                }
            }
            j0 = j1;
            if owner[j0] == 0 {
                break;
            }
        }
        while j0 != 0 {
            let j1 = way[j0];
            owner[j0] = owner[j1];
            j0 = j1;
        }
    }
    let mut column_of = vec![None; rows];
    for j in 1..=width {
        if owner[j] != 0 {
            column_of[owner[j] - 1] = Some(j - 1);
        }
    }
    column_of
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_best_total_wins_over_the_first_come() {
        // Column 0 says field 0 a little better than column 1 does, but only column 0 says field 1:
        // taking column 0 for field 0 (first come) would leave field 1 without a column.
        let weights = vec![vec![5, 4], vec![3, 0]];
        assert_eq!(assign(&weights), vec![Some(1), Some(0)]);
    }

    #[test]
    fn pairs_of_weight_zero_are_never_made() {
        let weights = vec![vec![0, 0], vec![0, 7], vec![2, 0]];
        assert_eq!(assign(&weights), vec![None, Some(1), Some(0)]);
        assert_eq!(assign(&[]), Vec::<Option<usize>>::new());
        assert_eq!(assign(&[vec![], vec![]]), vec![None, None]);
    }

    #[test]
    fn equal_columns_go_leftmost() {
        let weights = vec![vec![4, 4, 4]];
        assert_eq!(assign(&weights), vec![Some(0)]);
    }

    #[test]
    fn more_fields_than_columns_leave_the_weakest_without() {
        let weights = vec![vec![3], vec![9], vec![5]];
        assert_eq!(assign(&weights), vec![None, Some(0), None]);
    }
}
