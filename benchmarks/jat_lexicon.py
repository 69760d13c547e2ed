"""Build lexicons/sr_hr_forms.npz: word forms that tell Serbian from Croatian, from the two spelling dictionaries
Debian ships (hunspell-sr: sr_Latn_RS, GPL-2+ or LGPL-2.1 or MPL-1.1, Goran Rakic and others; hunspell-hr: hr_HR,
LGPL or SISSL, Denis Lackovic and others). Both are expanded with their own suffix rules, then:

- ekavian: a form of either dictionary whose ijekavian counterpart is also a form of either: one `e` after a
  consonant read as `ije`, or as `je` (not after `n`, nor after an `l` that follows a vowel, where `nje`/`lje` are
  other sounds), or a final `-eo` read as `-io`: `promena`/`promjena`, `posle`/`poslije`, `belu`/`bijelu`,
  `hteo`/`htio`. Both dictionaries accept many forms of the other standard (hr_HR has `posle` and `belu`), so a
  form is not asked to be missing from one of them; instead a form that occurs in a Croatian sentence of the
  training part of shared/data/lid (benchmarks/lid_split.py) is dropped (`sve`, `prema`, `tek`: the same word in
  both standards, or a false pair);
- ijekavian: those counterparts, less any form that occurs in a Serbian sentence of the training part (`ranije`,
  `dalje`); a form that is on both lists is on neither;
- croatian: forms only the Croatian dictionary has (`tko`, `nitko`, `športaš`, `usporedba`, …);
- serbian: forms of up to 8 letters only the Serbian dictionary has (`niko`, `hteo`, `uopšte`, `prodavnici`), less
  any that occurs in a Croatian sentence of the training part. The Serbian dictionary is five times the size of the
  Croatian one, so many of these are plain Croatian words too: the model learns how far to trust the list.

Only 64-bit hashes of the forms ship (sorted, for a binary search): a few MB of words become a few hundred KB and
nothing of the dictionaries' text is copied. The model learns each list's weight (benchmarks/language_learn.py).

    python benchmarks/jat_lexicon.py        (needs apt-get download and dpkg-deb: run on Debian or Ubuntu)
"""

import re
import subprocess
import sys
import tempfile
from collections import defaultdict
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(Path(__file__).parent))

from lid_split import sentences  # noqa: E402

from amends.triage.south_slavic import FORMS, form_hashes, words_of  # noqa: E402

_VOWELS = frozenset("aeiou")
SERBIAN_ONLY_LETTERS = 8  # longer Serbian-only forms are rare in text and would double the file

Rules = dict[str, list[tuple[str, str, re.Pattern[str] | None]]]
# Prefix rules (flag -> prefixes): hunspell-sr writes every negated form as `ne` + the word (`neljubazan`,
# `neispravan`) and superlatives as `naj` + the comparative; forms left unexpanded would read as Croatian-only.
Prefixes = dict[str, list[str]]


def _dictionary(aff: Path, dic: Path) -> tuple[dict[str, set[str]], Rules, Prefixes]:
    mode, aliases, rules = "char", [], defaultdict(list)
    prefixes: Prefixes = defaultdict(list)
    for line in aff.read_text(encoding="utf-8").splitlines():
        part = line.split()
        if not part:
            continue
        if part[0] == "FLAG":
            mode = part[1]
        elif part[0] == "AF" and len(part) >= 2 and not part[1].isdigit():
            aliases.append(part[1])
        elif part[0] == "SFX" and len(part) >= 4 and part[2] not in ("Y", "N"):
            strip = "" if part[2] == "0" else part[2]
            add = part[3].split("/")[0]
            add = "" if add == "0" else add
            condition = part[4] if len(part) > 4 else "."
            rules[part[1]].append((strip, add, None if condition == "." else re.compile(f"(?:{condition})$")))
        elif part[0] == "PFX" and len(part) >= 4 and part[2] not in ("Y", "N") and part[2] == "0":
            prefixes[part[1]].append(part[3].split("/")[0])  # the prefixes these dictionaries use strip nothing

    def flags(value: str) -> list[str]:
        if aliases and value.isdigit():
            value = aliases[int(value) - 1]
        if mode == "long":
            return [value[i : i + 2] for i in range(0, len(value), 2)]
        return value.split(",") if mode == "num" else list(value)

    words: dict[str, set[str]] = {}
    for line in dic.read_text(encoding="utf-8").splitlines()[1:]:
        word, _, flag = line.strip().partition("/")
        if word:
            words.setdefault(word, set()).update(flags(flag.split()[0]) if flag.strip() else [])
    return words, rules, prefixes


