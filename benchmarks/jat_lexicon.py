"""Build lexicons/sr_hr_forms.npz: word forms that tell Serbian from Croatian, from the two spelling dictionaries
Debian ships (hunspell-sr: sr_Latn_RS, GPL-2+ or LGPL-2.1 or MPL-1.1, Goran Rakic and others; hunspell-hr: hr_HR,
LGPL or SISSL, Denis Lackovic and others). Both are expanded with their own suffix rules, then:

- ekavian: a form the Serbian dictionary has and the Croatian one lacks, whose ijekavian counterpart (one `e`
  read as `ije` or `je`) the Croatian dictionary has: `promena`/`promjena`, `reč`/`riječ`, `sledeći`/`sljedeći`;
- ijekavian: those counterparts (the Serbian dictionary accepts both reflexes, so they lean Croatian only
  because Serbian text from Serbia is ekavian; the model learns how far);
- croatian: forms only the Croatian dictionary has (`tko`, `nitko`, `športaš`, `usporedba`, …).

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

from amends.triage.south_slavic import FORMS, form_hashes  # noqa: E402

Rules = dict[str, list[tuple[str, str, re.Pattern[str] | None]]]


def _dictionary(aff: Path, dic: Path) -> tuple[dict[str, set[str]], Rules]:
    mode, aliases, rules = "char", [], defaultdict(list)
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
    return words, rules


def _forms(aff: Path, dic: Path) -> set[str]:
    words, rules = _dictionary(aff, dic)
    out: set[str] = set()
    for word, flags in words.items():
        out.add(word)
        for flag in flags:
            for strip, add, condition in rules.get(flag, ()):
                if (not strip or word.endswith(strip)) and (condition is None or condition.search(word)):
                    out.add(word[: len(word) - len(strip)] + add)
    return {w for w in out if w.isalpha() and w == w.lower()}


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        subprocess.run(["apt-get", "download", "hunspell-sr", "hunspell-hr"], cwd=tmp, check=True)
        for deb in Path(tmp).glob("*.deb"):
            subprocess.run(["dpkg-deb", "-x", str(deb), "root"], cwd=tmp, check=True)
        where = Path(tmp) / "root" / "usr" / "share" / "hunspell"
        croatian = _forms(where / "hr_HR.aff", where / "hr_HR.dic")
        serbian = _forms(where / "sr_Latn_RS.aff", where / "sr_Latn_RS.dic")
    ekavian: dict[str, str] = {}
    for form in serbian - croatian:
        for i in (i for i, ch in enumerate(form) if ch == "e"):
            match = next((c for c in (form[:i] + r + form[i + 1 :] for r in ("ije", "je")) if c in croatian), None)
            if match:
                ekavian[form] = match
                break
    lists = {"ekavian": set(ekavian), "ijekavian": set(ekavian.values()), "croatian": croatian - serbian}
    np.savez_compressed(FORMS, **{name: np.unique(form_hashes(sorted(forms))) for name, forms in lists.items()})
    print(", ".join(f"{name} {len(forms):,}" for name, forms in lists.items()), f"→ {FORMS.name}")


if __name__ == "__main__":
    main()
