"""Compiled kernels for the day's hottest loops, each beside its numpy reference.

A few steps of the day are loops that numpy can only express as several passes over large arrays
with temporaries in between (merging new ties into the CSR arrays of the tie graph, decaying and
pruning every tie, finding a tie within its row, summing the tie strengths of today's visitors'
rows, weighing each reader's topic interests against the feed, drifting them, counting per member
what a day's lists of members did, where ``np.add.at`` is slow, picking the item each reply or
reaction goes to, and daily passes over every member: who may return after leaving, how
many members are in each role, and each member's contribution value and its (role, segment,
value tier) cell for the per-group outputs of ``sim.world.segments``). Here
each is written once as a plain loop compiled by numba and once in numpy, and both give
bit-identical results (``tests/test_kernels.py`` runs them side by side, and a whole model run
under each). The kernels do only IEEE-exact float32 arithmetic (no exp or log, whose compiled
and numpy versions may round differently), in the reference's order.

The numba kernels are used when numba imports; set ``COMMSIM_KERNELS=numpy`` in the environment
(or call ``use("numpy")``) to run the numpy reference instead. Without numba installed the numpy
reference is used.
"""

from __future__ import annotations

import os
from contextlib import contextmanager
from types import SimpleNamespace

import numpy as np
from scipy import sparse

try:
    import numba
except ImportError:  # pragma: no cover - numba is a dependency; the reference still works
    numba = None

BACKENDS = ("numba", "numpy") if numba is not None else ("numpy",)


# ---- numpy reference -----------------------------------------------------------------------------
def _find_numpy(indptr, indices, rows, cols):
    """Where each (row, col) is, or would go, in canonical CSR arrays, and whether it is there: a
    binary search within each row, all rows at once."""
    lo = indptr[rows].astype(np.int64)
    end = indptr[rows + 1].astype(np.int64)
    hi = end.copy()
    if indices.size == 0:
        return lo, np.zeros(rows.size, bool)
    last = indices.size - 1
    searching = lo < hi
    while searching.any():
        mid = (lo + hi) // 2
        right = searching & (indices[np.minimum(mid, last)] < cols)
        left = searching & ~right
        lo = np.where(right, mid + 1, lo)
        hi = np.where(left, mid, hi)
        searching = lo < hi
    found = (lo < end) & (indices[np.minimum(lo, last)] == cols)
    return lo, found


def _merge_numpy(indptr, indices, data, nnz, rows, cols, values):
    """Insert entries (sorted by row, then column; none already present) into CSR arrays whose
    first ``nnz`` entries are used and which have room for the new ones; updates in place."""
    pos, _ = _find_numpy(indptr, indices[:nnz], rows, cols)
    total = nnz + rows.size
    indices[:total] = np.insert(indices[:nnz], pos, cols)
    data[:total] = np.insert(data[:nnz], pos, values)
    indptr[1:] += np.cumsum(np.bincount(rows, minlength=indptr.size - 1)).astype(indptr.dtype)


def _decay_numpy(indptr, indices, data, nnz, factor, prune_below, gone):
    """Multiply the first ``nnz`` entries by ``factor`` (float32); those that fall below
    ``prune_below``, and every tie of the members in ``gone`` (both ends), become 0: a dead entry,
    left in place for ``_compact_numpy``. Returns the count of live (positive) entries."""
    used = data[:nnz]
    if gone.size:
        present = np.ones(indptr.size - 1, bool)
        present[gone] = False
        rows = np.repeat(np.arange(indptr.size - 1), np.diff(indptr))
        used[~(present[rows] & present[indices[:nnz]])] = 0
    used *= factor
    used[~((used >= prune_below) & (used > 0))] = 0
    return int(np.count_nonzero(used))


def _compact_numpy(indptr, indices, data, nnz):
    """Drop the dead (zero) entries among the first ``nnz``, in place; returns the new count."""
    keep = data[:nnz] != 0
    kept = int(keep.sum())
    if kept < nnz:
        kept_before = np.concatenate([[0], np.cumsum(keep)])
        indptr[:] = kept_before[indptr]
        indices[:kept] = indices[:nnz][keep]
        data[:kept] = data[:nnz][keep]
    return kept


