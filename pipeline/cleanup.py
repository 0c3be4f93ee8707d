"""Page cleanup before OCR: ink-free grayscale, flat lighting, denoise, contrast, deskew, straightening,
binarization.

Each step is a pure function from a page to a new page (`CleanPage`: its pixels, what the steps found on it
so far, and the map from the original), so that steps can be switched and measured one at a time
(benchmarks/ocr_accuracy.py --ablation). What a step finds (the skew angle, a faint page's ink level, a
copier's grain) is a field of the page's `PageFacts`: the reading policy (pipeline.work) decides on those,
and `luutru review` tells an archivist from them why a page reads badly. Cleanup only feeds OCR; the scan
itself is never changed.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict, dataclass, field, replace

import cv2
import numpy as np
from PIL import Image, ImageChops

from luutru.pipeline.geometry import identity, quarter_turn, rotation
from luutru.pipeline.settings import DEFAULT_STEPS
from luutru.pipeline.tuning import TUNING

# Rows a straightened page is remapped at a time (no threshold: any size gives the same pixels).
SHIFT_BAND_ROWS = 256


@dataclass(frozen=True)
class PageFacts:
    """What the cleanup steps found on a page. None or False: not looked for, or not found."""
    clean: bool = False  # no specks nor frame as it came (`denoise_unless_clean`): read in gray
    sideways: bool = False  # its columns line up, not its rows (`estimate_skew`): turned once OCR says how
    skew: float | None = None  # degrees `deskew` turned it
    ink_level: int | None = None  # its darkest percent's gray level after flattening (`stretch_contrast`)
    ink_below: int | None = None  # the level `darkest` kept ink under
    grain: bool = False  # a copier's grain over it (`binarize`, `darkest`)
    frame_dropped: bool = False  # ink spanning the page both ways was dropped (`binarize`, `darkest`)
    streaks: int | None = None  # drum streaks down the page `destreak` dropped
    streaks_across: int | None = None  # drum streaks across it (`binarize`; thresholded under their dots by `darkest`)
    straightened: float | None = None  # pixels `straighten` moved its strips by, at most
    cut_rows: int | None = None  # rows a low-ink line cut across the text, closed by `mend`

    def damaged(self) -> bool:
        """Thresholding found damage: a frame, a copier's grain or a drum's streaks."""
        return self.frame_dropped or self.grain or bool(self.streaks or self.streaks_across)

    def found(self) -> dict:
        """The facts found, by name, for the page's diagnostics."""
        return {name: value for name, value in asdict(self).items() if value is not None and value is not False}


@dataclass(frozen=True)
class Lie:
    """How a page lies, as one cleanup measured it, for another cleanup of the same page to take rather than
    measure again: the page lies the same way whatever cleans it (pipeline.work's ink cleanups)."""
    skew: float | None  # None: on its side
    column_shift: np.ndarray | None  # `straighten`'s, None for a straight page

    @classmethod
    def of(cls, page: CleanPage) -> Lie:
        return cls(None if page.facts.sideways else (page.facts.skew or 0.0), page.column_shift)


@dataclass(frozen=True)
class CleanPage:
    pixels: np.ndarray
    facts: PageFacts = PageFacts()
    transform: np.ndarray = field(default_factory=identity)  # original page -> these pixels (pipeline.geometry)
    # After `straighten`: the pixel at column x, row y came from row y + column_shift[x] of the page
    # `transform` maps onto (pipeline.geometry.unbent_box); None for a page not straightened.
    column_shift: np.ndarray | None = None
    lie: Lie | None = None  # measured by another cleanup of the page: `deskew` and `straighten` take it
    # The gray page `binarize` thresholded, for a page found clean: `gray_if_clean` reads it instead when
    # thresholding found no damage (the one step that must come after another: binarize).
    unthresholded: np.ndarray | None = None

    def found(self, **facts) -> CleanPage:
        """The page with these facts found on it too."""
        return replace(self, facts=replace(self.facts, **facts))


def ink_free_gray(image: Image.Image) -> np.ndarray:
    """Grayscale that keeps black text and drops red seals and blue signatures."""
    # The brightest channel turns coloured ink into near-paper white, while black print (dark in every channel)
    # stays dark, also where it runs under a seal.
    if image.mode == "L":
        return np.asarray(image)
    # Band by band: no RGB copy of the page (26 MB at 300 dpi) is ever made.
    red, green, blue = image.convert("RGB").split() if image.mode != "RGB" else image.split()
    return np.asarray(ImageChops.lighter(ImageChops.lighter(red, green), blue))


