/** @odoo-module */
// Copyright 2026 qLibra
// License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
//
// Odoo's own Timesheets > Reporting keeps working with qLibra installed: its
// search view is a primary child of the timesheet lines' search view, which
// qLibra extends (issue 13 item 2). The test data is built by
// qlibra_task/tests/test_tours.py.

import { registry } from "@web/core/registry";
import { stepUtils } from "@web_tour/tour_service/tour_utils";

const EMPLOYEE = "Ema Reporting";
const OTHER_EMPLOYEE = "Oleg Other";
const PROJECT = "Reporting Project";
const TASK = "Reporting Task";

const noErrorDialog = {
    content: "No error dialog (Oops!)",
    trigger: "body:not(:has(.o_error_dialog)):not(:has(.o_dialog .modal-title:contains(Oops)))",
};

/** Steps checking the pivot of a timesheet report shows rowTitle. */
function pivotShows(report, rowTitle) {
    return [
        {
            content: `${report}: the pivot shows ${rowTitle}`,
            trigger: `.o_pivot_view .o_pivot th:contains("${rowTitle}")`,
        },
        {
            content: `${report}: real data, not the sample of an empty view`,
            trigger: ".o_pivot_view:not(:has(.o_view_sample_data))",
        },
        noErrorDialog,
    ];
}

function openReport(menuXmlid) {
    return [
        {
            content: "Open Timesheets > Reporting",
            trigger: '.o_menu_sections [data-menu-xmlid="hr_timesheet.menu_timesheets_reports"]',
            run: "click",
        },
        {
            content: `Open ${menuXmlid}`,
            trigger: `.dropdown-item[data-menu-xmlid="${menuXmlid}"]`,
            run: "click",
        },
    ];
}

// A manager (timesheet approver, qLibra manager) opens the three reports
// from the menus and searches one of them.
registry.category("web_tour.tours").add("qlibra_timesheet_reporting_manager_tour", {
    url: "/odoo",
    steps: () => [
        stepUtils.showAppsMenuItem(),
        {
            content: "Open the Timesheets app",
            trigger: '.o_app[data-menu-xmlid="hr_timesheet.timesheet_menu_root"]',
            run: "click",
        },
        ...openReport("hr_timesheet.menu_hr_activity_analysis"),
        {
            content: "By Employee: the report's title",
            trigger: '.o_breadcrumb .active:contains("Timesheets by Employee")',
        },
        ...pivotShows("By Employee", EMPLOYEE),
        ...pivotShows("By Employee", OTHER_EMPLOYEE),
        {
            content: "By Employee: this month's 16 hours, as HH:MM",
            trigger: '.o_pivot_view .o_pivot td:contains("16:00")',
        },
        {
            content: "Search an employee in the report's own search view",
            trigger: ".o_searchview_input",
            run: `edit ${EMPLOYEE}`,
        },
        {
            content: "Search the employee",
            trigger: '.o_searchview_autocomplete li:contains("Employee")',
            run: "click",
        },
        {
            content: "The control panel shows the employee facet",
            trigger: `.o_searchview_facet:contains("${EMPLOYEE}")`,
        },
        {
            content: "Only that employee's row is left",
            trigger: `.o_pivot_view .o_pivot:not(:has(th:contains("${OTHER_EMPLOYEE}"))) th:contains("${EMPLOYEE}")`,
        },
        noErrorDialog,
        ...openReport("hr_timesheet.timesheet_menu_report_timesheet_by_project"),
        {
            content: "By Project: the report's title",
            trigger: '.o_breadcrumb .active:contains("Timesheets by Project")',
        },
        ...pivotShows("By Project", PROJECT),
        ...openReport("hr_timesheet.timesheet_menu_report_timesheet_by_task"),
        {
            content: "By Task: the report's title",
            trigger: '.o_breadcrumb .active:contains("Timesheets by Task")',
        },
        ...pivotShows("By Task", TASK),
        {
            content: "Switch to the graph",
            trigger: ".o_control_panel .o_switch_view.o_graph",
            run: "click",
        },
        {
            content: "The graph is drawn",
            trigger: ".o_graph_view .o_graph_canvas_container canvas",
        },
        noErrorDialog,
    ],
});

// An employee (Timesheets: own timesheets only) has no Reporting menu; the
// reports' addresses still open, on the employee's own time. The test opens
// this tour on each report's address.
registry.category("web_tour.tours").add("qlibra_timesheet_reporting_employee_tour", {
    steps: () => {
        const path = window.location.pathname;
        const row = path.endsWith("by-task")
            ? TASK
            : path.endsWith("by-project")
              ? PROJECT
              : EMPLOYEE;
        return [
            ...pivotShows(path, row),
            {
                content: "The employee's own hours only, not a colleague's",
                trigger:
                    `.o_pivot_view .o_pivot:not(:has(td:contains("32:00")))` +
                    `:not(:has(th:contains("${OTHER_EMPLOYEE}"))) td:contains("16:00")`,
            },
            {
                content: "Open the search options",
                trigger: ".o_searchview_dropdown_toggler",
                run: "click",
            },
            {
                content: "Filter on My Timesheets",
                trigger: '.o_filter_menu .o_menu_item:contains("My Timesheets")',
                run: "click",
            },
            {
                content: "The control panel shows the filter's facet",
                trigger: '.o_searchview_facet:contains("My Timesheets")',
            },
            ...pivotShows(path, row),
        ];
    },
});
