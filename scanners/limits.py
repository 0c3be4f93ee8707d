"""How scans are rendered and how large an image may be, without importing an image library."""

DEFAULT_DPI = 300
# 100 megapixels: an A0 map sheet at 200 dpi; a user can raise it for larger sheets.
DEFAULT_MAX_PIXELS = 100_000_000
POPPLER_TIMEOUT = 120
