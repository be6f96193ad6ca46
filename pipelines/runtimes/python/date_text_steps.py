"""The ``date`` and ``text`` feature steps of pipeline format 2.2, for automl_scorer.py.

Standard library only, Python 3.9+. Section to paste into automl_scorer.py after
``prepare_target_encoding`` (steps/date.ts and steps/text.ts, in the order of steps/index.ts),
registering ``'date': prepare_date`` and ``'text': prepare_text`` in FEATURE_STEPS. A text input
field (``{"name", "type": "text"}``) reaches a step as its raw value in ``codes`` (the slot of
the field among the categorical and text inputs): ``text_value(v)`` of the row's value, a str or
None for missing. ``StepCheck.is_text(name)`` tells a text input field (when present).

The arithmetic is the TypeScript scorer's, operation for operation, so that both give the same
bits: integer seconds, one float addition and division for ``epoch_days``; integer counts, one
product per bucket, the sum of squares in output order, one square root and one division per
output for TF-IDF. Unicode: NFKC, ``str.lower()`` and the general categories of this Python's
``unicodedata``; characters assigned after its Unicode version may tokenise differently from a
runtime with a newer one.
"""
import math
import re
import unicodedata

NAN = float('nan')
MISSING_TEXTS = ('', 'na', 'nan', 'null', '?')
_JS_TRIM = '\t\n\v\f\r \u00a0\u1680' + ''.join(chr(c) for c in range(0x2000, 0x200B)) + \
    '\u2028\u2029\u202f\u205f\u3000\ufeff'


def text_value(v):
    """scorer.ts cellString: a text field's value as a str, None when missing; False when it is not a value."""
    if v is None:
        return None
    if isinstance(v, bool):
        text = 'true' if v else 'false'
    elif isinstance(v, (int, float)):
        text = _js_number_text(v)
    elif isinstance(v, str):
        text = v
    else:
        return False
    return None if text.strip(_JS_TRIM).lower() in MISSING_TEXTS else text


def _js_number_text(x):
    """String(x) of JavaScript: automl_scorer.py's js_number once pasted there."""
    js = globals().get('js_number')
    if js is not None:
        return js(x)
    if x == int(x) and abs(x) < 1e21:
        return str(int(x))
    return repr(float(x))


# ---------------------------------------------------------------- murmur3.ts


def murmur3(data, seed):
    """MurmurHash3_x86_32 of bytes (a str is hashed as its UTF-8 bytes) with an unsigned 32-bit seed."""
    if isinstance(data, str):
        data = data.encode('utf-8')
    c1, c2, m = 0xcc9e2d51, 0x1b873593, 0xffffffff
    n = len(data)
    h = seed & m
    blocks = n & ~3
    for i in range(0, blocks, 4):
        k = data[i] | (data[i + 1] << 8) | (data[i + 2] << 16) | (data[i + 3] << 24)
        k = (k * c1) & m
        k = ((k << 15) | (k >> 17)) & m
        k = (k * c2) & m
        h ^= k
        h = ((h << 13) | (h >> 19)) & m
        h = (h * 5 + 0xe6546b64) & m
    tail = n & 3
    if tail:
        k = data[blocks]
        if tail > 1:
            k ^= data[blocks + 1] << 8
        if tail > 2:
            k ^= data[blocks + 2] << 16
        k = (k * c1) & m
        k = ((k << 15) | (k >> 17)) & m
        k = (k * c2) & m
        h ^= k
    h ^= n
    h ^= h >> 16
    h = (h * 0x85ebca6b) & m
    h ^= h >> 13
    h = (h * 0xc2b2ae35) & m
    h ^= h >> 16
    return h


# ---------------------------------------------------------------- steps/date.ts

DATE_PARTS = ('year', 'month', 'day', 'weekday', 'hour', 'yday', 'epoch_days')
DATE_FORMATS = ('iso', 'dmy', 'mdy')
_TIME = '(?:[Tt ]([0-9]{1,2}):([0-9]{2})(?::([0-9]{2})(?:[.,]([0-9]{1,9}))?)? ?(Z|z|[+-][0-9]{2}(?::?[0-9]{2})?)?)?'
_ISO = re.compile('([0-9]{4})-([0-9]{1,2})-([0-9]{1,2})' + _TIME + r'\Z')
_SLASHED = re.compile(r'([0-9]{1,2})([/.-])([0-9]{1,2})\2([0-9]{4})' + _TIME + r'\Z')


