#!/usr/bin/env python3
"""The Python runtime of automl pipeline files: one file, Python 3.9+, standard library only.

It loads a pipeline file (``<name>.pipeline.json``) as the TypeScript loader does (format and
major version, the sha256 checksum of its RFC 8785 canonical JSON, strict members and kinds),
and scores rows with the same arithmetic, in the same order, as ``src/artifact/`` (results agree
to the last bit but for ``exp`` / ``log``, which may differ in the last bit between the two
languages' math libraries).

As a library::

    import automl_scorer
    scorer = automl_scorer.load('pipelines/examples/gbdt.pipeline.json')
    scorer.output_names          # ['cool_cond_y.3', 'cool_cond_y.20', 'cool_cond_y.100']
    scorer.score({'psa_bar': '155.5', 'psb_bar': 104.9, ...})   # [p(3), p(20), p(100)]
    scorer.score_batch(rows)     # one list per row
    scorer.unseen                # {field: count of levels never seen in training}

As a command, printing the CSV columns of ``automl score``::

    python3 automl_scorer.py pipeline.json data.csv [--keep COL] [--out FILE]

The layout follows the TypeScript scorer: canonical JSON (canonical-json.ts), the checks
(load.ts, validate.ts), one function per feature step file of src/artifact/steps/ in the order of
steps/index.ts, the feature pipeline (feature-scorer.ts), the model scorers (tree-scorer.ts,
linear-scorer.ts, mlp-scorer.ts, link.ts, calibration.ts), the pipeline (scorer.ts), and the
batch CSV scoring of ``automl score`` (src/serve/csv-records.ts, batch.ts, batch-csv.ts).

Format 2.2 adds ``text`` input fields (raw strings, read by the ``date`` and ``text`` steps) and
those two steps. Their grammar, tokeniser and hash are the format's (steps/date.ts,
steps/text.ts, murmur3.ts): integer seconds and one addition and division for ``epoch_days``;
NFKC, ``str.lower()``, runs of Unicode letters, marks and digits, MurmurHash3_x86_32 of the
UTF-8 bytes, and TF-IDF with one square root, so both runtimes give the same bits. Unicode
tables are this Python's ``unicodedata``: a character assigned after its Unicode version may
tokenise differently from a runtime with a newer one.
"""

import bisect
import hashlib
import json
import math
import os
import re
import sys
import tempfile
import time
import unicodedata

__all__ = ['load', 'Pipeline', 'ScoringError', 'js_number', 'canonical_json', 'content_checksum', 'murmur3',
           'main']

PIPELINE_FORMAT = 'automl-pipeline'
#: The version the TypeScript side writes; every 2.x file is read, members are checked strictly.
PIPELINE_FORMAT_VERSION = '2.2'
MAJOR = int(PIPELINE_FORMAT_VERSION.split('.')[0])
NAN = float('nan')
INF = float('inf')


class ScoringError(Exception):
    """What a caller can cause: a changed or unreadable file, a bad row. ``code`` is stable."""

    def __init__(self, code, message):
        super().__init__(message)
        self.code = code
        self.message = message

    def __str__(self):
        return self.message


# ---------------------------------------------------------------- canonical JSON (checksum.ts)


def js_number(x):
    """ECMAScript's ``String(x)`` of a double: the shortest round-trip digits, JS's notation."""
    if x != x:
        return 'NaN'
    if x == INF:
        return 'Infinity'
    if x == -INF:
        return '-Infinity'
    if x == 0:
        return '0'
    r = repr(abs(float(x)))
    e = 0
    if 'e' in r:
        r, exp = r.split('e')
        e = int(exp)
    if '.' in r:
        ip, fp = r.split('.')
    else:
        ip, fp = r, ''
    digits = ip + fp
    stripped = digits.lstrip('0')
    n = len(ip) + e - (len(digits) - len(stripped))  # |x| = 0.digits × 10^n
    s = stripped.rstrip('0')
    k = len(s)
    if k <= n <= 21:
        out = s + '0' * (n - k)
    elif 0 < n <= 21:
        out = s[:n] + '.' + s[n:]
    elif -6 < n <= 0:
        out = '0.' + '0' * -n + s
    else:
        out = s[0] + ('.' + s[1:] if k > 1 else '') + ('e+' if n > 1 else 'e-') + str(abs(n - 1))
    return '-' + out if x < 0 else out


_LONE_SURROGATE = re.compile('[\ud800-\udfff]')


def _js_string(s):
    """A string as ``JSON.stringify`` writes it (lone surrogates escaped, as ES2019 does)."""
    text = json.dumps(s, ensure_ascii=False)
    if _LONE_SURROGATE.search(text):
        text = _LONE_SURROGATE.sub(lambda m: '\\u%04x' % ord(m.group()), text)
    return text


def _utf16_key(key):
    return key.encode('utf-16-be', 'surrogatepass')


def canonical_json(value):
    """RFC 8785 canonical JSON of a parsed value (canonical-json.ts)."""
    parts = []
    _canonical(value, parts)
    return ''.join(parts)


def _canonical(v, out):
    if v is None:
        out.append('null')
    elif v is True:
        out.append('true')
    elif v is False:
        out.append('false')
    elif isinstance(v, (int, float)):
        x = float(v)
        if not math.isfinite(x):
            raise ValueError('canonicalJson: %s is not a JSON number' % js_number(x))
        out.append(js_number(x))
    elif isinstance(v, str):
        out.append(_js_string(v))
    elif isinstance(v, list):
        out.append('[')
        for i, item in enumerate(v):
            if i:
                out.append(',')
            _canonical(item, out)
        out.append(']')
    elif isinstance(v, dict):
        out.append('{')
        for i, key in enumerate(sorted(v, key=_utf16_key)):
            if i:
                out.append(',')
            out.append(_js_string(key))
            out.append(':')
            _canonical(v[key], out)
        out.append('}')
    else:
        raise TypeError('canonicalJson: a %s is not a JSON value' % type(v).__name__)


def content_checksum(doc):
    """sha256 (hex) of the canonical JSON of a pipeline object without its ``checksum``."""
    body = {k: v for k, v in doc.items() if k != 'checksum'}
    return hashlib.sha256(canonical_json(body).encode('utf-8', 'surrogatepass')).hexdigest()


# ---------------------------------------------------------------- values (scorer.ts, decimal.ts)

MISSING_TEXTS = ('', 'na', 'nan', 'null', '?')
# JavaScript's String.prototype.trim() and \s: white space and line terminators.
_JS_SPACE = '\t\n\v\f\r \u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000\ufeff'
_DECIMAL = re.compile('[%s]*[+-]?(?:[0-9]+\\.?[0-9]*|\\.[0-9]+)(?:[eE][+-]?[0-9]+)?[%s]*\\Z' % (_JS_SPACE, _JS_SPACE))
_JS_TRIM = _JS_SPACE.replace('\u2000-\u200a', ''.join(chr(c) for c in range(0x2000, 0x200B)))


def is_missing_text(text):
    """Empty, NA, NaN, null or ? (any case, spaces around trimmed): a missing value."""
    t = text.strip(_JS_TRIM)
    return len(t) <= 4 and t.lower() in MISSING_TEXTS


def cell_number(v):
    """A numeric field's value as the scorer reads it (scorer.ts cellNumber): a finite float,
    NaN for a missing value, None when it is not a number. A decimal text is read as
    JavaScript's Number() reads it: the correctly rounded double, as Python's float()."""
    if v is None:
        return NAN
    if isinstance(v, bool):
        return None
    if isinstance(v, (int, float)):
        try:
            x = float(v)
        except OverflowError:
            return None
        if x != x:
            return NAN
        return x if x - x == 0 else None
    if isinstance(v, str):
        if _DECIMAL.match(v):
            x = float(v.strip(_JS_TRIM))
            return x if x - x == 0 else None
        if is_missing_text(v):
            return NAN
    return None


def text_value(v):
    """A text field's value as the scorer reads it (scorer.ts cellString): the str (a number or a
    boolean as JavaScript's String() writes it); None for a missing value (None or a missing-value
    text); False when it is not a value (an object or an array)."""
    if v is None:
        return None
    if isinstance(v, bool):
        text = 'true' if v else 'false'
    elif isinstance(v, (int, float)):
        try:
            text = js_number(float(v))
        except OverflowError:
            text = str(v)
    elif isinstance(v, str):
        text = v
    else:
        return False
    return None if is_missing_text(text) else text


def _exp(x):
    try:
        return math.exp(x)
    except OverflowError:
        return INF


def _log(x):
    if x > 0:
        return math.log(x)
    return -INF if x == 0 else NAN


def _expm1(x):
    try:
        return math.expm1(x)
    except OverflowError:
        return INF


def _describe(v):
    if isinstance(v, str):
        return "'%s'" % v
    if isinstance(v, list):
        return 'an array'
    if isinstance(v, dict):
        return 'an object'
    if v is None:
        return 'null'
    if isinstance(v, bool):
        return 'true' if v else 'false'
    if isinstance(v, float):
        return js_number(v)
    return str(v)


def _is_number(v):
    return isinstance(v, (int, float)) and not isinstance(v, bool)


def _is_int(v):
    return _is_number(v) and math.isfinite(v) and float(v) == int(v)


def _format_error(message):
    return ScoringError('PIPELINE_FORMAT', message)


# ---------------------------------------------------------------- strict structure (validate.ts)

