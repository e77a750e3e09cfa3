"""Outcomes of a programme: coverage, transactions, travel saved, cost and IDM.

Pure functions on numpy arrays. Time is in months from the programme start,
money in rupiah (IDR), distance in km. Arrays may carry any number of leading
dimensions (e.g. runs), with months and villages last:
``(..., n_months, n_villages)``.

Every default parameter names its source or is labelled an illustrative
assumption. Source keys in square brackets refer to the project's
``SOURCES.md``; sources not listed there are given by address.
"""

from __future__ import annotations

import numbers
from collections.abc import Sequence
from typing import Any, Final, NamedTuple

import numpy as np
from numpy.typing import ArrayLike, NDArray

from smartkampung._errors import ParameterError
from smartkampung._validation import (
    as_float_array,
    as_int_array,
    check_finite,
    check_in_range,
    check_nonnegative,
)
from smartkampung.model._idm import IDM_CODE_NO_SCORE, _check_decimals, idm_status_code

__all__ = [
    "DEFAULT_COST_IDR_PER_KM",
    "DEFAULT_IDM_CEILING",
    "DEFAULT_IDM_EFFECT",
    "DEFAULT_IDM_LAG_MONTHS",
    "DEFAULT_IDM_TREND_PER_YEAR",
    "DEFAULT_ROAD_FACTOR",
    "DEFAULT_SPEED_KMH",
    "DEFAULT_TRIPS_PER_TRANSACTION",
    "DEFAULT_VALUE_OF_TIME_IDR_PER_HOUR",
    "IDM_DIMENSIONS",
    "IDMProjection",
    "TravelSavings",
    "connected_totals",
    "cost_per_household",
    "cost_per_transaction",
    "project_idm",
    "status_counts",
    "transactions",
    "travel_savings",
]

# ----------------------------------------------------------------- travel defaults

#: Average door-to-door speed on the road. [km/h]
#: 100 km / 3 h = 33.3 km/h: the farthest Banyuwangi village is "100 km, or
#: 3 hours' drive" from the town [itu-wsis-2019]; "up to 3 hours"
#: [jawapos-2017-01-02]. The 100 km is read as road distance.
DEFAULT_SPEED_KMH: Final[float] = 100.0 / 3.0

#: Road distance over straight-line (great-circle) distance. [-]
#: Calibrated so the same farthest-village trip takes 3 h: the village farthest
#: in a straight line from the centroid of Kec. Banyuwangi (35.10.16, the town)
#: is Desa Sarongan (35.10.01.2001) at 59.2 km (centroids in
#: ``banyuwangi_wilayah.csv``), and 100 km / 59.2 km = 1.69. That it is the
#: village the sources meant is an inference; it is one winding route to the
#: south coast, so nearer, flatter routes may be less circuitous. Override with
#: local data.
DEFAULT_ROAD_FACTOR: Final[float] = 1.69

#: Out-of-pocket travel cost per km (motorcycle fuel). [IDR/km]
#: Rp 6,550 per litre of Premium petrol in Java–Madura–Bali in late 2016
#: (jpnn.com, "Harga Premium Bakal Turun, Tapi Hanya Sedikit",
#: https://m.jpnn.com/news/harga-premium-bakal-turun-tapi-hanya-sedikit) over
#: 40 km per litre. The 40 km/l fuel economy of a small motorcycle is an
#: illustrative assumption; wear, parking and fares are left out.
DEFAULT_COST_IDR_PER_KM: Final[float] = 6550.0 / 40.0

#: Value of travel time. [IDR/h]
#: Banyuwangi's 2018 minimum wage (UMK) of Rp 1,881,680 per month (E-Kliping
#: Ketenagakerjaan, 18 Nov 2021, p. 595,
#: http://online.flipbuilder.com/plcl/gpsq/files/basic-html/page595.html) over
#: 173 hours, the monthly-to-hourly divisor of Kepmenakertrans
#: No. KEP.102/MEN/VI/2004. Valuing travel time at the full minimum wage is an
#: illustrative assumption (many travellers are not wage earners).
DEFAULT_VALUE_OF_TIME_IDR_PER_HOUR: Final[float] = 1_881_680.0 / 173.0

#: Round trips to the office avoided per transaction done at the village. [-]
#: Illustrative assumption: one (a document that once took two visits saves two).
DEFAULT_TRIPS_PER_TRANSACTION: Final[float] = 1.0

