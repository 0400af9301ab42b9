# Copyright 2026 qLibra
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""What each contract type earns (SPEC, Rules: Revenue): the one table. Code
asks ``contract_rule(type).monthly_fee`` or ``types_with("fixed_price")``,
never compares a type with a literal; the analysis view's SQL does the same."""

from collections import namedtuple

ContractType = namedtuple(
    "ContractType", ["label", "billable", "monthly_fee", "hourly", "fixed_price"]
)
# billable: earns revenue at all (non-billable work is meant to cost);
# monthly_fee: a fee per calendar month with included hours, the hours above
#   them billed at overage_rate (a subscription: consumption, rollover);
# hourly: every billable hour x hourly_rate;
# fixed_price: tasks carry a price, recognised on the day they are done.
TYPES = {
    "subscription": ContractType("Subscription", True, True, False, False),
    "fixed_price": ContractType("Fixed Price", True, False, False, True),
    "hourly": ContractType("Hourly", True, False, True, False),
    "non_billable": ContractType("Non-billable", False, False, False, False),
}
# Time that no contract covers: it earns nothing.
NO_CONTRACT = ContractType("No Contract", False, False, False, False)
CONTRACT_TYPES = [(key, rule.label) for key, rule in TYPES.items()]


def contract_rule(contract_type):
    """The rules of a contract type (``NO_CONTRACT`` for none or "none")."""
    return TYPES.get(contract_type, NO_CONTRACT)


def types_with(flag):
    """The contract types with ``flag`` set, for domains."""
    return [key for key, rule in TYPES.items() if getattr(rule, flag)]
