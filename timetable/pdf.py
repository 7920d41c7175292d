"""HTML to PDF with WeasyPrint, for the print-outs (views/prints.py). Imported only when a PDF is asked for."""

from __future__ import annotations

from pathlib import Path

STYLESHEET = Path(__file__).parent / "static" / "css" / "print-pdf.css"


def html_to_pdf(html: str) -> bytes:
    """A PDF of `html`, styled by print-pdf.css (A4 landscape). Nothing is fetched: the page has no external resource."""
    from weasyprint import CSS, HTML

    def no_fetch(url: str, *args, **kwargs):
        raise ValueError(f"print-outs load nothing from outside: {url}")

    return HTML(string=html, url_fetcher=no_fetch).write_pdf(stylesheets=[CSS(filename=str(STYLESHEET))])
