"""Social ties among members: a sparse, symmetric, weighted graph.

Ties grow through replies (and, later, shared events) and decay without contact, after Ren & Kraut's
bond-based commitment (Ren, Kraut & Kiesler 2007, "Applying common identity and bond theory to design
of online communities", Organization Studies 28(3)): the bond benefit a member draws is the strength of
its ties to members who are active today, a sparse matrix-vector product.
"""

from __future__ import annotations

import numpy as np
from scipy import sparse


class TieGraph:
    """Tie strengths as a ``scipy.sparse.csr_array`` indexed by member slot."""

    def __init__(self, capacity: int):
        self.matrix = sparse.csr_array((capacity, capacity), dtype=np.float32)

    @property
    def capacity(self) -> int:
        return self.matrix.shape[0]

    def grow(self, capacity: int) -> None:
        """Make room for slots up to ``capacity`` (existing ties keep their slots)."""
        if capacity > self.capacity:
            self.matrix.resize((capacity, capacity))

    def strengthen(self, a: np.ndarray, b: np.ndarray, gain: float) -> None:
        """Add ``gain`` to the tie between each pair ``(a[i], b[i])``, in both directions."""
        keep = a != b
        a, b = a[keep], b[keep]
        if a.size == 0:
            return
        rows = np.concatenate([a, b])
        cols = np.concatenate([b, a])
        data = np.full(rows.size, gain, dtype=np.float32)
        added = sparse.coo_array((data, (rows, cols)), shape=self.matrix.shape).tocsr()
        self.matrix = (self.matrix + added).tocsr()
        np.minimum(self.matrix.data, 1.0, out=self.matrix.data)

    def decay(self, rate: float, prune_below: float) -> None:
        """Weaken every tie by ``rate``; ties weaker than ``prune_below`` disappear."""
        data = self.matrix.data
        data *= np.float32(1.0 - rate)
        if data.size and data.min() < prune_below:
            data[data < prune_below] = 0.0
            self.matrix.eliminate_zeros()

    def strength_to(self, active: np.ndarray) -> np.ndarray:
        """Summed tie strength of every slot to the slots flagged in ``active`` (float32 vector)."""
        n = active.size
        padded = np.zeros(self.capacity, dtype=np.float32)
        padded[:n] = active
        return (self.matrix @ padded)[:n]

    def degree(self, n: int) -> np.ndarray:
        """Number of ties of slots ``0..n-1``."""
        return np.diff(self.matrix.indptr)[:n]

    @property
    def n_ties(self) -> int:
        return self.matrix.nnz // 2

    @property
    def nbytes(self) -> int:
        m = self.matrix
        return m.data.nbytes + m.indices.nbytes + m.indptr.nbytes