def flatten(page: CleanPage) -> CleanPage:
    """Divide by the paper's own light: uneven lighting, yellowing, stains and a phone photo's
    dark desk become white, and the ink keeps its contrast against what lies around it."""
    gray = page.pixels
    scale = TUNING.background_scale
    small = cv2.resize(gray, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA)
    kernel = cv2.getStructuringElement(cv2.MORPH_RECT, (TUNING.background_kernel, TUNING.background_kernel))
    background = cv2.GaussianBlur(cv2.morphologyEx(small, cv2.MORPH_CLOSE, kernel), (0, 0), 3)
    background = cv2.resize(background, (gray.shape[1], gray.shape[0]), interpolation=cv2.INTER_LINEAR)
    return replace(page, pixels=cv2.divide(gray, np.maximum(background, 1), scale=255))


def denoise(page: CleanPage) -> CleanPage:
    """A 3x3 median: removes speckle and toner dust, keeps strokes 3 pixels wide (300 dpi text)."""
    return replace(page, pixels=cv2.medianBlur(page.pixels, 3))


def denoise_wide(page: CleanPage) -> CleanPage:
    """A 5x5 median: a faint copy's grain, dense enough that a Gaussian leaves it in clumps as dark as the
    letters (Tesseract then reads nothing), goes; 300 dpi strokes lose their corners."""
    return replace(page, pixels=cv2.medianBlur(page.pixels, 5))


def denoise_unless_clean(page: CleanPage) -> CleanPage:
    """`denoise` a page unless, thresholded as it comes, it holds next to no specks (TUNING.speckled) and no frame;
    such a page is marked clean, and `gray_if_clean` has it read in gray."""
    # A frame is a phone photo's desk, whose JPEG noise the median smooths. In gray, Tesseract's recogniser reads
    # the strokes itself, where the median thins or drops tone marks and the small 2 of m², a few pixels each.
    ink, stats, _ = _page_pieces(page.pixels)
    speckled = np.count_nonzero(_specks(stats)) > TUNING.speckled * np.count_nonzero(_letter_sized(stats))
    if speckled or _frames(255 - 255 * ink) is not None:
        return denoise(page)
    return page.found(clean=True)


def stretch_contrast(page: CleanPage) -> CleanPage:
    """Give a faint page (a faded photocopy) its full range: its darkest ink becomes black, so
    that Otsu's threshold falls between the faint strokes and the paper."""
    # A page whose darkest percent is within TUNING.min_contrast of white is left alone: stretching it would only
    # make noise look like text.
    ink = _percentile(page.pixels, 1)
    page = page.found(ink_level=ink)
    if ink < TUNING.faint_ink_level or 255 - ink < TUNING.min_contrast:
        return page
    # Subtract first (saturating at 0), so that the scaling never sees a negative value.
    return replace(page, pixels=cv2.convertScaleAbs(cv2.subtract(page.pixels, ink), alpha=255.0 / (255 - ink)))


def _percentile(gray: np.ndarray, share: float) -> int:
    """The gray level below which `share` percent of the pixels lie (from a histogram: fast)."""
    counts = cv2.calcHist([gray], [0], None, [256], [0, 256]).ravel().cumsum()
    return int(np.searchsorted(counts, counts[-1] * share / 100))


def is_black_and_white(gray: np.ndarray) -> bool:
    counts = cv2.calcHist([gray], [0], None, [256], [0, 256]).ravel()
    return counts[0] + counts[255] == gray.size


def _text_mask(gray: np.ndarray) -> np.ndarray:
    """Ink as 1, paper as 0, on a page scaled down for speed; long pieces (a table's rules, a margin
    line) and drum streaks are left out: they line up with the page one way only, and a page ruled or
    streaked down its length would otherwise look like a page on its side."""
    scale = min(1.0, TUNING.skew_analysis_width / gray.shape[1])
    mask = _ink_at(gray, scale)
    count, labels, stats, _ = pieces(mask)
    longest = np.maximum(stats[:, cv2.CC_STAT_WIDTH], stats[:, cv2.CC_STAT_HEIGHT])
    long = np.flatnonzero(longest > TUNING.long_share * min(mask.shape))
    mask[np.isin(labels, long[long > 0])] = 0
    streaks = _streak_bands(mask.astype(bool), scale)
    if streaks is not None:
        mask[:, streaks] = 0
    return mask


def pieces(mask: np.ndarray, connectivity: int = 8) -> tuple[int, np.ndarray, np.ndarray, np.ndarray]:
    """cv2.connectedComponentsWithStats (count, labels, stats, centroids) of a mask of 0 and non-zero, through
    Grana's algorithm: OpenCV's default pieces in its order, some 3 times as fast on one thread (19 against 53 ms
    on a 300 dpi A4 page). Labels are 16-bit (17 of a page's 33 MB saved) unless they overflow: a copier's grain."""
    try:
        return cv2.connectedComponentsWithStatsWithAlgorithm(mask, connectivity, cv2.CV_16U, cv2.CCL_BBDT)
    except cv2.error:  # past 65,535 pieces, which OpenCV finds early on (6 ms on such a page)
        return cv2.connectedComponentsWithStatsWithAlgorithm(mask, connectivity, cv2.CV_32S, cv2.CCL_BBDT)


