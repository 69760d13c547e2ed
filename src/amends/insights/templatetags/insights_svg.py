"""A chart's bars as SVG markup, built in Python: a two-year chart has hundreds of bars, and a template loop
over them costs more than the figures themselves. Every text goes through format_html (escaped)."""

from django import template
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString

from amends.insights.charts import Chart

register = template.Library()


@register.simple_tag
def chart_bars(chart: Chart) -> SafeString:
    ticks = format_html_join(
        "",
        '<line x1="{}" x2="{}" y1="{}" y2="{}" class="grid"/><text x="{}" y="{}" class="tick" text-anchor="end" '
        'dominant-baseline="middle">{}</text>',
        ((chart.left, chart.right, t.y, t.y, chart.left - 6, t.y, t.text) for t in chart.ticks),
    )
    linked = format_html_join(
        "",
        '<a href="{}"><rect x="{}" y="{}" width="{}" height="{}" rx="2" class="{}"><title>{}</title></rect></a>',
        ((r.href, r.x, r.y, r.w, r.h, r.css, r.label) for r in chart.rects if r.href),
    )
    plain = format_html_join(
        "",
        '<rect x="{}" y="{}" width="{}" height="{}" rx="2" class="{}"><title>{}</title></rect>',
        ((r.x, r.y, r.w, r.h, r.css, r.label) for r in chart.rects if not r.href),
    )
    axis = format_html(
        '<line x1="{}" x2="{}" y1="{}" y2="{}" class="axis"/>', chart.left, chart.right, chart.baseline, chart.baseline
    )
    labels = format_html_join(
        "",
        '<text x="{}" y="{}" text-anchor="middle" class="xlabel">{}</text>',
        ((x.x, chart.height - 6, x.text) for x in chart.xlabels),
    )
    return ticks + linked + plain + axis + labels