_R, _O = 'required', 'optional'
FILE_MEMBERS = {
    'format': _R, 'formatVersion': _R, 'pipelineId': _R, 'name': _R, 'target': _R, 'task': _R,
    'classes': _R, 'inputs': _R, 'features': _R, 'model': _R, 'metrics': _R, 'importance': _R,
    'thresholds': _O, 'provenance': _R, 'checksum': _R,
}
INPUT_MEMBERS = {
    'numeric': {'name': _R, 'type': _R},
    'categorical': {'name': _R, 'type': _R, 'levels': _R},
    'text': {'name': _R, 'type': _R},
}
FEATURES_MEMBERS = {'kind': _R, 'inputs': _R, 'steps': _R, 'features': _R}
STEP_MEMBERS = {
    'standardize': {'kind': _R, 'column': _R, 'output': _R, 'mean': _R, 'std': _R},
    'log': {'kind': _R, 'column': _R, 'output': _R, 'shift': _R},
    'yeo_johnson': {'kind': _R, 'column': _R, 'output': _R, 'lambda': _R},
    'quantile_bin': {'kind': _R, 'column': _R, 'output': _R, 'edges': _R},
    'missing': {'kind': _R, 'column': _R, 'output': _R, 'indicator': _R, 'fill': _R},
    'interaction': {'kind': _R, 'op': _R, 'columns': _R, 'output': _R},
    'one_hot': {'kind': _R, 'column': _R, 'levels': _R, 'outputs': _R},
    'frequency': {'kind': _R, 'column': _R, 'output': _R, 'levels': _R, 'frequencies': _R, 'unseen': _R},
    'target_encoding': {'kind': _R, 'column': _R, 'outputs': _R, 'levels': _R, 'values': _R, 'prior': _R},
    'date': {'kind': _R, 'column': _R, 'format': _R, 'parts': _R, 'outputs': _R},
    'text': {
        'kind': _R, 'column': _R, 'seed': _R, 'buckets': _R, 'wordNgrams': _R, 'charNgrams': _R, 'indices': _R,
        'idf': _R, 'outputs': _R,
    },
}
#: The input field type and the step kinds that came with format 2.2.
SINCE_2_2 = ('date', 'text')
MODEL_MEMBERS = {
    'tree_ensemble': {
        'kind': _R, 'nFeatures': _R, 'nOutputs': _R, 'aggregation': _R, 'link': _R, 'leafWidth': _R,
        'baseScore': _R, 'trees': _R,
    },
    'linear': {
        'kind': _R, 'link': _R, 'nFeatures': _R, 'nOutputs': _R, 'center': _R, 'indicators': _R,
        'weights': _R, 'intercept': _R,
    },
    'mlp': {
        'kind': _R, 'nFeatures': _R, 'means': _R, 'stds': _R, 'missingIndicators': _R, 'layers': _R,
        'targetMean': _R, 'targetStd': _R,
    },
}
TREE_MEMBERS = {'feature': _R, 'threshold': _R, 'missingLeft': _R, 'left': _R, 'right': _R, 'value': _R}
MLP_LAYER_MEMBERS = {'shape': _R, 'weights': _R, 'bias': _R, 'activation': _R}
ENSEMBLE_MEMBERS = {'kind': _R, 'members': _R}
MEMBER_MEMBERS = {'weight': _R, 'features': _O, 'model': _R, 'calibration': _O}
CALIBRATION_MEMBERS = {'temperature': {'kind': _R, 'temperature': _R, 'floor': _R}}
THRESHOLDS_MEMBERS = {'positiveClass': _R, 'f1': _R, 'mcc': _R}
IMPORTANCE_MEMBERS = {'feature': _R, 'importance': _R}


def check_structure(doc, source):
    """Every object may hold only the members its format type defines, every kind must be known;
    anything else is refused naming the member and where it is (validate.ts)."""
    stated = str(doc.get('formatVersion'))

    def minor(v):
        return int(v.split('.')[1])

    if minor(stated) > minor(PIPELINE_FORMAT_VERSION):
        newer = ('the file is format %s, newer than this automl\'s %s: score it with a newer automl '
                 '(a pipeline file\'s members are never ignored)' % (stated, PIPELINE_FORMAT_VERSION))
    else:
        newer = ('it needs a newer format version than %s, so a newer automl may read it '
                 '(a pipeline file\'s members are never ignored)' % PIPELINE_FORMAT_VERSION)

    def at(where):
        return ' in %s' % where if where else ' at its top level'

    def obj(v, where):
        if not isinstance(v, dict):
            raise _format_error('%s: %s is not a JSON object' % (source, where))
        return v

    def arr(v, where):
        if not isinstance(v, list):
            raise _format_error('%s: %s is not an array' % (source, where))
        return v

    def members(o, known, where):
        for key in o:
            if key not in known:
                raise _format_error('%s has a member %s%s that format %s does not define; %s' % (
                    source, _js_string(key), at(where), PIPELINE_FORMAT_VERSION, newer))
        for key, presence in known.items():
            if presence == _R and key not in o:
                raise _format_error('%s has no %s%s; it is not a complete pipeline file' % (
                    source, _js_string(key), ' in %s' % where if where else ''))

    def unknown_kind(what, kind, where, known):
        return _format_error('%s has %s %s in %s, which format %s does not define (it knows %s); %s' % (
            source, what, 'undefined' if kind is _ABSENT else json.dumps(kind, ensure_ascii=False), where,
            PIPELINE_FORMAT_VERSION, ', '.join(known), newer))

    def inputs(v, where):
        for i, x in enumerate(arr(v, where)):
            o = obj(x, '%s[%d]' % (where, i))
            t = o.get('type', _ABSENT)
            if t not in ('numeric', 'categorical', 'text'):
                raise unknown_kind('an input field of type', t, '%s[%d]' % (where, i), list(INPUT_MEMBERS))
            members(o, INPUT_MEMBERS[t], '%s[%d]' % (where, i))

    def features(v, where):
        o = obj(v, where)
        if o.get('kind') != 'feature_pipeline':
            raise unknown_kind('a feature node of kind', o.get('kind', _ABSENT), where, ['feature_pipeline'])
        members(o, FEATURES_MEMBERS, where)
        inputs(o['inputs'], where + '.inputs')
        for i, x in enumerate(arr(o['steps'], where + '.steps')):
            s = obj(x, '%s.steps[%d]' % (where, i))
            kind = s.get('kind', _ABSENT)
            if not isinstance(kind, str) or kind not in STEP_MEMBERS:
                raise unknown_kind('a feature step of kind', kind, '%s.steps[%d]' % (where, i), list(STEP_MEMBERS))
            members(s, STEP_MEMBERS[kind], '%s.steps[%d]' % (where, i))

    def model(v, where, in_ensemble):
        o = obj(v, where)
        kind = o.get('kind', _ABSENT)
        if kind == 'ensemble' and not in_ensemble:
            members(o, ENSEMBLE_MEMBERS, where)
            for i, x in enumerate(arr(o['members'], where + '.members')):
                here = '%s.members[%d]' % (where, i)
                m = obj(x, here)
                members(m, MEMBER_MEMBERS, here)
                if 'features' in m:
                    features(m['features'], here + '.features')
                if 'calibration' in m:
                    if minor(stated) < 1:
                        raise _format_error(
                            '%s: %s has a calibration, which format %s does not have (it came with 2.1): the '
                            'file\'s formatVersion is wrong, or the file was edited' % (source, here, stated))
                    c = obj(m['calibration'], here + '.calibration')
                    ckind = c.get('kind', _ABSENT)
                    if not isinstance(ckind, str) or ckind not in CALIBRATION_MEMBERS:
                        raise unknown_kind('a calibration of kind', ckind, here + '.calibration',
                                           list(CALIBRATION_MEMBERS))
                    members(c, CALIBRATION_MEMBERS[ckind], here + '.calibration')
                model(m['model'], here + '.model', True)
            return
        if not isinstance(kind, str) or kind not in MODEL_MEMBERS:
            known = list(MODEL_MEMBERS) + ([] if in_ensemble else ['ensemble'])
            raise unknown_kind('a model of kind', kind, where, known)
        members(o, MODEL_MEMBERS[kind], where)
        if kind == 'tree_ensemble':
            for i, t in enumerate(arr(o['trees'], where + '.trees')):
                members(obj(t, '%s.trees[%d]' % (where, i)), TREE_MEMBERS, '%s.trees[%d]' % (where, i))
        if kind == 'mlp':
            for i, layer in enumerate(arr(o['layers'], where + '.layers')):
                members(obj(layer, '%s.layers[%d]' % (where, i)), MLP_LAYER_MEMBERS, '%s.layers[%d]' % (where, i))

    members(doc, FILE_MEMBERS, '')
    if minor(stated) < 2 and needs_2_2(doc['inputs'], doc['features'], doc['model']):
        raise _format_error(
            '%s has a text input field or a date or text step, which format %s does not have (they came with 2.2): '
            'the file\'s formatVersion is wrong, or the file was edited' % (source, stated))
    inputs(doc['inputs'], 'inputs')
    features(doc['features'], 'features')
    model(doc['model'], 'model', False)
    for i, x in enumerate(arr(doc['importance'], 'importance')):
        members(obj(x, 'importance[%d]' % i), IMPORTANCE_MEMBERS, 'importance[%d]' % i)
    if 'thresholds' in doc:
        members(obj(doc['thresholds'], 'thresholds'), THRESHOLDS_MEMBERS, 'thresholds')
    obj(doc['metrics'], 'metrics')
    obj(doc['provenance'], 'provenance')


def needs_2_2(inputs, features, model):
    """validate.ts needs22: a text input field, or a date or text step, at the top level or in an
    ensemble member: what a file must be format 2.2 for."""
    def has_text(fields):
        return isinstance(fields, list) and any(isinstance(f, dict) and f.get('type') == 'text' for f in fields)

    def node_needs(node):
        if not isinstance(node, dict):
            return False
        steps = node.get('steps')
        return has_text(node.get('inputs')) or (isinstance(steps, list) and any(
            isinstance(x, dict) and x.get('kind') in SINCE_2_2 for x in steps))

    if has_text(inputs) or node_needs(features):
        return True
    members = model.get('members') if isinstance(model, dict) else None
    return isinstance(members, list) and any(isinstance(m, dict) and node_needs(m.get('features')) for m in members)


class _Absent:
    pass


_ABSENT = _Absent()


# ---------------------------------------------------------------- loading (load.ts)


def _reject_constant(name):
    raise ValueError('%s is not JSON' % name)


