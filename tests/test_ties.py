"""The tie graph (``sim.world.ties.TieGraph``) against the plain sparse-matrix version of the same rules.

``TieGraph`` adds increments in place and merges new ties in once per read; the reference below
adds each call's pairs as a scipy sparse matrix and caps at 1, as the model first did. Both must
give bit-identical strengths after any sequence of calls: the model's results must not depend on
how the graph is stored.
"""

import numpy as np
import pytest
from scipy import sparse

from sim.world.ties import TieGraph


class SparseSumTies:
    """The reference: every ``strengthen`` is a sparse sum, every ``decay`` a pass with pruning."""

    def __init__(self, capacity: int):
        self.matrix = sparse.csr_array((capacity, capacity), dtype=np.float32)

    def grow(self, capacity: int) -> None:
        self.matrix.resize((capacity, capacity))

    def strengthen(self, a, b, gain):
        keep = a != b
        a, b = a[keep], b[keep]
        if a.size == 0:
            return
        rows, cols = np.concatenate([a, b]), np.concatenate([b, a])
        data = np.full(rows.size, gain, dtype=np.float32)
        added = sparse.coo_array((data, (rows, cols)), shape=self.matrix.shape).tocsr()
        self.matrix = (self.matrix + added).tocsr()
        np.minimum(self.matrix.data, 1.0, out=self.matrix.data)

    def decay(self, rate, prune_below, present=None):
        data = self.matrix.data
        data *= np.float32(1.0 - rate)
        if data.size and data.min() < prune_below:
            data[data < prune_below] = 0.0
        if present is not None:  # members who left lose all their ties
            flags = np.zeros(self.matrix.shape[0], bool)
            flags[: present.size] = present
            coo = self.matrix.tocoo()
            data[~(flags[coo.row] & flags[coo.col])] = 0.0
        self.matrix.eliminate_zeros()

    def strength_to(self, active):
        padded = np.zeros(self.matrix.shape[0], np.float32)
        padded[: active.size] = active
        return (self.matrix @ padded)[: active.size]


def _same(graph: TieGraph, reference: SparseSumTies) -> None:
    mine, theirs = graph.matrix, reference.matrix
    assert mine.shape == theirs.shape
    assert np.array_equal(mine.indptr, theirs.indptr)
    assert np.array_equal(mine.indices, theirs.indices)
    assert np.array_equal(mine.data, theirs.data)  # bit for bit, not approximately
    assert graph.n_ties == theirs.nnz // 2


@pytest.mark.parametrize("seed", range(6))
def test_tie_graph_equals_the_sparse_sum_reference(seed):
    """Random days of replies (with repeated pairs and self-replies), events, growth and decay."""
    rng = np.random.default_rng(seed)
    capacity = 60
    graph, reference = TieGraph(capacity), SparseSumTies(capacity)
    for _ in range(120):
        for _ in range(rng.integers(0, 4)):  # several calls a day: replies, introductions, events
            size = rng.integers(0, 40)
            a = rng.integers(0, capacity, size)
            b = rng.integers(0, capacity, size)
            b[: size // 4] = a[: size // 4][::-1]  # some pairs in both orders
            gain = float(rng.choice([0.3, 0.05, 0.7]))
            graph.strengthen(a, b, gain)
            reference.strengthen(a, b, gain)
        if rng.random() < 0.05:
            capacity += int(rng.integers(1, 20))
            graph.grow(capacity)
            reference.grow(capacity)
        active = rng.random(int(rng.integers(1, capacity + 1))) < 0.4
        expected = reference.strength_to(active.astype(np.float32))
        assert np.array_equal(graph.strength_to(active), expected)
        some = np.flatnonzero(rng.random(active.size) < 0.5)
        assert np.array_equal(graph.strength_of(some, active), expected[some])
        # now and then some members leave: all their ties go at the next decay
        present = None
        if rng.random() < 0.3:
            present = rng.random(capacity) < 0.97
            graph.leave(np.flatnonzero(~present))
        graph.decay(0.05, 0.02)
        reference.decay(0.05, 0.02, present)
        _same(graph, reference)
    assert graph.n_ties > 0


def test_a_member_who_leaves_loses_every_tie():
    graph = TieGraph(6)
    graph.strengthen(np.array([0, 0, 1, 3]), np.array([1, 2, 2, 4]), 0.5)
    graph.leave(np.array([2]))
    assert graph.n_ties == 4  # until the next decay
    graph.decay(0.0, 0.02)
    assert graph.n_ties == 2
    assert graph.degree(6).tolist() == [1, 1, 0, 1, 1, 0]
    assert graph.matrix[0, 1] == np.float32(0.5) and graph.matrix[3, 4] == np.float32(0.5)


def test_new_ties_are_counted_and_read_before_they_are_merged():
    graph = TieGraph(10)
    graph.strengthen(np.array([1, 4]), np.array([2, 5]), 0.3)
    graph.strengthen(np.array([2]), np.array([1]), 0.9)  # the same new tie again: capped at 1
    assert graph.n_ties == 2
    assert graph.matrix[1, 2] == 1.0 and graph.matrix[5, 4] == np.float32(0.3)
    assert graph.degree(10).tolist() == [0, 1, 1, 0, 1, 1, 0, 0, 0, 0]
