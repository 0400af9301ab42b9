/** @odoo-module */
// Copyright 2026 qLibra
// License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
//
// report_xlsx's handler downloads an Excel report, but for an action with
// close_on_report_download it returns what closing the dialog returns
// (nothing), so the action manager takes the report as unhandled and logs an
// error. This handler, run before it, downloads through it without the flag
// and then closes the dialog (the statement wizard), as Odoo does for PDFs.

import { registry } from "@web/core/registry";

const handlers = registry.category("ir.actions.report handlers");

handlers.add(
    "qlibra_xlsx_close_on_download",
    async function (action, options, env) {
        if (action.report_type !== "xlsx" || !action.close_on_report_download) {
            return false;
        }
        const { close_on_report_download, ...download } = action; // eslint-disable-line no-unused-vars
        await handlers.get("xlsx_handler")(download, { ...options, onClose: undefined }, env);
        await env.services.action.doAction(
            { type: "ir.actions.act_window_close" },
            { onClose: options.onClose }
        );
        return true;
    },
    { sequence: 10 }
);
