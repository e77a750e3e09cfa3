"""Ready-made scenarios."""

from __future__ import annotations

from pathlib import Path

import attrs

from smartkampung.datasets._calibration import (
    POSTERIOR_FILE,
    banyuwangi_posterior,
    rollout_phases,
    write_banyuwangi_posterior,
)
from smartkampung.datasets._idm import banyuwangi_idm_status
from smartkampung.model._geo import Location
from smartkampung.model._programme import smart_kampung_programme
from smartkampung.model._scenario import (
    AdoptionAssumptions,
    FromPosterior,
    IDMAssumptions,
    OutcomeAssumptions,
    RegionSource,
    RolloutAssumptions,
    Scenario,
    Uniform,
)

__all__ = ["BANYUWANGI_TOWN", "banyuwangi_scenario"]

#: Centroid of Kecamatan Banyuwangi (35.10.16), the regency seat, standing in
#: for the regency offices residents travelled to before Smart Kampung
#: (cahyadsn/wilayah_boundaries, see docs/data.rst).
BANYUWANGI_TOWN = Location(-8.228372443269812, 114.3676838494936)


def banyuwangi_scenario() -> Scenario:
    """Smart Kampung in Banyuwangi from its launch (31 May 2016), over ten years.

    - Region: the bundled 217 villages, backbone at the 25 kecamatan offices.
    - Rollout: fibre to every village office (the programme's design), 41
      villages connected at launch (merdeka-2016-05-31; which ones is not
      published, so the first 41 in the policy's order are assumed), the
      ``"nearest"`` policy. Its budgets and the wait until a village office
      is ready are a *posterior sample* (:attr:`RolloutAssumptions.posterior
      <smartkampung.model.RolloutAssumptions.posterior>`, 400 joint draws)
      calibrated on the desa counts published up to May 2018 and no later
      (44 in Jan 2017, 80 in May 2017, 115 in Sep 2017, the brief's 167 in May
      2018; :mod:`smartkampung.datasets._calibration`): a budget before the
      ICON+ agreement of January 2017 (jawapos-2017-01-02), one after, and
      from June 2018, when nothing is published, a quarter to 125 % of that
      pace (an illustrative assumption). The rupiah figures are in the
      model's unit costs (:data:`~smartkampung.model.DEFAULT_TECHNOLOGIES`);
      what the fit pins down is the pace of building. The budgets and the
      readiness wait are ``{distribution = "posterior"}``: each run uses its
      row of the sample.
    - Services, adoption and outcome parameters: the library defaults (see
      docs/models.rst; adoption parameters are illustrative assumptions, with
      ±30 % uncertainty on the Bass coefficients).
    - IDM: starts from the published IDM 2020 status counts of the 189 desa
      (0 Sangat Tertinggal, 0 Tertinggal, 26 Berkembang, 111 Maju, 52
      Mandiri; ``banyuwangikab-2021-idm``, read from the bundled
      ``banyuwangi_idm_status.csv``) and projects IDM 2021 onward with the
      default programme effects. Nothing after IDM 2020 is used.
    """
    base = _base_scenario()
    rollout = attrs.evolve(
        base.rollout,
        budget_per_month=FromPosterior(),
        budget_phases=rollout_phases(FromPosterior()),
        readiness_months=FromPosterior(),
        posterior=banyuwangi_posterior(),
    )
    return attrs.evolve(base, rollout=rollout)


def _base_scenario() -> Scenario:
    """The Banyuwangi scenario before its rollout is calibrated (what the calibration starts from)."""
    return Scenario(
        name="Smart Kampung Banyuwangi",
        description="Banyuwangi's Smart Kampung from launch (31 May 2016) over ten years; rollout budgets and "
        "readiness calibrated on the connection counts published up to May 2018.",
        region=RegionSource(builtin="banyuwangi"),
        programme=smart_kampung_programme(),
        start="2016-06",
        horizon_months=120,
        rollout=RolloutAssumptions(policy="nearest", initially_connected=41, technology_choice=False),
        adoption=AdoptionAssumptions(p_multiplier=Uniform(0.7, 1.3), q_multiplier=Uniform(0.7, 1.3)),
        outcomes=OutcomeAssumptions(
            office=BANYUWANGI_TOWN, idm=IDMAssumptions.from_counts(banyuwangi_idm_status()[2020])
        ),
    )


def recalibrate() -> None:  # pragma: no cover - rewrites a shipped file
    """Recalibrate the Banyuwangi rollout and rewrite the shipped posterior sample."""
    target = Path(__file__).parent / "data" / POSTERIOR_FILE
    written = write_banyuwangi_posterior(target, _base_scenario())
    print(f"wrote {target} ({len(written.values)} rows)")