def _forms(aff: Path, dic: Path) -> set[str]:
    words, rules, prefixes = _dictionary(aff, dic)
    out: set[str] = set()
    for word, flags in words.items():
        forms = {word}
        for flag in flags:
            for strip, add, condition in rules.get(flag, ()):
                if (not strip or word.endswith(strip)) and (condition is None or condition.search(word)):
                    forms.add(word[: len(word) - len(strip)] + add)
        out |= forms
        for flag in flags:
            for prefix in prefixes.get(flag, ()):
                out |= {prefix + form for form in forms}
    return {w for w in out if w.isalpha() and w == w.lower()}


def _ijekavian(form: str) -> list[str]:
    """The ijekavian readings of an ekavian form (see the module's docstring)."""
    readings = []
    for i, ch in enumerate(form):
        if ch != "e" or i == 0 or form[i - 1] in _VOWELS or form[i - 1] == "j":
            continue
        readings.append(form[:i] + "ije" + form[i + 1 :])
        if form[i - 1] != "n" and not (form[i - 1] == "l" and (i < 2 or form[i - 2] in _VOWELS)):
            readings.append(form[:i] + "je" + form[i + 1 :])
    if form.endswith("eo") and len(form) >= 4 and form[-3] not in _VOWELS:
        readings.append(form[:-2] + "io")
    return readings


def _reflex_pairs(forms: set[str]) -> tuple[set[str], set[str]]:
    ekavian: set[str] = set()
    ijekavian: set[str] = set()
    for form in forms:
        if len(form) >= 3 and "e" in form:
            found = [reading for reading in _ijekavian(form) if reading in forms]
            if found:
                ekavian.add(form)
                ijekavian.update(found)
    both = ekavian & ijekavian
    return ekavian - both, ijekavian - both


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        subprocess.run(["apt-get", "download", "hunspell-sr", "hunspell-hr"], cwd=tmp, check=True)
        for deb in Path(tmp).glob("*.deb"):
            subprocess.run(["dpkg-deb", "-x", str(deb), "root"], cwd=tmp, check=True)
        where = Path(tmp) / "root" / "usr" / "share" / "hunspell"
        croatian = _forms(where / "hr_HR.aff", where / "hr_HR.dic")
        serbian = _forms(where / "sr_Latn_RS.aff", where / "sr_Latn_RS.dic")
    ekavian, ijekavian = _reflex_pairs(serbian | croatian)
    seen_croatian = {w for s in sentences("hr", part="train") for w in words_of(s)}
    seen_serbian = {w for s in sentences("sr-Latn", part="train") for w in words_of(s)}
    lists = {
        "ekavian": ekavian - seen_croatian,
        "ijekavian": ijekavian - seen_serbian,
        "croatian": croatian - serbian,
        "serbian": {form for form in serbian - croatian if len(form) <= SERBIAN_ONLY_LETTERS} - seen_croatian,
    }
    np.savez_compressed(FORMS, **{name: np.unique(form_hashes(sorted(forms))) for name, forms in lists.items()})
    print(", ".join(f"{name} {len(forms):,}" for name, forms in lists.items()), f"→ {FORMS.name}")


if __name__ == "__main__":
    main()
