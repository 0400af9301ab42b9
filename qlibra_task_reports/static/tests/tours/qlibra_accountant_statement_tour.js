/** @odoo-module */
// Copyright 2026 qLibra
// License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
//
// An accountant (not an administrator) prints a client's statement of last
// month from the Statements menu's wizard, then from the client's form: the
// Excel statement from its Statement button, the PDF from its Print menu.
// Each wizard closes once its download starts; each file is named by the
// client and the month. The test data is built by
// qlibra_task_reports/tests/test_tour.py (TestAccountantStatementTour).

import { download } from "@web/core/network/download";
import { registry } from "@web/core/registry";
import { stepUtils } from "@web_tour/tour_service/tour_utils";

const CLIENT = "Vitosha Tour Ltd";
const FIRM_STREET = "12 Vitosha Blvd";
const FILE_NAME = new RegExp(`^Statement - ${CLIENT} - \\d{4}-\\d{2}\\.(pdf|xlsx)$`);

/**
 * Lets the next download through, checks it with ``check(url, type,
 * filename)`` and then marks the page with ``marker``. download._download is
 * the hook Odoo exposes to tests; it resolves with the file's name.
 */
function watchDownload(marker, check) {
    const original = download._download;
    download._download = async (options) => {
        download._download = original;
        const filename = await original(options);
        const [url, type] = JSON.parse(options.data.data);
        await check(url, type, filename);
        document.body.classList.add(marker);
        return filename;
    };
}

/**
 * Under test, Odoo serves the HTML a PDF is made of: read what the statement
 * at ``url`` shows.
 */
async function checkStatementText(url) {
    const body = await (await fetch(url)).text();
    for (const text of [CLIENT, FIRM_STREET, "Tax return 1", "Tax return 2", "05:30"]) {
        if (!body.includes(text)) {
            throw new Error(`The printed statement does not show "${text}".`);
        }
    }
    if (body.includes("Other Tour Client")) {
        throw new Error("The printed statement shows another client.");
    }
}

function checkFileName(filename, extension) {
    if (!FILE_NAME.test(filename) || !filename.endsWith(extension)) {
        throw new Error(`The statement was downloaded as "${filename}".`);
    }
}

