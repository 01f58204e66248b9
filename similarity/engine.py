"""The text side of 材料查重, free of Django: normalise, fingerprint, find candidates, measure overlap.

Two stages, as plagiarism checkers do:

1. Candidates (fast, approximate). A text is cut into overlapping windows of its normalised
   characters; each window becomes a set of character 4-gram shingles and a `datasketch`
   MinHash. A `MinHashLSH` index over the windows of the texts being checked is queried with the
   windows of every other text: a window that shares enough shingles with one of them (Jaccard
   above ``LSH_THRESHOLD``) makes the two texts a candidate pair. Working on windows, not whole
   texts, finds one copied paragraph inside a long, otherwise original text.
2. Overlap (exact, on candidates only). Both texts are split into sentences; every sentence of one
   is compared with every sentence of the other (`rapidfuzz` ratio, order-free, so reordered
   sentences and a few changed characters still match). The share of a text's characters that
   lie in matched sentences is its similarity percentage; the matched sentence pairs are the
   overlapping passages shown side by side.
"""

import hashlib
import re
from dataclasses import dataclass

import numpy as np
from datasketch import LeanMinHash, MinHash, MinHashLSH
from rapidfuzz import fuzz
from rapidfuzz.process import cdist

SHINGLE = 4  # characters per shingle (Chinese: ~2 words; fewer would match stock phrases everywhere)
WINDOW = 160  # normalised characters per window
STEP = 80  # windows overlap by half, so a copied passage of 1.5 windows covers one window whole
NUM_PERM = 64
SEED = 17
SCHEME = "affine32"  # uint32 hash values: 4 bytes each in the stored signature
LSH_THRESHOLD = 0.25
MIN_WINDOW_JACCARD = 0.15  # a colliding window pair whose MinHash estimate is lower is a chance collision
FINGERPRINT_VERSION = 1  # bump when the shingles, windows or hashing change: every text is re-hashed
MIN_SENTENCE = 10  # normalised characters; shorter sentences ("一是加强领导。") are stock phrases
SENTENCE_CUTOFF = 80  # rapidfuzz ratio (0-100) from which two sentences count as the same
MAX_CHARS = 200_000  # a longer text is cut here (a 100-page report is ~80,000 characters)

_KEEP = re.compile(r"[^0-9a-z\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+")
_SENTENCE_END = re.compile(r"[^。！？!?；;\n]*(?:[。！？!?；;\n]+|$)")
_PERMUTATIONS = MinHash(num_perm=NUM_PERM, seed=SEED, scheme=SCHEME).permutations


_FULL_WIDTH = re.compile(r"[０-９Ａ-Ｚａ-ｚ]")


def normalise(text):
    """Full-width → half-width, lower case, and only letters, digits and CJK characters kept.

    (Only full-width letters and digits need mapping, punctuation is dropped anyway: a regex, not
    NFKC, which is 10x slower on long Chinese texts.)"""
    text = _FULL_WIDTH.sub(lambda m: chr(ord(m.group()) - 0xFEE0), text or "")
    return _KEEP.sub("", text.lower())


def content_hash(text):
    """Changes with the text's content or with the fingerprint scheme (FINGERPRINT_VERSION)."""
    return hashlib.sha256(f"{FINGERPRINT_VERSION}:{normalise(text)}".encode()).hexdigest()


def _window_starts(norm):
    if len(norm) <= WINDOW:
        return [(0, norm)] if len(norm) >= SHINGLE else []
    starts = list(range(0, len(norm) - WINDOW + 1, STEP))
    if starts[-1] + WINDOW < len(norm):
        starts.append(len(norm) - WINDOW)
    return [(s, norm[s:s + WINDOW]) for s in starts]


def windows(norm):
    """Overlapping windows of a normalised text (one window for a short text)."""
    return [w for _s, w in _window_starts(norm)]


def _identity(value):
    return value


def shingle_hashes(norm):
    """A 32-bit hash of every SHINGLE-character shingle of a normalised text, computed with numpy
    (FNV-style mixing of the code points, then murmur3's finaliser for an even spread)."""
    n = len(norm) - SHINGLE + 1
    if n <= 0:
        return np.zeros(0, dtype=np.uint32)
    codes = np.frombuffer(norm.encode("utf-32-le"), dtype="<u4").astype(np.uint32)
    h = np.full(n, 0x811C9DC5, dtype=np.uint32)
    with np.errstate(over="ignore"):
        for k in range(SHINGLE):
            h = (h ^ codes[k:k + n]) * np.uint32(0x01000193)
        h ^= h >> np.uint32(16)
        h *= np.uint32(0x85EBCA6B)
        h ^= h >> np.uint32(13)
        h *= np.uint32(0xC2B2AE35)
        h ^= h >> np.uint32(16)
    return h


def signatures(text):
    """The MinHash hash values of every window: a (windows × NUM_PERM) uint32 array.

    The shingles are hashed once per text (shingle_hashes); each window's MinHash is a datasketch
    MinHash fed those hash values (hashfunc=identity)."""
    norm = normalise(text)[:MAX_CHARS]
    hashes = shingle_hashes(norm)
    rows = []
    for start, win in _window_starts(norm):
        values = np.unique(hashes[start:start + len(win) - SHINGLE + 1])
        m = MinHash(num_perm=NUM_PERM, seed=SEED, scheme=SCHEME, permutations=_PERMUTATIONS, hashfunc=_identity)
        m.update_batch(values.tolist())
        rows.append(m.hashvalues)
    if not rows:
        return np.zeros((0, NUM_PERM), dtype=np.uint32)
    return np.vstack(rows).astype(np.uint32)


