/** @odoo-module */
// Copyright 2026 qLibra
// License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
//
// qLibra's percentages (margins, target margins, consumption, change-request
// shares) are stored as percents (30.0 for 30%), not as fractions: Odoo's
// "percentage" widget would show 3000%. This one shows the number with its %
// sign in lists, forms and the pivot.

import { registry } from "@web/core/registry";
import { FloatField, floatField } from "@web/views/fields/float/float_field";
import { formatFloat } from "@web/views/fields/formatters";

export function formatQlibraPercent(value, options = {}) {
    if (value === false || value === null || value === undefined) {
        return "";
    }
    return `${formatFloat(value, options)} %`;
}

export class QlibraPercentField extends FloatField {
    static template = "qlibra_task.PercentField";

    get formattedValue() {
        const formatted = super.formattedValue;
        // The input keeps the bare number; the % stands beside it.
        return this.props.readonly ? `${formatted} %` : formatted;
    }
}

registry.category("fields").add("qlibra_percent", {
    ...floatField,
    component: QlibraPercentField,
});
registry.category("formatters").add("qlibra_percent", formatQlibraPercent);
