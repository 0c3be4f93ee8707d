"""The counter's search page: `luutru serve` (web/app.py), over the same plain functions as the CLI."""
