"""EU customs: customs value by Incoterm, duty, brokerage, import VAT pre-financing.

The EU customs value is the transaction value plus the transport and
insurance costs up to the EU border (Union Customs Code art. 70-71);
transport after the border is left out.
"""

import numpy as np

# The costs the seller bears under each Incoterm 2020 rule, as 1 or 0 for
# (origin leg, main leg, insurance, destination leg, import clearance).
INCOTERM_SELLER_PAYS = {
    "EXW": (0, 0, 0, 0, 0),
    "FCA": (1, 0, 0, 0, 0),
    "FAS": (1, 0, 0, 0, 0),
    "FOB": (1, 0, 0, 0, 0),
    "CFR": (1, 1, 0, 0, 0),
    "CPT": (1, 1, 0, 0, 0),
    "CIF": (1, 1, 1, 0, 0),
    "CIP": (1, 1, 1, 0, 0),
    "DAP": (1, 1, 1, 1, 0),
    "DPU": (1, 1, 1, 1, 0),
    "DDP": (1, 1, 1, 1, 1),
}
SELLER_FLAGS = ("seller_origin", "seller_main", "seller_insurance", "seller_destination", "seller_import")


def customs_value(invoice_eur, origin_leg, main_leg, insurance_eur, destination_leg, seller_origin, seller_main, seller_insurance, seller_destination):
    """Return the customs value per unit: invoice plus the legs to the border the price lacks, minus those after it.

    An EXW price gets the origin leg, main leg and insurance added; FCA, FAS
    and FOB the main leg and insurance; CFR and CPT the insurance; CIF and CIP
    nothing. A DAP, DPU or DDP price includes the destination leg, which is
    taken out. The value is never below zero, even when the estimated
    destination leg exceeds the price.
    """
    # NOTE: air freight is added in full; EU rules include only a share of it,
    # set per origin airport (UCC implementing act, Annex 23-01). A road or rail
    # main leg is also taken as lying wholly before the EU border.
    added = (1 - seller_origin) * origin_leg + (1 - seller_main) * main_leg + (1 - seller_insurance) * insurance_eur
    return np.maximum(invoice_eur + added - seller_destination * destination_leg, 0.0)


def duty(customs_applies, seller_import, duty_rate, antidumping_rate, value_eur):
    """Return the duty the buyer pays: (duty rate + anti-dumping rate) x customs value."""
    return customs_applies * (1 - seller_import) * (duty_rate + antidumping_rate) * value_eur


def brokerage(customs_applies, seller_import, brokerage_eur_per_shipment, units_per_shipment):
    """Return brokerage and clearance fees per unit."""
    return customs_applies * (1 - seller_import) * brokerage_eur_per_shipment / units_per_shipment


def vat_prefinancing(customs_applies, seller_import, article_23_licence, vat_rate, vat_base_eur, vat_recovery_days, cost_of_capital):
    """Return the cost of pre-financing import VAT: VAT x days until recovery x cost of capital / 365.

    Import VAT itself is recovered, so only its financing is a cost, and none
    with an article 23 licence (reverse charge).
    """
    paid = customs_applies * (1 - seller_import) * (1 - article_23_licence)
    return paid * vat_rate * vat_base_eur * vat_recovery_days * cost_of_capital / 365.0
