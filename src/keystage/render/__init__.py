"""Rendering back ends: executed report notebooks to HTML, A4 PDF and DOCX (Quarto, or pandoc + Typst)."""

from keystage.render.engine import RenderedReport, render_report

__all__ = ["RenderedReport", "render_report"]