def days_from_civil(y, m, d):
    y = y - 1 if m <= 2 else y
    era = y // 400
    yoe = y - era * 400
    doy = (153 * (m - 3 if m > 2 else m + 9) + 2) // 5 + d - 1
    doe = yoe * 365 + yoe // 4 - yoe // 100 + doy
    return era * 146097 + doe - 719468


def civil_from_days(z):
    z += 719468
    era = z // 146097
    doe = z - era * 146097
    yoe = (doe - doe // 1460 + doe // 36524 - doe // 146096) // 365
    doy = doe - (365 * yoe + yoe // 4 - yoe // 100)
    mp = (5 * doy + 2) // 153
    d = doy - (153 * mp + 2) // 5 + 1
    m = mp + 3 if mp < 10 else mp - 9
    return yoe + era * 400 + (1 if m <= 2 else 0), m, d


def _month_length(y, m):
    if m == 2:
        return 29 if (y % 4 == 0 and y % 100 != 0) or y % 400 == 0 else 28
    return 30 if m in (4, 6, 9, 11) else 31


def parse_instant(value, fmt):
    """date.ts parseInstant: (whole seconds since 1970-01-01T00:00:00Z, fraction), or None."""
    text = value.strip(' \t')
    if fmt == 'iso':
        m = _ISO.match(text)
        if m is None:
            return None
        y, mo, d = int(m.group(1)), int(m.group(2)), int(m.group(3))
        t = 4
    else:
        m = _SLASHED.match(text)
        if m is None:
            return None
        a, b = int(m.group(1)), int(m.group(3))
        d, mo = (a, b) if fmt == 'dmy' else (b, a)
        y = int(m.group(4))
        t = 5
    if mo < 1 or mo > 12 or d < 1 or d > _month_length(y, mo):
        return None
    g = m.group
    h = 0 if g(t) is None else int(g(t))
    mi = 0 if g(t + 1) is None else int(g(t + 1))
    s = 0 if g(t + 2) is None else int(g(t + 2))
    fraction = 0.0 if g(t + 3) is None else float('0.' + g(t + 3))
    if h > 23 or mi > 59 or s > 59:
        return None
    offset = 0
    zone = g(t + 4)
    if zone is not None and zone not in ('Z', 'z'):
        zh = int(zone[1:3])
        zm = int(zone[-2:]) if len(zone) > 3 else 0
        if zh > 23 or zm > 59:
            return None
        offset = (-1 if zone[0] == '-' else 1) * (zh * 3600 + zm * 60)
    return days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 + s - offset, fraction


def instant_parts(seconds, fraction):
    """date.ts instantParts: every part, in the order of DATE_PARTS."""
    day = seconds // 86400
    second_of_day = seconds - day * 86400
    y, m, d = civil_from_days(day)
    return [float(y), float(m), float(d), float((day % 7 + 7 + 3) % 7), float(second_of_day // 3600),
            float(day - days_from_civil(y, 1, 1) + 1), (float(seconds) + fraction) / 86400]


def date_outputs(value, fmt, index):
    """The outputs of a date step (its parts' indices into DATE_PARTS) for one value (None: missing)."""
    at = None if value is None else parse_instant(value, fmt)
    if at is None:
        return [NAN] * len(index)
    parts = instant_parts(*at)
    return [parts[k] for k in index]


def _text_column(c):
    column = c.str('column')
    is_text = getattr(c, 'is_text', None)
    if is_text is not None and not is_text(column):
        raise c.fail("column '%s' is not a text input field" % column)
    return column


def check_date(step, c):
    """The checks of date.ts; returns (column, format, part indices, outputs)."""
    column = _text_column(c)
    fmt = step.get('format')
    if fmt not in DATE_FORMATS:
        raise c.fail('format must be one of %s, got %s' % (', '.join(DATE_FORMATS), _describe(fmt)))
    parts = c.strings('parts')
    if len(parts) == 0:
        raise c.fail('parts must not be empty')
    index = []
    for i, p in enumerate(parts):
        if p not in DATE_PARTS:
            raise c.fail("parts[%d] must be one of %s, got '%s'" % (i, ', '.join(DATE_PARTS), p))
        index.append(DATE_PARTS.index(p))
    for i in range(1, len(index)):
        if index[i] <= index[i - 1]:
            raise c.fail("parts must be in the order %s; '%s' is out of place" % (', '.join(DATE_PARTS), parts[i]))
    outputs = c.strings('outputs', len(parts))
    return column, fmt, index, outputs


def prepare_date(step, c):
    """date.ts: the parts of the UTC instant of a date or date-time; NaN when missing or unparseable."""
    column, fmt, index, outputs = check_date(step, c)

    def bind(slot, cat, outs):
        t = cat[column]

        def run(vals, codes):
            for o, x in zip(outs, date_outputs(codes[t], fmt, index)):
                vals[o] = x
        return run
    return PreparedStep(step, [], [column], outputs, bind)  # noqa: F821 (automl_scorer.py's)


# ---------------------------------------------------------------- steps/text.ts


def _word_char(ch):
    return unicodedata.category(ch)[0] in 'LMN'


def text_tokens(value):
    """text.ts textTokens: NFKC, lower-case, final sigma as sigma; runs of letters, marks and digits."""
    lower = unicodedata.normalize('NFKC', value).lower().replace('\u03c2', '\u03c3')
    tokens = []
    start = -1
    for i, ch in enumerate(lower):
        if _word_char(ch):
            if start < 0:
                start = i
        elif start >= 0:
            tokens.append(lower[start:i])
            start = -1
    if start >= 0:
        tokens.append(lower[start:])
    return tokens


def text_grams(tokens, word_ngrams, char_ngrams):
    """text.ts textGrams: words, then bigrams, then character n-grams of ' token '."""
    grams = ['w:' + t for t in tokens]
    if word_ngrams >= 2:
        grams.extend('w:%s %s' % (tokens[i], tokens[i + 1]) for i in range(len(tokens) - 1))
    if char_ngrams >= 2:
        for t in tokens:
            padded = ' %s ' % t
            if len(padded) <= char_ngrams:
                grams.append('c:' + padded)
            else:
                grams.extend('c:' + padded[i:i + char_ngrams] for i in range(len(padded) - char_ngrams + 1))
    return grams


def text_outputs(value, seed, buckets, word_ngrams, char_ngrams, slot, idf):
    """The outputs of a text step for one value (None: missing): TF-IDF of the kept buckets, L2 normalised."""
    k = len(idf)
    w = [0.0] * k
    if value is None:
        return w
    for gram in text_grams(text_tokens(value), word_ngrams, char_ngrams):
        j = slot.get(murmur3(gram, seed) % buckets)
        if j is not None:
            w[j] += 1.0
    ss = 0.0
    for j in range(k):
        x = w[j] * idf[j]
        w[j] = x
        ss += x * x
    if ss == 0:
        return w
    norm = math.sqrt(ss)
    return [x / norm if x != 0 else 0.0 for x in w]


def check_text(step, c):
    """The checks of text.ts; returns (column, seed, buckets, wordNgrams, charNgrams, slot, idf, outputs)."""
    column = _text_column(c)
    seed = c.num('seed', lambda v: v == int(v) and 0 <= v <= 0xffffffff, 'an integer 0 … 2^32 − 1')
    buckets = c.num('buckets', lambda v: v == int(v) and 1 <= v <= 2 ** 32, 'an integer 1 … 2^32')
    word_ngrams = c.num('wordNgrams', lambda v: v in (1, 2), '1 or 2')
    char_ngrams = c.num('charNgrams', lambda v: v == 0 or (v == int(v) and 2 <= v <= 16), '0 or an integer 2 … 16')
    raw = step.get('indices')
    k = len(raw) if isinstance(raw, list) else -1
    indices = c.numbers('indices', k)
    for j, b in enumerate(indices):
        if not (b == int(b) and 0 <= b < buckets):
            raise c.fail('indices[%d] must be an integer 0 … buckets − 1, got %s' % (j, _describe(b)))
        if j > 0 and not b > indices[j - 1]:
            raise c.fail('indices must be strictly ascending; indices[%d] = %d follows %d' % (j, b, indices[j - 1]))
    idf = c.numbers('idf', k)
    outputs = c.strings('outputs', k)
    slot = {int(b): j for j, b in enumerate(indices)}
    return column, int(seed), int(buckets), int(word_ngrams), int(char_ngrams), slot, idf, outputs


def prepare_text(step, c):
    """text.ts: hashed word and character n-gram counts, TF-IDF weighted, L2 normalised."""
    column, seed, buckets, wn, cn, slot, idf, outputs = check_text(step, c)

    def bind(slot_of, cat, outs):
        t = cat[column]

        def run(vals, codes):
            for o, x in zip(outs, text_outputs(codes[t], seed, buckets, wn, cn, slot, idf)):
                vals[o] = x
        return run
    return PreparedStep(step, [], [column], outputs, bind)  # noqa: F821 (automl_scorer.py's)


def _describe(v):
    if isinstance(v, str):
        return "'%s'" % v
    if isinstance(v, list):
        return 'an array'
    if isinstance(v, dict):
        return 'an object'
    return repr(v)
