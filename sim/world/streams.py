"""Common random numbers: one random stream per purpose, positioned by day, sampled by member slot.

After Starsim (Klein, Abeysuriya, Stuart & Kerr 2024, "Noise-free comparison of stochastic agent-based
simulations using common random numbers", arXiv:2409.02086). Every stochastic decision (visit, post,
reply, leave, newcomer traits, ...) owns a stream named by its purpose. On day ``t`` the stream for
purpose ``name`` is a fresh generator seeded from ``SeedSequence(root, spawn_key=(*root_key,
crc32(name), t))``; it draws one number per member *slot* (the row a member got when it joined, in
join order) and each member reads the number at its own slot. Consequences:

* switching one mechanism off (say, reactions) does not shift the numbers any other decision sees,
  because nothing else draws from the ``react`` stream;
* a member's draw does not depend on how many members were active before it, so two strategies run
  with the same seed see the same member make the same coin flips until their states diverge.

Newcomer traits use day-independent streams: the member in slot ``s`` gets the same traits whenever
it arrives (``slot_normal`` / ``slot_uniform``), generated in fixed blocks of slots.

Decisions that pick *among* items (which thread a reply goes to) draw sequentially from the day's
stream (``generator``): they keep their own stream, but not per-slot alignment.
"""

from __future__ import annotations

import zlib

import numpy as np

BLOCK = 4096  # slots per block of day-independent trait draws


def _purpose_key(purpose: str) -> int:
    return zlib.crc32(purpose.encode())


class RandomStreams:
    """Per-purpose random streams derived from one root ``SeedSequence``."""

    def __init__(self, root: np.random.SeedSequence):
        self.root = root
        self._entropy = root.entropy
        self._spawn_key = tuple(root.spawn_key)
        self._block_cache: dict[tuple[str, str, int, int], np.ndarray] = {}

    def _seed(self, purpose: str, *position: int) -> np.random.SeedSequence:
        key = (*self._spawn_key, _purpose_key(purpose), *position)
        return np.random.SeedSequence(self._entropy, spawn_key=key)

    def generator(self, purpose: str, day: int) -> np.random.Generator:
        """The day's generator for ``purpose`` (for counts and sequential picks)."""
        return np.random.Generator(np.random.PCG64(self._seed(purpose, day)))

    def uniform(self, purpose: str, day: int, n_slots: int) -> np.ndarray:
        """One uniform in [0, 1) per slot ``0..n_slots-1`` for ``purpose`` on ``day`` (float32)."""
        return self.generator(purpose, day).random(n_slots, dtype=np.float32)

    def _slot_block(self, purpose: str, kind: str, block: int, width: int) -> np.ndarray:
        key = (purpose, kind, block, width)
        cached = self._block_cache.get(key)
        if cached is None:
            gen = np.random.Generator(np.random.PCG64(self._seed(purpose, 2**31 + block)))
            shape = (BLOCK, width)
            if kind == "normal":
                cached = gen.standard_normal(shape, dtype=np.float32)
            else:
                cached = gen.random(shape, dtype=np.float32)
            # Only the newest block is reused (arrivals fill slots in order), so keep one per key.
            self._block_cache = {k: v for k, v in self._block_cache.items() if k[:2] != key[:2]}
            self._block_cache[key] = cached
        return cached

    def _slot_draws(self, purpose: str, kind: str, start: int, stop: int, width: int) -> np.ndarray:
        if stop <= start:
            return np.empty((0, width), dtype=np.float32)
        first, last = start // BLOCK, (stop - 1) // BLOCK
        parts = [self._slot_block(purpose, kind, b, width) for b in range(first, last + 1)]
        stacked = parts[0] if len(parts) == 1 else np.concatenate(parts)
        offset = first * BLOCK
        return stacked[start - offset : stop - offset]

    def slot_uniform(self, purpose: str, start: int, stop: int, width: int = 1) -> np.ndarray:
        """Day-independent uniforms for slots ``start..stop-1``, shape ``(stop-start, width)``."""
        return self._slot_draws(purpose, "uniform", start, stop, width)

    def slot_normal(self, purpose: str, start: int, stop: int, width: int = 1) -> np.ndarray:
        """Day-independent standard normals for slots ``start..stop-1``."""
        return self._slot_draws(purpose, "normal", start, stop, width)


def root_seed_sequence(rng) -> np.random.SeedSequence:
    """Turn the model's ``rng`` argument (None, int, SeedSequence or Generator) into a root seed."""
    if isinstance(rng, np.random.SeedSequence):
        return rng
    if isinstance(rng, np.random.Generator):
        return np.random.SeedSequence(int(rng.integers(2**63)))
    if rng is None:
        return np.random.SeedSequence()
    return np.random.SeedSequence(int(rng))


def stochastic_round(rate: np.ndarray, u: np.ndarray) -> np.ndarray:
    """A count with mean ``rate`` from one uniform per member: floor(rate) + [u < frac(rate)].

    Keeps one random number per member per decision (so common random numbers stay aligned) and
    adds no spread beyond what heterogeneity in ``rate`` already gives.
    """
    whole = np.floor(rate)
    return (whole + (u < (rate - whole))).astype(np.int32)


def geometric_count(mean: np.ndarray, u: np.ndarray) -> np.ndarray:
    """A count G on 0, 1, 2, ... with P(G >= k) = q^k, q = mean / (1 + mean) (geometric with
    mean ``mean``), from one uniform ``u`` on [0, 1) per draw by inversion; 0 where mean is 0.

    One random number per decision, as ``stochastic_round``; the spread is the geometric's
    (variance mean (1 + mean)), for counts such as a pull request's further commits
    (``Rules.continuation``)."""
    mean = np.asarray(mean, dtype=np.float64)
    q = mean / (1.0 + mean)
    with np.errstate(divide="ignore"):
        count = np.floor(np.log1p(-u) / np.log(q))  # q = 0: log(q) = -inf, so 0
    return np.where(q > 0, count, 0).astype(np.int32)


def session_count(rate: np.ndarray, u: np.ndarray, size: float) -> np.ndarray:
    """A count with mean ``rate`` written in sessions of mean ``size`` (>= 1), from one uniform per
    member: with m = max(size, rate), a session with chance rate / m, of 1 + G items, G geometric
    on 0, 1, 2, ... with mean m - 1 (continuation chance 1 - 1 / m), by inversion of ``u`` given
    that a session came: u / (rate / m) is then uniform on [0, 1).

    Keeps one random number per member per decision, as ``stochastic_round`` does; the same
    expected count, concentrated on fewer days (``Rules.session_size``)."""
    rate = np.asarray(rate, dtype=np.float64)
    mean = np.maximum(rate, size)
    chance = rate / mean
    count = np.zeros(rate.shape, dtype=np.int32)
    inside = np.flatnonzero(u < chance)
    if inside.size:
        given = u[inside] / chance[inside]  # uniform on [0, 1) given a session
        stay = 1.0 - 1.0 / mean[inside]  # the chance a session goes on after each item
        with np.errstate(divide="ignore"):
            longer = np.floor(np.log1p(-given) / np.log(stay))  # log(0) at mean 1: no more
        count[inside] = 1 + np.where(stay > 0, longer, 0).astype(np.int32)
    return count