def read_pipeline_file(path):
    """Reads and checks a pipeline file."""
    try:
        with open(path, 'r', encoding='utf-8', errors='replace') as f:
            text = f.read()
    except FileNotFoundError:
        raise ScoringError('PIPELINE_UNREADABLE', '%s: no such pipeline file' % path) from None
    except OSError as e:
        raise ScoringError('PIPELINE_UNREADABLE', '%s: cannot read the pipeline file (%s)' % (
            path, e.strerror or e)) from None
    return parse_pipeline(text, str(path))


def parse_pipeline(text, source='the pipeline'):
    """Parses and checks a pipeline file's text; ``source`` names it in messages."""
    try:
        value = json.loads(text, parse_constant=_reject_constant)
    except (ValueError, RecursionError) as e:
        raise ScoringError('PIPELINE_NOT_JSON', '%s is not valid JSON (%s); is it a pipeline file?' % (
            source, e)) from None
    return check_pipeline_object(value, source)


def check_pipeline_object(value, source='the pipeline'):
    """Checks a parsed pipeline file: header, checksum, members and kinds, task and classes."""
    v = _check_header(value, source)
    stated = v.get('checksum', _ABSENT)
    if stated is _ABSENT:
        raise ScoringError('PIPELINE_NO_CHECKSUM', '%s has no "checksum"; it is not a complete pipeline file '
                           '(export it again)' % source)
    if not isinstance(stated, str) or not re.match(r'[0-9a-f]{64}\Z', stated):
        raise ScoringError('PIPELINE_NO_CHECKSUM', '%s has a "checksum" that is not a sha256 in hex (%s); export '
                           'the pipeline again' % (source, json.dumps(stated, ensure_ascii=False)))
    check_structure(v, source)
    try:
        actual = content_checksum(v)
    except (ValueError, TypeError) as e:
        raise _format_error('%s is not a JSON value (%s)' % (source, e)) from None
    if actual != stated:
        raise ScoringError(
            'PIPELINE_CHANGED',
            '%s was changed after it was exported: its content does not match its checksum (stated %s…, content '
            '%s…); export it again instead of editing it' % (source, stated[:12], actual[:12]))
    task = v['task']
    if task not in ('binary', 'multiclass', 'regression'):
        raise _format_error('%s has task %s; expected binary, multiclass or regression' % (
            source, json.dumps(task, ensure_ascii=False)))
    classes = v['classes']
    if task != 'regression' and not (isinstance(classes, list) and len(classes) >= 2):
        raise _format_error('%s is a %s pipeline without its class labels' % (source, task))
    return v


def _check_header(value, source):
    if not isinstance(value, dict):
        raise _format_error('%s is not a pipeline file: it holds no JSON object' % source)
    fmt = value.get('format', _ABSENT)
    if fmt != PIPELINE_FORMAT:
        raise _format_error('%s is not a pipeline file: its "format" is %s, not "%s"' % (
            source, 'undefined' if fmt is _ABSENT else json.dumps(fmt, ensure_ascii=False), PIPELINE_FORMAT))
    version = value.get('formatVersion', _ABSENT)
    m = re.match(r'([0-9]+)\.([0-9]+)\Z', version) if isinstance(version, str) else None
    if not m:
        raise ScoringError('PIPELINE_VERSION', '%s has format version %s; expected MAJOR.MINOR such as %s' % (
            source, 'undefined' if version is _ABSENT else json.dumps(version, ensure_ascii=False),
            PIPELINE_FORMAT_VERSION))
    major = int(m.group(1))
    if major != MAJOR:
        raise ScoringError(
            'PIPELINE_VERSION',
            '%s is format version %s, and this scorer reads version %d.x files (it writes %s); %s' % (
                source, version, MAJOR, PIPELINE_FORMAT_VERSION,
                'use a newer automl to score it' if major > MAJOR else
                'export the pipeline again with this automl (an older format\'s checksum and members differ)'))
    return value


# ---------------------------------------------------------------- feature steps (steps/*.ts)
#
# A prepared step reads and writes slots of one row's value list: numeric columns are slots of
# ``vals`` (NaN is missing), categorical and text input fields are entries of ``codes``: for a
# categorical field its code into the field's levels (-1 missing or unseen), then for a text
# field its value (a str, None when missing). ``bind(slot, cat, outs)`` turns it into
# ``run(vals, codes)``, given the slot of each numeric column, the index in ``codes`` of each
# categorical and text field and the slots of its outputs.


class PreparedStep:
    __slots__ = ('step', 'numeric_inputs', 'categorical_inputs', 'outputs', 'bind', 'text_inputs')

    def __init__(self, step, numeric_inputs, categorical_inputs, outputs, bind, text_inputs=()):
        self.step = step
        self.numeric_inputs = numeric_inputs
        self.categorical_inputs = categorical_inputs
        self.outputs = outputs
        self.bind = bind
        self.text_inputs = text_inputs


class StepCheck:
    """check.ts: the checks of one step's members, each raising an error that starts with ``where``."""

    def __init__(self, step, where, levels_of, is_text=None):
        self.step = step
        self.where = where
        self.members = step
        self.levels_of = levels_of
        self.is_text = is_text if is_text is not None else (lambda name: False)

    def text_field(self, field):
        """The step's ``field``, checked to name a text input field."""
        column = self.str(field)
        if not self.is_text(column):
            raise self.fail("%s '%s' is not a text input field" % (field, column))
        return column

    def fail(self, message):
        return _format_error('%s: %s' % (self.where, message))

    def str(self, field):
        v = self.step.get(field)
        if not isinstance(v, str) or v == '':
            raise self.fail('%s must be a non-empty string, got %s' % (field, _describe(v)))
        return v

    def num(self, field, ok=None, what='a finite number'):
        v = self.step.get(field)
        if not _is_number(v) or not math.isfinite(v) or (ok is not None and not ok(v)):
            raise self.fail('%s must be %s, got %s' % (field, what, _describe(v)))
        return float(v)

    def strings(self, field, length=None):
        v = self.step.get(field)
        if not isinstance(v, list) or any(not isinstance(x, str) for x in v):
            raise self.fail('%s must be an array of strings' % field)
        if length is not None and len(v) != length:
            raise self.fail('%s has %d entries, expected %d' % (field, len(v), length))
        seen = set()
        for x in v:
            if x in seen:
                raise self.fail("%s lists '%s' twice" % (field, x))
            seen.add(x)
        return v

    def numbers(self, field, length):
        v = self.step.get(field)
        if not isinstance(v, list):
            raise self.fail('%s must be an array of numbers' % field)
        if len(v) != length:
            raise self.fail('%s has %d entries, expected %d' % (field, len(v), length))
        for i, x in enumerate(v):
            if not _is_number(x) or not math.isfinite(x):
                raise self.fail('%s[%d] must be a finite number, got %s' % (field, i, _describe(x)))
        return [float(x) for x in v]

    def numeric_step(self, fn):
        """A step that reads the numeric ``column`` and writes ``output`` = fn(value)."""
        column = self.str('column')
        output = self.str('output')

        def bind(slot, cat, outs):
            i = slot[column]
            o = outs[0]

            def run(vals, codes):
                vals[o] = fn(vals[i])
            return run
        return PreparedStep(self.step, [column], [], [output], bind)

    def level_map(self, column, levels):
        """Code of the input field → index into the step's own levels (-1: not kept by the step)."""
        levels_in = self.levels_of(column)
        if levels_in is None:
            raise self.fail("column '%s' is not a categorical input field" % column)
        index = {level: i for i, level in enumerate(levels_in)}
        mapping = [-1] * len(levels_in)
        for j, level in enumerate(levels):
            code = index.get(level)
            if code is None:
                raise self.fail("level '%s' is not among the levels of input field '%s'" % (level, column))
            mapping[code] = j
        return mapping

    def categorical_step(self, column, outputs, fill, fn):
        """A step that reads the categorical ``column``: outputs start as ``fill`` (one value or one
        per output); ``fn(j)`` gives the outputs of the step's level j, or None to keep the fill."""
        fills = [fill] * len(outputs) if isinstance(fill, float) else list(fill)

        def bind(slot, cat, outs):
            c = cat[column]
            table = [fn(j) for j in range(len(self.levels_of(column)))]  # by input code
            defaults = list(zip(outs, fills))
            rows = [None if t is None else list(zip(outs, t)) for t in table]

            def run(vals, codes):
                code = codes[c]
                pairs = rows[code] if code >= 0 else None
                for o, x in pairs if pairs is not None else defaults:
                    vals[o] = x
            return run
        return PreparedStep(self.step, [], [column], outputs, bind)


def prepare_standardize(step, c):
    """standardize.ts: ``(x − mean) / std``; NaN stays NaN."""
    mean = c.num('mean')
    std = c.num('std', lambda v: v > 0, 'a finite number > 0')
    return c.numeric_step(lambda x: (x - mean) / std)


def prepare_log(step, c):
    """log.ts: ``log(max(x + shift, 1))``; NaN stays NaN."""
    shift = c.num('shift')

    def fn(x):
        v = x + shift
        return 0.0 if v < 1 else math.log(v)
    return c.numeric_step(fn)


YJ_EPS = 2.220446049250313e-16


def yeo_johnson(x, lam):
    """yeo-johnson.ts: the Yeo–Johnson transform, as expm1(λ · log1p(x)) / λ; NaN stays NaN."""
    if x >= 0:
        return math.log1p(x) if abs(lam) < YJ_EPS else _expm1(lam * math.log1p(x)) / lam
    if x < 0:
        l2 = 2 - lam
        return -math.log1p(-x) if abs(l2) < YJ_EPS else -_expm1(l2 * math.log1p(-x)) / l2
    return NAN


def prepare_yeo_johnson(step, c):
    """yeo-johnson.ts: the transform with the step's lambda."""
    lam = c.num('lambda')
    return c.numeric_step(lambda x: yeo_johnson(x, lam))


