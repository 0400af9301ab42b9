/** @odoo-module */
// Copyright 2026 qLibra
// License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
//
// Odoo's pivot formats a monetary measure without its currency: a cell sums
// many rows and carries no currency of its own. The analysis' amounts are in
// the company's currency, so its pivot shows them with the currency of the
// company the user works in (session key set by qlibra_task's ir.http).

import { registry } from "@web/core/registry";
import { user } from "@web/core/user";
import { session } from "@web/session";
import { formatMonetary } from "@web/views/fields/formatters";

export function formatCompanyMonetary(value, options = {}) {
    const companyIds = user.context.allowed_company_ids || [];
    const currencies = session.qlibra_company_currencies || {};
    const currencyId = currencies[companyIds[0]];
    return formatMonetary(value, { ...options, currencyId });
}

registry.category("formatters").add("qlibra_company_monetary", formatCompanyMonetary);