def pack(sigs):
    return np.ascontiguousarray(sigs, dtype="<u4").tobytes()


def unpack(blob):
    arr = np.frombuffer(bytes(blob or b""), dtype="<u4")
    return arr.reshape(-1, NUM_PERM).astype(np.uint32)


def _lean(hashvalues):
    return LeanMinHash(seed=SEED, hashvalues=hashvalues, scheme=SCHEME)


class CandidateIndex:
    """An LSH index over the windows of the texts being checked; query it with any other text."""

    def __init__(self):
        self.lsh = MinHashLSH(threshold=LSH_THRESHOLD, num_perm=NUM_PERM)
        self.sigs = {}
        self._keysets = None

    def add(self, text_id, sigs):
        self.sigs[text_id] = sigs
        self._keysets = None
        with self.lsh.insertion_session() as session:
            for i, hv in enumerate(sigs):
                session.insert((text_id, i), _lean(hv), check_duplication=False)

    def candidates(self, sigs):
        """{text id in the index: number of its windows that resemble one of `sigs`' windows}.

        Equivalent to `lsh.query()` for each window, but the band keys of all windows are cut from
        one byte-swapped array (the same bytes the datasketch index keys its buckets by) and checked
        against a set of the bucket keys first; each collision is then confirmed by the MinHash
        Jaccard estimate of the two windows (a chance collision of one band is dropped)."""
        if not self.sigs or not len(sigs):
            return {}
        if self._keysets is None:
            self._keysets = [set(table.keys()) for table in self.lsh.hashtables]
        sigs = np.ascontiguousarray(sigs, dtype=np.uint32)
        swapped = sigs.byteswap()
        pairs = set()
        for (start, end), table, keys in zip(self.lsh.hashranges, self.lsh.hashtables, self._keysets):
            band = np.ascontiguousarray(swapped[:, start:end]).view(f"V{(end - start) * 4}").ravel().tolist()
            found = keys.intersection(band)
            if found:
                for w, key in enumerate(band):
                    if key in found:
                        pairs.update((w, hit) for hit in table.get(key))
        hits = {}
        for w, (text_id, i) in pairs:
            if np.count_nonzero(sigs[w] == self.sigs[text_id][i]) >= MIN_WINDOW_JACCARD * NUM_PERM:
                hits.setdefault(text_id, set()).add(i)
        return {text_id: len(found) for text_id, found in hits.items()}


    def internal_pairs(self):
        """Candidate pairs among the indexed texts themselves, read off the LSH buckets (a bucket
        holding windows of two texts) instead of querying each indexed text against the index."""
        pairs = set()
        for table in self.lsh.hashtables:
            for key in table.keys():
                members = table.get(key)
                if len(members) < 2:
                    continue
                members = sorted(members)
                for x, (ta, ia) in enumerate(members):
                    for tb, ib in members[x + 1:]:
                        if ta != tb:
                            pairs.add((ta, ia, tb, ib))
        found = set()
        for ta, ia, tb, ib in pairs:
            if np.count_nonzero(self.sigs[ta][ia] == self.sigs[tb][ib]) >= MIN_WINDOW_JACCARD * NUM_PERM:
                found.add((min(ta, tb), max(ta, tb)))
        return found


# ---------------------------------------------------------------------------- overlap


@dataclass(frozen=True)
class Sentence:
    start: int  # offsets into the original (not normalised) text
    end: int
    norm: str


def sentences(text):
    """Sentences of the original text (offsets kept), with their normalised form; stock phrases dropped."""
    text = (text or "")[:MAX_CHARS * 2]
    out = []
    for m in _SENTENCE_END.finditer(text):
        if m.start() == m.end():
            continue
        raw = m.group()
        norm = normalise(raw)
        if len(norm) >= MIN_SENTENCE:
            start = m.start() + len(raw) - len(raw.lstrip())
            out.append(Sentence(start, m.start() + len(raw.rstrip()), norm))
    return out


@dataclass
class Overlap:
    percent_a: float  # share of a's characters found in b, 0-100
    percent_b: float
    passages: list  # [[a_start, a_end, b_start, b_end, score], ...] in original offsets


def overlap(text_a, text_b, sents_a=None, sents_b=None):
    """Sentence-level overlap of two texts, order-free and tolerant to small edits."""
    sa = sentences(text_a) if sents_a is None else sents_a
    sb = sentences(text_b) if sents_b is None else sents_b
    if not sa or not sb:
        return Overlap(0.0, 0.0, [])
    scores = cdist([s.norm for s in sa], [s.norm for s in sb], scorer=fuzz.ratio, score_cutoff=SENTENCE_CUTOFF,
                   dtype=np.uint8, workers=1)
    passages = []
    matched_b = set()
    for i in np.flatnonzero(scores.max(axis=1)):
        j = int(scores[i].argmax())
        matched_b.add(j)
        passages.append([sa[i].start, sa[i].end, sb[j].start, sb[j].end, int(scores[i, j])])
    for j in np.flatnonzero(scores.max(axis=0)):
        matched_b.add(int(j))
    total_a = len(normalise(text_a)) or 1
    total_b = len(normalise(text_b)) or 1
    matched_a_chars = sum(len(sa[i].norm) for i in np.flatnonzero(scores.max(axis=1)))
    matched_b_chars = sum(len(sb[j].norm) for j in matched_b)
    return Overlap(round(100 * min(1.0, matched_a_chars / total_a), 1),
                   round(100 * min(1.0, matched_b_chars / total_b), 1), passages)


def swap(passages):
    """The same passages seen from the other text."""
    return [[bs, be, as_, ae, score] for as_, ae, bs, be, score in passages]
