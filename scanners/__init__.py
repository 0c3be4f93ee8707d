"""Files to page images: find scans, recognise their format by content, fingerprint them and
yield their pages one at a time. Knows file formats and nothing else."""

from luutru.scanners.discover import Fingerprint, Found, Listing, fingerprint, walk
from luutru.scanners.formats import SCAN_SUFFIXES, Kind, detect_kind
from luutru.scanners.pages import (
    LayerFacts,
    LayerWord,
    ScanError,
    count_pages,
    image_dpi,
    layer_facts,
    render_page,
    text_layer,
    text_layer_lines,
)

__all__ = ["SCAN_SUFFIXES", "Fingerprint", "Found", "Kind", "LayerFacts", "LayerWord", "Listing", "ScanError",
           "count_pages", "detect_kind", "fingerprint", "image_dpi", "layer_facts", "render_page", "text_layer",
           "text_layer_lines", "walk"]