def _row_products_numpy(indptr, indices, data, rows, active):
    """``(M @ x)[rows]`` for the CSR matrix M and x the 0/1 float32 vector of the boolean mask
    ``active``: each listed row's sum of its entries at active columns, summed in column order in
    float32 (as scipy's CSR mat-vec does)."""
    size = indptr.size - 1
    matrix = sparse.csr_array((data, indices, indptr), shape=(size, size))
    return (matrix[rows] @ active.astype(np.float32)).astype(np.float32, copy=False)


def _scatter_add_numpy(target, index, value):
    """``target[index[i]] += value`` for every i in order, repeats included (in place)."""
    np.add.at(target, index, value)


def _weighted_rows_numpy(matrix, rows, weights):
    """``matrix[rows] @ weights`` in float32, each row summed over columns in column order (one
    fixed order on every machine, unlike a BLAS mat-vec, which also starts threads)."""
    picked = matrix[rows]
    total = picked[:, 0] * weights[0]
    for column in range(1, matrix.shape[1]):
        total += picked[:, column] * weights[column]
    return total


def search_right(ascending: np.ndarray, keys: np.ndarray, guess: np.ndarray) -> np.ndarray:
    """``np.searchsorted(ascending, keys, side="right")`` (``ascending`` strictly increasing), with
    a guess per key: a guess ``i`` with ``ascending[i - 1] <= key < ascending[i]`` is the answer,
    and only keys whose guess fails are searched."""
    size = ascending.size
    at = np.clip(guess, 0, size - 1)
    right = (
        (guess >= 0)
        & (guess < size)
        & (ascending[at] > keys)
        & ((at == 0) | (ascending[np.maximum(at - 1, 0)] <= keys))
    )
    result = np.where(right, guess, 0)
    wrong = np.flatnonzero(~right)
    if wrong.size:
        result[wrong] = np.searchsorted(ascending, keys[wrong], side="right")
    return result


def _topics_numpy(preference, weights, u_topic):
    """Each chooser's topic: the first whose running sum of preference times weight (float32, in
    topic order) reaches ``u_topic`` times the total; and that total."""
    cumulative = np.cumsum(preference * weights, axis=1)
    total = cumulative[:, -1]
    topic = np.minimum((cumulative < (u_topic * total)[:, None]).sum(axis=1), weights.size - 1)
    return topic, total


def _pick_plain_numpy(pref, rows, counts, starts, u_topic, u_item):
    """Items picked when every item has appeal 1: a topic by preference times count, then an item
    of that topic uniformly (``Items.pick``); -1 for choosers with no weight anywhere."""
    topic, total = _topics_numpy(pref[rows], counts, u_topic)
    within = np.floor(u_item * counts[topic]).astype(np.int64)
    within = np.minimum(within, np.maximum(counts[topic].astype(np.int64) - 1, 0))
    chosen = starts[topic] + within
    chosen[total <= 0] = -1
    return chosen


def _pick_by_appeal_numpy(
    pref, rows, weights, running, before, first, running_before, u_topic, u_item
):
    """Items picked by appeal: a topic by preference times summed appeal, then an item of it with
    probability proportional to its appeal (the running appeal ``running`` searched for the
    target, from a guess that is right when the items before it all have appeal 1)."""
    topic, total = _topics_numpy(pref[rows], weights, u_topic)
    target = before[topic] + u_item * weights[topic]
    guess = first[topic] + np.floor(target - running_before[topic]).astype(np.int64)
    chosen = np.minimum(search_right(running, target, guess), running.size - 1)
    chosen[total <= 0] = -1
    return chosen


def _drift_topics_numpy(pref, idx, supply, rate):
    """Readers ``idx`` move their topic interest ``pref`` (float32, in place) a share ``rate``
    toward the topics that supplied what they read: supply times interest, relative to the
    best-supplied topic (Ren & Kraut 2014: interest follows satisfaction)."""
    rows = pref[idx]
    supplied = rows * supply
    top = supplied.max(axis=1, keepdims=True)
    target = np.where(top > 0, 0.02 + 0.98 * supplied / np.maximum(top, 1e-9), rows)
    pref[idx] = (1 - rate) * rows + rate * target


