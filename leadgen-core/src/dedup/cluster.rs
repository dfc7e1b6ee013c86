//! Clustering: connected components over the pairs above the match threshold, with a
//! guard against long chains.
//!
//! Connected components are transitive: A~B and B~C put A and C together even when
//! they share nothing. In a small cluster that is what users want (B bridges two
//! spellings); in a large one it is usually a chain through common names. So a
//! component larger than `max_cluster_size` is cut again using only its stronger
//! edges (the threshold moves half-way towards 1 each round, five rounds at most); a
//! component whose every edge is near-certain (all-identical records) stays whole.

/// A union–find (disjoint set) over record indexes, with union by size.
#[derive(Debug, Clone)]
pub struct UnionFind {
    parent: Vec<u32>,
    size: Vec<u32>,
}

impl UnionFind {
    /// `n` singletons.
    pub fn new(n: usize) -> Self {
        UnionFind {
            parent: (0..n as u32).collect(),
            size: vec![1; n],
        }
    }

    /// Adds one more singleton, returning its index.
    pub fn push(&mut self) -> u32 {
        let i = self.parent.len() as u32;
        self.parent.push(i);
        self.size.push(1);
        i
    }

    /// The representative of `x`'s set.
    pub fn find(&mut self, mut x: u32) -> u32 {
        while self.parent[x as usize] != x {
            let p = self.parent[x as usize];
            self.parent[x as usize] = self.parent[p as usize];
            x = p;
        }
        x
    }

    /// Size of `x`'s set.
    pub fn set_size(&mut self, x: u32) -> usize {
        let r = self.find(x);
        self.size[r as usize] as usize
    }

    /// Joins the sets of `a` and `b`; returns the new representative.
    pub fn union(&mut self, a: u32, b: u32) -> u32 {
        let (ra, rb) = (self.find(a), self.find(b));
        if ra == rb {
            return ra;
        }
        let (big, small) = if self.size[ra as usize] >= self.size[rb as usize] {
            (ra, rb)
        } else {
            (rb, ra)
        };
        self.parent[small as usize] = big;
        self.size[big as usize] += self.size[small as usize];
        big
    }

    /// Number of elements.
    pub fn len(&self) -> usize {
        self.parent.len()
    }

    /// Whether there are no elements.
    pub fn is_empty(&self) -> bool {
        self.parent.is_empty()
    }
}

/// An edge: two record indexes and the pair's match probability.
pub type Edge = (u32, u32, f64);

/// Clusters `n` records by `edges` (at or above `threshold`); returns the
/// representative of each record's cluster and how many components were re-cut by
/// the chain guard.
pub fn connected_components(
    n: usize,
    edges: &[Edge],
    threshold: f64,
    max_cluster_size: usize,
) -> (Vec<u32>, usize) {
    let mut uf = UnionFind::new(n);
    let strong: Vec<Edge> = edges.iter().copied().filter(|e| e.2 >= threshold).collect();
    for &(a, b, _) in &strong {
        uf.union(a, b);
    }
    let mut labels: Vec<u32> = (0..n as u32).map(|i| uf.find(i)).collect();
    // Components over the cap: gather their edges and re-cut them stricter.
    let oversized: Vec<u32> = {
        let mut roots: Vec<u32> = (0..n as u32)
            .filter(|&i| labels[i as usize] == i && uf.set_size(i) > max_cluster_size)
            .collect();
        roots.sort_unstable();
        roots
    };
    if oversized.is_empty() {
        return (labels, 0);
    }
    // Members and edges of every oversized component, in one pass each (not one
    // pass per component).
    let slot: rustc_hash::FxHashMap<u32, usize> =
        oversized.iter().enumerate().map(|(k, &r)| (r, k)).collect();
    let mut members: Vec<Vec<u32>> = vec![Vec::new(); oversized.len()];
    for i in 0..n as u32 {
        if let Some(&k) = slot.get(&labels[i as usize]) {
            members[k].push(i);
        }
    }
    let mut inner: Vec<Vec<Edge>> = vec![Vec::new(); oversized.len()];
    for &e in &strong {
        if let Some(&k) = slot.get(&labels[e.0 as usize]) {
            inner[k].push(e);
        }
    }
    // Each component is re-cut with a union–find over its own members only.
    let mut local = vec![u32::MAX; n];
    let mut recut = 0;
    for (members, inner) in members.iter().zip(&inner) {
        for (j, &m) in members.iter().enumerate() {
            local[m as usize] = j as u32;
        }
        let edges: Vec<Edge> = inner
            .iter()
            .map(|&(a, b, p)| (local[a as usize], local[b as usize], p))
            .collect();
        let mut t = threshold;
        let mut sub = UnionFind::new(members.len());
        for _ in 0..5 {
            t += (1.0 - t) / 2.0;
            sub = UnionFind::new(members.len());
            for &(a, b, p) in &edges {
                if p >= t {
                    sub.union(a, b);
                }
            }
            if (0..members.len() as u32).all(|j| sub.set_size(j) <= max_cluster_size) {
                break;
            }
        }
        recut += 1;
        for (j, &m) in members.iter().enumerate() {
            labels[m as usize] = members[sub.find(j as u32) as usize];
            local[m as usize] = u32::MAX;
        }
    }
    (labels, recut)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn components_and_singletons() {
        let edges = vec![(0, 1, 0.99), (1, 2, 0.95), (3, 4, 0.5)];
        let (labels, recut) = connected_components(5, &edges, 0.9, 10);
        assert_eq!(labels[0], labels[1]);
        assert_eq!(labels[1], labels[2]);
        assert_ne!(labels[3], labels[4]);
        assert_eq!(recut, 0);
    }

    #[test]
    fn a_long_weak_chain_is_cut_but_identical_records_stay() {
        // A chain 0-1-2-…-99 at 0.92, plus strong pairs (2k, 2k+1) at 0.999.
        let mut edges: Vec<Edge> = (0..99).map(|i| (i, i + 1, 0.92)).collect();
        for k in 0..50 {
            edges.push((2 * k, 2 * k + 1, 0.999));
        }
        let (labels, recut) = connected_components(100, &edges, 0.9, 10);
        assert_eq!(recut, 1);
        assert_eq!(labels[0], labels[1]);
        assert_ne!(labels[1], labels[2]);
        // 60 identical records: every edge certain, the cluster stays whole.
        let edges: Vec<Edge> = (0..59).map(|i| (i, i + 1, 1.0)).collect();
        let (labels, _) = connected_components(60, &edges, 0.9, 10);
        assert!(labels.iter().all(|&l| l == labels[0]));
    }

    #[test]
    fn union_find_push() {
        let mut uf = UnionFind::new(0);
        assert!(uf.is_empty());
        let a = uf.push();
        let b = uf.push();
        uf.union(a, b);
        assert_eq!(uf.set_size(a), 2);
        assert_eq!(uf.len(), 2);
    }
}
