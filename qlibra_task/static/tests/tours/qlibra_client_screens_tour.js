/** @odoo-module */
// Copyright 2026 qLibra
// License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
//
// A manager goes from the clients to their contracts (issue 13 items 3-5):
// "Clients to Renegotiate" with headers that read in full, a monthly fee only
// on subscription clients, and per row the running contract and its
// renegotiation; the form of an over-consumed client that says so, and leads
// to the client's contract, analysis and renegotiation. The test data is
// built by qlibra_task/tests/test_tours.py.

import { registry } from "@web/core/registry";
import { stepUtils } from "@web_tour/tour_service/tour_utils";

const SUBSCRIPTION_CLIENT = "Strandzha Subscription";
const FIXED_CLIENT = "Musala Fixed";
const OVER_CONSUMED_CLIENT = "Pirin Reporting";

// Column headers of the list of clients to renegotiate, as they must read.
const HEADERS = {
    display_name: "Client",
    qlibra_main_contract_type: "Contract",
    qlibra_trailing_cost: "Cost",
    qlibra_trailing_revenue: "Revenue",
    qlibra_trailing_margin: "Margin",
    qlibra_trailing_margin_percent: "Margin %",
    qlibra_target_margin: "Target %",
    qlibra_change_request_share: "Changes %",
    qlibra_current_fee: "Fee",
    qlibra_suggested_fee: "Suggested Fee",
};

const noErrorDialog = {
    content: "No error dialog",
    trigger: "body:not(:has(.o_error_dialog))",
};

/** The list row showing `title`. */
function row(title) {
    const found = [...document.querySelectorAll(".o_list_view .o_data_row")].find((tr) =>
        tr.textContent.includes(title)
    );
    if (!found) {
        throw new Error(`No row of ${title} in the list.`);
    }
    return found;
}

/** The text of the cell of column `name` in the list row showing `title`. */
function cellText(title, name) {
    const cell = row(title).querySelector(`.o_data_cell[name="${name}"]`);
    if (!cell) {
        throw new Error(`No ${name} column in the list.`);
    }
    return cell.textContent.trim();
}

function openRenegotiateList() {
    return [
        {
            content: "Open Clients to Renegotiate",
            trigger: '.o_menu_sections [data-menu-xmlid="qlibra_task.menu_qlibra_renegotiate"]',
            run: "click",
        },
        {
            content: "Both clients to renegotiate are listed",
            trigger: `.o_list_view .o_data_row:contains("${FIXED_CLIENT}") ~ .o_data_row:contains("${SUBSCRIPTION_CLIENT}"), .o_list_view .o_data_row:contains("${SUBSCRIPTION_CLIENT}") ~ .o_data_row:contains("${FIXED_CLIENT}")`,
        },
    ];
}