def _quality_rows_numpy(pref, rows, share, per_topic, base_w, base_wq, cum_w, cum_wq, uniform):
    """For each reader ``rows[k]``: the sum over topics of its interest times the summed quality
    of the best ``share[k]`` of the topic's informative appeal (``sim.world.platform``), from the
    day's per-topic prefix sums ``cum_w`` (appeal) and ``cum_wq`` (appeal times quality), best
    quality first within each topic, ``base_*`` their values where each topic starts. float32,
    summed over topics in topic order. ``uniform`` (every weight 1, so ``cum_w[i] == i``) lets
    the compiled kernel find a position as ``ceil(target)`` instead of searching: the same one."""
    target = base_w[None, :] + share[:, None] * per_topic[None, :]
    pos = np.clip(np.searchsorted(cum_w, target, side="left"), 1, cum_w.size - 1)
    lo_w, hi_w = cum_w[pos - 1], cum_w[pos]
    span = np.where(hi_w > lo_w, hi_w - lo_w, np.float32(1))
    frac = np.clip((target - lo_w) / span, np.float32(0), np.float32(1))
    value = cum_wq[pos - 1] + frac * (cum_wq[pos] - cum_wq[pos - 1])
    value = np.maximum(value - base_wq[None, :], np.float32(0))
    return _weighted_rows_numpy(value * pref[rows], np.arange(rows.size), np.ones_like(per_topic))


def _return_candidates_numpy(indptr, alive, friends, gone_since, pull, since):
    """``Population.rejoin``'s daily pass over the members: each member still here (``alive``)
    notes its tie ends (``indptr`` of the tie graph; at most the int16 maximum) in ``friends``, in
    place; returns the slots of members who left on day ``since`` or later (``gone_since``, -1 for
    members here) and have a pull to return (``pull`` > 0) or friends noted."""
    n = alive.size
    ends = np.minimum(np.diff(indptr[: n + 1]), np.iinfo(np.int16).max)
    np.copyto(friends, ends, where=alive, casting="unsafe")
    return np.flatnonzero((gone_since >= since) & ((pull > 0) | (friends > 0)))


def _count_at_least_numpy(values, slots, bounds):
    """How many of ``values[slots]`` are at least each of ``bounds`` (same dtype as ``values``)."""
    chosen = values[slots]
    return np.array([np.count_nonzero(chosen >= b) for b in bounds], np.int64)


def _contribution_numpy(posts, received, join_day, day, window):
    """Messages written plus replies drawn per ``window`` days of membership (at least
    ``window``), in float32 (``sim.world.segments.contribution_value``)."""
    tenure = np.maximum(day - join_day, window).astype(np.float32)
    value = posts.astype(np.float32)
    value += received
    value *= np.float32(window)
    value /= tenure
    return value


def _group_cells_numpy(
    recent, join_day, segment, value, alive, day, bounds, newcomer_days, n_segments, mid, high, size
):
    """Each slot's (role, segment, tier) cell (``sim.world.segments.group_codes``) and the count
    of members present (``alive``) per cell."""
    role = np.ones(recent.size, np.intp)
    for bound in bounds:
        role += recent >= bound
    role[day - join_day < newcomer_days] = 0
    positive = value > 0
    tier = (positive & (value >= mid)).astype(np.intp) + (positive & (value >= high))
    cells = ((role * n_segments + segment) * 3 + tier).astype(np.int16)
    return cells, np.bincount(cells[alive], minlength=size).astype(np.int64)


