"""IDM projection by uplift: each sub-index rises with the adoption of the pillars that move it.

The simple projection of the village development index used when no
indicator-level state is given: every default here is an illustrative
assumption (see :data:`DEFAULT_IDM_EFFECT`). Arrays only.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Final, NamedTuple

import numpy as np
from numpy.typing import ArrayLike, NDArray

from smartkampung import _defaults
from smartkampung._errors import ParameterError
from smartkampung._validation import (
    as_float_array,
    as_int_array,
    check_broadcast,
    check_finite,
    check_in_range,
    check_nonnegative,
)
from smartkampung.model._idm import IDM_CODE_NO_SCORE, _check_decimals, idm_status_code

__all__ = [
    "DEFAULT_IDM_CEILING",
    "DEFAULT_IDM_EFFECT",
    "DEFAULT_IDM_LAG_MONTHS",
    "DEFAULT_IDM_TREND_PER_YEAR",
    "IDM_DIMENSIONS",
    "IDMProjection",
    "project_idm",
    "status_counts",
]


#: Order of the IDM sub-indices along the "dimension" axis.
IDM_DIMENSIONS: Final[tuple[str, str, str]] = ("social", "economic", "ecological")

#: Uplift of each sub-index (IKS, IKE, IKL) when every household has adopted. [-]
#: Illustrative assumption: there is no published elasticity of IDM to
#: e-service adoption. Social: 10/175 = 0.057, the most that two IKS indicators
#: a connected village office can raise ("Internet Kantor Desa" and "Akses
#: Internet Warga", 0 to 5 each, out of 175) could add. Economic: 5/60 = 0.083,
#: one IKE indicator moving by its full range. Ecological: 0 (no pillar is aimed
#: at environmental quality or disaster risk).
DEFAULT_IDM_EFFECT: Final[tuple[float, float, float]] = _defaults.IDM_EFFECT

#: Months between adoption and its effect on each sub-index. [month]
#: Illustrative assumption: 12, since IDM is scored once a year
#: ([api-idm-solor] has one record per village per year).
DEFAULT_IDM_LAG_MONTHS: Final[tuple[int, int, int]] = _defaults.IDM_LAG_MONTHS

#: Highest value the programme can lift each sub-index to. [-]
#: 1.0, the maximum of the index by construction (all indicators scoring 5).
DEFAULT_IDM_CEILING: Final[tuple[float, float, float]] = _defaults.IDM_CEILING

#: Secular trend of each sub-index, independent of the programme. [year⁻¹]
#: 0 by default, so the projection isolates the programme's effect.
#: Banyuwangi's IDM rose over 2016–2023 for many reasons; set a trend to project
#: levels rather than the programme's contribution.
DEFAULT_IDM_TREND_PER_YEAR: Final[tuple[float, float, float]] = _defaults.IDM_TREND_PER_YEAR




class IDMProjection(NamedTuple):
    """Projected IDM sub-indices, composite and status per month and village.

    Attributes
    ----------
    iks, ike, ikl : ndarray of float64, shape (..., n_months, n_villages)
        Projected social, economic and ecological sub-indices; NaN where the
        village has no base score. [0–1]
    composite : ndarray of float64, shape (..., n_months, n_villages)
        ``(iks + ike + ikl) / 3``. [0–1]
    status : ndarray of int8, shape (..., n_months, n_villages)
        Status codes 0 (Sangat Tertinggal) … 4 (Mandiri), -1 for no score;
        see :func:`smartkampung.model.idm_status_code`.
    """

    iks: NDArray[np.float64]
    ike: NDArray[np.float64]
    ikl: NDArray[np.float64]
    composite: NDArray[np.float64]
    status: NDArray[np.int8]


def _per_dimension(value: ArrayLike, name: str, function: str) -> NDArray[np.float64]:
    arr = as_float_array(value, name, function)
    if arr.ndim == 0:
        arr = np.full(3, float(arr))
    if arr.shape != (3,):
        raise ParameterError(name, f"must be a scalar or one value per dimension {IDM_DIMENSIONS},"
                             f" got shape {arr.shape}", function=function)
    check_finite(arr, name, function)
    return arr


def _base(value: ArrayLike, name: str, function: str) -> NDArray[np.float64]:
    arr = as_float_array(value, name, function)
    if arr.ndim != 1:
        raise ParameterError(name, f"must be 1-D (n_villages,), got shape {arr.shape}",
                             function=function)
    present = arr[~np.isnan(arr)]
    check_in_range(present, 0.0, 1.0, name, function)
    return arr


def _adoption(value: ArrayLike | Sequence[ArrayLike], function: str) -> NDArray[np.float64]:
    name = "adoption_fraction_by_dimension"
    if isinstance(value, (list, tuple)):
        if len(value) != 3:
            raise ParameterError(name, f"a sequence must hold 3 arrays {IDM_DIMENSIONS}, "
                                 f"got {len(value)}", function=function)
        parts = [as_float_array(v, name, function) for v in value]
        shape = check_broadcast([p.shape for p in parts], [name] * 3, function)
        if len(shape) < 2:
            raise ParameterError(name, "each array must be (..., n_months, n_villages), "
                                 f"got broadcast shape {shape}", function=function)
        arr = np.stack([np.broadcast_to(p, shape) for p in parts], axis=-3)
    else:
        arr = as_float_array(value, name, function)
        if arr.ndim < 3 or arr.shape[-3] != 3:
            raise ParameterError(
                name, f"must have shape (..., 3, n_months, n_villages), got {arr.shape}",
                function=function,
            )
    check_in_range(arr, 0.0, 1.0, name, function)
    return arr


def project_idm(
    base_iks: ArrayLike,
    base_ike: ArrayLike,
    base_ikl: ArrayLike,
    adoption_fraction_by_dimension: ArrayLike | Sequence[ArrayLike],
    *,
    effect: ArrayLike = DEFAULT_IDM_EFFECT,
    lag_months: ArrayLike = DEFAULT_IDM_LAG_MONTHS,
    ceiling: ArrayLike = DEFAULT_IDM_CEILING,
    trend_per_year: ArrayLike = DEFAULT_IDM_TREND_PER_YEAR,
    decimals: int | None = 4,
    months: ArrayLike | None = None,
) -> IDMProjection:
    """Project each village's IDM from the adoption of the programme's pillars.

    For dimension *d* (social → IKS, economic → IKE, ecological → IKL), village
    *i* and month *t*:

    .. math::

        I_{d,i}(t) = \\operatorname{clip}\\bigl(b_{d,i} + \\tau_d \\, t/12
                     + e_d \\, a_{d,i}(t − \\ell_d),\\; 0,\\; \\max(b_{d,i}, c_d)\\bigr)

    with :math:`b` the base sub-index, :math:`\\tau` the secular trend,
    :math:`e` the effect at full adoption, :math:`a` the adoption fraction of
    the pillars mapped to *d* (taken as 0 for :math:`t < \\ell_d`),
    :math:`\\ell` the lag and :math:`c` the ceiling. The composite is
    :math:`(I_{IKS} + I_{IKE} + I_{IKL}) / 3` and the status follows from it.

    Why this form: no study links IDM to e-service adoption, so the model has
    the fewest parameters that each read plainly ("full adoption adds *e* to
    the sub-index, a year later, up to *c*"). It is monotone in adoption when
    *e* ≥ 0, and it never lowers a village already above the ceiling (the
    upper bound is ``max(base, ceiling)``). IDM indicators are step scores
    0–5, so a smoother curve could not be told apart from this one with the
    data that exist. **All defaults are illustrative assumptions** (see the
    ``DEFAULT_IDM_*`` constants); pass your own.

    Parameters
    ----------
    base_iks, base_ike, base_ikl : array_like of float, shape (n_villages,)
        Sub-indices at month 0, :math:`b`. NaN for a village without a score
        (e.g. a kelurahan); its outputs are NaN and its status -1. [0–1]
    adoption_fraction_by_dimension : array_like, shape (..., 3, n_months, n_villages)
        Share of households that have adopted the pillars mapped to each
        dimension, :math:`a`, dimensions in the order :data:`IDM_DIMENSIONS`.
        Or a sequence of 3 arrays each broadcastable to
        ``(..., n_months, n_villages)``. Leading dimensions (runs) are kept. [0–1]
    effect : float or sequence of 3 floats, default :data:`DEFAULT_IDM_EFFECT`
        Uplift at full adoption, :math:`e_d`. May be negative. [-]
    lag_months : int or sequence of 3 ints, default :data:`DEFAULT_IDM_LAG_MONTHS`
        Delay from adoption to effect, :math:`\\ell_d` ≥ 0. [month]
    ceiling : float or sequence of 3 floats, default :data:`DEFAULT_IDM_CEILING`
        Highest value the projection can reach, :math:`c_d` in [0, 1]; a
        village whose base is higher keeps its base as the bound. [-]
    trend_per_year : float or sequence of 3 floats, default :data:`DEFAULT_IDM_TREND_PER_YEAR`
        Change of the sub-index per year regardless of the programme,
        :math:`\\tau_d`. [year⁻¹]
    decimals : int or None, default 4
        Rounding before the status comparison, as in
        :func:`smartkampung.model.idm_status_code`.
    months : array_like of int, shape (n_months,), optional
        Month :math:`t` of each entry along the months axis, when the axis
        holds a selection of months (e.g. one per year) rather than
        ``0, 1, …, n_months − 1`` (the default). It sets the trend clock.
        With a selection the lag cannot be applied by shifting the axis, so
        ``lag_months`` must be 0 and the caller passes adoption already
        taken at :math:`t − \\ell`. [month]

    Returns
    -------
    IDMProjection
        ``iks``, ``ike``, ``ikl`` and ``composite`` (float64) and ``status``
        (int8), each of shape ``(..., n_months, n_villages)``.

    Raises
    ------
    ParameterError
        Naming the argument: a base outside [0, 1] or of the wrong shape,
        adoption outside [0, 1] or with the wrong dimension axis, a negative or
        non-integral lag, a ceiling outside [0, 1], a non-finite effect or trend.

    Examples
    --------
    >>> a = np.array([[[0.0], [1.0], [1.0]]]).repeat(3, axis=0)   # (3 dims, 3 months, 1 village)
    >>> p = project_idm([0.5], [0.5], [0.5], a, effect=(0.3, 0.0, 0.0), lag_months=1)
    >>> p.iks[:, 0], p.composite[:, 0]
    (array([0.5, 0.5, 0.8]), array([0.5, 0.5, 0.6]))
    """
    fn = "project_idm"
    bases = [_base(base_iks, "base_iks", fn), _base(base_ike, "base_ike", fn),
             _base(base_ikl, "base_ikl", fn)]
    n_villages = bases[0].shape[0]
    for b, nm in zip(bases[1:], ("base_ike", "base_ikl"), strict=True):
        if b.shape != (n_villages,):
            raise ParameterError(nm, f"must have the same length as base_iks ({n_villages}), "
                                 f"got {b.shape[0]}", function=fn)
    e = _per_dimension(effect, "effect", fn)
    c = _per_dimension(ceiling, "ceiling", fn)
    check_in_range(c, 0.0, 1.0, "ceiling", fn)
    tau = _per_dimension(trend_per_year, "trend_per_year", fn)
    lag_raw = as_int_array(lag_months, "lag_months", fn)
    if lag_raw.ndim == 0:
        lag_raw = np.full(3, int(lag_raw), dtype=np.int64)
    if lag_raw.shape != (3,) or np.min(lag_raw) < 0:
        raise ParameterError("lag_months", "must be a non-negative integer or 3 of them, "
                             f"got {lag_months!r}", function=fn)
    a = _adoption(adoption_fraction_by_dimension, fn)
    if a.shape[-1] != n_villages:
        raise ParameterError("adoption_fraction_by_dimension",
                             f"last axis must have n_villages = {n_villages} entries, "
                             f"got {a.shape[-1]}", function=fn)
    _check_decimals(decimals, fn)

    n_months = a.shape[-2]
    if months is None:
        month_index = np.arange(n_months, dtype=np.float64)
    else:
        month_index = as_float_array(months, "months", fn)
        if month_index.shape != (n_months,):
            raise ParameterError("months", f"must have shape ({n_months},) to match the months axis, "
                                 f"got {month_index.shape}", function=fn)
        check_nonnegative(month_index, "months", fn)
        if np.any(lag_raw != 0):
            raise ParameterError("lag_months", "must be 0 when months is given (pass adoption taken at "
                                 "t - lag instead)", function=fn)
    t_years = (month_index / 12.0)[:, None]  # (n_months, 1)
    out: list[NDArray[np.float64]] = []
    for d in range(3):
        a_d = a[..., d, :, :]
        lag = int(lag_raw[d])
        lagged = np.zeros(a_d.shape)
        if lag < n_months:
            lagged[..., lag:, :] = a_d[..., : n_months - lag, :]
        raw = bases[d] + (tau[d] * t_years + e[d] * lagged)
        upper = np.maximum(bases[d], c[d])
        out.append(np.clip(raw, 0.0, upper))
    iks, ike, ikl = out
    composite = (iks + ike + ikl) / 3.0
    status = idm_status_code(composite, decimals=decimals)
    return IDMProjection(iks=iks, ike=ike, ikl=ikl, composite=composite, status=status)


def status_counts(status_codes: ArrayLike) -> NDArray[np.int64]:
    """Number of villages in each IDM status, per month (and run).

    Parameters
    ----------
    status_codes : array_like of int, shape (..., n_villages)
        Status codes 0–4 as from :func:`project_idm`, with -1 (no score).
        Usually ``(..., n_months, n_villages)``.

    Returns
    -------
    ndarray of int64, shape (..., 5)
        Counts of codes 0 (Sangat Tertinggal) … 4 (Mandiri) over the village
        axis; villages with code -1 are not counted, so each row sums to the
        number of villages with a score. [villages]

    Raises
    ------
    ParameterError
        If *status_codes* is 0-D, not integral, or holds a code outside -1..4.

    Examples
    --------
    >>> status_counts([[0, 2, 2, -1], [1, 2, 4, -1]])
    array([[1, 0, 2, 0, 0],
           [0, 1, 1, 0, 1]])
    """
    fn = "status_counts"
    codes = as_int_array(status_codes, "status_codes", fn)
    if codes.ndim == 0:
        raise ParameterError("status_codes", "must have a village axis (at least 1-D)",
                             function=fn)
    if codes.size and (np.min(codes) < IDM_CODE_NO_SCORE or np.max(codes) > 4):
        raise ParameterError("status_codes", f"codes must lie in -1..4 (found {np.min(codes)} .. "
                             f"{np.max(codes)})", function=fn)
    return np.stack([np.count_nonzero(codes == k, axis=-1) for k in range(5)],
                    axis=-1).astype(np.int64)