def _ink_at(gray: np.ndarray, scale: float) -> np.ndarray:
    """Ink as 1, paper as 0 (Otsu's threshold), on the page scaled by `scale`."""
    small = cv2.resize(gray, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA)
    _, mask = cv2.threshold(small, 0, 1, cv2.THRESH_BINARY_INV + cv2.THRESH_OTSU)
    return mask


def _profile_sharpness(ink: tuple[np.ndarray, np.ndarray], shape: tuple[int, int], angle: float) -> float:
    """How sharply the row sums of a mask peak when it is turned by `angle` about its centre (text lines
    align): the rows its ink pixels (`ink`: their rows and columns) land on, as cv2.warpAffine would turn
    them, counted without turning the image (a quarter of the time)."""
    height, width = shape
    rows, columns = ink[0] - height / 2, ink[1] - width / 2
    cosine, sine = np.cos(np.radians(angle)), np.sin(np.radians(angle))
    turned_rows = np.rint(cosine * rows - sine * columns + height / 2).astype(np.int64)
    turned_columns = np.rint(cosine * columns + sine * rows + width / 2).astype(np.int64)
    inside = (turned_rows >= 0) & (turned_rows < height) & (turned_columns >= 0) & (turned_columns < width)
    profile = np.bincount(turned_rows[inside], minlength=height).astype(np.float64)
    return float(np.square(np.diff(profile)).sum())


def _best_angle(mask: np.ndarray, around: float, step: float, span: float) -> tuple[float, float]:
    """The angle near `around` with the sharpest row profile, and that sharpness."""
    candidates = np.arange(around - span, around + span + step / 2, step)
    ink = np.nonzero(mask)
    scores = [_profile_sharpness(ink, mask.shape, angle) for angle in candidates]
    best = int(np.argmax(scores))
    return float(candidates[best]), scores[best]


def estimate_skew(gray: np.ndarray) -> float | None:
    """The angle in degrees that straightens the text lines (projection profile, coarse to fine);
    None for a page on its side (its columns align far better than its rows), which is turned upright
    after OCR finds it so."""
    mask = _text_mask(gray)
    if mask.sum() < 100:
        return 0.0
    best, sharpness = _best_angle(mask, 0.0, 1.0, TUNING.max_skew_degrees)
    if _best_angle(mask.T, 0.0, 1.0, TUNING.max_skew_degrees)[1] > TUNING.sideways_sharper * sharpness:
        return None
    for step, span in ((0.2, 1.0), (0.04, 0.2)):
        best = _best_angle(mask, best, step, span)[0]
    return best


def rotate(gray: np.ndarray, angle: float) -> np.ndarray:
    height, width = gray.shape
    matrix = cv2.getRotationMatrix2D((width / 2, height / 2), angle, 1.0)
    return cv2.warpAffine(gray, matrix, (width, height), flags=cv2.INTER_CUBIC,
                          borderMode=cv2.BORDER_CONSTANT, borderValue=255)


def deskew(page: CleanPage) -> CleanPage:
    angle = page.lie.skew if page.lie else estimate_skew(page.pixels)
    if angle is None:
        return page.found(sideways=True)
    page = page.found(skew=round(angle, 2))
    if abs(angle) < TUNING.min_skew_degrees:  # an already straight page is left alone
        return page
    height, width = page.pixels.shape
    return replace(page, pixels=rotate(page.pixels, angle), transform=rotation(angle, width, height) @ page.transform)


def straighten(page: CleanPage) -> CleanPage:
    """Line up text that a fold or a curl moved up or down in parts of the page (after deskew, which
    turns the page as a whole): each vertical strip is moved to where its text lines continue its
    neighbour's. Tesseract otherwise reads the pieces of one line as lines or columns of their own."""
    if page.facts.sideways:
        return page  # its lines run down the page: straightened, if at all, once it is turned upright
    shift = page.lie.column_shift if page.lie else _column_shift(page.pixels)
    if shift is None:
        return page
    moved = round(float(shift.max() - shift.min()), 1)
    return replace(page, pixels=_shifted(page.pixels, shift), column_shift=shift).found(straightened=moved)


def _shifted(gray: np.ndarray, shift: np.ndarray) -> np.ndarray:
    """The page with each column x read from `shift[x]` rows lower, by linear interpolation, paper beyond its edges."""
    # A band of rows at a time: the maps of a whole 300 dpi page are 66 MB of float32, a band's 5.
    height, width = gray.shape
    shifted = np.empty_like(gray)
    columns = np.tile(np.arange(width, dtype=np.float32), (SHIFT_BAND_ROWS, 1))
    for top in range(0, height, SHIFT_BAND_ROWS):
        rows = np.arange(top, min(top + SHIFT_BAND_ROWS, height), dtype=np.float32)[:, None] + shift[None, :]
        shifted[top:top + len(rows)] = cv2.remap(gray, columns[:len(rows)], rows, cv2.INTER_LINEAR,
                                                 borderMode=cv2.BORDER_CONSTANT, borderValue=255)
    return shifted