# ---- numba kernels -------------------------------------------------------------------------------
def _compiled():
    # The helpers other kernels call are module globals, not variables of this closure: numba's
    # on-disk cache keys a function by its closure's variables pickled, and a compiled function
    # pickles with an id drawn anew in each process, so a kernel calling a closure helper was
    # compiled again (about a second each) and saved as one more cache file in every process.
    global _search, _topic_of
    jit = numba.njit(cache=True, nogil=True)

    @jit
    def quality_rows(pref, rows, share, per_topic, base_w, base_wq, cum_w, cum_wq, uniform):
        out = np.empty(rows.size, np.float32)
        last = cum_w.size - 1
        zero, one = np.float32(0), np.float32(1)
        # where each topic's sums start (cum_w rises strictly: weights are positive), so that a
        # search stays within its topic; the end of the last topic is the end of the sums
        first = np.empty(per_topic.size + 1, np.int64)
        for t in range(per_topic.size):
            first[t] = np.searchsorted(cum_w, base_w[t], side="left")
        first[per_topic.size] = last
        # a topic's summed quality depends on the reader only through its share, and readers
        # often share one (the same page, budgets not binding): computed once per run of equal
        # shares, then weighed by each reader's interests
        values = np.empty(per_topic.size, np.float32)
        for k in range(rows.size):
            if k == 0 or share[k] != share[k - 1]:
                for t in range(per_topic.size):
                    target = base_w[t] + share[k] * per_topic[t]
                    if (
                        uniform
                    ):  # cum_w[i] == i: the first i with cum_w[i] >= target is ceil(target)
                        lo = np.int64(np.ceil(target))
                    else:  # np.searchsorted(cum_w, target, side="left"), within the topic's items
                        # a reader opens the best few of a topic, so the place is near the topic's
                        # start: gallop from there in doubling steps until a probe reaches the
                        # target (everything before a probe that falls short does too, as cum_w
                        # rises), then search between; the first i with cum_w[i] >= target is
                        # found either way
                        lo, end = first[t], first[t + 1] + 1
                        hi, step = lo, np.int64(1)
                        while hi < end and cum_w[hi] < target:
                            lo = hi + 1
                            hi = lo + step
                            step *= 2
                        hi = min(hi, end)
                        while lo < hi:
                            mid = (lo + hi) // 2
                            if cum_w[mid] < target:
                                lo = mid + 1
                            else:
                                hi = mid
                    pos = min(max(lo, 1), last)
                    lo_w, hi_w = cum_w[pos - 1], cum_w[pos]
                    span = hi_w - lo_w if hi_w > lo_w else one
                    frac = min(max((target - lo_w) / span, zero), one)
                    value = cum_wq[pos - 1] + frac * (cum_wq[pos] - cum_wq[pos - 1])
                    values[t] = max(value - base_wq[t], zero)
            total = zero
            for t in range(per_topic.size):
                term = values[t] * pref[rows[k], t]
                total = term if t == 0 else total + term * one
            out[k] = total
        return out

    @jit
    def _search(indptr, indices, row, col):
        """Where ``col`` is, or would go, in ``row`` (a binary search within the row)."""
        lo, hi = np.int64(indptr[row]), np.int64(indptr[row + 1])
        while lo < hi:
            mid = (lo + hi) // 2
            if indices[mid] < col:
                lo = mid + 1
            else:
                hi = mid
        return lo

    @jit
    def find(indptr, indices, rows, cols):
        pos = np.empty(rows.size, np.int64)
        found = np.zeros(rows.size, np.bool_)
        for k in range(rows.size):
            at = _search(indptr, indices, rows[k], cols[k])
            pos[k] = at
            found[k] = at < indptr[rows[k] + 1] and indices[at] == cols[k]
        return pos, found

    @jit
    def merge(indptr, indices, data, nnz, rows, cols, values):
        # fill from the back so that every entry moves once, in place: for each new entry (sorted
        # by row, then column), from the last, a binary search within its row among the entries
        # not yet moved finds its place; the entries after that place move up by the number of
        # new entries up to this one, in one tight loop, and the new entry goes in just below
        end = nnz  # entries [0, end) have not moved
        for k in range(rows.size - 1, -1, -1):
            new_row, new_col = rows[k], cols[k]
            lo, hi = np.int64(indptr[new_row]), min(np.int64(indptr[new_row + 1]), end)
            while lo < hi:
                mid = (lo + hi) // 2
                if indices[mid] < new_col:
                    lo = mid + 1
                else:
                    hi = mid
            shift = k + 1
            for i in range(end - 1, lo - 1, -1):
                indices[i + shift] = indices[i]
                data[i + shift] = data[i]
            indices[lo + k] = new_col
            data[lo + k] = values[k]
            end = lo
        added = 0
        k = 0
        for row in range(indptr.size - 1):
            while k < rows.size and rows[k] == row:
                added += 1
                k += 1
            indptr[row + 1] += added

    @jit
    def decay(indptr, indices, data, nnz, factor, prune_below, gone):
        # a member who left loses every tie: both ends of each of its ties die (found through its
        # own row); the daily pass is then a plain multiply-and-threshold over the entries, with
        # no moving: dead entries stay as zeros until enough of them make compacting worth a pass
        for member in gone:
            for i in range(indptr[member], indptr[member + 1]):
                other = indices[i]
                at = _search(indptr, indices, other, member)
                if at < indptr[other + 1] and indices[at] == member:
                    data[at] = np.float32(0)
                data[i] = np.float32(0)
        zero = np.float32(0)
        live = 0
        for i in range(nnz):
            value = data[i] * factor
            alive = value >= prune_below and value > zero
            data[i] = value if alive else zero
            live += alive
        return live

    @jit
    def compact(indptr, indices, data, nnz):
        write = 0
        start = indptr[0]
        for row in range(indptr.size - 1):
            stop = indptr[row + 1]
            for i in range(start, stop):
                if data[i] != 0:
                    indices[write] = indices[i]
                    data[write] = data[i]
                    write += 1
            start = stop
            indptr[row + 1] = write
        return write

    @jit
    def row_products(indptr, indices, data, rows, active):
        # a byte mask, not a float vector: a quarter of the memory to hit at random columns;
        # multiplied in, not branched on (a visitor is a coin flip the CPU cannot predict)
        out = np.empty(rows.size, np.float32)
        for k in range(rows.size):
            total = np.float32(0)
            for i in range(indptr[rows[k]], indptr[rows[k] + 1]):
                total += data[i] * np.float32(active[indices[i]])
            out[k] = total
        return out

    @jit
    def scatter_add(target, index, value):
        for i in index:
            target[i] += value

    @jit
    def weighted_rows(matrix, rows, weights):
        out = np.empty(rows.size, np.float32)
        for k in range(rows.size):
            total = matrix[rows[k], 0] * weights[0]
            for column in range(1, matrix.shape[1]):
                total += matrix[rows[k], column] * weights[column]
            out[k] = total
        return out

    @jit
    def _topic_of(pref, row, weights, u_topic):
        # float32 running sums in topic order, as np.cumsum; counts the sums below the threshold
        total = np.float32(0)
        for t in range(weights.size):
            total += pref[row, t] * weights[t]
        threshold = u_topic * total
        running = np.float32(0)
        topic = 0
        for t in range(weights.size):
            running += pref[row, t] * weights[t]
            if running < threshold:
                topic += 1
        return min(topic, weights.size - 1), total

    @jit
    def pick_plain(pref, rows, counts, starts, u_topic, u_item):
        out = np.empty(rows.size, np.int64)
        for k in range(rows.size):
            topic, total = _topic_of(pref, rows[k], counts, u_topic[k])
            if total <= 0:
                out[k] = -1
                continue
            within = np.int64(np.floor(u_item[k] * counts[topic]))
            out[k] = starts[topic] + min(within, max(np.int64(counts[topic]) - 1, 0))
        return out

    @jit
    def pick_by_appeal(
        pref, rows, weights, running, before, first, running_before, u_topic, u_item
    ):
        out = np.empty(rows.size, np.int64)
        size = running.size
        for k in range(rows.size):
            topic, total = _topic_of(pref, rows[k], weights, u_topic[k])
            if total <= 0:
                out[k] = -1
                continue
            target = before[topic] + np.float64(u_item[k] * weights[topic])
            guess = first[topic] + np.int64(np.floor(target - running_before[topic]))
            at = min(max(guess, 0), size - 1)
            if (
                guess >= 0
                and guess < size
                and running[at] > target
                and (at == 0 or running[max(at - 1, 0)] <= target)
            ):
                found = guess
            else:  # the first running appeal above the target
                lo, hi = 0, size
                while lo < hi:
                    mid = (lo + hi) // 2
                    if running[mid] <= target:
                        lo = mid + 1
                    else:
                        hi = mid
                found = lo
            out[k] = min(found, size - 1)
        return out

    @jit
    def drift_topics(pref, idx, supply, rate):
        # float32 throughout, each operation as in the numpy reference
        keep = np.float32(1) - rate
        low, high, floor = np.float32(0.02), np.float32(0.98), np.float32(1e-9)
        topics = pref.shape[1]
        for i in idx:
            top = pref[i, 0] * supply[0]
            for t in range(1, topics):
                top = max(top, pref[i, t] * supply[t])
            for t in range(topics):
                p = pref[i, t]
                target = low + high * (p * supply[t]) / max(top, floor) if top > 0 else p
                pref[i, t] = keep * p + rate * target

    @jit
    def return_candidates(indptr, alive, friends, gone_since, pull, since):
        most = np.iinfo(np.int16).max
        found = np.empty(alive.size, np.int64)
        count = 0
        for i in range(alive.size):
            if alive[i]:
                friends[i] = min(indptr[i + 1] - indptr[i], most)
            if gone_since[i] >= since and (pull[i] > 0 or friends[i] > 0):
                found[count] = i
                count += 1
        return found[:count].copy()

    @jit
    def count_at_least(values, slots, bounds):
        # a pass per bound, counting in a local without a branch: several times faster than one
        # pass that updates an array of counts (a store the compiler must redo every time)
        counts = np.zeros(bounds.size, np.int64)
        for j in range(bounds.size):
            bound = bounds[j]
            count = 0
            for k in range(slots.size):
                count += values[slots[k]] >= bound
            counts[j] = count
        return counts

    @jit
    def contribution(posts, received, join_day, day, window):
        out = np.empty(posts.size, np.float32)
        w = np.float32(window)
        for i in range(posts.size):
            tenure = max(day - join_day[i], window)
            out[i] = (np.float32(posts[i]) + np.float32(received[i])) * w / np.float32(tenure)
        return out

    @jit
    def group_cells(
        recent,
        join_day,
        segment,
        value,
        alive,
        day,
        bounds,
        newcomer_days,
        n_segments,
        mid,
        high,
        size,
    ):
        cells = np.empty(recent.size, np.int16)
        members = np.zeros(size, np.int64)
        b0, b1, b2 = bounds[0], bounds[1], bounds[2]
        for i in range(recent.size):
            r = recent[i]
            role = np.intp(1) + (r >= b0) + (r >= b1) + (r >= b2)
            role = role * (day - join_day[i] >= newcomer_days)
            v = value[i]
            tier = (v > 0) * ((v >= mid) + (v >= high))
            cell = (role * n_segments + segment[i]) * 3 + tier
            cells[i] = cell
            members[cell] += alive[i]
        return cells, members

    return SimpleNamespace(
        contribution=contribution,
        group_cells=group_cells,
        tie_find=find,
        tie_merge=merge,
        tie_decay=decay,
        tie_compact=compact,
        tie_row_products=row_products,
        weighted_rows=weighted_rows,
        scatter_add=scatter_add,
        pick_plain=pick_plain,
        pick_by_appeal=pick_by_appeal,
        drift_topics=drift_topics,
        quality_rows=quality_rows,
        return_candidates=return_candidates,
        count_at_least=count_at_least,
    )