registry.category("web_tour.tours").add("qlibra_accountant_statement_tour", {
    url: "/odoo",
    steps: () => [
        stepUtils.showAppsMenuItem(),
        {
            content: "Open the Client Profitability app",
            trigger: '.o_app[data-menu-xmlid="qlibra_task.menu_qlibra_root"]',
            run: "click",
        },
        {
            content: "Open the statements wizard",
            trigger:
                '.o_menu_sections [data-menu-xmlid="qlibra_task_reports.menu_qlibra_statements"]',
            run: "click",
        },
        {
            content: "Choose last month",
            trigger: '.modal .o_field_widget[name="period"] select',
            run: 'select "last_month"',
        },
        {
            content: "Clear the default clients",
            trigger: '.modal .o_field_widget[name="partner_ids"] .o_tag',
            async run() {
                // One tag at a time, each once the previous one is gone.
                const selector = '.modal .o_field_widget[name="partner_ids"] .o_tag';
                for (let count = document.querySelectorAll(selector).length; count; ) {
                    document.querySelector(`${selector} .o_delete`).click();
                    for (let wait = 0; wait < 100; wait++) {
                        await new Promise((resolve) => setTimeout(resolve, 20));
                        if (document.querySelectorAll(selector).length < count) {
                            break;
                        }
                    }
                    const left = document.querySelectorAll(selector).length;
                    if (left >= count) {
                        throw new Error("A default client could not be removed.");
                    }
                    count = left;
                }
            },
        },
        {
            content: "Look for the client",
            trigger: '.modal .o_field_widget[name="partner_ids"]:not(:has(.o_tag)) input',
            run: `edit ${CLIENT}`,
        },
        {
            content: "Choose the client",
            trigger: `.o-autocomplete--dropdown-menu .o-autocomplete--dropdown-item a:contains("${CLIENT}")`,
            run: "click",
        },
        {
            content: "The wizard prints this client only",
            trigger: `.modal .o_field_widget[name="partner_ids"] .o_tag:contains("${CLIENT}")`,
        },
        {
            content: "Print the PDF statement",
            trigger: '.modal .modal-footer button[name="action_print"]',
            async run(helpers) {
                watchDownload("o_qlibra_wizard_pdf", async (url, type, filename) => {
                    if (
                        type !== "qweb-pdf" ||
                        !url.startsWith("/report/pdf/qlibra_task_reports.report_client_statement?")
                    ) {
                        throw new Error(`The wizard printed ${type} ${url}.`);
                    }
                    checkFileName(filename, ".pdf");
                    await checkStatementText(url);
                });
                await helpers.click();
            },
        },
        {
            content: "The statement is downloaded and the wizard is closed",
            trigger: "body.o_qlibra_wizard_pdf:not(:has(.modal))",
        },
        {
            content: "Open the clients",
            trigger: '.o_menu_sections [data-menu-xmlid="qlibra_task.menu_qlibra_clients"]',
            run: "click",
        },
        {
            content: "Open the client",
            trigger: `.o_data_row .o_data_cell:contains("${CLIENT}"), .o_kanban_record:contains("${CLIENT}")`,
            run: "click",
        },
        {
            content: "Open the client's statement wizard",
            trigger:
                '.o_form_view .o-form-buttonbox button.oe_stat_button:contains("Statement")',
            run: "click",
        },
        {
            content: "The wizard is for this client",
            trigger: `.modal .o_field_widget[name="partner_ids"] .o_tag:contains("${CLIENT}")`,
        },
        {
            content: "Choose last month",
            trigger: '.modal .o_field_widget[name="period"] select',
            run: 'select "last_month"',
        },
        {
            content: "Choose Excel",
            trigger: '.modal .o_field_widget[name="file_format"] input[data-value="xlsx"]',
            run: "click",
        },
        {
            content: "Print the Excel statement",
            trigger: '.modal .modal-footer button[name="action_print"]',
            async run(helpers) {
                watchDownload("o_qlibra_form_xlsx", async (url, type, filename) => {
                    if (
                        type !== "xlsx" ||
                        !url.startsWith(
                            "/report/xlsx/qlibra_task_reports.report_client_statement_xlsx?"
                        )
                    ) {
                        throw new Error(`The wizard printed ${type} ${url}.`);
                    }
                    checkFileName(filename, ".xlsx");
                });
                await helpers.click();
            },
        },
        {
            content: "The Excel statement is downloaded and the wizard is closed",
            trigger: `body.o_qlibra_form_xlsx:not(:has(.modal)) .o_breadcrumb .active:contains("${CLIENT}")`,
        },
        {
            content: "Open the client's actions",
            trigger: ".o_control_panel .o_cp_action_menus button:has(i.fa-cog)",
            run: "click",
        },
        {
            content: "Open the Print menu",
            trigger: ".o-dropdown--menu button:has(i.fa-print)",
            run: "click",
        },
        {
            content: "Print the PDF statement of last month",
            trigger: '.o-dropdown--menu .o_menu_item:contains("Client Statement (PDF)")',
            async run(helpers) {
                watchDownload("o_qlibra_form_pdf", async (url, type, filename) => {
                    if (
                        type !== "qweb-pdf" ||
                        !url.startsWith("/report/pdf/qlibra_task_reports.report_client_statement/")
                    ) {
                        throw new Error(`The form printed ${type} ${url}.`);
                    }
                    checkFileName(filename, ".pdf");
                    await checkStatementText(url);
                });
                await helpers.click();
            },
        },
        {
            content: "The statement is downloaded from the client's form",
            trigger: `body.o_qlibra_form_pdf .o_breadcrumb .active:contains("${CLIENT}")`,
        },
    ],
});
