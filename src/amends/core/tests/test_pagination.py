from amends.core.pagination import MAX_PAGE, last_page, page_number


def test_a_page_number_is_clamped_into_the_pages_there_can_be():
    assert page_number("3") == 3
    assert page_number("9999999999999999999999999") == MAX_PAGE
    assert page_number("9999999999999999999999999", last=7) == 7
    assert page_number("9" * 5000) == MAX_PAGE
    assert page_number("-4") == page_number("0") == page_number("-" + "9" * 5000) == 1
    assert page_number("007") == 7


def test_anything_that_is_not_a_whole_number_is_the_first_page():
    for raw in (None, "", "abc", "2.5", "1e3", "9" * 5000 + "x", "٣", "0x10"):
        assert page_number(raw) == 1


def test_the_last_page_holds_the_remainder_and_an_empty_list_has_one_page():
    assert [last_page(n, 50) for n in (0, 1, 50, 51, 100, 101)] == [1, 1, 1, 2, 2, 3]