def prepare_quantile_bin(step, c):
    """quantile-bin.ts: the number of edges the value is greater than; NaN stays NaN."""
    v = step.get('edges')
    edges = c.numbers('edges', len(v) if isinstance(v, list) else -1)
    for i in range(1, len(edges)):
        if not edges[i] > edges[i - 1]:
            raise c.fail('edges must be strictly ascending; edges[%d] = %s follows %s' % (
                i, js_number(edges[i]), js_number(edges[i - 1])))
    left = bisect.bisect_left
    return c.numeric_step(lambda x: float(left(edges, x)) if x == x else NAN)


def prepare_missing(step, c):
    """missing.ts: ``output`` is x or ``fill`` where x is NaN; ``indicator`` 1 where NaN, else 0."""
    column = c.str('column')
    output = c.str('output')
    indicator = c.str('indicator')
    if indicator == output:
        raise c.fail("output and indicator are both '%s'" % output)
    fill = c.num('fill')

    def bind(slot, cat, outs):
        i = slot[column]
        o, ind = outs

        def run(vals, codes):
            v = vals[i]
            if v == v:
                vals[o] = v
                vals[ind] = 0.0
            else:
                vals[o] = fill
                vals[ind] = 1.0
        return run
    return PreparedStep(step, [column], [], [output, indicator], bind)


def prepare_interaction(step, c):
    """interaction.ts: ``a / b``, ``a − b`` or ``a · b``; a ratio that is not finite is NaN."""
    columns = c.strings('columns', 2)
    if columns[0] == columns[1]:
        raise c.fail("columns must be two different columns, got '%s' twice" % columns[0])
    a, b = columns
    output = c.str('output')
    op = step.get('op')
    if op not in ('ratio', 'difference', 'product'):
        raise c.fail('op must be one of ratio, difference, product, got %s' % _describe(op))

    def bind(slot, cat, outs):
        i, j, o = slot[a], slot[b], outs[0]
        if op == 'ratio':
            def run(vals, codes):
                y = vals[j]
                if y == 0:
                    vals[o] = NAN  # x / 0 is ±Infinity or NaN in JavaScript: not finite
                    return
                q = vals[i] / y
                vals[o] = q if q - q == 0 else NAN
        elif op == 'difference':
            def run(vals, codes):
                vals[o] = vals[i] - vals[j]
        else:
            def run(vals, codes):
                vals[o] = vals[i] * vals[j]
        return run
    return PreparedStep(step, [a, b], [], [output], bind)


def prepare_one_hot(step, c):
    """one-hot.ts: 1 in the column of the value's level, 0 elsewhere; missing or unseen: zeros."""
    column = c.str('column')
    levels = c.strings('levels')
    outputs = c.strings('outputs', len(levels))
    mapping = c.level_map(column, levels)
    k = len(outputs)

    def fn(code):
        j = mapping[code]
        return None if j < 0 else [1.0 if o == j else 0.0 for o in range(k)]
    return c.categorical_step(column, outputs, 0.0, fn)


def prepare_frequency(step, c):
    """frequency.ts: the level's training share; missing and unseen values get ``unseen``."""
    column = c.str('column')
    output = c.str('output')
    levels = c.strings('levels')
    frequencies = c.numbers('frequencies', len(levels))
    unseen = c.num('unseen')
    mapping = c.level_map(column, levels)

    def fn(code):
        j = mapping[code]
        return None if j < 0 else [frequencies[j]]
    return c.categorical_step(column, [output], unseen, fn)


def prepare_target_encoding(step, c):
    """target-encoding.ts: the level's smoothed target statistics; missing and unseen: the prior."""
    column = c.str('column')
    outputs = c.strings('outputs')
    if len(outputs) == 0:
        raise c.fail('outputs must not be empty')
    levels = c.strings('levels')
    k = len(outputs)
    values = c.numbers('values', len(levels) * k)
    prior = c.numbers('prior', k)
    mapping = c.level_map(column, levels)

    def fn(code):
        j = mapping[code]
        return None if j < 0 else values[j * k:(j + 1) * k]
    return c.categorical_step(column, outputs, prior, fn)


# ---------------------------------------------------------------- murmur3.ts (the text step's hash)


def murmur3(data, seed):
    """MurmurHash3_x86_32 of bytes (a str is hashed as its UTF-8 bytes) with an unsigned 32-bit seed."""
    if isinstance(data, str):
        # A lone surrogate is encoded as U+FFFD, as TextEncoder does.
        data = _LONE_SURROGATE.sub('\ufffd', data).encode('utf-8')
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


def check_date(step, c):
    """The checks of date.ts; returns (column, format, part indices, outputs)."""
    column = c.text_field('column')
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
    return PreparedStep(step, [], [], outputs, bind, [column])


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
    column = c.text_field('column')
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
    return PreparedStep(step, [], [], outputs, bind, [column])



#: kind → preparer, in the order of steps/index.ts (the FeatureStep union).
FEATURE_STEPS = {
    'standardize': prepare_standardize,
    'log': prepare_log,
    'yeo_johnson': prepare_yeo_johnson,
    'quantile_bin': prepare_quantile_bin,
    'missing': prepare_missing,
    'interaction': prepare_interaction,
    'one_hot': prepare_one_hot,
    'frequency': prepare_frequency,
    'target_encoding': prepare_target_encoding,
    'date': prepare_date,
    'text': prepare_text,
}


# ---------------------------------------------------------------- feature pipeline (feature-scorer.ts)


def _step_label(step):
    if not isinstance(step, dict):
        return ''
    if isinstance(step.get('column'), str):
        of = " of '%s'" % step['column']
    elif isinstance(step.get('columns'), list):
        of = ' of ' + ', '.join("'%s'" % _describe(x).strip("'") for x in step['columns'])
    else:
        of = ''
    return ' (%s%s)' % (step.get('kind'), of)


class FeatureScorer:
    """A fitted feature pipeline, checked once. ``runs`` give the model's features of one row from
    its numeric inputs (``vals``, in the order of ``numeric_inputs``, extended in place by the
    steps' outputs) and ``codes``: the categorical codes (in the order of ``categorical_inputs``)
    followed by the text values (in the order of ``text_inputs``, None when missing)."""

    def __init__(self, node):
        if not isinstance(node, dict) or node.get('kind') != 'feature_pipeline':
            raise _format_error('expected a feature_pipeline node, got %s' % _describe(node))
        inputs = {}
        for i, f in enumerate(node['inputs']):
            where = 'feature pipeline: inputs[%d]' % i
            name = f.get('name')
            if not isinstance(name, str) or name == '':
                raise _format_error('%s: name must be a non-empty string, got %s' % (where, _describe(name)))
            if name in inputs:
                raise _format_error("%s: input field '%s' is listed twice" % (where, name))
            if f['type'] == 'categorical':
                levels = f.get('levels')
                if not isinstance(levels, list) or any(not isinstance(x, str) for x in levels):
                    raise _format_error("%s ('%s'): levels must be an array of strings" % (where, name))
                if len(set(levels)) != len(levels):
                    dup = next(x for j, x in enumerate(levels) if levels.index(x) != j)
                    raise _format_error("%s ('%s'): level '%s' is listed twice" % (where, name, dup))
            inputs[name] = f
        self.node = node
        self.numeric_inputs = [f['name'] for f in node['inputs'] if f['type'] == 'numeric']
        self.categorical_inputs = [f['name'] for f in node['inputs'] if f['type'] == 'categorical']
        self.text_inputs = [f['name'] for f in node['inputs'] if f['type'] == 'text']
        self.levels = {f['name']: f['levels'] for f in node['inputs'] if f['type'] == 'categorical'}
        slot = {name: i for i, name in enumerate(self.numeric_inputs)}
        cat = {name: i for i, name in enumerate(self.categorical_inputs + self.text_inputs)}
        texts = set(self.text_inputs)
        runs = []
        for i, step in enumerate(node['steps']):
            where = 'feature pipeline: steps[%d]%s' % (i, _step_label(step))
            prepare = FEATURE_STEPS.get(step.get('kind'))
            if prepare is None:
                raise _format_error('%s: unknown step kind %s' % (where, _describe(step.get('kind'))))
            p = prepare(step, StepCheck(step, where, self.levels.get, texts.__contains__))
            for name in p.numeric_inputs:
                if name not in slot:
                    why = ('a %s input field' % inputs[name]['type'] if name in inputs else
                           'neither a numeric input field nor the output of an earlier step')
                    raise _format_error("%s: column '%s' is %s" % (where, name, why))
            outs = []
            for name in p.outputs:
                if name in inputs or name in slot:
                    raise _format_error("%s: output '%s' is already a column name" % (where, name))
                slot[name] = len(slot)
                outs.append(slot[name])
            runs.append(p.bind(slot, cat, outs))
        seen = set()
        for j, name in enumerate(node['features']):
            if not isinstance(name, str) or name not in slot:
                raise _format_error("feature pipeline: features[%d] '%s' is not a numeric input field or a step "
                                    'output' % (j, name))
            if name in seen:
                raise _format_error("feature pipeline: features[%d] '%s' is listed twice" % (j, name))
            seen.add(name)
        self.runs = runs
        self.n_outputs = len(slot) - len(self.numeric_inputs)
        self.feature_slots = [slot[name] for name in node['features']]
        # The features are the numeric inputs themselves, in order: no copy needed.
        self.identity = not runs and self.feature_slots == list(range(len(self.numeric_inputs)))


# ---------------------------------------------------------------- links (link.ts, calibration.ts)


def sigmoid_pair(r):
    p = 1 / (1 + _exp(-r))
    return [1 - p, p]


def softmax(values):
    """Shifted by the maximum, exponentiated, divided by the sum, in order (link.ts)."""
    m = -INF
    for v in values:
        if v > m:
            m = v
    e = [_exp(v - m) for v in values]
    s = 0.0
    for x in e:
        s += x
    return [x / s for x in e]