# -------------------------------------------------------------------- IDM defaults

#: Order of the IDM sub-indices along the "dimension" axis.
IDM_DIMENSIONS: Final[tuple[str, str, str]] = ("social", "economic", "ecological")

#: Uplift of each sub-index (IKS, IKE, IKL) when every household has adopted. [-]
#: Illustrative assumption: there is no published elasticity of IDM to
#: e-service adoption. Social: 10/175 = 0.057, the most that two IKS indicators
#: a connected village office can raise ("Internet Kantor Desa" and "Akses
#: Internet Warga", 0 to 5 each, out of 175) could add. Economic: 5/60 = 0.083,
#: one IKE indicator moving by its full range. Ecological: 0 (no pillar is aimed
#: at environmental quality or disaster risk).
DEFAULT_IDM_EFFECT: Final[tuple[float, float, float]] = (10.0 / 175.0, 5.0 / 60.0, 0.0)

#: Months between adoption and its effect on each sub-index. [month]
#: Illustrative assumption: 12, since IDM is scored once a year
#: ([api-idm-solor] has one record per village per year).
DEFAULT_IDM_LAG_MONTHS: Final[tuple[int, int, int]] = (12, 12, 12)

#: Highest value the programme can lift each sub-index to. [-]
#: 1.0, the maximum of the index by construction (all indicators scoring 5).
DEFAULT_IDM_CEILING: Final[tuple[float, float, float]] = (1.0, 1.0, 1.0)

#: Secular trend of each sub-index, independent of the programme. [year⁻¹]
#: 0 by default, so the projection isolates the programme's effect.
#: Banyuwangi's IDM rose over 2016–2023 for many reasons; set a trend to project
#: levels rather than the programme's contribution.
DEFAULT_IDM_TREND_PER_YEAR: Final[tuple[float, float, float]] = (0.0, 0.0, 0.0)


# -------------------------------------------------------------------------- helpers


def _positive_int(value: Any, name: str, function: str) -> int:
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < 1:
        raise ParameterError(name, f"must be a positive integer, got {value!r}", function=function)
    return int(value)


def _positive_scalar(value: Any, name: str, function: str) -> float:
    arr = as_float_array(value, name, function)
    if arr.ndim != 0 or not np.isfinite(arr) or arr <= 0:
        raise ParameterError(name, f"must be a positive finite number, got {value!r}",
                             function=function)
    return float(arr)


def _broadcast_shape(shapes: Sequence[tuple[int, ...]], names: Sequence[str],
                     function: str) -> tuple[int, ...]:
    try:
        return np.broadcast_shapes(*shapes)
    except ValueError:
        desc = ", ".join(f"{n} {s}" for n, s in zip(names, shapes, strict=True))
        raise ParameterError(names[-1], f"shapes do not broadcast: {desc}",
                             function=function) from None


def _ratio(numerator: ArrayLike, denominator: ArrayLike, num_name: str, den_name: str,
           function: str) -> NDArray[np.float64]:
    num = as_float_array(numerator, num_name, function)
    check_nonnegative(num, num_name, function)
    den = as_float_array(denominator, den_name, function)
    check_nonnegative(den, den_name, function)
    shape = _broadcast_shape([num.shape, den.shape], [num_name, den_name], function)
    num_b = np.broadcast_to(num, shape)
    den_b = np.broadcast_to(den, shape)
    out = np.full(shape, np.nan)
    np.divide(num_b, den_b, out=out, where=den_b > 0)
    return out


# ------------------------------------------------------------------------- coverage