_NUMPY = SimpleNamespace(
    contribution=_contribution_numpy,
    group_cells=_group_cells_numpy,
    tie_find=_find_numpy,
    tie_merge=_merge_numpy,
    tie_decay=_decay_numpy,
    tie_compact=_compact_numpy,
    tie_row_products=_row_products_numpy,
    weighted_rows=_weighted_rows_numpy,
    scatter_add=_scatter_add_numpy,
    pick_plain=_pick_plain_numpy,
    pick_by_appeal=_pick_by_appeal_numpy,
    drift_topics=_drift_topics_numpy,
    quality_rows=_quality_rows_numpy,
    return_candidates=_return_candidates_numpy,
    count_at_least=_count_at_least_numpy,
)
_backends = {"numpy": _NUMPY}
_selected = os.environ.get("COMMSIM_KERNELS", BACKENDS[0])
if _selected not in BACKENDS:
    raise ValueError(f"COMMSIM_KERNELS={_selected!r}: expected one of {', '.join(BACKENDS)}")


def active() -> SimpleNamespace:
    """The kernels of the selected backend (compiled on first use)."""
    if _selected not in _backends:
        _backends[_selected] = _compiled()
    return _backends[_selected]


def backend() -> str:
    return _selected


def use(name: str) -> None:
    """Select the backend: ``"numba"`` (compiled) or ``"numpy"`` (the reference)."""
    global _selected
    if name not in BACKENDS:
        raise ValueError(f"kernel backend {name!r}: expected one of {', '.join(BACKENDS)}")
    _selected = name


@contextmanager
def using(name: str):
    """Run a block with the given backend, then restore the previous one."""
    previous = _selected
    use(name)
    try:
        yield
    finally:
        use(previous)
