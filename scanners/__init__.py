"""Files to page images: find scans, recognise their format by content, fingerprint them and
yield their pages one at a time. Knows file formats and nothing else."""

import importlib

# Each name is imported from its module when first asked for: `luutru search` reaches this package for its limits
# and signature verdicts only, and must not pay for the image and PDF libraries (numpy, Pillow, pikepdf, pdf2image:
# some 150 ms of every search's start).
_MODULE_OF = {
    **dict.fromkeys(("Fingerprint", "Found", "Listing", "fingerprint", "walk"), "discover"),
    **dict.fromkeys(("SCAN_SUFFIXES", "Kind", "detect_kind"), "formats"),
    **dict.fromkeys(("LayerFacts", "LayerWord", "ScanError", "count_pages", "image_dpi", "layer_facts",
                     "render_page", "text_layer", "text_layer_lines"), "pages"),
}

__all__ = sorted(_MODULE_OF)


def __getattr__(name: str) -> object:
    if name not in _MODULE_OF:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f"{__name__}.{_MODULE_OF[name]}"), name)
    globals()[name] = value  # asked once
    return value
