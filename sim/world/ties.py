"""Social ties among members: a sparse, symmetric, weighted graph.

Ties grow through replies, shared events and introductions and decay without contact, after Ren &
Kraut's bond-based commitment (Ren, Kraut & Kiesler 2007, "Applying common identity and bond theory
to design of online communities", Organization Studies 28(3)): the bond benefit a member draws is the
strength of its ties to members who are active today, a sparse matrix-vector product.

The graph is kept as the three arrays of a canonical CSR matrix (rows by slot, columns sorted within
a row), with room to spare at the end of the entry arrays. A day adds a few thousand tie increments
to millions of ties, so ``strengthen`` does not rebuild the matrix (a sparse sum costs a pass over
every tie, each time): increments to existing ties are added in place, found by a binary search
within their rows, and new ties wait in a small sorted side table until the graph is next read
(``strength_to``, ``decay``, ...), when they are merged in, in place, with one pass. Decay is one
more pass that moves nothing: a tie that falls below the pruning threshold, or whose member left,
is set to 0 where it stands (a dead entry: it adds nothing to any sum, and forms again in place if
the pair meets again), and the entries are compacted only once more than one in
``COMPACT_WHEN_DEAD`` is dead. A tie of strength exactly 0 is no tie. The loops are compiled kernels
(``sim.world.kernels``). The values are exactly those of adding each ``strengthen`` call's pairs as a
sparse matrix and capping at 1 (``tests/test_ties.py`` checks this against that plain version).
"""

from __future__ import annotations

import numpy as np
from scipy import sparse

from sim.world import kernels

# compact the entries when more than 1 in this many are dead (pruned ties left in place)
COMPACT_WHEN_DEAD = 16
# CSR index arrays are int32, as scipy makes them for matrices of this size (2**31 tie ends at most)
_MAX_TIE_ENDS = np.iinfo(np.int32).max


