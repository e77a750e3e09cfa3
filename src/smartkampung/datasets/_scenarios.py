"""Ready-made scenarios."""

from __future__ import annotations

from smartkampung.datasets._idm import banyuwangi_idm_status
from smartkampung.model._geo import Location
from smartkampung.model._programme import smart_kampung_programme
from smartkampung.model._scenario import (
    AdoptionAssumptions,
    BudgetPhase,
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
      ``"nearest"`` policy, and a two-phase monthly budget fitted to the
      published counts of connected desa (44 in Jan 2017, 80 in May 2017,
      115 in Sep 2017, and the brief's 167 by May 2018; see
      ``examples/plot_calibration.py``): about Rp 0.27 billion per month
      until the ICON+ agreement of January 2017 (jawapos-2017-01-02), about
      Rp 2.0 billion per month after. The uniform ranges are the fit's 95 %
      profile-likelihood intervals. The rupiah figures are in the model's
      unit costs (:data:`~smartkampung.model.DEFAULT_TECHNOLOGIES`); what the
      fit pins down is the pace of building.
    - Services, adoption and outcome parameters: the library defaults (see
      docs/models.rst; adoption parameters are illustrative assumptions, with
      ±30 % uncertainty on the Bass coefficients).
    - IDM: starts from the published IDM 2020 status counts of the 189 desa
      (0 Sangat Tertinggal, 0 Tertinggal, 26 Berkembang, 111 Maju, 52
      Mandiri; ``banyuwangikab-2021-idm``, read from the bundled
      ``banyuwangi_idm_status.csv``) and projects IDM 2021 onward with the
      default programme effects. Nothing after IDM 2020 is used.
    """
    return Scenario(
        name="Smart Kampung Banyuwangi",
        description="Banyuwangi's Smart Kampung from launch (31 May 2016) over ten years; rollout budget "
                    "fitted to the published connection counts.",
        region=RegionSource(builtin="banyuwangi"),
        programme=smart_kampung_programme(),
        start="2016-06",
        horizon_months=120,
        rollout=RolloutAssumptions(
            budget_idr_per_month=Uniform(2.14e8, 3.82e8),
            budget_phases=(BudgetPhase(start_month=7, budget_idr_per_month=Uniform(1.95e9, 2.126e9),
                                       note="MoU with PT ICON+ to speed up fibre to all desa "
                                            "(jawapos-2017-01-02)"),),
            policy="nearest",
            initially_connected=41,
            technology_choice=False,
        ),
        adoption=AdoptionAssumptions(p_multiplier=Uniform(0.7, 1.3), q_multiplier=Uniform(0.7, 1.3)),
        outcomes=OutcomeAssumptions(office=BANYUWANGI_TOWN,
                                    idm=IDMAssumptions.from_counts(banyuwangi_idm_status()[2020])),
    )
