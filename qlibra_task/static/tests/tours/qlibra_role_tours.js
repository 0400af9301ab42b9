/** @odoo-module */
// Copyright 2026 qLibra
// License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
//
// Each role, each click (issue 24). A qLibra manager who is only a Project
// and Timesheets user renegotiates a subscription from its form (the new fee
// starts at the suggested fee, and saving works), archives a contract and
// sees it ended, and opens the analysis. An employee logs time on a task as
// a change request and finds no money anywhere. The test data is built by
// qlibra_task/tests/test_tours.py.

import { registry } from "@web/core/registry";
import { stepUtils } from "@web_tour/tour_service/tour_utils";

const SUBSCRIPTION = "Strandzha Subscription - Subscription";
const HOURLY = "Vitosha Hourly - Hourly";

const noErrorDialog = {
    content: "No error dialog",
    trigger: "body:not(:has(.o_error_dialog))",
};

function openContract(name) {
    return [
        {
            content: "Open the contracts",
            trigger: '.o_menu_sections [data-menu-xmlid="qlibra_task.menu_qlibra_contracts"]',
            run: "click",
        },
        {
            content: `Open ${name}`,
            trigger: `.o_list_view .o_data_row .o_data_cell:contains("${name}")`,
            run: "click",
        },
        {
            content: "The contract opens",
            trigger: `.o_form_view .o_field_widget[name="name"] input:value("${name}")`,
        },
    ];
}

registry.category("web_tour.tours").add("qlibra_role_manager_tour", {
    url: "/odoo",
    steps: () => [
        stepUtils.showAppsMenuItem(),
        {
            content: "Open the Client Profitability app",
            trigger: '.o_app[data-menu-xmlid="qlibra_task.menu_qlibra_root"]',
            run: "click",
        },
        ...openContract(SUBSCRIPTION),
        {
            content: "Renegotiate",
            trigger: '.o_form_view .o_statusbar_buttons button[name="action_renegotiate"]',
            run: "click",
        },
        {
            content: "A new contract, renegotiating the subscription",
            trigger: `.o_form_view .o_field_widget[name="previous_contract_id"] input:value("${SUBSCRIPTION}")`,
        },
        {
            content: "The new fee starts at the suggested fee, not the old 100.00",
            trigger: '.o_form_view .o_field_widget[name="monthly_fee"] input:value("180.00")',
        },
        {
            content: "The form says where the fee comes from",
            trigger:
                '.o_form_view .o_qlibra_suggested_fee_note:contains("Suggested: ")',
            run() {
                const text = this.anchor.textContent;
                for (const part of ["180.00", "last 3 full months", "30% target margin"]) {
                    if (!text.includes(part)) {
                        throw new Error(`The note "${text}" does not say "${part}".`);
                    }
                }
            },
        },
        {
            content: "The projects are carried over",
            trigger:
                '.o_form_view .o_field_widget[name="project_ids"] .o_data_row:contains("Strandzha Bookkeeping")',
        },
        {
            content: "Save",
            trigger: ".o_form_view .o_form_button_save",
            run: "click",
        },
        {
            content: "Saved, without an access error",
            trigger: ".o_form_view .o_form_saved",
        },
        noErrorDialog,
        {
            content: "The saved contract keeps the new fee",
            trigger: '.o_form_view .o_field_widget[name="monthly_fee"] input:value("180.00")',
        },
        {
            content: "and counts the project it took over",
            trigger:
                '.o_form_view button[name="action_view_projects"] .o_stat_value:contains("1")',
        },
        ...openContract(HOURLY),
        {
            content: "Tie an existing project to the contract",
            trigger:
                '.o_form_view .o_field_widget[name="project_ids"] .o_field_x2many_list_row_add a',
            run: "click",
        },
        {
            content: "Pick the client's project without a contract",
            trigger: '.modal .o_list_view .o_data_row .o_data_cell:contains("Vitosha Advisory")',
            run: "click",
        },
        {
            content: "The project is listed on the contract",
            trigger:
                '.o_form_view .o_field_widget[name="project_ids"] .o_data_row:contains("Vitosha Advisory")',
        },
        {
            content: "Save the contract",
            trigger: ".o_form_view .o_form_button_save",
            run: "click",
        },
        {
            content: "Saved, without an access error",
            trigger: ".o_form_view .o_form_saved",
        },
        noErrorDialog,
        {
            content: "Archive",
            trigger: '.o_form_view .o_statusbar_buttons button[name="action_archive"]',
            run: "click",
        },
        {
            content: "Archiving asks first, and says it ends the contract today",
            trigger: '.modal:contains("ends this contract today") .modal-footer .btn-primary',
            run: "click",
        },
        {
            content: "The archived contract reads Ended",
            trigger:
                '.o_form_view .o_statusbar_status .o_arrow_button_current:contains("Ended")',
        },
        {
            content: "and offers no renegotiation",
            trigger:
                '.o_form_view .o_statusbar_buttons:not(:has(button[name="action_renegotiate"]))',
        },
        {
            content: "and no second archive",
            trigger: '.o_form_view .o_statusbar_buttons:not(:has(button[name="action_archive"]))',
        },
        {
            content: "The Archived ribbon shows",
            trigger: '.o_form_view .ribbon:contains("Archived")',
        },
        noErrorDialog,
        {
            content: "Open the analysis",
            trigger: '.o_menu_sections [data-menu-xmlid="qlibra_task.menu_qlibra_analysis"]',
            run: "click",
        },
        {
            content: "The pivot is shown, with the margins",
            trigger: '.o_pivot_view .o_pivot th:contains("Margin")',
        },
        noErrorDialog,
    ],
});

