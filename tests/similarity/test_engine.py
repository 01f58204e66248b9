"""The checker on planted copies: found when copied, reordered or lightly edited; not on unrelated texts."""

import random

import pytest

from similarity import engine, textgen


def _index_of(text, text_id=1):
    index = engine.CandidateIndex()
    index.add(text_id, engine.signatures(text))
    return index


def _plant(target, passage, at=4):
    paras = target.split("\n")
    return "\n".join(paras[:at] + [passage] + paras[at:])


def _paragraph(text, n=3):
    return text.split("\n")[n]


def _found(source, suspect):
    """Candidate by LSH and a measurable overlap, as the service requires."""
    hit = _index_of(source).candidates(engine.signatures(suspect))
    return bool(hit) and engine.overlap(suspect, source).percent_a > 0


def test_normalise_drops_punctuation_space_and_width():
    assert engine.normalise("党建 引领，ＡＢＣ１２３！\n") == "党建引领abc123"


def test_a_copied_paragraph_in_an_otherwise_original_text_is_found_with_its_passage():
    source, own = textgen.text(11), textgen.text(12)
    para = _paragraph(source)
    suspect = _plant(own, para)
    assert _found(source, suspect)
    ov = engine.overlap(suspect, source)
    start = suspect.index(para)
    # the passages cover exactly the planted paragraph's sentences (offsets in the original text)
    covered = "".join(suspect[a:b] for a, b, *_ in sorted(ov.passages))
    assert covered == para
    assert all(source[bs:be] in para for _a, _b, bs, be, _s in ov.passages)
    assert all(start <= a < start + len(para) for a, *_ in ov.passages)
    expected = 100 * len(engine.normalise(para)) / len(engine.normalise(suspect))
    assert ov.percent_a == pytest.approx(expected, abs=0.2)


def test_reordered_sentences_are_found():
    source, own = textgen.text(21), textgen.text(22)
    sents = textgen.split_sentences(_paragraph(source, 2)) + textgen.split_sentences(_paragraph(source, 3))
    random.Random(1).shuffle(sents)
    suspect = _plant(own, "".join(sents))
    assert _found(source, suspect)
    assert len(engine.overlap(suspect, source).passages) == len(sents)


def test_a_few_changed_characters_still_match():
    source, own = textgen.text(31), textgen.text(32)
    chars = list(_paragraph(source, 4))
    for i in range(6, len(chars), 30):  # one character in thirty replaced
        chars[i] = "某"
    edited = "".join(chars)
    suspect = _plant(own, edited)
    assert _found(source, suspect)
    ov = engine.overlap(suspect, source)
    assert len(ov.passages) == len(textgen.split_sentences(edited))
    assert all(score < 100 for *_, score in ov.passages if "某" in suspect[_[0]:_[1]])


def test_a_whole_copied_text_is_about_one_hundred_percent():
    source = textgen.text(41)
    assert engine.overlap(source, source.replace("，", ",")).percent_a == 100.0


@pytest.mark.parametrize("seed", range(8))
def test_unrelated_texts_on_the_same_topic_are_not_candidates_nor_overlapping(seed):
    a, b = textgen.text(100 + seed), textgen.text(200 + seed)
    assert _index_of(a).candidates(engine.signatures(b)) == {}
    assert engine.overlap(a, b).passages == []


def test_signatures_round_trip_through_bytes():
    sigs = engine.signatures(textgen.text(5))
    assert sigs.shape[1] == engine.NUM_PERM and len(sigs) > 10
    assert (engine.unpack(engine.pack(sigs)) == sigs).all()


def test_empty_and_tiny_texts_have_no_windows_and_no_overlap():
    assert engine.signatures("").shape == (0, engine.NUM_PERM)
    assert engine.overlap("", textgen.text(1)).percent_a == 0.0
    assert engine.overlap("一是。", "一是。").passages == []  # stock phrases are not counted
