/** @odoo-module */
// Copyright 2026 qLibra
// License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
//
// A client profitability manager opens the dashboard in the Dashboards app:
// it loads (o-spreadsheet imports the JSON, its pivots and lists load) with
// its five global filters and no error. Test data:
// qlibra_task_dashboard/tests/test_dashboard_tour.py.

import { registry } from "@web/core/registry";

const DASHBOARD = '.o_spreadsheet_dashboard_search_panel li[data-name="Client Profitability"]';

registry.category("web_tour.tours").add("qlibra_dashboard_tour", {
    url: "/odoo/action-spreadsheet_dashboard.ir_actions_dashboard_action",
    steps: () => [
        {
            content: "Open the Client Profitability dashboard",
            trigger: DASHBOARD,
            run: "click",
        },
        {
            content: "The dashboard is the active one and its sheet is shown",
            trigger: `${DASHBOARD}.active`,
        },
        {
            content: "The spreadsheet is rendered",
            trigger: ".o_renderer .o-spreadsheet .o-grid",
        },
        {
            content: "Its five filters are offered, the contract types among them",
            trigger: ".o_control_panel .o_filter_value_container:nth-child(5)",
            run() {
                const filters = [
                    ...document.querySelectorAll(".o_control_panel .o_filter_value_container"),
                ].map((el) => el.textContent);
                if (filters.length !== 5) {
                    throw new Error(`${filters.length} filters instead of 5`);
                }
                // The contract type offers the contract types (Data!A31:A35)
                if (!filters.some((text) => text.includes("subscription"))) {
                    throw new Error(`No contract type among ${filters.join(", ")}`);
                }
            },
        },
        {
            content: "No loading error",
            trigger:
                "body:not(:has(.o_error_dialog)):not(:has(.dashboard-loading-status.error))",
        },
    ],
});