def connected_totals(
    connection_month: ArrayLike, weights: ArrayLike | None, n_months: int
) -> NDArray[np.float64]:
    """Cumulative totals of connected villages (or households, people) per month.

    .. math::

        T_k(t) = \\sum_i w_{k,i} \\, [m_i \\le t], \\qquad t = 0, …, n_{months} − 1

    where :math:`m_i` is the month village *i* is connected.

    Parameters
    ----------
    connection_month : array_like of int, shape (..., n_villages)
        Month each village is connected, counted from the programme start.
        A village counts as connected from that month on. Negative values
        (connected before the start) count from month 0; any value
        ``>= n_months`` means "not within the horizon" (use it as the
        sentinel for never). Leading dimensions (e.g. runs) are kept. [month]
    weights : array_like of float, shape (n_villages,) or (n_weights, n_villages), or None
        What to add up per village, e.g. ``np.stack([households, population])``.
        None counts villages (a weight of 1 each). Non-negative.
    n_months : int
        Number of months in the horizon. ≥ 1.

    Returns
    -------
    ndarray of float64
        Shape ``(..., n_months)`` when *weights* is None or 1-D, otherwise
        ``(..., n_weights, n_months)``. Non-decreasing along the month axis.
        [villages, households, people: as *weights*]

    Raises
    ------
    ParameterError
        If *connection_month* is not integral or is 0-D, *weights* is
        negative, non-finite or has the wrong length, or *n_months* < 1.

    Examples
    --------
    >>> connected_totals([0, 2, 99], None, 4)
    array([1., 1., 2., 2.])
    >>> connected_totals([0, 2, 99], [10, 20, 30], 4)
    array([10., 10., 30., 30.])
    """
    fn = "connected_totals"
    n_months = _positive_int(n_months, "n_months", fn)
    cm = as_int_array(connection_month, "connection_month", fn)
    if cm.ndim == 0:
        raise ParameterError("connection_month", "must have a village axis (at least 1-D)",
                             function=fn)
    n_villages = cm.shape[-1]
    if weights is None:
        w = np.ones((1, n_villages))
        squeeze = True
    else:
        w = as_float_array(weights, "weights", fn)
        check_nonnegative(w, "weights", fn)
        if w.ndim not in (1, 2) or w.shape[-1] != n_villages:
            raise ParameterError(
                "weights",
                f"must have shape ({n_villages},) or (n_weights, {n_villages}), got {w.shape}",
                function=fn,
            )
        squeeze = w.ndim == 1
        w = np.atleast_2d(w)
    lead = cm.shape[:-1]
    n_rows = int(np.prod(lead, dtype=np.int64))
    n_bins = n_months + 1  # the last bin collects "not within the horizon"
    bins = np.clip(cm, 0, n_months).reshape(n_rows, n_villages)
    flat = (np.arange(n_rows, dtype=np.int64)[:, None] * n_bins + bins).ravel()
    out = np.empty((n_rows, w.shape[0], n_months))
    for k in range(w.shape[0]):
        wk = np.broadcast_to(w[k], (n_rows, n_villages)).ravel()
        counts = np.bincount(flat, weights=wk, minlength=n_rows * n_bins).reshape(n_rows, n_bins)
        np.cumsum(counts[:, :n_months], axis=1, out=out[:, k, :])
    if squeeze:
        return out[:, 0, :].reshape((*lead, n_months))
    return out.reshape((*lead, w.shape[0], n_months))


def transactions(
    adopters: ArrayLike, transactions_per_household_per_year: ArrayLike, dt_months: float = 1.0
) -> NDArray[np.float64]:
    """Transactions done at the village office in each time step.

    .. math::

        X = A \\times r \\times \\Delta t / 12

    Parameters
    ----------
    adopters : array_like of float, shape (..., n_villages)
        Households that use the village's services, e.g.
        ``(n_runs, n_months, n_villages)``. [households]
    transactions_per_household_per_year : array_like of float
        Service requests per adopting household per year, *r*. A scalar, or
        an array broadcastable against *adopters* (e.g. ``(n_villages,)``).
        No default: it depends on the service (the library has no sourced
        value). [year⁻¹]
    dt_months : float, default 1.0
        Length of one time step, Δt. [month]

    Returns
    -------
    ndarray of float64, shape broadcast(adopters, rate)
        Transactions per time step; per month when ``dt_months == 1``.
        [transactions]

    Raises
    ------
    ParameterError
        If an input is negative or non-finite, the shapes do not broadcast, or
        *dt_months* is not positive.

    Examples
    --------
    >>> transactions([120.0, 0.0], 3.0)
    array([30.,  0.])
    """
    fn = "transactions"
    dt = _positive_scalar(dt_months, "dt_months", fn)
    a = as_float_array(adopters, "adopters", fn)
    check_nonnegative(a, "adopters", fn)
    r = as_float_array(transactions_per_household_per_year,
                       "transactions_per_household_per_year", fn)
    check_nonnegative(r, "transactions_per_household_per_year", fn)
    _broadcast_shape([a.shape, r.shape], ["adopters", "transactions_per_household_per_year"], fn)
    return np.asarray(a * r * (dt / 12.0), dtype=np.float64)