def check_calibration(c, width, where):
    t, floor = c.get('temperature'), c.get('floor')
    if not (_is_number(t) and math.isfinite(t) and t > 0):
        raise _format_error('%s: calibration temperature must be a number > 0, got %s' % (where, _describe(t)))
    if not (_is_number(floor) and math.isfinite(floor) and floor >= 0 and floor * width < 1):
        raise _format_error("%s: calibration floor must be >= 0 and below 1/%d (the classes' count), got %s" % (
            where, width, _describe(floor)))


def calibrate(p, temperature, floor):
    """calibration.ts: q ∝ p^(1/T) as exp(log(p)/T − max), then (1 − K·floor)·q + floor."""
    inv = 1 / temperature
    keep = 1 - len(p) * floor
    z = [_log(x) * inv for x in p]
    m = -INF
    for v in z:
        if v > m:
            m = v
    e = [_exp(v - m) for v in z]
    s = 0.0
    for x in e:
        s += x
    return [keep * (x / s) + floor for x in e]


# ---------------------------------------------------------------- models


def _count(node, name, minimum, what):
    v = node.get(name)
    if not (_is_int(v) and v >= minimum):
        raise _format_error('%s: %s must be an integer >= %d, got %s' % (what, name, minimum, _describe(v)))
    return int(v)


def _numbers(v, what, length=None):
    if not isinstance(v, list):
        raise _format_error('%s must be an array of numbers' % what)
    if length is not None and len(v) != length:
        raise _format_error('%s has %d entries, expected %d' % (what, len(v), length))
    for i, x in enumerate(v):
        if not _is_number(x) or not math.isfinite(x):
            raise _format_error('%s[%d] is %s, expected a finite number' % (what, i, _describe(x)))
    return [float(x) for x in v]


def _ints(v, what):
    if not isinstance(v, list) or any(not _is_int(x) for x in v):
        raise _format_error('%s must be an array of integers' % what)
    return [int(x) for x in v]


def tree_scorer(node):
    """tree-scorer.ts: the trees packed into flat lists (child ids offset into them), walked per
    row; per output the leaf values are added in tree order to ``baseScore`` (sum), or summed and
    multiplied by 1/nTrees (mean), then the link."""
    n_features = _count(node, 'nFeatures', 0, 'tree_ensemble')
    K = _count(node, 'nOutputs', 1, 'tree_ensemble')
    L = _count(node, 'leafWidth', 1, 'tree_ensemble')
    aggregation, link = node.get('aggregation'), node.get('link')
    if aggregation not in ('sum', 'mean'):
        raise _format_error('tree_ensemble: aggregation must be sum or mean, got %s' % _describe(aggregation))
    if link not in ('identity', 'sigmoid', 'softmax'):
        raise _format_error('tree_ensemble: link must be identity, sigmoid or softmax, got %s' % _describe(link))
    if (aggregation == 'sum' and L != 1) or (aggregation == 'mean' and L != K):
        raise _format_error('tree_ensemble: leafWidth %d does not fit %s aggregation of %d outputs' % (
            L, aggregation, K))
    base = _numbers(node.get('baseScore'), 'tree_ensemble: baseScore')
    if aggregation == 'sum' and len(base) != K:
        raise _format_error('tree_ensemble: baseScore has %d entries for %d outputs' % (len(base), K))
    feature, threshold, missing_left, left, right, value, roots, outs = [], [], [], [], [], [], [], []
    for ti, t in enumerate(node['trees']):
        f = _ints(t['feature'], 'tree_ensemble: tree %d feature' % ti)
        n = len(f)
        th = _numbers(t['threshold'], 'tree_ensemble: tree %d threshold' % ti)
        ml = _ints(t['missingLeft'], 'tree_ensemble: tree %d missingLeft' % ti)
        lt = _ints(t['left'], 'tree_ensemble: tree %d left' % ti)
        rt = _ints(t['right'], 'tree_ensemble: tree %d right' % ti)
        val = _numbers(t['value'], 'tree_ensemble: tree %d value' % ti)
        if len(th) != n or len(ml) != n or len(lt) != n or len(rt) != n or len(val) != n * L:
            raise _format_error('tree_ensemble: tree %d has arrays of different lengths' % ti)
        if n == 0:
            raise _format_error('tree_ensemble: tree %d has no nodes' % ti)
        offset = len(feature)
        for i in range(n):
            if f[i] >= n_features:
                raise _format_error('tree_ensemble: tree %d node %d uses feature %d of %d' % (ti, i, f[i], n_features))
            if f[i] >= 0 and (lt[i] <= i or rt[i] <= i or lt[i] >= n or rt[i] >= n):
                raise _format_error('tree_ensemble: tree %d node %d has children out of order or range' % (ti, i))
        roots.append(offset)
        outs.append(ti % K if aggregation == 'sum' else 0)
        feature.extend(f)
        threshold.extend(th)
        missing_left.extend(ml)
        left.extend(x + offset if x >= 0 else -1 for x in lt)
        right.extend(x + offset if x >= 0 else -1 for x in rt)
        value.extend(val)
    n_trees = len(roots)
    walks = list(zip(roots, outs))

    def leaf(x, i):
        f = feature[i]
        while f >= 0:
            v = x[f]
            if v <= threshold[i]:
                i = left[i]
            elif v != v:
                i = left[i] if missing_left[i] == 1 else right[i]
            else:
                i = right[i]
            f = feature[i]
        return i

    if aggregation == 'sum':
        def raw(x):
            out = list(base)
            for root, k in walks:
                i = root
                f = feature[i]
                while f >= 0:
                    v = x[f]
                    if v <= threshold[i]:
                        i = left[i]
                    elif v != v:
                        i = left[i] if missing_left[i] == 1 else right[i]
                    else:
                        i = right[i]
                    f = feature[i]
                out[k] += value[i]
            return out
    else:
        inv = 1 / n_trees if n_trees else 1.0
        rng = range(L)

        def raw(x):
            out = [0.0] * L
            for root in roots:
                i = leaf(x, root) * L
                for k in rng:
                    out[k] += value[i + k]
            if n_trees:
                out = [o * inv for o in out]
            return out

    if link == 'identity':
        predict = raw
    elif link == 'sigmoid':
        def predict(x):
            return sigmoid_pair(raw(x)[0])
    else:
        def predict(x):
            return softmax(raw(x))
    n_predictions = 2 if link == 'sigmoid' else K
    return predict, n_predictions, n_features


def linear_scorer(node):
    """linear-scorer.ts: intercept, then per feature j (in order) and output k, w·(x − centre) or,
    for a missing x, the indicator's weight; then the link."""
    link = node.get('link')
    if link not in ('identity', 'sigmoid', 'softmax'):
        raise _format_error('linear: link must be one of identity, sigmoid, softmax, got %s' % _describe(link))
    n_features = _count(node, 'nFeatures', 0, 'linear')
    K = _count(node, 'nOutputs', 1, 'linear')
    if (K < 2) if link == 'softmax' else (K != 1):
        raise _format_error('linear: a %s link needs %s, got %d' % (
            link, 'nOutputs >= 2' if link == 'softmax' else 'nOutputs = 1', K))
    indicators = _numbers(node.get('indicators'), 'linear: indicators')
    for m, j in enumerate(indicators):
        if j != int(j) or j < 0 or j >= n_features or (m > 0 and j <= indicators[m - 1]):
            raise _format_error('linear: indicators[%d] is %s: expected feature indices in [0, %d), ascending' % (
                m, js_number(j), n_features))
    center = _numbers(node.get('center'), 'linear: center', n_features)
    width = n_features + len(indicators)
    weights = _numbers(node.get('weights'), 'linear: weights', K * width)
    intercept = _numbers(node.get('intercept'), 'linear: intercept', K)
    missing_coef = [[0.0] * n_features for _ in range(K)]
    for m, j in enumerate(indicators):
        for k in range(K):
            missing_coef[k][int(j)] = weights[k * width + n_features + m]
    plan = []
    for j in range(n_features):
        terms = []
        for k in range(K):
            w, wm = weights[k * width + j], missing_coef[k][j]
            if w == 0 and wm == 0:
                continue
            terms.append((k, w, wm))
        if terms:
            plan.append((j, center[j], terms))

    def raw(x):
        out = list(intercept)
        for j, c, terms in plan:
            v = x[j]
            if v == v:
                d = v - c
                for k, w, _ in terms:
                    out[k] += w * d
            else:
                for k, _, wm in terms:
                    out[k] += wm
        return out

    if link == 'identity':
        predict = raw
    elif link == 'sigmoid':
        def predict(x):
            return sigmoid_pair(raw(x)[0])
    else:
        def predict(x):
            return softmax(raw(x))
    return predict, 2 if link == 'sigmoid' else K, n_features


