"""Every threshold of the reading path, in one place, each with its evidence.

A threshold is a claim about data: each field says what it separates and what it was measured on. The
digest of the values goes into every page's provenance and into the settings key (pipeline.settings), so
that a page read under other thresholds is never reused as if read under these.

A rule stays while it pays on pages it was not tuned on. "Ablated" below: `python benchmarks/ocr_accuracy.py --split
tuned --pages-per-kind 2 --seed S --set NAME=VALUE` against `make ocr-check`'s baseline (2026-12-07), the rule
turned off by a value it never meets; a rule whose removal reads no worse on two seeds and on real scans goes.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass


@dataclass(frozen=True)
class Tuning:

    # --- pipeline/cleanup.py
    # Skews beyond this are not scanner skew but rotated pages, a job for orientation detection.
    max_skew_degrees: float = 5.0
    # A page whose columns line up sideways_sharper times as sharply as its rows (the row profile's sharpness) is on
    # its side: turned pages of text 7.8-13 times, upright ones under 0.6, but a drum's dots or a copier's grain,
    # lined up down the page, make upright pages 1.1-2.5 (7 of 84 tuned drum and copier pages, seeds 4, 11, 21),
    # which were then neither deskewed nor straightened, and turned as Tesseract's orientation check found on the
    # grain. A page on its side taken for upright reads as junk, and is turned then (pipeline.ocr.ocr_image).
    sideways_sharper: float = 3.0
    min_skew_degrees: float = 0.1
    skew_analysis_width: int = 600
    # Ink longer than this share of the page's shorter side is a rule or a streak, not a word or a line of text.
    long_share: float = 0.5
    # The paper's light is estimated at a quarter of the size, where a 15-pixel closing (60 pixels
    # at 300 dpi) removes every stroke of text and keeps shadows, stains and yellowing.
    background_scale: float = 0.25
    background_kernel: int = 15
    # Ink whose extent exceeds this share of the page's width and height is a frame, unless it holds more
    # than max_frame_ink of the page's ink (a photographed page's edge holds some 25 %, a copier's grain
    # spread over the page, with the letters it touches, 99 %).
    frame_share: float = 0.6
    max_frame_ink: float = 0.5
    # A page more than grain_ink black after thresholding (text pages are 2-7 %) whose specks (speck_share)
    # outnumber its letter-sized pieces grain_specks to one is under a copier's grain: Tesseract reads it as
    # a picture, slowly, and the ink cleanups are read at once (pipeline.work).
    grain_ink: float = 0.12
    grain_specks: int = 3
    # After flattening, a page whose darkest ink is lighter than this is faint (a faded copy).
    faint_ink_level: int = 100
    # A darkest percent closer to white than this (in gray levels) is paper noise, not faint text.
    min_contrast: int = 40
    # Letters at 300 dpi are some 20-60 pixels high; pieces of ink outside 8-150 pixels are not letters.
    min_letter_pixels: int = 8
    max_letter_pixels: int = 150
    default_text_height: int = 30
    # The tall letters of 300 dpi text (the 90th percentile of the letter-sized pieces: capitals and accented
    # letters; a damaged page's specks are smaller) are some 35-43 pixels high. A page whose tall letters pass
    # max_tall_letters (scanned at 450 dpi or more: archives keep 600 dpi masters) is read scaled to make them
    # tall_letters: every size here is in 300 dpi pixels, and Tesseract reads no better for more pixels, only
    # slower (a damaged 600 dpi page took 8-10 s).
    tall_letters: int = 42
    max_tall_letters: int = 55
    # A scan whose file says it was made under min_scan_dpi (200 dpi is common in older scanning) is read
    # scaled up to reference_dpi (at most max_upscale times): Tesseract reads a damaged page's small letters far
    # worse, and every size here is in 300 dpi pixels. Not when its letters say the file's resolution is wrong:
    # the median letter-sized piece, scaled, would pass max_scaled_letters (300 dpi text: 20-34 pixels; the tall
    # letters cannot tell, a drum's clumps of dots pass for them).
    min_scan_dpi: int = 250
    reference_dpi: int = 300
    max_upscale: float = 3.0
    max_scaled_letters: int = 40
    # Dense grain is smoothed with a Gaussian this wide (pixels): strokes of 300 dpi text are 3-5 wide.
    smooth_sigma: float = 2.0
    # A speck is a piece of ink under this share of the letter height squared (a dot on an i is ~1/16).
    speck_share: float = 0.012
    # A page that, thresholded as it comes, holds more than speckled specks a letter is speckled (speckle on
    # yellowed paper, a faded or grainy copy, a drum's dots, a fold's creases: 0.6-220 on the OCR benchmark's
    # pages), and smoothed with a median before it is thresholded. Clean pages of every type, ink bleed, seals
    # and phone photos hold under 0.11.
    speckled: float = 0.25
    # Ablated (seeds 4 and 11, see above): off (min_bend_pixels=1000000), fold pages read 0.010 -> 0.440 and 0.006 ->
    # 0.018.
    # A fold or a curl moves the text on either side of it up or down: the page is straightened in vertical
    # strips this wide (300 dpi pixels), each moved to line up with its neighbour, found at half size.
    strip_width: int = 60
    straighten_scale: float = 0.5
    # A strip is moved at most this far from its neighbour: less than half the distance from one line of
    # 300 dpi text to the next, so that a line is never lined up with the one above or below it.
    strip_reach: int = 40
    # Strips line up when their row profiles correlate at least this well (text lines, not a picture).
    min_strip_correlation: float = 0.5
    # A strip with less ink than this share of its area is margin or gap: it is not lined up to anything.
    min_strip_ink: float = 0.02
    # Moves smaller than this many pixels over the whole page are left alone (straight pages stay untouched).
    min_bend_pixels: int = 3
    # Ablated (seeds 4 and 11, see above): off (streak_density=2), serif drum pages read 0.084 -> 0.118 and 0.137 ->
    # 0.265.
    # A dirty drum leaves streaks down the whole page: bands of toner dots that ink more than streak_density of
    # the gaps between text lines over min_streak_width to max_streak_width columns (a table's rule or a
    # frame is a few columns of solid ink; a copier's grain covers a large part of the page). Pieces of ink
    # lying streak_share or more inside a band are the streak's dots.
    streak_density: float = 0.06
    min_streak_width: int = 8
    max_streak_width: int = 150
    streak_share: float = 0.8
    # A streak's ink in the gaps is dots and clumps of them: pieces of at most 200 pixels on average on the
    # benchmark's drum pages. A band whose pieces there average more than streak_dot_pixels is a line, however
    # wide it lies after thresholding: a rule, a fold, the paper's edge on a photograph (3 000 - 54 000).
    streak_dot_pixels: int = 600
    # A drum's streak across the page is a band found so in the gaps between the text's columns (`_streak_bands`
    # of the page turned) that is as dense in both margins (the gaps within margin_share of the page's width
    # of either side); its rows are thresholded below streak_dots_percentile percent of its dots there.
    margin_share: float = 0.15
    streak_dots_percentile: int = 3
    # Ablated (seeds 4 and 11, see above): off (mend_pixels=1), drum pages read 0.179 -> 0.136 on seed 4 but 0.131 ->
    # 0.151 on 11 and 0.051 -> 0.060 on 21.
    # A low-ink line across a page, or a stroke thinned to nothing, breaks letters across: gaps in a stroke up
    # to mend_pixels - 1 high are closed (a diacritic sits further above its letter in 300 dpi text; 5 pixels
    # also joined a copier's grain to the letters).
    mend_pixels: int = 3
    # Ablated (seeds 4 and 11, see above): off (cut_share=0), drum pages read 0.179 -> 0.220 and 0.131 -> 0.217 (one
    # page 0.103 -> 0.433).
    # A low-ink line of a worn printer or drum is a row or a few across the whole page where the ink is gone or
    # faded: a row inked under cut_share of the lesser of the most inked rows within cut_reach above and below
    # it (both at least cut_text_row of a text line's usual row: not the gap between two lines, nor a line's
    # edge; and at least cut_min_ink of the page's width: not a page a threshold left a few specks on) is cut,
    # and gaps up to cut_mend_pixels - 1 high are closed about it. Thresholded at the darkest ink, such a cut
    # is 4-8 rows high; Tesseract reads each half of a cut line as a line of its own, of junk.
    cut_share: float = 0.3
    cut_reach: int = 5
    cut_text_row: float = 0.2
    cut_min_ink: float = 0.01
    cut_mend_pixels: int = 9
    # Ablated (seeds 4 and 11, see above): off (min_marks=1000000) no page reads otherwise, but an upside-down page is
    # read twice (seed 11: 2.3 -> 2.9 s).
    # A page whose small marks (pieces under mark_size of the letter height, min_mark_pixels or more) sit under
    # its letters upside_down_marks times as often as on them, min_marks times or more, looks upside down.
    mark_size: float = 0.45
    min_mark_pixels: int = 6
    upside_down_marks: float = 2.0
    min_marks: int = 20
    # A band this close to the page's side (a share of its width) is the paper's edge or the scanner's lid.
    edge_share: float = 0.02
    # The rows of a page inked less than this share of its 20th-percentile row, and a little more, are gaps.
    gap_row_factor: float = 1.5

    # --- pipeline/reading.py
    # A reading whose quality (pipeline.quality: the share of plausible Vietnamese) is under good_reading is
    # read again after other cleanups; a page whose best reading is under unreadable is noise: it stays in
    # the catalog, marked, and is listed by `luutru review`, but none of its words go into the index.
    good_reading: float = 0.85
    unreadable: float = 0.5
    # Ablated (seeds 4 and 11, 2026-12-07): off (good_confidence=0) no page read otherwise; the real scans' 118 pages
    # read 35,984 valid syllables against 35,967, but luutru's own reading of the 35 with an earlier OCR layer 8,672
    # against 8,764 (`real_scans.py --syllables`): a wrong syllable counts there as a right one, the rule's very case.
    # Kept: tests/test_quality.py's copy with thinned strokes is taken without it.
    # A reading Tesseract is less sure of than this (its mean word confidence) is not good either, however
    # plausible: a copy thresholded so dark that thin strokes went reads `giáp` as `eiáp` and `đất` as `dất`,
    # syllables both, at 73-78 where the page's better readings are 89-95 (clean pages read 85 and up).
    good_confidence: float = 80.0
    # A page read as this many characters of junk lines and next to nothing else is unreadable too.
    junk_page_characters: int = 100
    # Ablated (seeds 4 and 11, real scans' dev pages): off (min_coverage=0) 0.0230 -> 0.0229 and 0.0251 -> 0.0250, no
    # page moved by 0.01, real pages the same; and on every other set there is (2026-12-07): the real scans' 118 pages
    # read 35,967 valid syllables either way (`real_scans.py --syllables`), the 8 OCR'd sample pages the same CER
    # each, and the grainy copy of tests/test_quality.py (now found damaged, read by the ink cleanups first) too. The
    # rule is kept all the same, as the net under damage the detectors miss: removed (judge, Plan.missed_text and
    # least_bad's filter), tests/test_quality.py's grainy copy with its damage unseen (`damaged_copy` patched out)
    # keeps its first reading, 18 plausible words of a page of many more, and no cleanup reads it again (min_ink_read,
    # which counts the letters outside every word, did not catch it).
    # A reading with fewer characters than this share of the letter-sized pieces of ink on the cleaned
    # page missed text (clean pages read some 0.85: accents are pieces of their own).
    min_coverage: float = 0.4
    # A first reading that left this many characters out as junk lines (ocr.is_junk) met damage the settings'
    # cleanup does not treat, a drum's streaks or low-ink lines, however well the rest reads: the ink cleanups
    # read the page too (tuned pages: clean kinds leave out at most 17, drum pages 150-700).
    max_first_junk: int = 50
    # A page with fewer letter-sized pieces of ink than this holds too little text to judge its reading.
    min_pieces_to_judge: int = 60
    # Ablated (seeds 4 and 11): off (specks_per_letter=1e9), a serif drum page read 0.030 -> 0.177 (seed 4).
    # A page whose cleanup left more than this many specks a letter is a damaged copy (a drum's dots, sparse
    # grain): clean pages of every kind leave under 0.02, faded copies 0.4-0.6, drum pages 0.2-2.
    specks_per_letter: float = 1.0
    # Ablated (seeds 4 and 11, real scans' dev pages): off (grain_left=1000000) no page read otherwise; what it saves
    # is Tesseract's time on grain, not measured by an ablation on a shared machine.
    # A cleanup of a page under grain that kept more than grain_left times the letter-sized pieces of the median
    # cleanup left the grain in clumps (tuned copier pages: 8 to 27 times; cleanups that took it away keep within 15 %
    # of each other): it is not read (`without_grain_left`).
    grain_left: int = 3
    # The page read without cleanup reads well only when it reads nearly_all of the plausible text the cleaned
    # readings did: a copier page's plain reading that dropped a faint quarter of it (0.32 against 0.11) is not good;
    # a shadowed page's that dropped a fifth of what a garbled cleaned reading took for syllables (0.22 against 0.51)
    # is (at 0.9 it was not: a page of the benchmark's measured split).
    nearly_all: float = 0.8
    # Ablated (seeds 4 and 11, real scans' dev pages): off (max_lines_back=1000000) the tuned pages read the same
    # but the real dev pages 0.090 -> 0.167; off (min_ink_read=0) nothing moved on either (0.0230 -> 0.0229, 0.0251 ->
    # 0.0250) and the real scans' 118 pages read 35,963 valid syllables against 35,967 (`real_scans.py --syllables`,
    # 2026-12-07), but the sample land certificate's second page (samples/scans/2022/gcn-thua-87.tif, a form of ruled
    # boxes, its truth in samples/truth.json) reads 0.080 against 0.031 with it, its one-block reading kept: it stays.
    # Tesseract's layout analysis (psm 3) takes a drum's streaks or a table's rules for the edges of
    # columns and reads the page in slices, or drops the paragraphs between them. A page with streaks down it
    # is read as one block of text (psm 6: no columns looked for. Psm 4, one column of lines of any size, read a
    # fifth of the benchmark's streaked cleaned pages in slices, 5-131 lines back, psm 6 none). A page whose good
    # reading left more than 1 - min_ink_read of its letter-sized pieces of ink outside every word (clean
    # pages leave under 5 %) is read again as one block of text (psm 6, which alone reads the paragraphs
    # beside a rule), and that reading kept when it reads ink_read_gain more of them. So is one whose reading
    # went back up the page max_lines_back lines or more (ocr.lines_gone_back: read in slices, out of order; no
    # page of the benchmark's clean kinds went back at all, drum pages read in slices 6-87 lines; two signatures
    # side by side go back 2-5), kept when it goes back less and reads nearly as much.
    min_ink_read: float = 0.9
    ink_read_gain: float = 0.05
    max_lines_back: int = 5

    # --- pipeline/ocr.py
    # A page read with a confidence below this may be turned 90/180/270 degrees (an upright page of
    # even a poor scan reads above 60; a turned one near 35): Tesseract's orientation detection is
    # then asked, which costs about half an OCR, so upright pages never pay for it.
    suspect_confidence: float = 60.0
    min_words_for_orientation: int = 10
    # Tesseract's own orientation confidence below which its answer is ignored (a wrong flip seen at 1.4).
    min_orientation_confidence: float = 2.0
    # A line read with a mean confidence under junk_confidence whose characters are less than
    # junk_plausible in plausible words (pipeline.quality) is junk, not text: text lines of even a poor
    # scan read above 70, streaks and grain read as letters near 20.
    junk_confidence: float = 50.0
    junk_plausible: float = 0.7
    # A line read with a mean confidence under this is junk however plausible it looks: Vietnamese has so many
    # short syllables that streaks read as `tư Hs nữ ĐỀU độc co` pass for words.
    min_line_confidence: float = 30.0
    # Ablated (seeds 4 and 11): off (min_edge_symbol_confidence=0), a serif drum page read 0.137 -> 0.159 (seed 4).
    # A word of no letter or digit at either end of a line read with a confidence under this is a streak's dot
    # or grain beside the text (`.` `:` `_` read at 0-60); a list's dash or a `(` reads near 90.
    min_edge_symbol_confidence: float = 70.0

    # --- pipeline/columns.py
    # Two columns side by side (the Decree 30 header, the signature area) are read column by column. Measured on
    # the first pages of 8 real scans of the development set (../shared/real-scans, 2026-12, gaps between words of
    # letters in text heights, the median height of the page's words): the gap between the header's or the
    # signature area's columns is 4.6-25 in rows of the number or the motto's second line, 1.1-2.8 in the first
    # row (its two lines of capitals come close); a body line's widest gap is at most 1.9 (justified lines), a
    # form's blank for a handwritten value 3.2 (a line that crosses no gutter on its own). Word spacing is 0.3-0.6.
    # A row parted by column_gap finds an area; a row beside it whose gap of column_split overlaps that gutter
    # is parted there; rows further than column_rows_apart from the area (the header's rows are 0.9-1.4 apart,
    # "Kính gửi" and the title 2-5 below) are not of it. The gutter's middle lies 0.40-0.49 of the way across the
    # text (5 headers, 2 signature areas); one further than column_gutter_off_centre of the text's width from its
    # middle is ink a dirty drum left out of a line (the tuned split's drum pages, seed 4: a gap at 0.80).
    column_gap: float = 4.0
    column_gutter_off_centre: float = 1 / 6
    column_split: float = 1.0
    column_rows_apart: float = 2.0

    # --- pipeline/ruled.py
    # A rule is a run of ink at least rule_length text heights long, down or across: longer than any stroke of a
    # letter (a word's box holds its tallest letter and its marks), no longer than a table row of one line.
    # A table's row is parted by rules across rule_span of its width; a cell by a rule down rule_span of its row
    # (a faint scanned rule, broken in places, still covers more than half: D_binhthuan2025 p1's right side).
    # A box of rules without cells, stamp_least text heights wide up to stamp_width of the page, is a stamp, read
    # after the text: the "ĐẾN" receipt stamp on C_thutuong2026 464 p1 is 11.6 heights (0.29 of the page) wide,
    # Decree 30's is 50 mm (about 12); a form's tick boxes are 1.8 (D_lamdong2026 phieutrinh p1), the phone
    # photo's dark desk and a table frame around a whole page are wider than stamp_width. Measured on the first
    # pages of the development set (2026-12-07): 3 pages with boxes, no box found elsewhere.
    rule_length: float = 1.0
    rule_span: float = 0.5
    stamp_least: float = 4.0
    stamp_width: float = 0.4

    # --- pipeline/quality.py
    # Below this many tokens a reading is too short to judge.
    min_tokens: int = 8
    # Lone marks (a dash, a colon) are some 1 % of the tokens of the sample documents; up to 3 % are writing.
    lone_marks_share: float = 0.03

    # --- pipeline/work.py
    # A PDF text layer with fewer letters than this is treated as absent (a scanner's stray header).
    min_text_layer_letters: int = 20

    # --- pipeline/text_layer.py
    # A text layer over a scanned page is the page's text only when its words lie over this share of the
    # page's letter-sized pieces of ink. Measured on the 53 pages of ../shared/real-scans that carry a text layer
    # (benchmarks/real_scans.py --layers, 2026-12): an earlier OCR's layer covers 0.81-1.00 of the ink (35 pages),
    # the signature block a portal or signing service draws over page 1 of a signed scan 0.00-0.054 (18 pages).
    layer_covers: float = 0.5
    # A word's box is widened by this share of its height on every side: a letter's ink lies a little outside
    # the box a PDF font gives it (accents above, a scan a pixel off).
    box_margin: float = 0.3

    def digest(self) -> str:
        """A short fingerprint of the values: pages read under another are not reused as if read under these."""
        values = json.dumps(asdict(self), sort_keys=True)
        return hashlib.sha256(values.encode()).hexdigest()[:12]


TUNING = Tuning()
