"""Published analyses as data: the searches catalog (docs/searches.md)."""

from darkbeam.analysis.searches.catalog import Curve, Search, list_searches, load_search, published_curve

__all__ = ["Curve", "Search", "list_searches", "load_search", "published_curve"]
