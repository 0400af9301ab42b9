# Copyright 2026 qLibra
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""SPEC's figures (Rules: Figures), defined once for every form, report,
warning and portal page; each is None (empty, not 0) without denominator."""

import math


def ratio(part, whole, factor=100.0):
    """part / whole x factor; None without a whole."""
    return part / whole * factor if whole else None


def margin_percent(revenue, cost):
    """Margin % = (revenue - cost) / revenue."""
    return ratio(revenue - cost, revenue)


def effective_rate(revenue, hours):
    """Effective hourly rate = revenue / hours."""
    return ratio(revenue, hours, 1.0)


def consumption_percent(hours, included):
    """Consumption % = hours / included hours (of the same months)."""
    return ratio(hours, included)


def change_request_share(change_request_hours, hours):
    """Change-request share = change-request hours / hours."""
    return ratio(change_request_hours, hours)


def suggested_fee(monthly_cost, target_margin):
    """Fee that earns the target margin on this cost, rounded up to a whole 10."""
    if monthly_cost <= 0:
        return 0.0
    fee = monthly_cost / (1 - target_margin / 100)
    # Round away float noise before rounding up (3000.0000001 -> 3000).
    return math.ceil(round(fee, 6) / 10) * 10.0
