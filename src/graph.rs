//! The trace graph: every link between items as a petgraph edge, from the
//! item that wrote the link (downstream) to the item it names (upstream).
//! Built once; both directions are then walked without scanning all items.

use petgraph::Direction;
use petgraph::graph::{DiGraph, NodeIndex};
use petgraph::visit::EdgeRef;

use crate::model::{FieldIdx, ItemIdx, Project};

/// Links of a project as a directed graph. Node `i` is item `i`.
#[derive(Debug)]
pub struct TraceGraph {
    graph: DiGraph<(), Edge, u32>,
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
        let edges: usize = project.items.iter().map(|i| i.links.len()).sum();
        let mut graph = DiGraph::with_capacity(project.items.len(), edges);
        for _ in &project.items {
            graph.add_node(());
        }
        for (i, item) in project.items.iter().enumerate() {
            for link in &item.links {
                let edge = Edge {
                    field: link.field,
                    inherited: link.inherited,
                };
                graph.add_edge(NodeIndex::new(i), NodeIndex::new(link.target.index()), edge);
            }
        }
        TraceGraph { graph }
    }

    /// Items this item links to, with the field that holds the link.
    pub fn upstream(&self, item: ItemIdx) -> impl Iterator<Item = (FieldIdx, ItemIdx)> + '_ {
        self.edges(item, Direction::Outgoing)
    }

    /// Items that link to this item, with the field that holds the link.
    pub fn downstream(&self, item: ItemIdx) -> impl Iterator<Item = (FieldIdx, ItemIdx)> + '_ {
        self.edges(item, Direction::Incoming)
    }

    /// Upstream or downstream neighbours sorted by item order, for display.
    /// Inherited links are left out: they repeat the parent's own link.
    pub fn sorted(&self, item: ItemIdx, dir: Direction) -> Vec<(FieldIdx, ItemIdx)> {
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
