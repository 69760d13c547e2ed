"""Form widgets written in Python where Django's template-per-option rendering showed in a page's time.

The inbox renders two forms of some eighty options on every request; Django's Select includes a template (and
its attrs template) for each option, which cost about a fifth of the page. QuickSelect writes the same markup
(the template's, whitespace included) with format_html: every value and label escaped as the template escapes
them.
"""

from django import forms
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe


class QuickSelect(forms.Select):
    """A <select>, its markup as django/forms/widgets/select.html writes it, without a template."""

    def render(self, name, value, attrs=None, renderer=None) -> SafeString:  # type: ignore[no-untyped-def]
        widget = self.get_context(name, value, attrs)["widget"]
        parts: list[str] = [format_html('<select name="{}"{}>', widget["name"], _attrs(widget["attrs"]))]
        for group_name, group_choices, _index in widget["optgroups"]:
            if group_name:
                parts.append(format_html('\n  <optgroup label="{}">', group_name))
            for option in group_choices:
                parts.append(
                    format_html(
                        '\n  <option value="{}"{}>{}</option>\n',
                        str(option["value"]),
                        _attrs(option["attrs"]),
                        option["label"],
                    )
                )
            if group_name:
                parts.append("\n  </optgroup>")
        parts.append("\n</select>")
        return mark_safe("".join(parts))  # noqa: S308 (every value and label went through format_html)


def _attrs(attrs: dict) -> SafeString:
    """As django/forms/widgets/attrs.html: in order, False left out, True as a bare name."""
    return format_html_join(
        "",
        "{}",
        (
            (format_html(" {}", name) if value is True else format_html(' {}="{}"', name, str(value)),)
            for name, value in attrs.items()
            if value is not False
        ),
    )
