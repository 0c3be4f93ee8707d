"""Page-stream segmentation: how well luutru finds the documents inside a scanned dossier.

Generated dossiers of 2-40 documents (samples.synthetic_dossiers), as typed and as OCR reads them,
in two families kept apart: "decree" (the Decree 30 documents the rules were written from) and
"other" (certificates, minutes, citizens' applications, 1990s typewritten decisions), which were
only measured, never tuned on. Reported: boundary precision and recall (a boundary is a page where
a document starts, the first page aside), their F1, and the share of documents recovered exactly
(all their pages, nothing extra), and how often the fields read from each document found exactly
match its true number, type and date (the field benchmark, tests/test_fields.py, reads single
headers). The small real test is tests/test_documents.py, on OCR'd scans.

    python benchmarks/segmentation.py [--dossiers 100] [--seed 5]
"""

from __future__ import annotations

import argparse
import random
import sys
from collections import Counter
from pathlib import Path

REPOSITORY = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPOSITORY))
from luutru.pipeline.documents import segment  # noqa: E402
from luutru.pipeline.metadata import extract_fields  # noqa: E402
from samples.synthetic_dossiers import make_dossier  # noqa: E402
from samples.synthetic_headers import comparable  # noqa: E402


def measure(family: str, noisy: bool, dossiers: int, seed: int) -> dict:
    rng = random.Random(seed)
    found_right = found_all = true_all = exact = documents = 0
    missed, extra, fields_right, fields_read = Counter(), Counter(), Counter(), 0
    for _ in range(dossiers):
        dossier = make_dossier(rng, family, noisy)
        truth = set(dossier.starts[1:])
        spans = segment(dossier.pages)
        found = {span.first_page for span in spans[1:]}
        found_right += len(found & truth)
        found_all += len(found)
        true_all += len(truth)
        ends = dossier.starts[1:] + [len(dossier.pages) + 1]
        true_spans = {(first, end - 1) for first, end in zip(dossier.starts, ends)}
        found_spans = {(span.first_page, span.last_page) for span in spans}
        exact += len(true_spans & found_spans)
        for (first, last), true_fields in zip(sorted(true_spans), dossier.truths):
            if true_fields and (first, last) in found_spans:
                fields = extract_fields(dossier.pages[first - 1:last]).to_json()
                fields_read += 1
                fields_right.update(name for name in ("number", "doc_type", "issued")
                                    if comparable(fields[name]) == comparable(true_fields[name]))
        documents += len(true_spans)
        kind_at = dict(zip(dossier.starts, dossier.kinds))
        missed.update(kind_at[page] for page in truth - found)
        extra.update(dossier.pages[page - 1].splitlines()[0][:30] for page in found - truth)
    precision = found_right / found_all if found_all else 1.0
    recall = found_right / true_all if true_all else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"family": family, "noisy": noisy, "dossiers": dossiers, "documents": documents,
            "precision": round(precision, 4), "recall": round(recall, 4), "f1": round(f1, 4),
            "exact": round(exact / documents, 4), "missed": dict(missed), "extra": dict(extra.most_common(5)),
            "fields": {name: round(fields_right[name] / fields_read, 4) for name in ("number", "doc_type", "issued")}
            if fields_read else {}}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--dossiers", type=int, default=100)
    parser.add_argument("--seed", type=int, default=5)
    arguments = parser.parse_args()
    print(f"{'family':8} {'pages':6} {'documents':>9} {'precision':>9} {'recall':>7} {'F1':>6} {'exact':>6}  "
          "missed / extra")
    for family in ("decree", "other"):
        for noisy in (False, True):
            result = measure(family, noisy, arguments.dossiers, arguments.seed)
            print(f"{family:8} {'OCR' if noisy else 'clean':6} {result['documents']:9} {result['precision']:9.3f} "
                  f"{result['recall']:7.3f} {result['f1']:6.3f} {result['exact']:6.3f}  {result['missed']} / "
                  f"{result['extra']}  {result['fields']}")


if __name__ == "__main__":
    main()