// Columns, fields and menus that would show money to an employee.
const MONEY = [
    "qlibra_cost",
    "qlibra_revenue",
    "qlibra_margin",
    "qlibra_fixed_price",
    "qlibra_projected_margin",
    "amount",
    "monthly_fee",
    "hourly_rate",
];

function assertNoMoney(root, where) {
    for (const name of MONEY) {
        if (root.querySelector(`[name="${name}"], th[data-name="${name}"]`)) {
            throw new Error(`${where} shows ${name}.`);
        }
    }
    for (const word of ["Cost", "Revenue", "Margin"]) {
        const labels = [...root.querySelectorAll("label, th, .nav-link")].map((el) =>
            el.textContent.trim()
        );
        if (labels.some((label) => label.includes(word))) {
            throw new Error(`${where} has a "${word}" label.`);
        }
    }
}

registry.category("web_tour.tours").add("qlibra_role_employee_tour", {
    url: "/odoo",
    steps: () => [
        stepUtils.showAppsMenuItem(),
        {
            content: "No Client Profitability app for an employee",
            trigger: '.o_app[data-menu-xmlid="project.menu_main_pm"]',
            run() {
                if (document.querySelector('[data-menu-xmlid^="qlibra_task."]')) {
                    throw new Error("An employee sees a Client Profitability menu.");
                }
            },
        },
        {
            content: "Open Project",
            trigger: '.o_app[data-menu-xmlid="project.menu_main_pm"]',
            run: "click",
        },
        {
            content: "Open the project",
            trigger: '.o_kanban_record:contains("Strandzha Bookkeeping")',
            run: "click",
        },
        {
            content: "Open the task",
            trigger: '.o_kanban_record:contains("Strandzha Monthly Books")',
            run: "click",
        },
        {
            content: "The task form shows no money",
            trigger: ".o_form_view .o_form_sheet",
            run() {
                assertNoMoney(this.anchor, "The task form");
                if (this.anchor.querySelector('.nav-link[name="qlibra_profitability"]')) {
                    throw new Error("The task shows its Profitability tab.");
                }
            },
        },
        {
            content: "Open the Timesheets tab",
            trigger: '.o_form_view .o_notebook .nav-link:contains("Timesheets")',
            run: "click",
        },
        {
            content: "Add a line",
            trigger: '.o_form_view .o_field_widget[name="timesheet_ids"] .o_field_x2many_list_row_add a',
            run: "click",
        },
        {
            content: "Describe the work",
            trigger:
                '.o_form_view .o_field_widget[name="timesheet_ids"] .o_selected_row .o_field_widget[name="name"] input',
            run: "edit Extra report the client asked for",
        },
        {
            content: "Two hours",
            trigger:
                '.o_form_view .o_field_widget[name="timesheet_ids"] .o_selected_row .o_field_widget[name="unit_amount"] input',
            run: "edit 2:00",
        },
        {
            content: "Mark it a change request",
            trigger:
                '.o_form_view .o_field_widget[name="timesheet_ids"] .o_selected_row .o_field_widget[name="qlibra_is_change_request"] input',
            run: "click",
        },
        {
            content: "The timesheet lines show no money",
            trigger: '.o_form_view .o_field_widget[name="timesheet_ids"] table',
            run() {
                assertNoMoney(this.anchor, "The task's timesheet lines");
            },
        },
        {
            content: "Save",
            trigger: ".o_form_view .o_form_button_save",
            run: "click",
        },
        {
            content: "Saved",
            trigger: ".o_form_view .o_form_saved",
        },
        noErrorDialog,
        {
            content: "The line is logged as a change request",
            trigger:
                '.o_form_view .o_field_widget[name="timesheet_ids"] .o_data_row:contains("Extra report the client asked for") .o_data_cell[name="qlibra_is_change_request"] input:checked',
        },
        stepUtils.showAppsMenuItem(),
        {
            content: "Open Timesheets",
            trigger: '.o_app[data-menu-xmlid="hr_timesheet.timesheet_menu_root"]',
            run: "click",
        },
        {
            content: "The new line is listed, with no money",
            trigger: '.o_list_view .o_data_row:contains("Extra report the client asked for")',
            run() {
                assertNoMoney(document.querySelector(".o_list_view"), "My Timesheets");
            },
        },
        noErrorDialog,
    ],
});