registry.category("web_tour.tours").add("qlibra_client_screens_tour", {
    url: "/odoo",
    steps: () => [
        stepUtils.showAppsMenuItem(),
        {
            content: "Open the Client Profitability app",
            trigger: '.o_app[data-menu-xmlid="qlibra_task.menu_qlibra_root"]',
            run: "click",
        },
        ...openRenegotiateList(),
        {
            content: "Every header reads in full",
            trigger: ".o_list_view thead",
            run() {
                for (const [name, label] of Object.entries(HEADERS)) {
                    const th = this.anchor.querySelector(`th[data-name="${name}"]`);
                    if (!th) {
                        throw new Error(`No ${label} column in the list.`);
                    }
                    const span = th.querySelector(".text-truncate");
                    const text = span.textContent.trim();
                    if (text !== label) {
                        throw new Error(`The ${name} header reads "${text}", not "${label}".`);
                    }
                    if (span.scrollWidth > span.clientWidth) {
                        throw new Error(
                            `The "${label}" header is cut: ${span.scrollWidth}px of text in ${span.clientWidth}px.`
                        );
                    }
                }
            },
        },
        {
            content: "A monthly fee only on the subscription client",
            trigger: `.o_list_view .o_data_row:contains("${FIXED_CLIENT}")`,
            run() {
                for (const name of ["qlibra_current_fee", "qlibra_suggested_fee"]) {
                    const text = cellText(FIXED_CLIENT, name);
                    if (text) {
                        throw new Error(`The fixed-price client shows ${name} "${text}".`);
                    }
                }
                if (!cellText(SUBSCRIPTION_CLIENT, "qlibra_current_fee").includes("100.00")) {
                    throw new Error("The subscription client does not show its fee of 100.00.");
                }
                if (!cellText(SUBSCRIPTION_CLIENT, "qlibra_suggested_fee").includes("180.00")) {
                    throw new Error("The subscription client does not show its suggested 180.00.");
                }
                for (const client of [FIXED_CLIENT, SUBSCRIPTION_CLIENT]) {
                    const buttons = [...row(client).querySelectorAll("button")].map(
                        (b) => b.textContent.trim() || b.dataset.tooltip
                    );
                    for (const label of ["Open Contract", "Renegotiate"]) {
                        if (!buttons.includes(label)) {
                            throw new Error(`No ${label} button on the row of ${client}.`);
                        }
                    }
                }
            },
        },
        {
            content: "Open the fixed-price client's contract from its row",
            trigger: `.o_list_view .o_data_row:contains("${FIXED_CLIENT}") button[data-tooltip="Open Contract"]`,
            run: "click",
        },
        {
            content: "The running contract opens",
            trigger: `.o_form_view .o_field_widget[name="name"] input:value("${FIXED_CLIENT} - Fixed Price")`,
        },
        {
            content: "It is the saved contract, not a new one",
            trigger: ".o_form_view .o_form_saved",
        },
        noErrorDialog,
        ...openRenegotiateList(),
        {
            content: "Renegotiate the subscription client",
            trigger: `.o_list_view .o_data_row:contains("${SUBSCRIPTION_CLIENT}") button:contains("Renegotiate")`,
            run: "click",
        },
        {
            content: "A new contract, renegotiating the previous one",
            trigger: `.o_form_view .o_field_widget[name="previous_contract_id"] input:value("${SUBSCRIPTION_CLIENT} - Subscription")`,
        },
        {
            content: "The new contract is for the same client",
            trigger: `.o_form_view .o_field_widget[name="partner_id"] input:value("${SUBSCRIPTION_CLIENT}")`,
        },
        {
            content: "The new contract is not saved yet",
            trigger: ".o_form_view .o_form_editable:not(.o_form_saved)",
        },
        {
            content: "Its fee starts at the client's suggested fee (issue 24)",
            trigger: '.o_form_view .o_field_widget[name="monthly_fee"] input:value("180.00")',
        },
        {
            content: "and its included hours",
            trigger: '.o_form_view .o_field_widget[name="included_hours"] input:value("10:00")',
        },
        {
            content: "Discard the new contract",
            trigger: ".o_form_view .o_form_button_cancel",
            run: "click",
        },
        noErrorDialog,
        {
            content: "Open the clients",
            trigger: '.o_menu_sections [data-menu-xmlid="qlibra_task.menu_qlibra_clients"]',
            run: "click",
        },
        {
            content: "Open the over-consumed client",
            trigger: `.o_kanban_record:contains("${OVER_CONSUMED_CLIENT}")`,
            run: "click",
        },
        {
            content: "Open its Profitability tab",
            trigger: '.o_form_view .o_notebook .nav-link:contains("Profitability")',
            run: "click",
        },
        {
            content: "The consumption reads 160%",
            trigger:
                '.o_form_view .o_field_widget[name="qlibra_consumption_percent"] .o_progressbar_value:contains("160")',
        },
        {
            content: "The form says the client is over its included hours",
            trigger:
                '.o_form_view .o_qlibra_over_consumption:contains("Over the included hours of the month")',
        },
        {
            content: "The client's renegotiation is one click away",
            trigger: '.o_form_view button[name="action_qlibra_renegotiate"]:visible',
        },
        {
            content: "Open the client's analysis",
            trigger: '.o_form_view button[name="action_view_qlibra_profitability"]:contains("Analysis")',
            run: "click",
        },
        {
            content: "The analysis of the client",
            trigger: `.o_breadcrumb .active:contains("Profitability of ${OVER_CONSUMED_CLIENT}")`,
        },
        {
            content: "The pivot is shown",
            trigger: ".o_pivot_view .o_pivot",
        },
        noErrorDialog,
        {
            content: "Back to the client",
            trigger: `.o_breadcrumb .breadcrumb-item a:contains("${OVER_CONSUMED_CLIENT}")`,
            run: "click",
        },
        {
            content: "Open its Profitability tab again",
            trigger: '.o_form_view .o_notebook .nav-link:contains("Profitability")',
            run: "click",
        },
        {
            content: "Open the client's running contract",
            trigger: '.o_form_view div[name="qlibra_actions"] button:contains("Open Contract")',
            run: "click",
        },
        {
            content: "The client's running contract opens",
            trigger: `.o_form_view .o_field_widget[name="name"] input:value("${OVER_CONSUMED_CLIENT} - Subscription")`,
        },
        noErrorDialog,
    ],
});
