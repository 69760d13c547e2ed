"""Serbian Latin to Serbian Cyrillic (Vuk's alphabet, one letter each). Pure Python: no Django import.

Used to make Serbian Cyrillic evaluation and word lists from Serbian Latin text. The digraphs go first; letters
Serbian does not write (q, w, x, y) are spelt as a Serbian paper would.
"""

import re

_DIGRAPHS = {"lj": "љ", "nj": "њ", "dž": "џ", "Lj": "Љ", "LJ": "Љ", "Nj": "Њ", "NJ": "Њ", "Dž": "Џ", "DŽ": "Џ"}
_LETTERS = dict(
    zip(
        "abvgdđežzijklmnoprstćufhcčšABVGDĐEŽZIJKLMNOPRSTĆUFHCČŠ",
        "абвгдђежзијклмнопрстћуфхцчшАБВГДЂЕЖЗИЈКЛМНОПРСТЋУФХЦЧШ",
        strict=True,
    )
)
_LETTERS.update({"q": "к", "w": "в", "x": "кс", "y": "и", "Q": "К", "W": "В", "X": "Кс", "Y": "И"})
_SERBIAN_LATIN = re.compile("|".join(sorted(_DIGRAPHS, key=len, reverse=True)) + "|.", re.DOTALL)


def serbian_cyrillic(text: str) -> str:
    return _SERBIAN_LATIN.sub(lambda m: _DIGRAPHS.get(m.group(), _LETTERS.get(m.group(), m.group())), text)