class TravelSavings(NamedTuple):
    """Travel avoided because services are done at the village.

    Attributes
    ----------
    hours : ndarray of float64
        Travel time saved. [h]
    cost_idr : ndarray of float64
        Out-of-pocket travel cost saved. [IDR]
    time_value_idr : ndarray of float64
        Value of the travel time saved. [IDR]
    """

    hours: NDArray[np.float64]
    cost_idr: NDArray[np.float64]
    time_value_idr: NDArray[np.float64]

    @property
    def total_idr(self) -> NDArray[np.float64]:
        """Cost plus value of time saved. [IDR]"""
        return self.cost_idr + self.time_value_idr


def travel_savings(
    transactions_per_month: ArrayLike,
    distance_km: ArrayLike,
    *,
    road_factor: ArrayLike = DEFAULT_ROAD_FACTOR,
    speed_kmh: ArrayLike = DEFAULT_SPEED_KMH,
    cost_idr_per_km: ArrayLike = DEFAULT_COST_IDR_PER_KM,
    value_of_time_idr_per_hour: ArrayLike = DEFAULT_VALUE_OF_TIME_IDR_PER_HOUR,
    trips_per_transaction: ArrayLike = DEFAULT_TRIPS_PER_TRANSACTION,
) -> TravelSavings:
    """Hours and rupiah saved by doing services at the village office.

    Each transaction at the village avoids ``trips_per_transaction`` round
    trips from the village to the office that used to provide the service (the
    regency office, or the kecamatan office). The road distance is the
    straight-line distance times a road factor:

    .. math::

        L &= 2 \\, n_{trips} \\, d \\, f_{road}                       \\\\
        \\text{hours} &= X \\, L / v                                  \\\\
        \\text{cost} &= X \\, L \\, c_{km}                            \\\\
        \\text{time value} &= \\text{hours} \\times v_{time}

    with *X* the transactions. The (short) trip to the village office itself is
    neglected: pass the difference of distances as *distance_km* to count it.
    All outputs are linear in *X*.

    Parameters
    ----------
    transactions_per_month : array_like of float, shape (..., n_villages)
        Transactions done at the village, *X*, e.g. from :func:`transactions`.
        The outputs are per the same period. [transactions/month]
    distance_km : array_like of float, shape (n_villages,) or scalar
        Straight-line (great-circle) distance from the village to the office
        the service used to require, *d*. [km]
    road_factor : array_like of float, default :data:`DEFAULT_ROAD_FACTOR` (1.69)
        Road over straight-line distance, :math:`f_{road}` ≥ 1. Calibrated on
        the farthest Banyuwangi village (see :data:`DEFAULT_ROAD_FACTOR`). [-]
    speed_kmh : array_like of float, default :data:`DEFAULT_SPEED_KMH` (33.3)
        Average road speed, *v* > 0: 100 km in 3 h [itu-wsis-2019],
        [jawapos-2017-01-02]. [km/h]
    cost_idr_per_km : array_like of float, default :data:`DEFAULT_COST_IDR_PER_KM` (163.75)
        Travel cost per road km, :math:`c_{km}` (motorcycle fuel; the fuel
        economy is an illustrative assumption). [IDR/km]
    value_of_time_idr_per_hour : array_like of float, default :data:`DEFAULT_VALUE_OF_TIME_IDR_PER_HOUR` (10,877)
        Value of an hour of travel, :math:`v_{time}` (2018 minimum wage per
        hour; using it is an illustrative assumption). [IDR/h]
    trips_per_transaction : array_like of float, default 1.0
        Round trips avoided per transaction, :math:`n_{trips}` (illustrative
        assumption). [-]

    Each parameter may be a scalar or an array broadcastable against
    *transactions_per_month* (e.g. per village).

    Returns
    -------
    TravelSavings
        ``hours`` [h], ``cost_idr`` [IDR] and ``time_value_idr`` [IDR], each of
        the broadcast shape, normally that of *transactions_per_month*; and the
        property ``total_idr``.

    Raises
    ------
    ParameterError
        If an input is negative or non-finite, *road_factor* < 1, *speed_kmh*
        is not positive, or the shapes do not broadcast.

    Examples
    --------
    >>> s = travel_savings([10.0], [15.0], road_factor=1.0, speed_kmh=30.0,
    ...                    cost_idr_per_km=200.0, value_of_time_idr_per_hour=10_000.0)
    >>> s.hours, s.cost_idr, s.time_value_idr
    (array([10.]), array([60000.]), array([100000.]))
    """
    fn = "travel_savings"
    x = as_float_array(transactions_per_month, "transactions_per_month", fn)
    check_nonnegative(x, "transactions_per_month", fn)
    d = as_float_array(distance_km, "distance_km", fn)
    check_nonnegative(d, "distance_km", fn)
    f = as_float_array(road_factor, "road_factor", fn)
    check_finite(f, "road_factor", fn)
    if f.size and np.min(f) < 1.0:
        raise ParameterError("road_factor", f"must be >= 1 (minimum is {np.min(f)!r})",
                             function=fn)
    v = as_float_array(speed_kmh, "speed_kmh", fn)
    check_finite(v, "speed_kmh", fn)
    if v.size and np.min(v) <= 0.0:
        raise ParameterError("speed_kmh", f"must be > 0 (minimum is {np.min(v)!r})", function=fn)
    c = as_float_array(cost_idr_per_km, "cost_idr_per_km", fn)
    check_nonnegative(c, "cost_idr_per_km", fn)
    vot = as_float_array(value_of_time_idr_per_hour, "value_of_time_idr_per_hour", fn)
    check_nonnegative(vot, "value_of_time_idr_per_hour", fn)
    n = as_float_array(trips_per_transaction, "trips_per_transaction", fn)
    check_nonnegative(n, "trips_per_transaction", fn)
    names = ["transactions_per_month", "distance_km", "road_factor", "speed_kmh",
             "cost_idr_per_km", "value_of_time_idr_per_hour", "trips_per_transaction"]
    _broadcast_shape([x.shape, d.shape, f.shape, v.shape, c.shape, vot.shape, n.shape], names, fn)

    road_km = x * (2.0 * n * d * f)
    hours = np.asarray(road_km / v, dtype=np.float64)
    cost = np.asarray(road_km * c, dtype=np.float64)
    time_value = np.asarray(hours * vot, dtype=np.float64)
    return TravelSavings(hours=hours, cost_idr=cost, time_value_idr=time_value)


