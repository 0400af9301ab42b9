# Copyright 2026 qLibra
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import io
import json
from collections import OrderedDict

import lxml.html
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen import canvas
from werkzeug.urls import url_parse

from odoo import _, api, models
from odoo.tools.misc import file_path
from odoo.tools.pdf import (
    ArrayObject,
    DecodedStreamObject,
    DictionaryObject,
    NameObject,
    PdfFileReader,
    PdfFileWriter,
)
from odoo.tools.safe_eval import safe_eval, time

# Open Sans (in the web add-on) has Cyrillic glyphs; reportlab's Helvetica not.
PAGE_FONT = "QlibraOpenSans"
PAGE_FONT_FILE = "web/static/fonts/google/Open_Sans/Open_Sans-Regular.ttf"
# Baseline above the page's bottom edge: in Odoo's bottom margins (32 mm).
PAGE_NUMBER_BOTTOM = 10 * mm
# The download's extension per converter of /report/<converter>/...
EXTENSIONS = {"pdf": "pdf", "xlsx": "xlsx", "text": "txt"}
# Context key: the per-document rendering below is under way.
RENDERING_ONE_DOCUMENT = "qlibra_page_numbers_document"


def _content_refs(page):
    """The content streams of a page (/Contents is one or an array)."""
    contents = page.get("/Contents")
    resolved = contents.get_object() if contents is not None else []
    return list(resolved) if isinstance(resolved, list) else [contents]


def _new_stream(writer, data):
    stream = DecodedStreamObject()
    stream.set_data(data)
    return writer._add_object(stream)


def stamp_page_numbers(stream, label):
    """The PDF with ``label(page, pages)`` at each page's bottom (unpatched
    wkhtmltopdf drops Odoo's footer), appended as a content stream with
    renamed fonts: PyPDF2's merge_page took 12 s for 49 pages."""
    pages = PdfFileReader(stream).pages
    if PAGE_FONT not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(TTFont(PAGE_FONT, file_path(PAGE_FONT_FILE)))
    overlay_stream = io.BytesIO()
    # Uncompressed, so that its font names can be renamed in its content.
    overlay = canvas.Canvas(overlay_stream, pageCompression=0)
    for number, page in enumerate(pages, start=1):
        box = page.mediabox
        overlay.setPageSize((float(box.width), float(box.height)))
        overlay.setFont(PAGE_FONT, 8)
        overlay.setFillGray(0.4)
        overlay.drawCentredString(
            float(box.left) + float(box.width) / 2,
            float(box.bottom) + PAGE_NUMBER_BOTTOM,
            label(number, len(pages)),
        )
        overlay.showPage()
    overlay.save()
    writer = PdfFileWriter()
    push, pop = _new_stream(writer, b"q\n"), _new_stream(writer, b"Q\n")
    for page, stamp in zip(pages, PdfFileReader(overlay_stream).pages, strict=True):
        data = b"".join(ref.get_object().get_data() for ref in _content_refs(stamp))
        resources = DictionaryObject(page["/Resources"])
        fonts = DictionaryObject(resources["/Font"] if "/Font" in resources else {})
        for name, font in stamp["/Resources"]["/Font"].get_object().items():
            data = data.replace(f"{name} ".encode(), f"/Qlibra{name[1:]} ".encode())
            fonts[NameObject(f"/Qlibra{name[1:]}")] = font
        resources[NameObject("/Font")] = fonts
        page[NameObject("/Resources")] = resources
        page[NameObject("/Contents")] = ArrayObject(
            [push, *_content_refs(page), pop, _new_stream(writer, data)]
        )
        writer.add_page(page)
    result = io.BytesIO()
    writer.write(result)
    return result


def remove_footer_page_numbers(html):
    """The report's HTML (bytes) without its footer's page numbers."""
    root = lxml.html.fromstring(html, parser=lxml.html.HTMLParser(encoding="utf-8"))
    has = "contains(concat(' ', normalize-space(@class), ' '), ' {} ')".format
    xpath = f"//div[{has('footer')}]//span[{has('page')} or {has('topage')}]"
    for span in root.xpath(xpath):
        parent = span.getparent()
        if parent is not None and parent.getparent() is not None:
            parent.drop_tree()
    return lxml.html.tostring(root, encoding="utf-8", doctype="<!DOCTYPE html>")


class IrActionsReport(models.Model):
    _inherit = "ir.actions.report"

    def _render_qweb_pdf_prepare_streams(self, report_ref, data, res_ids=None):
        """Documents of reports with ``_qlibra_page_documents`` rendered one by
        one, each numbered "Page X / Y" in its client's language."""
        report_model = self._get_rendering_context_model(self._get_report(report_ref))
        documents = getattr(report_model, "_qlibra_page_documents", None)
        if not documents or self.env.context.get(RENDERING_ONE_DOCUMENT):
            return super()._render_qweb_pdf_prepare_streams(report_ref, data, res_ids)
        this = self.with_context(**{RENDERING_ONE_DOCUMENT: True})
        collected_streams = OrderedDict()
        for res_id, lang in documents(res_ids, data) or [(False, self.env.lang)]:
            streams = super(IrActionsReport, this)._render_qweb_pdf_prepare_streams(
                report_ref, data, res_ids=[res_id] if res_id else res_ids
            )
            label = self.with_context(lang=lang)._qlibra_page_label
            for key, stream_data in streams.items():
                if stream := stream_data["stream"]:
                    stream_data["stream"] = stamp_page_numbers(stream, label)
                    stream.close()
                collected_streams[key] = stream_data
        return collected_streams

    def _qlibra_page_label(self, page, pages):
        return _("Page %(page)s / %(pages)s", page=page, pages=pages)

    def _prepare_html(self, html, report_model=False):
        # wkhtmltopdf with patched Qt renders the footer's numbers: ours suffice.
        if self.env.context.get(RENDERING_ONE_DOCUMENT):
            html = remove_footer_page_numbers(html)
        return super()._prepare_html(html, report_model=report_model)

    @api.model
    def _qlibra_download_file_name(self, url):
        """``print_report_name`` on the clients and period of a qLibra client
        report's /report/<converter>/<report>[/<ids>][?options=<data>]."""
        parsed = url_parse(url)
        parts = parsed.path.split("/")
        if len(parts) < 4 or parts[1] != "report" or parts[2] not in EXTENSIONS:
            return None
        report = self._get_report_from_name(parts[3])
        if (
            report.model != "res.partner"
            or not report.print_report_name
            or not report.report_name.startswith("qlibra_task_reports.")
        ):
            return None
        ids = [int(i) for i in parts[4].split(",") if i.isdigit()] if parts[4:] else []
        options = parsed.decode_query(cls=dict).get("options")
        data = json.loads(options) if options else {}
        Period = self.env["qlibra.report.period"]
        date_from, date_to = Period._get_period(data)
        partners = Period._get_partners(ids, data).with_context(
            qlibra_date_from=str(date_from), qlibra_date_to=str(date_to)
        )
        name = safe_eval(report.print_report_name, {"object": partners, "time": time})
        return f"{name}.{EXTENSIONS[parts[2]]}"
