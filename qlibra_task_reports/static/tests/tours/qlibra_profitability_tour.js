/** @odoo-module */
// Copyright 2026 qLibra
// License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
//
// A manager opens Client Profitability > Analysis, switches to the graph,
// finds there the client that loses the most, opens it and its contract, and
// prints its statement of last month from the wizard that the client's
// Statement button opens. The test data is built by
// qlibra_task_reports/tests/test_tour.py.

import { download } from "@web/core/network/download";
import { registry } from "@web/core/registry";
import { stepUtils } from "@web_tour/tour_service/tour_utils";

const CLIENT = "Musala Tour Ltd";
const CONTRACT = "Musala Tour - Bookkeeping";
const OTHER_CLIENT = "Rhodope Other Ltd";

/**
 * Waits until the Chart.js chart of the graph view shows its lowest bar for
 * CLIENT, below zero: the graph redraws (a new canvas) after each grouping
 * or sorting, so the chart is looked up again until it does or 10 s pass.
 */
async function checkLowestBar() {
    let found = "no chart";
    for (let attempt = 0; attempt < 100; attempt++) {
        const canvas = document.querySelector(
            ".o_graph_view .o_graph_canvas_container canvas"
        );
        const chart = canvas && window.Chart && window.Chart.getChart(canvas);
        if (chart && chart.data.labels.length) {
            const values = chart.data.datasets[0].data;
            const lowest = values.indexOf(Math.min(...values));
            const label = String(chart.data.labels[lowest]);
            if (label === CLIENT && values[lowest] < 0) {
                return;
            }
            found = `${values[lowest]} for "${label}"`;
        }
        await new Promise((resolve) => setTimeout(resolve, 100));
    }
    throw new Error(
        `The lowest margin in the graph is ${found}, expected a loss for "${CLIENT}".`
    );
}

/**
 * Lets the next download through and marks the page once it is the statement
 * report's and holds the client's time. download._download is the hook Odoo
 * exposes to tests. The report URL is fetched again to read what it holds:
 * under test, Odoo serves the HTML the PDF is made of.
 */
function watchStatementDownload() {
    const original = download._download;
    download._download = async (options) => {
        download._download = original;
        const result = await original(options);
        const [url, type] = JSON.parse(options.data.data);
        if (
            options.url !== "/report/download" ||
            type !== "qweb-pdf" ||
            !url.startsWith("/report/pdf/qlibra_task_reports.report_client_statement?")
        ) {
            return result;
        }
        const body = await (await fetch(url)).text();
        for (const text of [CLIENT, "Closing work 0", "Closing work 4"]) {
            if (!body.includes(text)) {
                throw new Error(`The printed statement does not show "${text}".`);
            }
        }
        if (body.includes(OTHER_CLIENT)) {
            throw new Error(`The printed statement shows another client.`);
        }
        document.body.classList.add("o_qlibra_statement_downloaded");
        return result;
    };
}

registry.category("web_tour.tours").add("qlibra_profitability_tour", {
    url: "/odoo",
    steps: () => [
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
            content: "The pivot shows the clients in rows",
            trigger: `.o_pivot_view .o_pivot th:contains("${CLIENT}")`,
        },
        {
            content: "The pivot's amounts carry the company's currency",
            trigger: '.o_pivot_view .o_pivot td.o_pivot_cell_value div:contains("$")',
        },
        {
            content: "Switch to the graph",
            trigger: ".o_control_panel .o_switch_view.o_graph",
            run: "click",
        },
        {
            content: "The graph opens on the margin per month, stacked by contract type",
            trigger: ".o_graph_view .o_graph_canvas_container canvas",
            async run() {
                let chart;
                for (let attempt = 0; attempt < 50; attempt++) {
                    chart = window.Chart && window.Chart.getChart(this.anchor);
                    if (chart && chart.data.datasets.length) {
                        break;
                    }
                    await new Promise((resolve) => setTimeout(resolve, 100));
                }
                // Bars of each contract type, stacked (Odoo sets a stack on
                // each bar dataset of a stacked chart and adds a "Sum" line).
                const datasets = (chart ? chart.data.datasets : []).filter(
                    (d) => d.type !== "line"
                );
                if (datasets.length < 2 || datasets.some((d) => d.stack === undefined)) {
                    throw new Error(
                        `The analysis graph is not stacked by contract type: ${datasets
                            .map((d) => `${d.label} (stack ${d.stack})`)
                            .join(", ")}.`
                    );
                }
            },
        },
        {
            content: "Open the search options",
            trigger: ".o_control_panel .o_searchview_dropdown_toggler",
            run: "click",
        },
        {
            content: "Group the graph by client",
            trigger: '.o_group_by_menu .o_menu_item:contains("Client")',
            run: "click",
        },
        {
            content: "Close the search options",
            trigger: ".o_control_panel .o_searchview_dropdown_toggler",
            run: "click",
        },
        {
            content: "Sort the clients by margin, the lowest first",
            trigger: '.o_graph_view button[data-tooltip="Ascending"]',
            run: "click",
        },
        {
            content: "The lowest bar of the graph is the client that loses the most",
            trigger: ".o_graph_view .o_graph_canvas_container canvas",
            async run() {
                await checkLowestBar();
            },
        },
        {
            content: "Open the clients to renegotiate",
            trigger: '.o_menu_sections [data-menu-xmlid="qlibra_task.menu_qlibra_renegotiate"]',
            run: "click",
        },
        {
            content: "Open the client that loses the most",
            trigger: `.o_list_view .o_data_row .o_data_cell:contains("${CLIENT}")`,
            run: "click",
        },
        {
            content: "Open the client's contracts",
            trigger: '.o_form_view button[name="action_view_qlibra_contracts"]',
            run: "click",
        },
        {
            content: "Open the contract",
            trigger: `.o_list_view .o_data_row .o_data_cell:contains("${CONTRACT}")`,
            run: "click",
        },
        {
            content: "The contract shows this month's consumption of its hours",
            trigger: '.o_form_view .o_field_widget[name="consumption_percent"] .o_progressbar',
        },
        {
            content: "This month's hours are past the included hours: the bar is red",
            trigger:
                '.o_form_view .o_field_widget[name="consumption_percent"] .o_progressbar .bg-danger',
        },
        {
            content: "The contract shows the time logged without an hourly cost",
            trigger: '.o_form_view .alert-warning .o_tag:contains("Ivo Unpriced")',
        },
        {
            content: "Back to the client",
            trigger: `.o_breadcrumb .breadcrumb-item a:contains("${CLIENT}")`,
            run: "click",
        },
        {
            content: "Back on the client's form",
            trigger: `.o_breadcrumb .active:contains("${CLIENT}")`,
        },
        {
            content: "The client's Statement button is among the first buttons",
            trigger:
                '.o_form_view .o-form-buttonbox > button.oe_stat_button:contains("Statement")',
            run: "click",
        },
        {
            content: "Choose last month",
            trigger: '.modal .o_field_widget[name="period"] select',
            run: 'select "last_month"',
        },
        {
            content: "The wizard prints the statement of this client only",
            trigger: `.modal .o_field_widget[name="partner_ids"] .o_tag:contains("${CLIENT}")`,
        },
        {
            content: "Print the statement",
            trigger: '.modal .modal-footer button[name="action_print"]',
            async run(helpers) {
                watchStatementDownload();
                await helpers.click();
            },
        },
        {
            content: "The statement PDF is downloaded and the wizard closes",
            trigger: `body.o_qlibra_statement_downloaded:not(:has(.modal)) .o_breadcrumb .active:contains("${CLIENT}")`,
        },
    ],
});