class TieGraph:
    """Tie strengths indexed by member slot; ``matrix`` gives them as a ``scipy.sparse.csr_array``."""

    def __init__(self, capacity: int):
        self._capacity = capacity
        self._indptr = np.zeros(capacity + 1, np.int32)
        self._nnz = 0  # tie ends in use: the first _nnz entries of _indices and _data
        self._dead = 0  # ... of which pruned (strength 0), left in place until compacted
        self._indices = np.zeros(0, np.int32)
        self._data = np.zeros(0, np.float32)
        # new ties not yet merged into the CSR arrays: keys row * capacity + col, sorted
        self._new_keys = np.zeros(0, np.int64)
        self._new_values = np.zeros(0, np.float32)
        self._gone: list[np.ndarray] = []  # slots that left since the last decay

    @property
    def capacity(self) -> int:
        return self._capacity

    def grow(self, capacity: int) -> None:
        """Make room for slots up to ``capacity`` (existing ties keep their slots)."""
        if capacity <= self._capacity:
            return
        self._merge_new()
        extra = np.full(capacity - self._capacity, self._indptr[-1], np.int32)
        self._indptr = np.concatenate([self._indptr, extra])
        self._capacity = capacity

    def strengthen(self, a: np.ndarray, b: np.ndarray, gain: float) -> None:
        """Add ``gain`` to the tie between each pair ``(a[i], b[i])``, in both directions (capped
        at 1); a pair listed twice gets ``gain`` twice."""
        keep = a != b
        a, b = a[keep], b[keep]
        if a.size == 0:
            return
        rows = np.concatenate([a, b]).astype(np.int64)
        cols = np.concatenate([b, a]).astype(np.int64)
        keys, inverse = np.unique(rows * self._capacity + cols, return_inverse=True)
        added = np.zeros(keys.size, np.float32)
        kernels.active().scatter_add(added, inverse, np.float32(gain))  # float32, one at a time
        rows, cols = np.divmod(keys, self._capacity)
        pos, found = kernels.active().tie_find(
            self._indptr, self._indices[: self._nnz], rows, cols.astype(np.int32)
        )
        at = pos[found]
        self._dead -= int(np.count_nonzero(self._data[at] == 0))  # a pruned tie formed again
        self._data[at] = np.minimum(self._data[at] + added[found], np.float32(1.0))
        self._add_new(keys[~found], added[~found])

    def _add_new(self, keys: np.ndarray, added: np.ndarray) -> None:
        if keys.size == 0:
            return
        waiting = self._new_keys
        at = np.searchsorted(waiting, keys)
        there = at < waiting.size
        there[there] = waiting[at[there]] == keys[there]
        self._new_values[at[there]] = np.minimum(
            self._new_values[at[there]] + added[there], np.float32(1.0)
        )
        fresh = ~there
        self._new_keys = np.insert(waiting, at[fresh], keys[fresh])
        self._new_values = np.insert(
            self._new_values, at[fresh], np.minimum(added[fresh], np.float32(1.0))
        )

    def _merge_new(self) -> None:
        """Merge the waiting new ties into the CSR arrays (one pass over the ties, in place)."""
        keys = self._new_keys
        if keys.size == 0:
            return
        if self._nnz + keys.size > self._data.size:
            self._compact()  # make room from dead entries before taking more memory
        needed = self._nnz + keys.size
        if needed > _MAX_TIE_ENDS:
            raise OverflowError("more than 2**31 tie ends: the CSR index arrays would overflow")
        if needed > self._data.size:
            # grow by an eighth: amortised O(1) new ties with little memory held in reserve
            room = min(max(needed, self._data.size + self._data.size // 8, 1024), _MAX_TIE_ENDS)
            self._grow_entries(room)
        rows, cols = np.divmod(keys, self._capacity)
        kernels.active().tie_merge(
            self._indptr,
            self._indices,
            self._data,
            self._nnz,
            rows,
            cols.astype(np.int32),
            self._new_values,
        )
        self._nnz = needed
        self._new_keys = np.zeros(0, np.int64)
        self._new_values = np.zeros(0, np.float32)

    def _grow_entries(self, room: int) -> None:
        """Room for ``room`` tie ends (new entries 0), in place where nothing else refers to the
        arrays: a large array is then remapped rather than copied, so growing does not hold two
        copies at once."""
        try:
            self._indices.resize(room, refcheck=True)
            self._data.resize(room, refcheck=True)
        except ValueError:  # a view is held elsewhere (say, a ``matrix`` still in use): copy
            self._indices = np.concatenate(
                [self._indices, np.zeros(room - self._indices.size, np.int32)]
            )
            self._data = np.concatenate([self._data, np.zeros(room - self._data.size, np.float32)])

    def leave(self, slots: np.ndarray) -> None:
        """These members left: all their ties go at the next ``decay`` (a tie to someone who is
        gone never counts again, so keeping it would only cost memory and time)."""
        if slots.size:
            self._gone.append(np.asarray(slots, np.int64))

    def decay(self, rate: float, prune_below: float) -> None:
        """Weaken every tie by ``rate``; ties weaker than ``prune_below`` disappear, and so do the
        ties of members who left since the last decay."""
        self._merge_new()
        gone = np.unique(np.concatenate(self._gone)) if self._gone else np.zeros(0, np.int64)
        self._gone = []
        live = kernels.active().tie_decay(
            self._indptr,
            self._indices,
            self._data,
            self._nnz,
            np.float32(1.0 - rate),
            np.float32(prune_below),
            gone,
        )
        self._dead = self._nnz - live
        # a dead entry costs what a live one does in every pass: compact once they are many
        if self._dead * COMPACT_WHEN_DEAD > self._nnz:
            self._compact()

    def _compact(self) -> None:
        """Drop the dead (pruned) entries, in place."""
        if self._dead:
            self._nnz = kernels.active().tie_compact(
                self._indptr, self._indices, self._data, self._nnz
            )
            self._dead = 0

    @property
    def matrix(self) -> sparse.csr_array:
        """The tie strengths as a CSR matrix (shares the graph's arrays: read, do not write)."""
        self._merge_new()
        self._compact()
        nnz = self._nnz
        return sparse.csr_array(
            (self._data[:nnz], self._indices[:nnz], self._indptr),
            shape=(self._capacity, self._capacity),
        )

    def strength_to(self, active: np.ndarray) -> np.ndarray:
        """Summed tie strength of every slot to the slots weighted by ``active`` (a float32 vector
        or a boolean mask)."""
        n = active.size
        padded = np.zeros(self._capacity, dtype=np.float32)
        padded[:n] = active
        return (self.matrix @ padded)[:n]

    def strength_of(self, slots: np.ndarray, active: np.ndarray) -> np.ndarray:
        """``strength_to(active)[slots]`` for the boolean mask ``active``, computed for those slots
        only (float32 vector)."""
        if active.dtype != bool:
            raise TypeError(f"active must be a boolean mask, not {active.dtype}")
        self._merge_new()
        padded = np.zeros(self._capacity, dtype=bool)
        padded[: active.size] = active
        nnz = self._nnz
        return kernels.active().tie_row_products(
            self._indptr, self._indices[:nnz], self._data[:nnz], slots, padded
        )

    def degree(self, n: int) -> np.ndarray:
        """Number of ties of slots ``0..n-1``."""
        self._merge_new()
        self._compact()
        return np.diff(self._indptr)[:n]

    def indptr(self, n: int) -> np.ndarray:
        """The row pointers of slots ``0..n-1`` (``n + 1`` of them, read-only use): ``ends`` is
        their differences."""
        return self._indptr[: n + 1]

    def ends(self, n: int) -> np.ndarray:
        """Number of tie ends of slots ``0..n-1`` without compacting: ties pruned since the last
        compaction still count (at most one entry in ``COMPACT_WHEN_DEAD``), ties made since the
        last merge do not yet. A cheap count (``Population.rejoin`` reads the same from ``indptr`` in
        its compiled pass); ``degree`` is exact."""
        return np.diff(self._indptr[: n + 1])

    @property
    def n_ties(self) -> int:
        return (self._nnz - self._dead + self._new_keys.size) // 2

    @property
    def nbytes(self) -> int:
        return (
            self._data.nbytes
            + self._indices.nbytes
            + self._indptr.nbytes
            + self._new_keys.nbytes
            + self._new_values.nbytes
        )
