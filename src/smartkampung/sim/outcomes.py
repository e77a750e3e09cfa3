"""Outcomes of a programme: coverage, transactions, travel saved and cost.

(The IDM projection is in :mod:`smartkampung.sim.idm`.)

Pure functions on numpy arrays. Time is in months from the programme start,
money in the programme's currency (the defaults are rupiah, IDR), distance
in km. Arrays may carry any number of leading dimensions (e.g. runs), with months and villages last:
``(..., n_months, n_villages)``.

Every default parameter names its source or is labelled an illustrative
assumption. Source keys in square brackets refer to the project's
``SOURCES.md``; sources not listed there are given by address.

The names that said ``idr`` (``cost_idr_per_km=``, ``TravelSavings.cost_idr``,
``DEFAULT_COST_IDR_PER_KM``, ...) work until the next release, with a
:class:`DeprecationWarning`.
"""

from __future__ import annotations

from typing import Final, NamedTuple

import numpy as np
from numpy.typing import ArrayLike, NDArray

from smartkampung import _defaults
from smartkampung._deprecation import module_getattr, renamed, renamed_arguments
from smartkampung._errors import ParameterError
from smartkampung._validation import (
    as_float_array,
    as_int_array,
    check_broadcast,
    check_finite,
    check_float,
    check_int,
    check_nonnegative,
)

__all__ = [
    "DEFAULT_COST_PER_KM",
    "DEFAULT_ROAD_FACTOR",
    "DEFAULT_SPEED_KMH",
    "DEFAULT_TRIPS_PER_TRANSACTION",
    "DEFAULT_VALUE_OF_TIME_PER_HOUR",
    "TravelSavings",
    "connected_totals",
    "cost_per_household",
    "cost_per_transaction",
    "transactions",
    "travel_savings",
]

# ----------------------------------------------------------------- travel defaults

#: Average door-to-door speed on the road. [km/h]
#: 100 km / 3 h = 33.3 km/h: the farthest Banyuwangi village is "100 km, or
#: 3 hours' drive" from the town [itu-wsis-2019]; "up to 3 hours"
#: [jawapos-2017-01-02]. The 100 km is read as road distance.
DEFAULT_SPEED_KMH: Final[float] = _defaults.SPEED_KMH

#: Road distance over straight-line (great-circle) distance. [-]
#: Calibrated so the same farthest-village trip takes 3 h: the village farthest
#: in a straight line from the centroid of Kec. Banyuwangi (35.10.16, the town)
#: is Desa Sarongan (35.10.01.2001) at 59.2 km (centroids in
#: ``banyuwangi_wilayah.csv``), and 100 km / 59.2 km = 1.69. That it is the
#: village the sources meant is an inference; it is one winding route to the
#: south coast, so nearer, flatter routes may be less circuitous. Override with
#: local data.
DEFAULT_ROAD_FACTOR: Final[float] = _defaults.ROAD_FACTOR

#: Out-of-pocket travel cost per km (motorcycle fuel), in rupiah. [IDR/km]
#: Rp 6,550 per litre of Premium petrol in Java–Madura–Bali in late 2016
#: (jpnn.com, "Harga Premium Bakal Turun, Tapi Hanya Sedikit",
#: https://m.jpnn.com/news/harga-premium-bakal-turun-tapi-hanya-sedikit) over
#: 40 km per litre. The 40 km/l fuel economy of a small motorcycle is an
#: illustrative assumption; wear, parking and fares are left out.
DEFAULT_COST_PER_KM: Final[float] = _defaults.COST_PER_KM

#: Value of travel time, in rupiah. [IDR/h]
#: Banyuwangi's 2018 minimum wage (UMK) of Rp 1,881,680 per month (E-Kliping
#: Ketenagakerjaan, 18 Nov 2021, p. 595,
#: http://online.flipbuilder.com/plcl/gpsq/files/basic-html/page595.html) over
#: 173 hours, the monthly-to-hourly divisor of Kepmenakertrans
#: No. KEP.102/MEN/VI/2004. Valuing travel time at the full minimum wage is an
#: illustrative assumption (many travellers are not wage earners).
DEFAULT_VALUE_OF_TIME_PER_HOUR: Final[float] = _defaults.VALUE_OF_TIME_PER_HOUR

__getattr__ = module_getattr(__name__, globals(), "DEFAULT_COST_IDR_PER_KM", "DEFAULT_VALUE_OF_TIME_IDR_PER_HOUR")

