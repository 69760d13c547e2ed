from amends.core.text import clean_text, html_to_text, single_line


def test_single_line_removes_header_injection():
    assert single_line("Olga\r\nBcc: victim@example.com") == "Olga Bcc: victim@example.com"
    assert "\n" not in single_line("a\u2028b\x85c\rd")


def test_clean_text_keeps_words_and_drops_control_characters():
    assert clean_text("  Hello\x00 there \r\n\r\nsecond line  ") == "Hello there\n\nsecond line"


def test_html_to_text_drops_script_and_keeps_paragraphs():
    text = html_to_text(
        "<html><head><style>p{}</style></head><body><p>Здравствуйте,</p><p>обувь <b>не&nbsp;та</b>"
        "</p><script>alert(1)</script><br>Спасибо</body></html>"
    )
    # Each paragraph on its own line, <br> a line break, script and style gone, &nbsp; a plain space.
    assert text == "Здравствуйте,\nобувь не та\n\nСпасибо"
    assert "alert" not in text and "<" not in text