def mlp_scorer(node):
    """mlp-scorer.ts: inputs (x − mean)·(1/std) (0 when missing) and missing indicators, then
    per layer bias + Σ_i in[i]·w[i][o] (inputs of 0 skipped), relu on hidden layers, and the
    output layer's softmax, sigmoid or linear (× targetStd + targetMean)."""
    def fail(what):
        return _format_error('mlp: %s' % what)

    d = node.get('nFeatures')
    if not (_is_int(d) and d >= 1):
        raise fail('nFeatures must be a whole number >= 1, got %s' % _describe(d))
    d = int(d)
    means = _numbers(node.get('means'), 'mlp: means', d)
    stds = _numbers(node.get('stds'), 'mlp: stds', d)
    for j, s in enumerate(stds):
        if not s > 0:
            raise fail('stds[%d] is %s, expected > 0' % (j, js_number(s)))
    indicators = node.get('missingIndicators')
    if not isinstance(indicators, list):
        raise fail('missingIndicators must be an array')
    for m, f in enumerate(indicators):
        if not (_is_int(f) and 0 <= f < d):
            raise fail('missingIndicators[%d] is %s, expected a feature index in [0, %d)' % (m, _describe(f), d))
        if m > 0 and not f > indicators[m - 1]:
            raise fail('missingIndicators must be ascending without repeats')
    indicators = [int(f) for f in indicators]
    target_mean = _numbers([node.get('targetMean')], 'mlp: targetMean')[0]
    target_std = _numbers([node.get('targetStd')], 'mlp: targetStd')[0]
    layers = node.get('layers')
    if not isinstance(layers, list) or not layers:
        raise fail('layers must be a non-empty array')
    width = d + len(indicators)
    packed = []
    for li, layer in enumerate(layers):
        last = li == len(layers) - 1
        shape = layer.get('shape')
        if not isinstance(shape, list) or len(shape) != 2:
            raise fail('layer %d: shape must be [nIn, nOut]' % li)
        n_in, n_out = shape
        if n_in != width:
            raise fail('layer %d has %s inputs, expected %d' % (li, _describe(n_in), width))
        if not (_is_int(n_out) and n_out >= 1):
            raise fail('layer %d: nOut must be a whole number >= 1, got %s' % (li, _describe(n_out)))
        n_in, n_out = int(n_in), int(n_out)
        w = _numbers(layer.get('weights'), 'mlp: layer %d weights' % li, n_in * n_out)
        b = _numbers(layer.get('bias'), 'mlp: layer %d bias' % li, n_out)
        act = layer.get('activation')
        allowed = ('linear', 'sigmoid', 'softmax') if last else ('relu', 'linear')
        if act not in allowed:
            raise fail("layer %d activation '%s' is not one of %s" % (li, act, ', '.join(allowed)))
        if last and act != 'softmax' and n_out != 1:
            raise fail('a %s output layer has 1 output, got %d' % (act, n_out))
        if last and act == 'softmax' and n_out < 2:
            raise fail('a softmax output layer has at least 2 outputs, got %d' % n_out)
        rows = [w[i * n_out:(i + 1) * n_out] for i in range(n_in)]
        packed.append((rows, b, act == 'relu'))
        width = n_out
    output = layers[-1]['activation']
    inv_stds = [1 / s for s in stds]
    scale = list(zip(range(d), means, inv_stds))

    def raw(x):
        a = [0.0 if v != v else (v - m) * s for v, m, s in zip(x, means, inv_stds)] if len(x) == d else \
            [0.0 if x[j] != x[j] else (x[j] - m) * s for j, m, s in scale]
        for j in indicators:
            a.append(1.0 if x[j] != x[j] else 0.0)
        for rows, bias, relu in packed:
            b = list(bias)
            for ai, row in zip(a, rows):
                if ai == 0:
                    continue
                b = [bo + ai * wo for bo, wo in zip(b, row)]
            if relu:
                b = [v if v > 0 else 0.0 for v in b]
            a = b
        return a

    if output == 'linear':
        def predict(x):
            return [raw(x)[0] * target_std + target_mean]
    elif output == 'sigmoid':
        def predict(x):
            return sigmoid_pair(raw(x)[0])
    else:
        def predict(x):
            return softmax(raw(x))
    return predict, 2 if output == 'sigmoid' else width, d


MODEL_SCORERS = {'tree_ensemble': tree_scorer, 'linear': linear_scorer, 'mlp': mlp_scorer}


# ---------------------------------------------------------------- the pipeline (scorer.ts)


class _Member:
    __slots__ = ('weight', 'num_src', 'cat_src', 'text_src', 'recode', 'pad', 'runs', 'feature_slots', 'identity',
                 'predict', 'calibration')


def _member_scorers(inputs, features, model, width):
    """The scoring members of a pipeline's model: each member's feature steps (its own or the
    pipeline's), model, calibration, and the re-coding of categorical fields whose levels it lists
    differently from the pipeline."""
    fields = {f['name']: f for f in inputs}
    numeric_pos = {f['name']: i for i, f in enumerate(f for f in inputs if f['type'] == 'numeric')}
    cat_pos = {f['name']: i for i, f in enumerate(f for f in inputs if f['type'] == 'categorical')}
    text_pos = {f['name']: i for i, f in enumerate(f for f in inputs if f['type'] == 'text')}
    cache = {}
    is_ensemble = model.get('kind') == 'ensemble'
    entries = model['members'] if is_ensemble else [{'weight': 1, 'model': model}]
    out = []
    for i, m in enumerate(entries):
        where = 'model.members[%d]' % i if is_ensemble else 'model'
        own = m.get('features', features)
        fs = cache.get(id(own))
        if fs is None:
            fs = cache[id(own)] = FeatureScorer(own)
        recode = []
        for f in own['inputs']:
            p = fields.get(f['name'])
            if p is None or p['type'] != f['type']:
                raise _format_error("%s: its features read %s field '%s', which the pipeline's inputs %s" % (
                    where, f['type'], f['name'], 'list as %s' % p['type'] if p else 'do not list'))
            if f['type'] == 'categorical':
                if f['levels'] != p['levels']:
                    index = {level: k for k, level in enumerate(f['levels'])}
                    recode.append([index.get(level, -1) for level in p['levels']])
                else:
                    recode.append(None)
        calibration = m.get('calibration')
        if calibration is not None:
            if width < 2:
                raise _format_error('%s: a calibration applies to class probabilities, not to a regression' % where)
            check_calibration(calibration, width, where)
        kind = m['model'].get('kind')
        if kind not in MODEL_SCORERS:
            raise _format_error('unknown model kind %s' % json.dumps(kind))
        predict, n_predictions, n_features = MODEL_SCORERS[kind](m['model'])
        if n_predictions != width:
            raise _format_error("a model of the pipeline predicts %d columns, the pipeline's task needs %d" % (
                n_predictions, width))
        if len(fs.feature_slots) < n_features:
            raise _format_error('%s needs %d feature columns, got %d' % (where, n_features, len(fs.feature_slots)))
        weight = m.get('weight')
        if not (_is_number(weight) and math.isfinite(weight)):
            raise _format_error('%s: weight must be a finite number, got %s' % (where, _describe(weight)))
        member = _Member()
        member.weight = float(weight)
        member.num_src = [numeric_pos[name] for name in fs.numeric_inputs]
        member.cat_src = [cat_pos[name] for name in fs.categorical_inputs]
        member.text_src = [text_pos[name] for name in fs.text_inputs]
        member.recode = recode if any(r is not None for r in recode) else None
        member.pad = [0.0] * fs.n_outputs
        member.runs = fs.runs
        member.feature_slots = fs.feature_slots
        member.identity = fs.identity and member.num_src == list(range(len(numeric_pos)))
        member.predict = predict
        member.calibration = (float(calibration['temperature']), float(calibration['floor'])) if calibration else None
        out.append(member)
    return out


class Pipeline:
    """A loaded, verified pipeline: ``score(row)``, ``score_batch(rows)``.

    ``output_names``: ``<target>.<class>`` per class, or the target for regression; ``inputs``: the
    input fields (``{'name', 'type'[, 'levels']}``); ``unseen``: per categorical field, how often it
    held a level never seen in training (scored as missing)."""

    def __init__(self, file):
        self.file = file
        self.task = file['task']
        self.target = file['target']
        self.classes = file['classes'] if self.task != 'regression' else None
        self.thresholds = file.get('thresholds')
        self.inputs = file['inputs']
        self.width = 1 if self.task == 'regression' else len(self.classes)
        self.output_names = [self.target] if self.task == 'regression' else [
            '%s.%s' % (self.target, c) for c in self.classes]
        self.numeric_fields = [f['name'] for f in self.inputs if f['type'] == 'numeric']
        self.categorical_fields = [f['name'] for f in self.inputs if f['type'] == 'categorical']
        self.text_fields = [f['name'] for f in self.inputs if f['type'] == 'text']
        self.level_index = {f['name']: {level: k for k, level in enumerate(f['levels'])}
                            for f in self.inputs if f['type'] == 'categorical'}
        self.unseen = {name: 0 for name in self.categorical_fields}
        self.members = _member_scorers(self.inputs, file['features'], file['model'], self.width)
        self._field_names = [f['name'] for f in self.inputs]

    # -- scoring

    def score(self, row):
        """One row (a mapping field → value: a number, a numeric string, or None / '' / 'NA' for a
        missing value; a text field's value is a string, as sent); returns the class probabilities
        in class order, or ``[value]``."""
        return self._score_values(*self._read_row(row, 0))

    def score_batch(self, rows):
        """Rows as in :meth:`score`; returns one list per row."""
        read, score = self._read_row, self._score_values
        return [score(*read(row, i)) for i, row in enumerate(rows)]

    def _score_values(self, xs, cs, ts=()):
        """Scores one row of numeric values (fields in order, NaN missing), categorical codes
        (into the pipeline's levels, -1 missing or unseen) and text values (None missing)."""
        members = self.members
        if len(members) == 1:
            return self._member_predictions(members[0], xs, cs, ts)
        out = [0.0] * self.width
        for m in members:
            p = self._member_predictions(m, xs, cs, ts)
            w = m.weight
            out = [o + w * q for o, q in zip(out, p)]
        return out

    @staticmethod
    def _member_predictions(m, xs, cs, ts):
        if m.identity:
            x = xs
        else:
            vals = [xs[s] for s in m.num_src]
            vals.extend(m.pad)
            if m.recode is None:
                codes = [cs[s] for s in m.cat_src]
            else:
                codes = [cs[s] if t is None or cs[s] < 0 else t[cs[s]] for s, t in zip(m.cat_src, m.recode)]
            if m.text_src:
                codes.extend(ts[s] for s in m.text_src)
            for run in m.runs:
                run(vals, codes)
            x = [vals[s] for s in m.feature_slots]
        p = m.predict(x)
        if m.calibration is not None:
            p = calibrate(p, m.calibration[0], m.calibration[1])
        return p

    # -- reading values

    def level_code(self, name, text):
        """The code of a categorical value: its index in the field's training levels, or -1 for a
        missing value or a level never seen in training (counted in ``unseen``)."""
        index = self.level_index.get(name)
        if index is None:
            raise ValueError("level_code: '%s' is not a categorical input field of the pipeline" % name)
        code = index.get(text)
        if code is not None:
            return code
        if is_missing_text(text):
            return -1
        self.unseen[name] = self.unseen.get(name, 0) + 1
        return -1

    def _read_row(self, row, i):
        xs = []
        for name in self.numeric_fields:
            if name not in row:
                raise self._absent(row, name, i)
            v = row[name]
            x = cell_number(v)
            if x is None:
                if _is_number(v):
                    raise ScoringError('BAD_VALUE', "row %d, field '%s': %s is not a finite number" % (
                        i, name, js_number(float(v)) if isinstance(v, float) else v))
                raise ScoringError('BAD_VALUE', "row %d, field '%s': %s is not a number; send a number, a numeric "
                                   'string, or empty / null / NA for missing' % (i, name, _json_text(v)))
            xs.append(x)
        cs = []
        for name in self.categorical_fields:
            if name not in row:
                raise self._absent(row, name, i)
            v = row[name]
            if v is None:
                cs.append(-1)
                continue
            if isinstance(v, bool):
                text = 'true' if v else 'false'
            elif isinstance(v, float):
                text = js_number(v)
            elif isinstance(v, (str, int)):
                text = str(v)
            else:
                raise ScoringError('BAD_VALUE', "row %d, field '%s': %s is not a category; send text" % (
                    i, name, _json_text(v)))
            code = self.level_index[name].get(text)
            cs.append(code if code is not None else self.level_code(name, text))
        ts = []
        for name in self.text_fields:
            if name not in row:
                raise self._absent(row, name, i)
            v = row[name]
            text = text_value(v)
            if text is False:
                raise ScoringError('BAD_VALUE', "row %d, field '%s': %s is not text; send a string" % (
                    i, name, _json_text(v)))
            ts.append(text)
        return xs, cs, ts

    def _absent(self, row, name, i):
        missing = [f for f in self._field_names if f not in row]
        nor = ' (nor %s)' % ', '.join(m for m in missing if m != name) if len(missing) > 1 else ''
        return ScoringError('MISSING_FIELD', "row %d has no field '%s'%s; send every field the pipeline needs "
                            '(null or empty for a missing value)' % (i, name, nor))


