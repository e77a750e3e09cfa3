"""The fitted dynamics of IDM indicator scores: the parameters, their checks and their file form.

:class:`IDMDynamics` is what :func:`~smartkampung.sim.idm.fit_idm_dynamics`
returns and what the projection steps with;
:func:`smartkampung.datasets.idm_dynamics` reads the bundled fit.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Final

import attrs
import numpy as np
from numpy.typing import NDArray
from scipy.special import ndtri

from smartkampung._arrays import ARRAY_EQ, readonly_float, readonly_int
from smartkampung._errors import ParameterError
from smartkampung.model._indicators import CompositeIndex

__all__ = ["IDMDynamics"]

_FORMAT: Final = "smartkampung.idm_dynamics/1"


@attrs.frozen
class IDMDynamics:
    """Fitted year-to-year dynamics of indicator scores (see :func:`~smartkampung.sim.idm.fit_idm_dynamics`).

    Attributes
    ----------
    index : CompositeIndex
        The index whose indicators move.
    transition : ndarray of float64, shape (n_regimes, n_bands, n_indicators, L, L)
        ``transition[r, b, j, s, s2]``: probability that indicator *j* of an
        active desa in status band *b* moves from score *s* to *s2* in one
        year of regime *r* (``L = max_score + 1``; rows sum to 1; a row never
        observed in any band is the identity).
    frozen : ndarray of float64, shape (n_regimes, n_bands)
        Probability that a desa-year record is carried over unchanged.
    rho_regency, rho_desa : float
        Shares of the latent variance shared by all desa of a regency in a
        year, and by the indicators of one desa in a year.
    prior_strength : float
        Pseudo-transitions of the shrinkage toward the all-band row.
    year_pairs : tuple of (int, int)
        The year pairs fitted.
    regimes : tuple of tuple of (int, int)
        The year pairs behind each regime: one regime per year pair
        (``regimes="year"``) or one for all (``"pooled"``). Each simulated
        year draws one regime at random (equal chances), so the spread
        between the fitted years' national dynamics is kept.
    n_transitions : ndarray of int64, shape (n_regimes, n_bands)
        Desa-year transitions per regime and band.
    moments : dict of str to float
        The matched moments (observed and model) and fit diagnostics.
    source : str
        Where the data came from and how the fit was made.
    """

    index: CompositeIndex
    transition: NDArray[np.float64] = attrs.field(converter=readonly_float, eq=ARRAY_EQ)
    frozen: NDArray[np.float64] = attrs.field(converter=readonly_float, eq=ARRAY_EQ)
    rho_regency: float
    rho_desa: float
    prior_strength: float
    year_pairs: tuple[tuple[int, int], ...]
    regimes: tuple[tuple[tuple[int, int], ...], ...]
    n_transitions: NDArray[np.int64] = attrs.field(converter=readonly_int, eq=ARRAY_EQ)
    moments: dict[str, float] = attrs.field(factory=dict)
    source: str = ""

    def __attrs_post_init__(self) -> None:
        fn = "IDMDynamics"
        r = len(self.regimes)
        b, j, levels = self.index.n_statuses, self.index.n_indicators, self.index.max_score + 1
        if r < 1 or self.transition.shape != (r, b, j, levels, levels):
            raise ParameterError(
                "transition",
                f"must have shape {(r, b, j, levels, levels)} (one block per regime), got {self.transition.shape}",
                function=fn,
            )
        t = self.transition
        if not (np.all(np.isfinite(t)) and t.min() >= 0.0 and np.allclose(t.sum(axis=-1), 1.0, atol=1e-9)):
            raise ParameterError("transition", "rows must be probabilities summing to 1", function=fn)
        if self.frozen.shape != (r, b) or not (
            np.all(np.isfinite(self.frozen)) and self.frozen.min() >= 0.0 and self.frozen.max() < 1.0
        ):
            raise ParameterError("frozen", f"must be {r}x{b} probabilities in [0, 1)", function=fn)
        for name in ("rho_regency", "rho_desa"):
            v = getattr(self, name)
            if not (isinstance(v, float) and 0.0 <= v < 1.0):
                raise ParameterError(name, f"must be a number in [0, 1), got {v!r}", function=fn)
        if self.rho_regency + self.rho_desa >= 1.0:
            raise ParameterError("rho_desa", "rho_regency + rho_desa must be < 1", function=fn)

    @property
    def n_regimes(self) -> int:
        """Number of regimes (year pairs fitted separately, or 1 when pooled)."""
        return len(self.regimes)

    def latent_thresholds(self) -> NDArray[np.float64]:
        """Latent-normal thresholds of each transition row, shape (n_regimes, n_bands, n_indicators, L, L - 1).

        The new score is the number of thresholds the latent ``Z`` exceeds:
        ``threshold[..., t] = Φ⁻¹(P(new score <= t))`` (−∞/+∞ where that
        probability is exactly 0/1).
        """
        return latent_thresholds_of(self.transition)

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict (lists and numbers); :meth:`from_dict` reads it back exactly."""
        ix = self.index
        return {
            "format": _FORMAT,
            "source": self.source,
            "index": {
                "name": ix.name,
                "sub_indices": list(ix.sub_indices),
                "indicator_columns": list(ix.indicator_columns),
                "indicator_sub_index": list(ix.indicator_sub_index),
                "thresholds": list(ix.thresholds),
                "status_labels": list(ix.status_labels),
                "weights": None if ix.weights is None else list(ix.weights),
                "max_score": ix.max_score,
                "decimals": ix.decimals,
            },
            "year_pairs": [list(p) for p in self.year_pairs],
            "regimes": [[list(p) for p in regime] for regime in self.regimes],
            "prior_strength": self.prior_strength,
            "rho_regency": self.rho_regency,
            "rho_desa": self.rho_desa,
            "frozen": self.frozen.tolist(),
            "n_transitions": self.n_transitions.tolist(),
            "moments": dict(self.moments),
            "transition": self.transition.tolist(),
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> IDMDynamics:
        """Rebuild from :meth:`to_dict` output (e.g. parsed JSON).

        Raises
        ------
        ParameterError
            Naming the key that is missing or wrong (parameter ``data``).
        """
        fn = "IDMDynamics.from_dict"
        if not isinstance(data, Mapping):
            raise ParameterError("data", f"must be a mapping, got {type(data).__name__}", function=fn)
        if data.get("format") != _FORMAT:
            raise ParameterError("data", f"'format' must be {_FORMAT!r}, got {data.get('format')!r}", function=fn)
        try:
            ix = data["index"]
            index = CompositeIndex(
                name=ix["name"],
                sub_indices=ix["sub_indices"],
                indicator_columns=ix["indicator_columns"],
                indicator_sub_index=ix["indicator_sub_index"],
                thresholds=ix["thresholds"],
                status_labels=ix["status_labels"],
                weights=ix["weights"],
                max_score=ix["max_score"],
                decimals=ix["decimals"],
            )
            return cls(
                index=index,
                transition=np.asarray(data["transition"], dtype=np.float64),
                frozen=np.asarray(data["frozen"], dtype=np.float64),
                rho_regency=float(data["rho_regency"]),
                rho_desa=float(data["rho_desa"]),
                prior_strength=float(data["prior_strength"]),
                year_pairs=tuple((int(a), int(b)) for a, b in data["year_pairs"]),
                regimes=tuple(tuple((int(a), int(b)) for a, b in regime) for regime in data["regimes"]),
                n_transitions=np.asarray(data["n_transitions"], dtype=np.int64),
                moments={str(k): float(v) for k, v in dict(data["moments"]).items()},
                source=str(data["source"]),
            )
        except KeyError as exc:
            raise ParameterError("data", f"missing key {exc.args[0]!r}", function=fn) from None
        except (TypeError, ValueError) as exc:
            if isinstance(exc, ParameterError):
                raise ParameterError("data", str(exc), function=fn) from None
            raise ParameterError("data", f"malformed value ({exc})", function=fn) from None


def latent_thresholds_of(p: NDArray[np.float64]) -> NDArray[np.float64]:
    """Latent-normal thresholds of transition rows *p* (..., L), shape (..., L - 1).

    See :meth:`IDMDynamics.latent_thresholds`.
    """
    head = np.cumsum(p, axis=-1)[..., :-1]
    tail = np.cumsum(p[..., ::-1], axis=-1)[..., ::-1][..., 1:]
    with np.errstate(divide="ignore"):
        # Whichever side is smaller keeps its precision.
        tau = np.where(head <= tail, ndtri(np.clip(head, 0.0, 1.0)), -ndtri(np.clip(tail, 0.0, 1.0)))
    tau = np.where(head <= 0.0, -np.inf, tau)
    tau = np.where(tail <= 0.0, np.inf, tau)
    return np.asarray(tau, dtype=np.float64)