# ----------------------------------------------------------------------------- cost


def cost_per_household(cost_idr: ArrayLike, households: ArrayLike) -> NDArray[np.float64]:
    """Programme cost per connected household.

    ``cost_idr / households``, elementwise with broadcasting; NaN where
    *households* is 0 (no warning).

    Parameters
    ----------
    cost_idr : array_like of float
        Cost, usually cumulative, e.g. shape ``(n_runs, n_months)``. [IDR]
    households : array_like of float
        Connected households over the same scope, e.g. from
        :func:`connected_totals`. [households]

    Returns
    -------
    ndarray of float64, broadcast shape
        [IDR/household]

    Raises
    ------
    ParameterError
        If an input is negative or non-finite, or the shapes do not broadcast.

    Examples
    --------
    >>> cost_per_household([1e6, 5e6], [0, 250])
    array([   nan, 20000.])
    """
    return _ratio(cost_idr, households, "cost_idr", "households", "cost_per_household")


def cost_per_transaction(cost_idr: ArrayLike, transactions: ArrayLike) -> NDArray[np.float64]:
    """Programme cost per transaction done at the village.

    ``cost_idr / transactions``, elementwise with broadcasting; NaN where
    *transactions* is 0 (no warning).

    Parameters
    ----------
    cost_idr : array_like of float
        Cost, usually cumulative. [IDR]
    transactions : array_like of float
        Transactions over the same scope and period, e.g. cumulative sums of
        :func:`transactions`. [transactions]

    Returns
    -------
    ndarray of float64, broadcast shape
        [IDR/transaction]

    Raises
    ------
    ParameterError
        If an input is negative or non-finite, or the shapes do not broadcast.
    """
    return _ratio(cost_idr, transactions, "cost_idr", "transactions", "cost_per_transaction")


# ------------------------------------------------------------------------------ IDM


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
        shape = _broadcast_shape([p.shape for p in parts], [name] * 3, function)
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