def _json_text(v):
    try:
        return json.dumps(v, ensure_ascii=False)
    except (TypeError, ValueError):
        return repr(v)


def load(source):
    """Loads and verifies a pipeline: a file path, the file's JSON text, or its parsed object
    (a dict). A changed file, one of another major version, or one with a member or kind this
    runtime does not know is refused with a :class:`ScoringError`."""
    if isinstance(source, dict):
        file = check_pipeline_object(source)
    elif isinstance(source, bytes):
        file = parse_pipeline(source.decode('utf-8', 'replace'))
    elif isinstance(source, str) and source.lstrip().startswith('{'):
        file = parse_pipeline(source)
    else:
        file = read_pipeline_file(os.fspath(source))
    return Pipeline(file)


# ---------------------------------------------------------------- batch CSV (src/serve/*.ts)


def csv_cell(v):
    """A CSV field, quoted when it holds a comma, a quote or a line break."""
    if '"' in v or ',' in v or '\n' in v or '\r' in v:
        return '"' + v.replace('"', '""') + '"'
    return v


def output_header(scorer, keep):
    if scorer.task == 'regression':
        return list(keep) + ['%s.predicted' % scorer.target if scorer.target in keep else scorer.target]
    return list(keep) + scorer.output_names + ['%s.predicted' % scorer.target]


def detect_delimiter(line):
    """The most frequent of , tab ; in the header line, outside quotes (comma on a tie)."""
    comma = tab = semi = 0
    quoted = False
    for ch in line:
        if ch == '"':
            quoted = not quoted
        elif quoted:
            continue
        elif ch == '\n' or ch == '\r':
            break
        elif ch == ',':
            comma += 1
        elif ch == '\t':
            tab += 1
        elif ch == ';':
            semi += 1
    if tab > comma and tab >= semi:
        return '\t'
    if semi > comma and semi > tab:
        return ';'
    return ','


def read_csv_records(lines, source, delimiter=None):
    """Yields (line, fields) for each record of a CSV (the header first), as csv-records.ts reads
    it: quoted fields with delimiters, doubled quotes and line breaks inside, CRLF, LF or CR line
    ends, empty lines skipped, a record with another number of fields than the header refused.
    ``lines`` yields physical lines with their line ends (a file opened with ``newline=''``)."""
    it = iter(lines)
    line_no = 1
    header_fields = -1
    any_text = False
    delim = delimiter
    for line in it:
        if line == '':
            continue
        any_text = True
        if delim is None:
            delim = detect_delimiter(line)
        record_line = line_no
        if '"' not in line:
            body = line.rstrip('\r\n')
            line_no += 1
            if body == '':
                continue
            fields = body.split(delim)
        else:
            fields, line_no = _quoted_record(line, it, delim, source, record_line)
        if header_fields < 0:
            header_fields = len(fields)
        elif len(fields) != header_fields:
            raise ScoringError(
                'CSV_FIELD_COUNT', '%s:%d: this row has %d field%s, the header has %d; every row needs one value '
                'per column (quote values that hold the delimiter)' % (
                    source, record_line, len(fields), '' if len(fields) == 1 else 's', header_fields))
        yield record_line, fields
    if not any_text:
        raise ScoringError('CSV_EMPTY', '%s is empty; it needs a header line and rows to score' % source)
    if header_fields < 0:
        raise ScoringError('CSV_EMPTY', '%s has no header line; its first line must name the columns' % source)


def _quoted_record(line, it, delim, source, record_line):
    """One record that holds a double quote, read character by character (and further lines
    while a quoted field is open). Returns its fields and the line the next record starts on."""
    fields = []
    text = line
    i = 0
    inside = 0  # line feeds inside quoted fields
    while True:
        if i < len(text) and text[i] == '"':
            parts = []
            j = i + 1
            while True:
                q = text.find('"', j)
                while q < 0:
                    more = next(it, None)
                    if more is None:
                        raise ScoringError('CSV_QUOTE', '%s:%d: a quoted field is not closed before the end of the '
                                           'file; close it with a double quote' % (source, record_line))
                    text += more
                    q = text.find('"', j)
                if q + 1 >= len(text):
                    more = next(it, None)
                    if more is not None:
                        text += more
                if q + 1 < len(text) and text[q + 1] == '"':
                    parts.append(text[j:q + 1])
                    j = q + 2
                    continue
                parts.append(text[j:q])
                break
            value = ''.join(parts)
            inside += value.count('\n')
            fields.append(value)
            i = q + 1
            if i >= len(text):
                return fields, record_line + inside + 1
            ch = text[i]
            if ch == delim:
                i += 1
                if i >= len(text):
                    fields.append('')
                    return fields, record_line + inside + 1
                continue
            if ch == '\n' or ch == '\r':
                return fields, record_line + inside + 1
            raise ScoringError('CSV_QUOTE', '%s:%d: text follows the closing quote of a field; quote the whole '
                               'field, with doubled quotes inside' % (source, record_line + inside))
        j = i
        n = len(text)
        while j < n:
            ch = text[j]
            if ch == delim or ch == '\n' or ch == '\r':
                break
            if ch == '"':
                raise ScoringError(
                    'CSV_QUOTE', '%s:%d: field %d holds a double quote but does not start with one; quote the whole '
                    'field and double the quotes inside it ("12"" pipe")' % (source, record_line + inside,
                                                                            len(fields) + 1))
            j += 1
        fields.append(text[i:j])
        if j >= n or text[j] != delim:
            return fields, record_line + inside + 1
        i = j + 1


def _plan_columns(scorer, names, keep, source):
    where = {}
    for j, name in enumerate(names):
        where.setdefault(name, j)
    missing = [name for name in scorer._field_names if name not in where]
    if missing:
        raise ScoringError('CSV_MISSING_COLUMN', '%s lacks %s the pipeline needs: %s (extra columns are ignored; a '
                           'missing value is an empty field)' % (
                               source, 'a column' if len(missing) == 1 else '%d columns' % len(missing),
                               ', '.join(missing)))

    def index_of(name, what):
        j = where.get(name)
        if j is None:
            raise ScoringError('CSV_MISSING_COLUMN', "%s has no column '%s'%s; its columns are %s" % (
                source, name, what, ', '.join(names)))
        if name in names[j + 1:]:
            raise ScoringError('CSV_DUPLICATE_COLUMN', "%s: the header names '%s' twice; name each column once" % (
                source, name))
        return j

    target = index_of(scorer.target, '') if scorer.target in where else -1
    numeric = [index_of(name, '') for name in scorer.numeric_fields]
    categorical = [index_of(name, '') for name in scorer.categorical_fields]
    text = [index_of(name, '') for name in scorer.text_fields]
    kept = [index_of(k, ' to keep (--keep)') for k in keep]
    return numeric, categorical, text, kept, target


class BatchSummary:
    def __init__(self):
        self.rows = 0
        self.skipped = 0
        self.scored_as_missing = 0
        self.bad_values = []
        self.unseen = {}


