"""Tree arithmetic on ``parent`` arrays, shared by the technology choice, the rollout and the calibration.

A tree is given by ``parent``, one entry per village: the village its link
comes from, or ``-1`` for a village linked straight to the backbone.
:func:`check_tree` validates a parent array and gives the depths,
:func:`ancestor_reduce` reduces values along each path to the backbone by
pointer jumping, :func:`subtree_sums` adds values up each subtree. Re-exported
by :mod:`smartkampung.sim.tree`.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from smartkampung._errors import ParameterError
from smartkampung._validation import as_int_array

__all__ = ["ancestor_reduce", "check_tree", "positive_weights", "subtree_sums", "tree_depths"]


def ancestor_reduce(
    parent: NDArray[np.int64], values: NDArray[Any], ufunc: np.ufunc
) -> tuple[NDArray[Any], NDArray[np.int64]]:
    """Reduce *values* along each village's path to the backbone by pointer jumping.

    Every round each village combines its value with its current ancestor's
    and jumps to that ancestor's ancestor (Wyllie's list ranking), so
    ``ceil(log2 n) + 2`` vectorised rounds suffice: ``O(n log depth)``.

    Parameters
    ----------
    parent : ndarray of int64, shape (n_villages,)
        Parent village, -1 at the backbone (not checked: see :func:`check_tree`).
    values : ndarray, shape (n_villages,)
        Values to reduce.
    ufunc : numpy.ufunc
        A binary ufunc (``np.add``, ``np.logical_or``, ...).

    Returns
    -------
    acc : ndarray, shape (n_villages,)
        ``ufunc.reduce`` of the values on the path from each village to the
        backbone, the village itself included.
    unresolved : ndarray of int64, shape (n_villages,)
        All -1 for a forest; an entry still >= 0 marks a village on a cycle
        or below one.
    """
    acc = values.copy()
    anc = parent.copy()
    n = parent.shape[0]
    rounds = int(np.ceil(np.log2(max(n, 2)))) + 2
    idx = np.flatnonzero(anc >= 0)
    for _ in range(rounds):
        if idx.size == 0:
            break
        a = anc[idx]
        acc[idx] = ufunc(acc[idx], acc[a])
        anc[idx] = anc[a]
        idx = idx[anc[idx] >= 0]
    return acc, anc


def tree_depths(parent: NDArray[np.int64], name: str, function: str) -> NDArray[np.int64]:
    """Links from the backbone to each village (roots have depth 1); a cycle is an error."""
    depth, unresolved = ancestor_reduce(parent, np.ones(parent.shape[0], dtype=np.int64), np.add)
    bad = np.flatnonzero(unresolved >= 0)
    if bad.size:
        raise ParameterError(
            name,
            f"contains a cycle: {bad.size} villages (first: {int(bad[0])}) never reach the backbone; "
            "it must describe a tree or forest",
            function=function,
        )
    return depth


def check_tree(parent: ArrayLike, function: str, name: str = "parent") -> tuple[NDArray[np.int64], NDArray[np.int64]]:
    """Validate a parent array; return it as int64 and the depth of each village.

    Raises
    ------
    ParameterError
        Naming ``name`` and ``function``: not one-dimensional, an entry
        other than -1 or a village row, or a cycle.
    """
    par = as_int_array(parent, name, function)
    if par.ndim != 1:
        raise ParameterError(name, f"must be one-dimensional, got shape {par.shape}", function=function)
    n = par.shape[0]
    if n and (par.min() < -1 or par.max() >= n):
        bad = int(np.flatnonzero((par < -1) | (par >= n))[0])
        raise ParameterError(
            name,
            f"entries must be -1 (backbone) or a village index in [0, {n - 1}]; "
            f"village {bad} has parent {int(par[bad])}",
            function=function,
        )
    return par, tree_depths(par, name, function)


def subtree_sums(
    parent: NDArray[np.int64], order: NDArray[np.int64], values: NDArray[np.float64]
) -> NDArray[np.float64]:
    """Sum of *values* over each village's subtree (itself and everything below it).

    Parameters
    ----------
    parent : ndarray of int64, shape (n_villages,)
        Parent village, -1 at the backbone.
    order : ndarray of int64, shape (n_villages,)
        A topological order (every parent before its children), e.g.
        villages sorted by depth.
    values : ndarray of float64, shape (n_villages,)
        Values to sum.
    """
    s = values.astype(np.float64).tolist()
    par = parent.tolist()
    for i in reversed(order.tolist()):
        p = par[i]
        if p >= 0:
            s[p] += s[i]
    return np.asarray(s, dtype=np.float64)


def positive_weights(w: NDArray[np.float64]) -> NDArray[np.float64]:
    """Edge weights for scipy's sparse graphs, where an explicit 0 means "no edge".

    The smallest positive double stands in for zero-length edges.
    """
    return np.where(w > 0, w, np.nextafter(0.0, 1.0))
