"""Type aliases of the package, and the one normaliser of random seeds (SPEC 7).

Seeds
-----
Every function that draws random numbers takes a keyword ``rng`` and passes
it through :func:`as_seed_sequence` (a root for spawning independent
streams), :func:`as_generator` (one stream) or :func:`spawn_generators`
(one stream per run). All three accept the same values:

* ``None``: fresh entropy from the operating system;
* an ``int`` >= 0, or a non-empty sequence of them: a seed;
* a :class:`numpy.random.SeedSequence`: used as it is;
* a :class:`numpy.random.Generator` or :class:`numpy.random.BitGenerator`:
  the caller's stream, which is advanced, so two calls with the same object
  give different numbers.

Bools, negative integers, floats and text are refused with a
:class:`~smartkampung.ParameterError` naming ``rng`` and the function.
"""

from __future__ import annotations

import numbers
from collections.abc import Sequence
from typing import Any, TypeAlias

import numpy as np
from numpy.typing import NDArray

from smartkampung._errors import ParameterError

__all__ = [
    "BoolArray",
    "FloatArray",
    "IntArray",
    "SeedLike",
    "as_generator",
    "as_seed_sequence",
    "check_seed",
    "spawn_generators",
]

FloatArray: TypeAlias = NDArray[np.float64]
IntArray: TypeAlias = NDArray[np.int64]
BoolArray: TypeAlias = NDArray[np.bool_]

#: What an ``rng`` argument accepts (see the module notes).
SeedLike: TypeAlias = int | Sequence[int] | np.random.SeedSequence | np.random.BitGenerator | np.random.Generator | None

_STREAMS = (np.random.Generator, np.random.BitGenerator)


def _whole_seed(value: Any) -> bool:
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Integral):
        return False
    return int(value) >= 0


def _negative_int(value: Any) -> bool:
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Integral):
        return False
    return int(value) < 0


def as_seed_sequence(rng: Any, function: str) -> np.random.SeedSequence:
    """The root :class:`~numpy.random.SeedSequence` of ``rng``.

    A Generator (or BitGenerator) seeds the root with one 63-bit draw from
    it: the same generator state gives the same root, and the generator
    moves on.
    """
    if isinstance(rng, np.random.SeedSequence):
        return rng
    if isinstance(rng, _STREAMS):
        generator = rng if isinstance(rng, np.random.Generator) else np.random.Generator(rng)
        return np.random.SeedSequence(int(generator.integers(0, 2**63)))
    if rng is None or _whole_seed(rng):
        return np.random.SeedSequence(None if rng is None else int(rng))
    if isinstance(rng, np.ndarray) and rng.ndim == 1 and rng.dtype.kind in "iu":
        rng = rng.tolist()
    if (
        isinstance(rng, Sequence)
        and not isinstance(rng, (str, bytes))
        and len(rng) > 0
        and all(_whole_seed(x) for x in rng)
    ):
        return np.random.SeedSequence([int(x) for x in rng])
    hint = " (a seed must be >= 0)" if _negative_int(rng) else ""
    raise ParameterError(
        "rng",
        f"must be None, an int seed >= 0, a sequence of them, a SeedSequence, a "
        f"BitGenerator or a Generator, got {rng!r}{hint}",
        function=function,
    )


def as_generator(rng: Any, function: str) -> np.random.Generator:
    """One :class:`~numpy.random.Generator` for ``rng`` (a Generator passed in is used as it is)."""
    if isinstance(rng, np.random.Generator):
        return rng
    if isinstance(rng, np.random.BitGenerator):
        return np.random.Generator(rng)
    return np.random.default_rng(as_seed_sequence(rng, function))


def check_seed(rng: Any, function: str) -> None:
    """Refuse what the other functions here would refuse, without drawing from or advancing ``rng``."""
    streams = (*_STREAMS, np.random.SeedSequence)
    if isinstance(rng, streams):
        return
    if isinstance(rng, (list, tuple)) and rng and all(isinstance(g, streams) for g in rng):
        return
    as_seed_sequence(rng, function)


def spawn_generators(rng: Any, n: int, function: str) -> list[np.random.Generator]:
    """``n`` independent generators: the children ``0 .. n-1`` spawned from ``rng``.

    For a seed, child ``r`` is ``default_rng(seed).spawn(n)[r]``, so the first
    ``k`` streams are the same for any ``n >= k``. A Generator or BitGenerator
    spawns from its own seed sequence (advancing its spawn counter). A list
    or tuple of exactly ``n`` Generators, BitGenerators or SeedSequences
    gives the streams directly, which lets the runs of one seed be split
    into groups and computed apart.
    """
    if isinstance(rng, (list, tuple)) and rng and all(isinstance(g, (*_STREAMS, np.random.SeedSequence)) for g in rng):
        if len(rng) != n:
            raise ParameterError(
                "rng", f"a sequence of per-run generators must have length {n}, got {len(rng)}", function=function
            )
        gens = [np.random.default_rng(g) for g in rng]
        if len({id(g) for g in gens}) != len(gens):
            raise ParameterError("rng", "the same Generator object appears for two runs", function=function)
        return gens
    parent = (
        np.random.default_rng(rng)
        if isinstance(rng, _STREAMS)
        else np.random.default_rng(as_seed_sequence(rng, function))
    )
    return list(parent.spawn(n))
