/** @odoo-module */
// Copyright 2026 qLibra
// License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
//
// What a manager reads on qLibra's screens (issue 13 items 3 and 4): the
// analysis list by month, the contracts list with each term only on the
// contracts it applies to, and a subscription at 160% of its included hours
// that shows its over-consumption. The test data is built by
// qlibra_task/tests/test_tours.py.

import { registry } from "@web/core/registry";
import { stepUtils } from "@web_tour/tour_service/tour_utils";

const { DateTime } = luxon;

const SUBSCRIPTION = "Pirin Reporting - Subscription";
const HOURLY = "Vitosha Hourly - Hourly";

const noErrorDialog = {
    content: "No error dialog",
    trigger: "body:not(:has(.o_error_dialog))",
};

/** The text of the cell of column `name` in the list row showing `title`. */
function cellText(title, name) {
    const row = [...document.querySelectorAll(".o_list_view .o_data_row")].find((tr) =>
        tr.textContent.includes(title)
    );
    if (!row) {
        throw new Error(`No row of ${title} in the list.`);
    }
    const cell = row.querySelector(`.o_data_cell[name="${name}"]`);
    if (!cell) {
        throw new Error(`No ${name} column in the list.`);
    }
    return cell.textContent.trim();
}

registry.category("web_tour.tours").add("qlibra_manager_screens_tour", {
    url: "/odoo",
    steps: () => {
        // The analysis opens on the last 6 full months: last month's group.
        const lastMonth = DateTime.now().minus({ months: 1 }).toFormat("MMMM yyyy");
        return [
            stepUtils.showAppsMenuItem(),
            {
                content: "Open the Client Profitability app",
                trigger: '.o_app[data-menu-xmlid="qlibra_task.menu_qlibra_root"]',
                run: "click",
            },
            {
                content: "Open the analysis",
                trigger: '.o_menu_sections [data-menu-xmlid="qlibra_task.menu_qlibra_analysis"]',
                run: "click",
            },
            {
                content: "The pivot is shown",
                trigger: ".o_pivot_view .o_pivot",
            },
            {
                content: "Switch to the list",
                trigger: ".o_control_panel .o_switch_view.o_list",
                run: "click",
            },
            {
                content: `The list is grouped by month, labelled "${lastMonth}"`,
                trigger: `.o_list_view .o_group_header .o_group_name:contains("${lastMonth}")`,
            },
            {
                content: "No column of dates (12/01/2026) by default",
                trigger: '.o_list_view:not(:has(th[data-name="date"])) .o_group_header',
            },
            noErrorDialog,
            {
                content: "Open the contracts",
                trigger: '.o_menu_sections [data-menu-xmlid="qlibra_task.menu_qlibra_contracts"]',
                run: "click",
            },
            {
                content: "Each term shows only on the contracts it applies to",
                trigger: `.o_list_view .o_data_row:contains("${HOURLY}")`,
                run() {
                    for (const name of ["monthly_fee", "included_hours"]) {
                        const text = cellText(HOURLY, name);
                        if (text) {
                            throw new Error(`The hourly contract shows ${name} "${text}".`);
                        }
                    }
                    if (!cellText(SUBSCRIPTION, "included_hours").includes("20:00")) {
                        throw new Error("The subscription does not show its 20:00 hours.");
                    }
                },
            },
            {
                content: "Open the over-consumed subscription",
                trigger: `.o_list_view .o_data_row .o_data_cell:contains("${SUBSCRIPTION}")`,
                run: "click",
            },
            {
                content: "This month's hours: 32:00",
                trigger: '.o_form_view .o_field_widget[name="month_hours"]:contains("32:00")',
            },
            {
                content: "The consumption reads 160%",
                trigger:
                    '.o_form_view .o_field_widget[name="consumption_percent"] .o_progressbar_value:contains("160")',
            },
            {
                content: "The bar is full and red",
                trigger:
                    '.o_form_view .o_field_widget[name="consumption_percent"] .o_progress .bg-danger',
                run() {
                    const bar = this.anchor.getBoundingClientRect().width;
                    // The track's inner width, without its border.
                    const track = this.anchor.parentElement.clientWidth;
                    if (!track || bar < track - 1) {
                        throw new Error(`The bar is ${bar}px of ${track}px: not full.`);
                    }
                },
            },
            {
                content: "The form says it in words",
                trigger:
                    '.o_form_view .o_qlibra_over_consumption:contains("Over the included hours")',
            },
            noErrorDialog,
        ];
    },
});
