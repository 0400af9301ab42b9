/** @odoo-module */
// Copyright 2026 qLibra
// License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
//
// A client's portal user goes from its portal home to Services and reads its
// contract's hours of the month against the included hours, in its own
// language. The test data is built by qlibra_task_portal/tests/common.py.

import { registry } from "@web/core/registry";

function servicesTour({ services, hours, contract }) {
    return () => [
        {
            content: `Open ${services} from the portal home`,
            trigger: `.o_portal_index_card a[href="/my/services"]:contains(${services})`,
            run: "click",
        },
        {
            content: "The page is titled and its breadcrumb reads the same",
            trigger: `.breadcrumb-item.active:contains(${services})`,
        },
        {
            content: `The contract ${contract} is listed`,
            trigger: `.o_qlibra_portal_contract_name:contains(${contract})`,
        },
        {
            content: `Its hours read ${hours}`,
            trigger: `.o_qlibra_portal_hours:contains(${hours})`,
        },
        {
            content: "With a consumption bar",
            trigger: ".o_qlibra_portal_contract .progress-bar[style*='width: 30%']",
        },
        {
            content: "No error",
            trigger: "body:not(:has(.o_error_dialog))",
        },
    ];
}

registry.category("web_tour.tours").add("qlibra_portal_services", {
    url: "/my",
    steps: servicesTour({
        services: "Services",
        hours: "12:00 / 40:00",
        contract: "Alpha Support",
    }),
});

registry.category("web_tour.tours").add("qlibra_portal_services_bg", {
    url: "/my",
    steps: servicesTour({
        services: "Услуги",
        hours: "12:00 / 40:00",
        contract: "Alpha Support",
    }),
});