#: Round trips to the office avoided per transaction done at the village. [-]
#: Illustrative assumption: one (a document that once took two visits saves two).
DEFAULT_TRIPS_PER_TRANSACTION: Final[float] = _defaults.TRIPS_PER_TRANSACTION

# -------------------------------------------------------------------------- helpers


def _ratio(
    numerator: ArrayLike, denominator: ArrayLike, num_name: str, den_name: str, function: str
) -> NDArray[np.float64]:
    num = as_float_array(numerator, num_name, function)
    check_nonnegative(num, num_name, function)
    den = as_float_array(denominator, den_name, function)
    check_nonnegative(den, den_name, function)
    shape = check_broadcast([num.shape, den.shape], [num_name, den_name], function)
    num_b = np.broadcast_to(num, shape)
    den_b = np.broadcast_to(den, shape)
    out = np.full(shape, np.nan)
    np.divide(num_b, den_b, out=out, where=den_b > 0)
    return out


# ------------------------------------------------------------------------- coverage


def connected_totals(connection_month: ArrayLike, weights: ArrayLike | None, n_months: int) -> NDArray[np.float64]:
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
    n_months = check_int(n_months, "n_months", fn, minimum=1)
    cm = as_int_array(connection_month, "connection_month", fn)
    if cm.ndim == 0:
        raise ParameterError("connection_month", "must have a village axis (at least 1-D)", function=fn)
    n_villages = cm.shape[-1]
    if weights is None:
        w = np.ones((1, n_villages))
        squeeze = True
    else:
        w = as_float_array(weights, "weights", fn)
        check_nonnegative(w, "weights", fn)
        if w.ndim not in (1, 2) or w.shape[-1] != n_villages:
            raise ParameterError(
                "weights", f"must have shape ({n_villages},) or (n_weights, {n_villages}), got {w.shape}", function=fn
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
    dt = check_float(dt_months, "dt_months", fn, minimum=0.0, exclusive_minimum=True)
    a = as_float_array(adopters, "adopters", fn)
    check_nonnegative(a, "adopters", fn)
    r = as_float_array(transactions_per_household_per_year, "transactions_per_household_per_year", fn)
    check_nonnegative(r, "transactions_per_household_per_year", fn)
    check_broadcast([a.shape, r.shape], ["adopters", "transactions_per_household_per_year"], fn)
    # The rate per step first, then times the adopters: the order the ensemble has always used.
    return np.asarray(a * (r * dt / 12.0), dtype=np.float64)


@renamed("cost_idr", "time_value_idr", "total_idr")
class TravelSavings(NamedTuple):
    """Travel avoided because services are done at the village.

    Attributes
    ----------
    hours : ndarray of float64
        Travel time saved. [h]
    cost : ndarray of float64
        Out-of-pocket travel cost saved, in the currency of ``cost_per_km``. [currency]
    time_value : ndarray of float64
        Value of the travel time saved. [currency]

    Notes
    -----
    The old names ``cost_idr``, ``time_value_idr`` and ``total_idr`` work
    until the next release, with a :class:`DeprecationWarning`.
    """

    hours: NDArray[np.float64]
    cost: NDArray[np.float64]
    time_value: NDArray[np.float64]

    @property
    def total(self) -> NDArray[np.float64]:
        """Cost plus value of time saved. [currency]"""
        return self.cost + self.time_value


@renamed_arguments("cost_idr_per_km", "value_of_time_idr_per_hour")
def travel_savings(
    transactions_per_month: ArrayLike,
    distance_km: ArrayLike,
    *,
    road_factor: ArrayLike = DEFAULT_ROAD_FACTOR,
    speed_kmh: ArrayLike = DEFAULT_SPEED_KMH,
    cost_per_km: ArrayLike = DEFAULT_COST_PER_KM,
    value_of_time_per_hour: ArrayLike = DEFAULT_VALUE_OF_TIME_PER_HOUR,
    trips_per_transaction: ArrayLike = DEFAULT_TRIPS_PER_TRANSACTION,
) -> TravelSavings:
    """Hours and money saved by doing services at the village office.

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
    cost_per_km : array_like of float, default :data:`DEFAULT_COST_PER_KM` (163.75 rupiah)
        Travel cost per road km, :math:`c_{km}`, in the programme's currency
        (motorcycle fuel; the fuel economy is an illustrative assumption). [currency/km]
    value_of_time_per_hour : array_like of float, default :data:`DEFAULT_VALUE_OF_TIME_PER_HOUR` (10,877 rupiah)
        Value of an hour of travel, :math:`v_{time}`, in the same currency
        (2018 minimum wage per hour; using it is an illustrative assumption). [currency/h]
    trips_per_transaction : array_like of float, default 1.0
        Round trips avoided per transaction, :math:`n_{trips}` (illustrative
        assumption). [-]

    Each parameter may be a scalar or an array broadcastable against
    *transactions_per_month* (e.g. per village).

    Returns
    -------
    TravelSavings
        ``hours`` [h], ``cost`` [currency] and ``time_value`` [currency], each of
        the broadcast shape, normally that of *transactions_per_month*; and the
        property ``total``.

    Raises
    ------
    ParameterError
        If an input is negative or non-finite, *road_factor* < 1, *speed_kmh*
        is not positive, or the shapes do not broadcast.

    Examples
    --------
    >>> s = travel_savings([10.0], [15.0], road_factor=1.0, speed_kmh=30.0,
    ...                    cost_per_km=200.0, value_of_time_per_hour=10_000.0)
    >>> s.hours, s.cost, s.time_value
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
        raise ParameterError("road_factor", f"must be >= 1 (minimum is {np.min(f)!r})", function=fn)
    v = as_float_array(speed_kmh, "speed_kmh", fn)
    check_finite(v, "speed_kmh", fn)
    if v.size and np.min(v) <= 0.0:
        raise ParameterError("speed_kmh", f"must be > 0 (minimum is {np.min(v)!r})", function=fn)
    c = as_float_array(cost_per_km, "cost_per_km", fn)
    check_nonnegative(c, "cost_per_km", fn)
    vot = as_float_array(value_of_time_per_hour, "value_of_time_per_hour", fn)
    check_nonnegative(vot, "value_of_time_per_hour", fn)
    n = as_float_array(trips_per_transaction, "trips_per_transaction", fn)
    check_nonnegative(n, "trips_per_transaction", fn)
    names = [
        "transactions_per_month",
        "distance_km",
        "road_factor",
        "speed_kmh",
        "cost_per_km",
        "value_of_time_per_hour",
        "trips_per_transaction",
    ]
    check_broadcast([x.shape, d.shape, f.shape, v.shape, c.shape, vot.shape, n.shape], names, fn)

    road_km = x * (2.0 * n * d * f)
    hours = np.asarray(road_km / v, dtype=np.float64)
    cost = np.asarray(road_km * c, dtype=np.float64)
    time_value = np.asarray(hours * vot, dtype=np.float64)
    return TravelSavings(hours=hours, cost=cost, time_value=time_value)


# ----------------------------------------------------------------------------- cost


@renamed_arguments("cost_idr")
def cost_per_household(cost: ArrayLike, households: ArrayLike) -> NDArray[np.float64]:
    """Programme cost per connected household.

    ``cost / households``, elementwise with broadcasting; NaN where
    *households* is 0 (no warning).

    Parameters
    ----------
    cost : array_like of float
        Cost, usually cumulative, e.g. shape ``(n_runs, n_months)``, in the
        programme's currency. [currency]
    households : array_like of float
        Connected households over the same scope, e.g. from
        :func:`connected_totals`. [households]

    Returns
    -------
    ndarray of float64, broadcast shape
        [currency/household]

    Raises
    ------
    ParameterError
        If an input is negative or non-finite, or the shapes do not broadcast.

    Examples
    --------
    >>> cost_per_household([1e6, 5e6], [0, 250])
    array([   nan, 20000.])
    """
    return _ratio(cost, households, "cost", "households", "cost_per_household")


@renamed_arguments("cost_idr")
def cost_per_transaction(cost: ArrayLike, transactions: ArrayLike) -> NDArray[np.float64]:
    """Programme cost per transaction done at the village.

    ``cost / transactions``, elementwise with broadcasting; NaN where
    *transactions* is 0 (no warning).

    Parameters
    ----------
    cost : array_like of float
        Cost, usually cumulative, in the programme's currency. [currency]
    transactions : array_like of float
        Transactions over the same scope and period, e.g. cumulative sums of
        :func:`transactions`. [transactions]

    Returns
    -------
    ndarray of float64, broadcast shape
        [currency/transaction]

    Raises
    ------
    ParameterError
        If an input is negative or non-finite, or the shapes do not broadcast.
    """
    return _ratio(cost, transactions, "cost", "transactions", "cost_per_transaction")
