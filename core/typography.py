"""Chinese typography for generated documents: straight double quotes become “”.

Chinese official documents quote with “” (U+201C/U+201D). People type "" on most keyboards,
and older strings of the portal did too; the printable documents convert them when rendering,
so stored text keeps exactly what the user typed."""

import re

_HAN = re.compile(r"[\u3000-\u303f\u3400-\u9fff\uff00-\uffef]")
_TAG = re.compile(r"(<[^>]*>)")
_QUOTE = re.compile(r'"|&quot;|&#34;|&#x22;', re.IGNORECASE)
# A quote pair never spans one of these: a new cell, paragraph or line starts fresh.
_BLOCK = re.compile(r"^</?(td|th|tr|p|div|li|ul|ol|h[1-6]|br|table|tbody|thead|section|article|nav|figure|figcaption|title|body)\b",
                    re.IGNORECASE)
_RAW = re.compile(r"^<(style|script)\b", re.IGNORECASE)


def cn_quotes(text):
    """Straight double quotes in a text with Chinese characters → “…” pairs (an unpaired last one stays)."""
    if '"' not in text or not _HAN.search(text):
        return text
    return "\n".join(_pair_line(line) for line in text.split("\n"))


def _pair_line(line):
    positions = [i for i, ch in enumerate(line) if ch == '"']
    chars = list(line)
    for n, pos in enumerate(positions[: len(positions) // 2 * 2]):
        chars[pos] = "“" if n % 2 == 0 else "”"
    return "".join(chars)


def html_cn_quotes(html):
    """cn_quotes() over the text of an HTML document (not its tags, styles or scripts).

    Quotes are paired within one block (a cell, a paragraph, a line), so "<b>品牌</b>" pairs
    across inline tags but a stray quote in one cell does not flip the next cell's quotes."""
    out = []
    block = []  # (index into out, start, end) of each quote in the current block
    state = {"han": False}
    raw_until = None

    def close_block():
        if state["han"]:
            for n, (index, start, end) in enumerate(block[: len(block) // 2 * 2]):
                segment = out[index]
                out[index] = segment[:start] + ("“" if n % 2 == 0 else "”") + "\x00" * (end - start - 1) + segment[end:]
        block.clear()
        state["han"] = False

    for part in _TAG.split(html):
        if not part:
            continue
        if part.startswith("<"):
            if raw_until:
                if part.lower().startswith(raw_until):
                    raw_until = None
            elif _RAW.match(part):
                close_block()
                raw_until = f"</{_RAW.match(part).group(1).lower()}"
            elif _BLOCK.match(part):
                close_block()
            out.append(part)
            continue
        out.append(part)
        if raw_until:
            continue
        state["han"] = state["han"] or bool(_HAN.search(part))
        for match in _QUOTE.finditer(part):
            block.append((len(out) - 1, match.start(), match.end()))
    close_block()
    return "".join(out).replace("\x00", "")
