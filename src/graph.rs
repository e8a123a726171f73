//! The trace graph: every link between items as a petgraph edge, from the
//! item that wrote the link (downstream) to the item it names (upstream).
//! Built once; both directions are then walked without scanning all items.

use petgraph::Direction;
use petgraph::graph::{DiGraph, NodeIndex};
use petgraph::visit::EdgeRef;

use crate::model::{FieldIdx, ItemIdx, Project};

/// Links of a project as a directed graph. Node `i` is item `i`.
///
/// Besides the petgraph graph, the links into each item are kept side by
/// side in one array (a compressed reverse index): rules walk downstream
/// from every item, and at a million items following petgraph's incoming
/// edge lists, scattered over memory, costs more than the rest of a rule.
#[derive(Debug)]
pub struct TraceGraph {
    graph: DiGraph<(), Edge, u32>,
    /// `into[into_start[i]..into_start[i + 1]]` are the links into item `i`,
    /// in the order of the items that hold them.
    into_start: Vec<u32>,
    into: Vec<LinkIn>,
}

/// A link into an item: the holder, the field, and whether it is inherited.
#[derive(Clone, Copy, Debug)]
struct LinkIn {
    from: ItemIdx,
    field: FieldIdx,
    inherited: bool,
}

/// A link as an edge: the field that holds it, and whether the item took it
/// from its parent table rather than writing it.
#[derive(Clone, Copy, Debug)]
struct Edge {
    field: FieldIdx,
    inherited: bool,
}

impl TraceGraph {
    pub fn build(project: &Project) -> Self {
        use rayon::prelude::*;
        // Every link once, in item order, in one flat list: the items' own
        // lists, spread over the heap, are read a single time.
        let parts: Vec<Vec<(ItemIdx, ItemIdx, Edge)>> = project
            .items
            .par_chunks(4096)
            .enumerate()
            .map(|(c, chunk)| {
                let first = c * 4096;
                chunk
                    .iter()
                    .enumerate()
                    .flat_map(|(i, item)| {
                        item.links.iter().map(move |l| {
                            let edge = Edge {
                                field: l.field,
                                inherited: l.inherited,
                            };
                            (ItemIdx((first + i) as u32), l.target, edge)
                        })
                    })
                    .collect()
            })
            .collect();
        let links = || parts.iter().flatten();
        let count = parts.iter().map(Vec::len).sum();
        let n = project.items.len();
        // The petgraph graph and the reverse index, each on its own core.
        let (graph, (into_start, into)) = rayon::join(
            || {
                let mut graph = DiGraph::with_capacity(n, count);
                for _ in 0..n {
                    graph.add_node(());
                }
                for (from, to, edge) in links() {
                    graph.add_edge(
                        NodeIndex::new(from.index()),
                        NodeIndex::new(to.index()),
                        *edge,
                    );
                }
                graph
            },
            || {
                // Counting sort of the links by the item they point to.
                let mut into_start = vec![0u32; n + 1];
                for (_, to, _) in links() {
                    into_start[to.index() + 1] += 1;
                }
                for i in 1..into_start.len() {
                    into_start[i] += into_start[i - 1];
                }
                let mut next: Vec<u32> = into_start[..n].to_vec();
                let placeholder = LinkIn {
                    from: ItemIdx(0),
                    field: 0,
                    inherited: false,
                };
                let mut into = vec![placeholder; count];
                for (from, to, edge) in links() {
                    let at = &mut next[to.index()];
                    into[*at as usize] = LinkIn {
                        from: *from,
                        field: edge.field,
                        inherited: edge.inherited,
                    };
                    *at += 1;
                }
                (into_start, into)
            },
        );
        TraceGraph {
            graph,
            into_start,
            into,
        }
    }

    fn links_into(&self, item: ItemIdx) -> &[LinkIn] {
        let i = item.index();
        &self.into[self.into_start[i] as usize..self.into_start[i + 1] as usize]
    }

    /// Items this item links to, with the field that holds the link.
    pub fn upstream(&self, item: ItemIdx) -> impl Iterator<Item = (FieldIdx, ItemIdx)> + '_ {
        self.edges(item, Direction::Outgoing)
    }

    /// How many links point at this item.
    pub fn downstream_count(&self, item: ItemIdx) -> usize {
        self.links_into(item).len()
    }

    /// Items that link to this item, with the field that holds the link,
    /// in item order.
    pub fn downstream(&self, item: ItemIdx) -> impl Iterator<Item = (FieldIdx, ItemIdx)> + '_ {
        self.links_into(item).iter().map(|l| (l.field, l.from))
    }

    /// Upstream or downstream neighbours sorted by item order, for display.
    /// Inherited links are left out: they repeat the parent's own link.
    pub fn sorted(&self, item: ItemIdx, dir: Direction) -> Vec<(FieldIdx, ItemIdx)> {
        if dir == Direction::Incoming {
            let mut v: Vec<_> = self
                .links_into(item)
                .iter()
                .filter(|l| !l.inherited)
                .map(|l| (l.field, l.from))
                .collect();
            v.sort_by_key(|(f, i)| (*i, *f));
            v.dedup();
            return v;
        }
        let mut v: Vec<_> = self
            .graph
            .edges_directed(NodeIndex::new(item.index()), dir)
            .filter(|e| !e.weight().inherited)
            .map(|e| {
                let other = match dir {
                    Direction::Outgoing => e.target(),
                    Direction::Incoming => e.source(),
                };
                (e.weight().field, ItemIdx(other.index() as u32))
            })
            .collect();
        v.sort_by_key(|(f, i)| (*i, *f));
        v.dedup();
        v
    }

    fn edges(
        &self,
        item: ItemIdx,
        dir: Direction,
    ) -> impl Iterator<Item = (FieldIdx, ItemIdx)> + '_ {
        self.graph
            .edges_directed(NodeIndex::new(item.index()), dir)
            .map(move |e| {
                let other = match dir {
                    Direction::Outgoing => e.target(),
                    Direction::Incoming => e.source(),
                };
                (e.weight().field, ItemIdx(other.index() as u32))
            })
    }

    pub fn edge_count(&self) -> usize {
        self.graph.edge_count()
    }
}

pub use petgraph::Direction as Dir;
