"""The site publisher: rendered reports to a static, offline website with listings, search and downloads."""

from keystage.publish.site import build_site

__all__ = ["build_site"]