def _column_shift(gray: np.ndarray) -> np.ndarray | None:
    """How far down each column of the page must be read from (pixels, float32) for its text lines to
    continue its neighbours'; None when the page is straight or has no lines to line up."""
    ink = _ink_at(gray, TUNING.straighten_scale)
    strip = int(TUNING.strip_width * TUNING.straighten_scale)
    strips = [ink[:, index * strip:(index + 1) * strip] for index in range(ink.shape[1] // strip)]
    inked = [index for index, pixels in enumerate(strips) if pixels.mean() >= TUNING.min_strip_ink]
    if len(inked) < 2:
        return None
    profiles = {index: _line_profile(strips[index]) for index in inked}
    reach = int(TUNING.strip_reach * TUNING.straighten_scale)
    offsets = [0]
    for before, after in zip(inked, inked[1:]):
        offsets.append(offsets[-1] + _strip_offset(profiles[before], profiles[after], reach))
    if max(offsets) - min(offsets) < TUNING.min_bend_pixels * TUNING.straighten_scale:
        return None
    centres = (np.array(inked) + 0.5) * TUNING.strip_width
    moves = (np.array(offsets) - np.median(offsets)) / TUNING.straighten_scale  # most of the page stays where it is
    return np.interp(np.arange(gray.shape[1]), centres, moves).astype(np.float32)


def _line_profile(ink: np.ndarray) -> np.ndarray:
    """A strip's ink per row less its running mean over a few lines: the rise and fall of its text
    lines, without a shadow's or a stain's slow swell."""
    rows = ink.sum(axis=1, dtype=np.float64)
    return rows - cv2.blur(rows[:, None], (1, int(2 * TUNING.max_letter_pixels * TUNING.straighten_scale)))[:, 0]


def _strip_offset(before: np.ndarray, after: np.ndarray, reach: int) -> int:
    """How many rows lower the text lines of `after` lie than those of `before` (within `reach`), or 0
    when the two do not correlate well."""
    best, best_correlation = 0, TUNING.min_strip_correlation
    for offset in range(-reach, reach + 1):
        upper = before[max(0, -offset):len(before) - max(0, offset)]
        lower = after[max(0, offset):len(after) - max(0, -offset)]
        upper, lower = upper - upper.mean(), lower - lower.mean()
        norm = np.sqrt(np.dot(upper, upper) * np.dot(lower, lower))
        correlation = np.dot(upper, lower) / norm if norm else 0.0
        if correlation > best_correlation:
            best, best_correlation = offset, correlation
    return best


def turned(pixels: np.ndarray, degrees: int) -> CleanPage:
    """The page turned clockwise by a multiple of 90 degrees; a page that was on its side is
    deskewed now (it could not be before) and stays black and white if it was. Its transform maps
    the page as given onto the turned one; its facts hold the skew found after turning."""
    height, width = pixels.shape
    page = CleanPage(np.ascontiguousarray(np.rot90(pixels, -(degrees // 90))),
                     transform=quarter_turn(degrees, width, height))
    if not degrees % 180:
        return page
    was_binary = is_black_and_white(page.pixels)
    page = deskew(page)
    return binarize(page) if was_binary else page


def binarize(page: CleanPage) -> CleanPage:
    """Otsu's global threshold, which suits a page already flattened: black text on white. Frames are dropped, and
    a copier's grain and a drum's streaks across the lines noted: a damaged copy, which `darkest` reads better."""
    # Ink that spans most of the page both ways is a frame, not text (the edge of the paper on a desk, a border or
    # table grid): Tesseract would lay the page out around it and read the blocks out of order.
    unthresholded = page.pixels if page.facts.clean else None  # which `gray_if_clean` may read instead
    page = _drop_frames(replace(page, pixels=cv2.threshold(page.pixels, 0, 255, cv2.THRESH_BINARY + cv2.THRESH_OTSU)[1],
                                unthresholded=unthresholded))
    if _grainy(page.pixels):
        return page.found(grain=True)
    if across := _streaks_across(page.pixels == 0):
        return page.found(streaks_across=len(across[0]))  # treated by `darkest` only: a damaged copy
    return page


def darkest(page: CleanPage) -> CleanPage:
    """Keep only the darkest of three classes of gray (Otsu's method for three classes): the ink, apart from a
    copier's grain, drum streaks and a grey copy's paper. Frames are dropped as in `binarize`, and a page of two
    grays (a black and white scan), which has no third class, is thresholded as `binarize` does."""
    # Grain, streaks and grey paper lie between the ink and the paper; a two-class threshold lumps them in with the
    # text, and Tesseract then takes the page for a picture.
    counts = cv2.calcHist([page.pixels], [0], None, [256], [0, 256]).ravel().astype(np.float64)
    if np.count_nonzero(counts) < 3:
        return binarize(page)
    # Imported here, by the first damaged copy: it brings SciPy's ndimage, 0.35 s and 29 MB a worker that clean
    # pages never need.
    from skimage.filters import threshold_multiotsu

    # From OpenCV's histogram, as shares (what scikit-image's own gives it): its own takes 50 ms on a 300 dpi
    # page, OpenCV's 2.
    ink_below = int(threshold_multiotsu(classes=3, hist=counts / counts.sum())[0])
    gray = page.pixels
    page = replace(page, pixels=cv2.threshold(gray, ink_below, 255, cv2.THRESH_BINARY)[1]).found(ink_below=ink_below)
    return _drop_frames(_threshold_streaks_across(gray, page, ink_below))


def _threshold_streaks_across(gray: np.ndarray, page: CleanPage, ink_below: int) -> CleanPage:
    """Threshold the rows a drum's streak crosses the page in (`_streaks_across`) below the streak's own darkest
    dots (TUNING.streak_dots_percentile of its dots in the margins): at the page's darkest ink the streak's dots are as
    dark as the letters they lie on, and Tesseract reads the line as junk, or not at all."""
    found = _streaks_across(page.pixels == 0)
    if found is None:
        return page
    bands, margins = found
    pixels = page.pixels.copy()
    for top, bottom in bands:
        dots = gray[top:bottom, margins]
        level = min(ink_below, int(np.percentile(dots, TUNING.streak_dots_percentile)))
        pixels[top:bottom] = cv2.threshold(gray[top:bottom], level, 255, cv2.THRESH_BINARY)[1]
    return replace(page, pixels=pixels).found(streaks_across=len(bands))


def _streaks_across(ink: np.ndarray) -> tuple[list[tuple[int, int]], np.ndarray] | None:
    """The (top, bottom) rows of each band of a drum's toner dots across the page that is as dense in both margins,
    and the margins' gap columns; None for a page without them."""
    # The bands are `_streak_bands` of the page turned: bands in the gaps between the text's columns. A header's or
    # a signature's lines lie there too, but not in both margins (thresholded as streaks, they were erased).
    gaps = _gap_rows(ink.T)
    bands = _streak_bands(ink.T, gaps=gaps)
    if bands is None:
        return None
    reach = round(TUNING.margin_share * len(gaps))
    margins = [np.flatnonzero(gaps[:reach]), len(gaps) - reach + np.flatnonzero(gaps[-reach:])]
    if min(map(len, margins)) < TUNING.min_streak_width:
        return None
    across = [(top, bottom) for top, bottom in runs(bands)
              if min(ink[top:bottom, columns].mean() for columns in margins) > TUNING.streak_density]
    return (across, np.concatenate(margins)) if across else None


def runs(mask: np.ndarray) -> list[tuple[int, int]]:
    """The (start, end) of each run of True in a boolean array."""
    edges = np.diff(np.concatenate(([0], mask.astype(np.int8), [0])))
    return list(zip(np.flatnonzero(edges == 1), np.flatnonzero(edges == -1)))


def _drop_frames(page: CleanPage) -> CleanPage:
    frames = _frames(page.pixels)
    if frames is None:
        return page
    if _holds_the_text(frames, page.pixels):
        return page.found(grain=True)  # not a frame: a copier's grain over the page, holding the text
    return replace(page, pixels=np.where(frames, np.uint8(255), page.pixels)).found(frame_dropped=True)


def drop_frames(page: CleanPage) -> CleanPage:
    """A gray page without the frames its Otsu threshold shows (a scanner's dark border, a desk), painted white:
    Tesseract's layout misreads or drops the lines beside them (on a real 250 dpi scan with a border down one side
    and along the foot, the number and date line and the first letters of other lines)."""
    binary = cv2.threshold(page.pixels, 0, 255, cv2.THRESH_BINARY + cv2.THRESH_OTSU)[1]
    frames = _frames(binary)
    if frames is None or _holds_the_text(frames, binary):
        return page
    return replace(page, pixels=np.where(frames, np.uint8(255), page.pixels)).found(frame_dropped=True)


def _holds_the_text(frames: np.ndarray, binary: np.ndarray) -> bool:
    return np.count_nonzero(frames) > TUNING.max_frame_ink * np.count_nonzero(binary == 0)


def _frames(binary: np.ndarray) -> np.ndarray | None:
    """Where ink spanning more than TUNING.frame_share of the page's width and height lies (found at
    quarter size, where a thin line still shows), or None."""
    scale = TUNING.background_scale
    ink = cv2.resize(255 - binary, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA) > 0
    count, labels, stats, _ = pieces(ink.astype(np.uint8))
    height, width = ink.shape
    found = [label for label in range(1, count) if stats[label, cv2.CC_STAT_WIDTH] > TUNING.frame_share * width
             and stats[label, cv2.CC_STAT_HEIGHT] > TUNING.frame_share * height]
    if not found:
        return None
    small = np.isin(labels, found).astype(np.uint8)
    full = cv2.resize(cv2.dilate(small, np.ones((3, 3), np.uint8)), (binary.shape[1], binary.shape[0]),
                      interpolation=cv2.INTER_NEAREST)
    return (full > 0) & (binary == 0)


def _grainy(binary: np.ndarray) -> bool:
    """A black and white page under a copier's grain: much of it black, in specks far more than letters."""
    ink = binary == 0
    if np.count_nonzero(ink) <= TUNING.grain_ink * ink.size:
        return False  # the test below costs a pass over the page's pieces: most pages never pay it
    _, _, stats, _ = pieces(ink.astype(np.uint8))
    return np.count_nonzero(_specks(stats[1:])) > TUNING.grain_specks * np.count_nonzero(_letter_sized(stats[1:]))


def _letter_sized(stats: np.ndarray) -> np.ndarray:
    """Which pieces of ink (rows of connectedComponentsWithStats' stats) are of a letter's size: 8-150 pixels
    high, at most 3 times as wide."""
    heights, widths = stats[:, cv2.CC_STAT_HEIGHT], stats[:, cv2.CC_STAT_WIDTH]
    return (heights >= TUNING.min_letter_pixels) & (heights <= TUNING.max_letter_pixels) & (widths <= 3 * heights)


def reading_scale(gray: np.ndarray, dpi: float | None = None) -> float:
    """The factor that brings a page's letters to the size of 300 dpi text: down for a page whose tall
    letters are too big, up for one whose file says it was scanned under TUNING.min_scan_dpi when its letters
    agree; else 1."""
    # Counted at half size (a quarter of the pixels), measured in the page's own pixels.
    _, _, stats, _ = pieces(_ink_at(gray, 0.5))
    sizes = 2 * stats[1:]
    heights = sizes[_letter_sized(sizes), cv2.CC_STAT_HEIGHT]
    tall = np.percentile(heights, 90) if heights.size else TUNING.tall_letters
    if tall > TUNING.max_tall_letters:
        return TUNING.tall_letters / tall
    if dpi and dpi < TUNING.min_scan_dpi:
        factor = min(TUNING.reference_dpi / dpi, TUNING.max_upscale)
        if heights.size and _text_height(sizes) * factor <= TUNING.max_scaled_letters:
            return factor
    return 1.0


def _text_height(stats: np.ndarray) -> int:
    """The median height of the letter-sized pieces of ink (rows of stats), or the height of 300 dpi text
    when there are none."""
    heights = stats[_letter_sized(stats), cv2.CC_STAT_HEIGHT]
    return int(np.median(heights)) if heights.size else TUNING.default_text_height


def letter_centres(pixels: np.ndarray) -> np.ndarray:
    """The centres (x, y) of the letter-sized pieces of ink a cleaned page holds (thresholded first if it
    is gray): what a reading of it should account for."""
    _, stats, centres = _page_pieces(pixels)
    return centres[_letter_sized(stats)]


@dataclass(frozen=True)
class InkSurvey:
    """What one pass over a cleaned page's pieces of ink finds."""
    letters: np.ndarray  # the centres (x, y) of its letter-sized pieces (`letter_centres`)
    specks: int  # its pieces far smaller than a letter's dot (_specks): a drum's dots, a copier's grain
    upside_down: bool  # `_upside_down`


def survey(pixels: np.ndarray) -> InkSurvey:
    """The letters, specks and lie of a cleaned page (thresholded first if it is gray)."""
    ink, stats, centres = _page_pieces(pixels)
    height = _text_height(stats)
    specks = int(np.count_nonzero(_specks(stats, height)))
    return InkSurvey(centres[_letter_sized(stats)], specks, _upside_down(ink, stats, height))


def _page_pieces(pixels: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """A cleaned page's ink (thresholded first if it is gray), and the stats and centres of its pieces."""
    if not is_black_and_white(pixels):
        _, pixels = cv2.threshold(pixels, 0, 255, cv2.THRESH_BINARY + cv2.THRESH_OTSU)
    ink = (pixels == 0).astype(np.uint8)
    _, _, stats, centres = pieces(ink)
    return ink, stats[1:], centres[1:]


def _upside_down(ink: np.ndarray, stats: np.ndarray, height: int) -> bool:
    """Whether a page's small marks (pieces under TUNING.mark_size of the letter height: tone marks, a hat, the dot
    of an i) sit under a letter TUNING.upside_down_marks times as often as on one."""
    # Upright Vietnamese text has them on its letters 3-7 times as often as under them (the dot below, a comma);
    # a copier's grain or a drum's dots have as many either way.
    left, top, width, tall, area = (stats[:, column] for column in range(5))
    mark = TUNING.mark_size * height
    marks = (tall < mark) & (width < 2 * mark) & (area >= TUNING.min_mark_pixels)
    left, right, top, bottom = left[marks], left[marks] + width[marks], top[marks], top[marks] + tall[marks]
    reach = max(2, height // 2)
    inked = cv2.integral(ink, sdepth=cv2.CV_32S)
    rows, columns = ink.shape

    def ink_between(first_row: np.ndarray, last_row: np.ndarray) -> np.ndarray:
        first_row, last_row = np.clip(first_row, 0, rows), np.clip(last_row, 0, rows)
        return (inked[last_row, right] - inked[first_row, right] - inked[last_row, left]
                + inked[first_row, left])

    below, above = ink_between(bottom + 1, bottom + 1 + reach), ink_between(top - 1 - reach, top - 1)
    on_letters = np.count_nonzero((below > 0) & (above == 0))
    under_letters = np.count_nonzero((above > 0) & (below == 0))
    return under_letters >= TUNING.min_marks and under_letters >= TUNING.upside_down_marks * on_letters


def letter_pieces(pixels: np.ndarray) -> int:
    """How many letter-sized pieces of ink a cleaned page holds."""
    return len(letter_centres(pixels))


def _specks(stats: np.ndarray, text_height: int | None = None) -> np.ndarray:
    """Which pieces of ink (rows of stats) are specks, not part of a letter: under TUNING.speck_share of the letter
    height (`text_height`, else measured on them) squared, or under 4 pixels."""
    height = _text_height(stats) if text_height is None else text_height
    return stats[:, cv2.CC_STAT_AREA] < max(4, int(TUNING.speck_share * height ** 2))


def smooth(page: CleanPage) -> CleanPage:
    """Smooth a copier's dense grain away before the paper's light is measured: a Gaussian
    TUNING.smooth_sigma pixels wide, which the grain does not survive and 300 dpi strokes do."""
    return replace(page, pixels=cv2.GaussianBlur(page.pixels, (0, 0), TUNING.smooth_sigma))


def despeckle(page: CleanPage) -> CleanPage:
    """Drop specks of ink far smaller than a letter's dot (a copier's grain), keeping every letter
    and diacritic: pieces of ink under TUNING.speck_share of the letter height squared."""
    ink = (page.pixels == 0).astype(np.uint8)
    _, labels, stats, _ = pieces(ink)
    specks = np.flatnonzero(_specks(stats[1:])) + 1  # labels of the specks: the paper is label 0
    return replace(page, pixels=np.where(np.isin(labels, specks), np.uint8(255), page.pixels))


def destreak(page: CleanPage) -> CleanPage:
    """Drop a dirty drum's streaks from a black and white page: bands of toner dots that run down the whole page,
    found in the gaps between text lines. Pieces mostly inside a band go, letters crossing one stay; the `streaks`
    found tell the reader to take the page as one column."""
    # A letter wholly inside a wide band goes with it: left in, the dots on it read as junk and split the line.
    # Tesseract takes a streak for a column's edge and reads the page in slices.
    ink = page.pixels == 0
    bands = _streak_bands(ink)
    if bands is None:
        return page
    count, labels, stats, _ = pieces(ink.astype(np.uint8))
    inside = np.bincount(labels[:, bands].ravel(), minlength=count)
    dots = np.flatnonzero(inside >= TUNING.streak_share * np.maximum(stats[:, cv2.CC_STAT_AREA], 1))
    pixels = np.where(np.isin(labels, dots[dots > 0]), np.uint8(255), page.pixels)
    return replace(page, pixels=pixels).found(streaks=len(runs(bands)))


def _gap_rows(ink: np.ndarray, scale: float = 1.0) -> np.ndarray | None:
    """The rows between text lines (a boolean per row: next to no ink but streaks), or None when there
    are too few of them to tell streaks from text."""
    rows = ink.sum(axis=1)
    gaps = rows <= TUNING.gap_row_factor * np.percentile(rows, 20) + 2
    return gaps if np.count_nonzero(gaps) >= TUNING.max_letter_pixels * scale else None


def _streak_bands(ink: np.ndarray, scale: float = 1.0, gaps: np.ndarray | None = None) -> np.ndarray | None:
    """The columns (a boolean per column) that streaks cover, or None for a page without streaks; `scale`
    is the page's size against the 300 dpi sizes of the constants; `gaps` its `_gap_rows`, if found already."""
    gaps = _gap_rows(ink, scale) if gaps is None else gaps
    if gaps is None:
        return None
    density = cv2.blur(ink[gaps].mean(axis=0, dtype=np.float32)[None, :], (3, 1))
    streaked = (density > TUNING.streak_density).astype(np.uint8)
    narrowest = max(2, round(TUNING.min_streak_width * scale))
    bands = cv2.morphologyEx(streaked, cv2.MORPH_OPEN, np.ones((1, narrowest), np.uint8))
    count, labels, stats, _ = pieces(bands, connectivity=4)
    left, width = stats[:, cv2.CC_STAT_LEFT], stats[:, cv2.CC_STAT_WIDTH]
    # A copier's grain over part of the page, or the dark edge of the paper or the scanner's lid.
    edge = TUNING.edge_share * bands.shape[1]
    not_streaks = (width > TUNING.max_streak_width * scale) | (left < edge) | (left + width > bands.shape[1] - edge)
    in_gaps = ink[gaps]
    for band in np.flatnonzero(~not_streaks[1:]) + 1:  # the paper (label 0) is no band
        not_streaks[band] = _a_line(in_gaps[:, left[band]:left[band] + width[band]], scale)
    not_streaks[0] = False
    bands[np.isin(labels, np.flatnonzero(not_streaks))] = 0
    if not bands.any():
        return None
    edges = np.ones((1, max(3, round(7 * scale))), np.uint8)
    return cv2.dilate(bands, edges)[0].astype(bool)  # with the band's sparse edges


def _a_line(ink: np.ndarray, scale: float) -> bool:
    """Whether a band's ink in the gaps between text lines is a line (TUNING.streak_dot_pixels), not a streak's dots."""
    count, _, stats, _ = pieces(ink.astype(np.uint8))
    return count > 1 and stats[1:, cv2.CC_STAT_AREA].mean() > TUNING.streak_dot_pixels * scale ** 2


def gray_if_clean(page: CleanPage) -> CleanPage:
    """Read a page `denoise_unless_clean` found clean in gray, as `binarize` had it, unless thresholding found a
    frame, a copier's grain or drum streaks after all."""
    # Tesseract thresholds a page as Otsu's method does, and its recogniser reads the gray lines themselves: tone
    # marks are a few pixels, which a threshold of ours would decide for it.
    if page.unthresholded is not None and not page.facts.damaged():
        return replace(page, pixels=page.unthresholded, unthresholded=None)
    return replace(page, unthresholded=None)


def mend(page: CleanPage) -> CleanPage:
    """Join the pieces of strokes that a low-ink line or a worn drum broke across (a black and white page): short
    gaps everywhere, taller ones only about the rows a low-ink line cut (`_cut_rows`)."""
    # Tesseract reads the halves of a broken letter as other letters, or as nothing. Tall gaps closed everywhere
    # would join a copier's grain to the letters.
    cut = _cut_rows(page.pixels == 0)
    # The ink's closing is the paper's opening, which needs no copy of the page.
    mended = cv2.morphologyEx(page.pixels, cv2.MORPH_OPEN, np.ones((TUNING.mend_pixels, 1), np.uint8))
    if not cut.any():
        return replace(page, pixels=mended)
    about = cv2.dilate(cut.astype(np.uint8)[:, None], np.ones((TUNING.cut_mend_pixels, 1), np.uint8))[:, 0] > 0
    mended[about] = cv2.morphologyEx(page.pixels, cv2.MORPH_OPEN, np.ones((TUNING.cut_mend_pixels, 1), np.uint8))[about]
    return replace(page, pixels=mended).found(cut_rows=int(np.count_nonzero(cut)))


def _cut_rows(ink: np.ndarray) -> np.ndarray:
    """The rows (a boolean per row) that a low-ink line cut across the text (TUNING.cut_share)."""
    rows = ink.sum(axis=1, dtype=np.float32)
    if not rows.any():
        return np.zeros(len(rows), dtype=bool)
    # Windows of TUNING.cut_reach rows: the one that ends just above each row, and the one that starts just below it.
    windows = np.lib.stride_tricks.sliding_window_view(np.pad(rows, TUNING.cut_reach), TUNING.cut_reach).max(axis=1)
    above, below = windows[:len(rows)], windows[TUNING.cut_reach + 1:]
    beside = np.minimum(above, below)
    least_beside = max(TUNING.cut_text_row * np.percentile(rows[rows > 0], 75), TUNING.cut_min_ink * ink.shape[1])
    return (rows < TUNING.cut_share * beside) & (beside > least_beside)


STEPS: dict[str, Callable[[CleanPage], CleanPage]] = {
    "flatten": flatten, "denoise": denoise, "denoise_unless_clean": denoise_unless_clean, "denoise_wide": denoise_wide,
    "contrast": stretch_contrast, "deskew": deskew, "binarize": binarize, "gray_if_clean": gray_if_clean,
    "despeckle": despeckle, "smooth": smooth, "darkest": darkest, "straighten": straighten,
    "destreak": destreak, "mend": mend, "drop_frames": drop_frames}


def clean_page(image: Image.Image | np.ndarray, steps: tuple[str, ...] = DEFAULT_STEPS,
               lie: Lie | None = None) -> CleanPage:
    """The page (an image, or its `ink_free_gray`, which no step writes to) after the cleanup `steps`; lying
    as `lie` says (another cleanup measured it), if given."""
    page = CleanPage(image if isinstance(image, np.ndarray) else ink_free_gray(image), lie=lie)
    for name in steps:
        page = STEPS[name](page)
    return page