def score_csv(scorer, lines, write, source, keep=(), on_error='fail', threshold=None, delimiter=None,
              chunk_rows=8192):
    """Scores the records of a CSV (``lines``: physical lines with their ends) and calls
    ``write(text)`` with the output CSV, header first, a chunk of rows at a time, as
    ``automl score`` writes it. Returns a :class:`BatchSummary`."""
    summary = BatchSummary()
    unseen_before = dict(scorer.unseen)
    records = read_csv_records(lines, source, delimiter)
    header = next(records, None)
    names = header[1] if header else []
    numeric, categorical, text_columns, kept, _ = _plan_columns(scorer, names, keep, source)
    numeric_names = scorer.numeric_fields
    cat_plan = [(j, name, scorer.level_index[name]) for j, name in zip(categorical, scorer.categorical_fields)]
    classes = scorer.classes
    width = scorer.width
    score = scorer._score_values
    level_code = scorer.level_code
    out = [','.join(csv_cell(h) for h in output_header(scorer, keep)) + '\n']
    count = 0
    header_done = False
    for line, fields in records:
        xs = []
        bad = False
        for j, name in zip(numeric, numeric_names):
            text = fields[j]
            x = cell_number(text)
            if x is None:
                if on_error == 'fail':
                    raise ScoringError(
                        'CSV_NOT_A_NUMBER', "%s:%d: field '%s' holds %s, which is not a number; fix the value, or "
                        'score with --on-error skip (leave such rows out) or --on-error missing (score them with the '
                        'value missing)' % (source, line, name, _json_text(text)))
                if len(summary.bad_values) < 10:
                    summary.bad_values.append((line, name, text))
                if on_error == 'skip':
                    summary.skipped += 1
                    bad = None
                    break
                bad = True
                x = NAN
            xs.append(x)
        if bad is None:
            continue
        if bad:
            summary.scored_as_missing += 1
        cs = []
        for j, name, index in cat_plan:
            text = fields[j]
            code = index.get(text)
            cs.append(code if code is not None else level_code(name, text))
        ts = [None if is_missing_text(fields[j]) else fields[j] for j in text_columns]
        p = score(xs, cs, ts)
        parts = [csv_cell(fields[k]) for k in kept]
        parts.extend(js_number(v) for v in p)
        if classes is not None:
            if threshold is not None:
                best = 1 if p[1] >= threshold else 0
            else:
                best = 0
                for k in range(1, width):
                    if p[k] > p[best]:
                        best = k
            parts.append(csv_cell(classes[best]))
        out.append(','.join(parts) + '\n')
        summary.rows += 1
        count += 1
        if count == chunk_rows:
            write(''.join(out))
            header_done = True
            out = []
            count = 0
    if out or not header_done:
        write(''.join(out))
    for name, n in scorer.unseen.items():
        if n - unseen_before.get(name, 0) > 0:
            summary.unseen[name] = n - unseen_before.get(name, 0)
    return summary


# ---------------------------------------------------------------- the command

USAGE = """usage: python3 automl_scorer.py PIPELINE DATA [--keep COL] [--out FILE] [...]

Scores a CSV file with an automl pipeline file and prints the columns of
`automl score`: the --keep columns, one probability per class named
<target>.<class> (or <target> for regression), then <target>.predicted.

  PIPELINE              the pipeline file (<name>.pipeline.json)
  DATA                  the CSV file to score ('-' for standard input)
  --keep COL            columns copied to the output first (comma-separated
                        or repeated)
  --out FILE            write the CSV to FILE (written under a temporary name
                        and renamed), not to standard output
  --threshold T         binary targets: predict the second class from this
                        probability on (a number, best-f1 or best-mcc)
  --on-error MODE       a value that is not a number: fail (default), skip
                        the row, or score it as missing
  --delimiter D         , tab or ; (default: detected from the header)
  --quiet               print only errors
  -h, --help            this help
"""


class UsageError(Exception):
    pass


def _parse_args(argv):
    opts = {'keep': [], 'out': None, 'threshold': None, 'on_error': 'fail', 'delimiter': None, 'quiet': False}
    positional = []
    takes = {'--keep': 'keep', '--out': 'out', '--threshold': 'threshold', '--on-error': 'on_error',
             '--delimiter': 'delimiter'}
    i = 0
    while i < len(argv):
        a = argv[i]
        if a in ('-h', '--help'):
            opts['help'] = True
        elif a == '--quiet':
            opts['quiet'] = True
        elif a.split('=', 1)[0] in takes:
            name, eq, value = a.partition('=')
            if not eq:
                i += 1
                if i >= len(argv):
                    raise UsageError('%s needs a value' % name)
                value = argv[i]
            key = takes[name]
            if key == 'keep':
                opts['keep'].extend(s.strip() for s in value.split(',') if s.strip())
            else:
                opts[key] = value
        elif a.startswith('--'):
            raise UsageError('unknown option %s' % a)
        else:
            positional.append(a)
        i += 1
    if opts.get('help'):
        return opts
    if len(positional) != 2:
        raise UsageError('expected a pipeline file and a CSV file, got %d argument%s' % (
            len(positional), '' if len(positional) == 1 else 's'))
    opts['pipeline'], opts['data'] = positional
    if opts['on_error'] not in ('fail', 'skip', 'missing'):
        raise UsageError("--on-error must be fail, skip or missing; got '%s'" % opts['on_error'])
    if opts['delimiter'] is not None:
        d = {'tab': '\t', '\\t': '\t'}.get(opts['delimiter'], opts['delimiter'])
        if d not in (',', '\t', ';'):
            raise UsageError("--delimiter must be ',', tab or ';'; got '%s'" % opts['delimiter'])
        opts['delimiter'] = d
    return opts


def _decision(scorer, threshold):
    if threshold is None:
        return None
    if scorer.task != 'binary':
        raise UsageError('--threshold applies to binary targets; %s is %s' % (
            scorer.target, 'a regression target' if scorer.task == 'regression' else
            'a multiclass target (the predicted class is the most probable one)'))
    if threshold in ('best-f1', 'best-mcc'):
        t = scorer.thresholds
        if not t:
            raise UsageError('--threshold %s: the pipeline file holds no out-of-fold thresholds; give a '
                             'probability such as 0.5' % threshold)
        return float(t['f1'] if threshold == 'best-f1' else t['mcc'])
    x = cell_number(threshold)
    if x is None or x != x or not 0 <= x <= 1:
        raise UsageError("--threshold must be a probability from 0 to 1, best-f1 or best-mcc; got '%s'" % threshold)
    return x


def main(argv=None):
    """The command; returns the exit code (0, 2 for a user's mistake, 130 when interrupted)."""
    argv = sys.argv[1:] if argv is None else argv
    prog = 'automl_scorer'
    tmp = None
    try:
        opts = _parse_args(argv)
        if opts.get('help'):
            sys.stdout.write(USAGE)
            return 0
        data = opts['data']
        from_stdin = data == '-'
        if not from_stdin:
            if os.path.isdir(data):
                raise UsageError('%s is a folder; name a CSV file' % data)
            if not os.path.exists(data):
                raise UsageError('%s: no such file; name the CSV file to score (or - for standard input)' % data)
        scorer = load(opts['pipeline'])
        threshold = _decision(scorer, opts['threshold'])
        seen = set()
        for k in opts['keep']:
            if k in seen:
                raise UsageError("--keep names '%s' twice" % k)
            seen.add(k)
        source = 'standard input' if from_stdin else data
        t0 = time.perf_counter()
        if opts['out']:
            target = os.path.abspath(opts['out'])
            if os.path.isdir(target):
                raise UsageError('--out %s is a folder; name a CSV file' % opts['out'])
            fd, tmp = tempfile.mkstemp(prefix='.' + os.path.basename(target) + '.', suffix='.tmp',
                                       dir=os.path.dirname(target))
            sink = os.fdopen(fd, 'wb')
        else:
            sys.stdout.flush()
            sink = sys.stdout.buffer
        if from_stdin:
            stream = open(sys.stdin.fileno(), 'r', encoding='utf-8-sig', errors='replace', newline='', closefd=False)
        else:
            stream = open(data, 'r', encoding='utf-8-sig', errors='replace', newline='')
        with stream:
            summary = score_csv(scorer, stream, lambda text: sink.write(text.encode('utf-8')), source,
                                keep=opts['keep'], on_error=opts['on_error'], threshold=threshold,
                                delimiter=opts['delimiter'])
        sink.flush()
        if tmp is not None:
            os.fsync(sink.fileno())
            sink.close()
            os.replace(tmp, target)
            tmp = None
        if not opts['quiet']:
            say = sys.stderr if not opts['out'] else sys.stdout
            seconds = time.perf_counter() - t0
            say.write('scored {:,} row{} of {} in {:.1f} s ({:,} rows/s){}\n'.format(
                summary.rows, '' if summary.rows == 1 else 's', source, seconds,
                round(summary.rows / max(seconds, 1e-9)), ' → %s' % opts['out'] if opts['out'] else ''))
            bad = ', '.join('line %d %s=%s' % (ln, f, _json_text(v)) for ln, f, v in summary.bad_values[:3])
            if summary.skipped:
                say.write('skipped %d row%s with a value that is not a number (--on-error skip): %s\n' % (
                    summary.skipped, '' if summary.skipped == 1 else 's', bad))
            if summary.scored_as_missing:
                say.write('scored %d row%s with a value that is not a number as missing (--on-error missing): %s\n'
                          % (summary.scored_as_missing, '' if summary.scored_as_missing == 1 else 's', bad))
            for field, n in summary.unseen.items():
                say.write("'%s': %d row%s with a level never seen in training, scored as missing\n" % (
                    field, n, '' if n == 1 else 's'))
        return 0
    except (ScoringError, UsageError) as e:
        _cleanup(tmp)
        sys.stderr.write('%s: error: %s\n' % (prog, e))
        return 2
    except KeyboardInterrupt:
        _cleanup(tmp)
        sys.stderr.write('%s: interrupted%s\n' % (prog, '; the output file was not written' if tmp else ''))
        return 130
    except BrokenPipeError:  # `… | head`: a reader that closes early is not an error
        _cleanup(tmp)
        try:
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, sys.stdout.fileno())
        except (OSError, ValueError):
            pass
        return 0
    except OSError as e:
        _cleanup(tmp)
        sys.stderr.write('%s: error: %s\n' % (prog, e))
        return 2
    except Exception as e:  # a fault of ours: one line, not a traceback
        _cleanup(tmp)
        sys.stderr.write('%s: internal error: %s: %s\n' % (prog, type(e).__name__, e))
        return 1


def _cleanup(tmp):
    if tmp is not None:
        try:
            os.unlink(tmp)
        except OSError:
            pass


if __name__ == '__main__':
    sys.exit(main())
