//! Queue allocation among the consumers of a group: Java's `AllocateMessageQueueAveragely`.
//! Every member computes the same answer from the same sorted inputs, so the group splits the
//! queues without talking to each other.

/// The slice of `all` (sorted) that consumer `me` gets among `cids` (sorted). Empty when `me`
/// is not in `cids` (e.g. our heartbeat has not reached the broker yet).
pub fn allocate_average<T: Clone>(all: &[T], cids: &[String], me: &str) -> Vec<T> {
    let Some(index) = cids.iter().position(|c| c == me) else {
        return Vec::new();
    };
    if all.is_empty() {
        return Vec::new();
    }
    let (n, c) = (all.len(), cids.len());
    let rem = n % c;
    let average = if n <= c {
        1
    } else if rem > 0 && index < rem {
        n / c + 1
    } else {
        n / c
    };
    let start = if rem > 0 && index < rem {
        index * average
    } else {
        index * average + rem
    };
    let range = average.min(n.saturating_sub(start));
    (0..range).map(|i| all[(start + i) % n].clone()).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ids(n: usize) -> Vec<String> {
        (0..n).map(|i| format!("c{i}")).collect()
    }

    #[test]
    fn splits_like_java() {
        let q: Vec<i32> = (0..8).collect();
        let c = ids(3);
        assert_eq!(allocate_average(&q, &c, "c0"), vec![0, 1, 2]);
        assert_eq!(allocate_average(&q, &c, "c1"), vec![3, 4, 5]);
        assert_eq!(allocate_average(&q, &c, "c2"), vec![6, 7]);
    }

    #[test]
    fn more_consumers_than_queues_leaves_some_idle() {
        let q = vec!['a', 'b'];
        let c = ids(3);
        assert_eq!(allocate_average(&q, &c, "c0"), vec!['a']);
        assert_eq!(allocate_average(&q, &c, "c1"), vec!['b']);
        assert!(allocate_average(&q, &c, "c2").is_empty());
        assert!(allocate_average(&q, &c, "stranger").is_empty());
    }

    proptest::proptest! {
        /// Every queue goes to exactly one member, and shares differ by at most one.
        #[test]
        fn partition(nq in 0usize..40, nc in 1usize..10) {
            let q: Vec<usize> = (0..nq).collect();
            let c = ids(nc);
            let shares: Vec<Vec<usize>> = c.iter().map(|me| allocate_average(&q, &c, me)).collect();
            let mut all: Vec<usize> = shares.iter().flatten().copied().collect();
            all.sort();
            proptest::prop_assert_eq!(all, q);
            let max = shares.iter().map(Vec::len).max().unwrap_or(0);
            let min = shares.iter().map(Vec::len).min().unwrap_or(0);
            proptest::prop_assert!(max - min <= 1);
        }
    }
}
