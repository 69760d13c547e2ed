"""The dashboard's figures, kept as daily rollups so no request ever counts cases.

One row per (dimension, key, day): the cases opened that day (the day's cohort, in the site's time zone) seen
along one dimension — all of them, or by category, brand, channel, team, language, agent or the kind of remedy
granted. Every figure of a cohort (resolved, breached, first offer, cost …) is counted on the day the case was
opened, so a change to a case only ever rewrites the rows of its own opening day; see rollup.py and services.py.
A cross-product of the dimensions would hold about one row per case at a million cases; one dimension at a time
holds a few dozen rows a day. Whole months are also kept summed (MonthlyCaseStat), so a two-year chart reads
two dozen month rows per key plus the days of the part-months at its ends.
"""

from django.db import models


class Dimension(models.TextChoices):
    ALL = "all", "all"
    CATEGORY = "category", "category"
    BRAND = "brand", "brand"
    CHANNEL = "channel", "channel"
    TEAM = "team", "team"
    LANGUAGE = "language", "language"
    AGENT = "agent", "agent"
    REMEDY = "remedy", "remedy"


class CaseFigures(models.Model):
    """The figures of the cases opened in a span (a day, a month) along one dimension's key."""

    dimension = models.CharField(max_length=16, choices=Dimension.choices)
    # The dimension's value: a category, brand, team or agent id, a channel, language or remedy kind code;
    # "none" when the case has none (no category yet, no team, no remedy granted); "" for the dimension "all".
    key = models.CharField(max_length=64, blank=True)
    opened = models.PositiveIntegerField(default=0)
    resolved = models.PositiveIntegerField(default=0)
    breached = models.PositiveIntegerField(default=0)
    triaged = models.PositiveIntegerField(default=0)
    severity_sum = models.PositiveIntegerField(default=0)
    # Time to the first remedy offer (rollup.OFFER_EDGES) and to the first human answer (rollup.RESPONSE_EDGES):
    # six bounded buckets, one open-ended, and one for "not yet".
    offer_0 = models.PositiveIntegerField(default=0)
    offer_1 = models.PositiveIntegerField(default=0)
    offer_2 = models.PositiveIntegerField(default=0)
    offer_3 = models.PositiveIntegerField(default=0)
    offer_4 = models.PositiveIntegerField(default=0)
    offer_5 = models.PositiveIntegerField(default=0)
    offer_6 = models.PositiveIntegerField(default=0)
    offer_none = models.PositiveIntegerField(default=0)
    response_0 = models.PositiveIntegerField(default=0)
    response_1 = models.PositiveIntegerField(default=0)
    response_2 = models.PositiveIntegerField(default=0)
    response_3 = models.PositiveIntegerField(default=0)
    response_4 = models.PositiveIntegerField(default=0)
    response_5 = models.PositiveIntegerField(default=0)
    response_6 = models.PositiveIntegerField(default=0)
    response_none = models.PositiveIntegerField(default=0)
    remedies_granted = models.PositiveIntegerField(default=0)
    # What the granted remedies cost, in the home currency (Remedy.home_amount).
    remedy_cost = models.DecimalField(max_digits=16, decimal_places=2, default=0)
    # Complainants who ordered again after the complaint, and what they spent since (customers.Order).
    retained_customers = models.PositiveIntegerField(default=0)
    retained_revenue = models.DecimalField(max_digits=16, decimal_places=2, default=0)
    # Follow-up surveys answered: satisfaction 1–5 (sum, to average) and recommendation 0–10 (NPS groups).
    surveys = models.PositiveIntegerField(default=0)
    satisfaction_sum = models.PositiveIntegerField(default=0)
    recommend_answers = models.PositiveIntegerField(default=0)
    promoters = models.PositiveIntegerField(default=0)
    detractors = models.PositiveIntegerField(default=0)
    # Complaints that matched a root cause whose corrective action was already done: "it happened again".
    recurrences = models.PositiveIntegerField(default=0)

    class Meta:
        abstract = True


class DailyCaseStat(CaseFigures):
    day = models.DateField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["dimension", "key", "day"], name="daily_stat_one_row"),
        ]
        indexes = [models.Index(fields=["dimension", "day"], name="daily_stat_dimension_day")]

    def __str__(self) -> str:
        return f"{self.day} {self.dimension}={self.key}"


class MonthlyCaseStat(CaseFigures):
    """The sum of a calendar month's daily rows, rewritten whenever one of its days is: a two-year chart reads 24
    of these per key (and the daily rows of the part-months at its ends) instead of 730 daily rows."""

    month = models.DateField(help_text="the first day of the month")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["dimension", "key", "month"], name="monthly_stat_one_row"),
        ]
        indexes = [models.Index(fields=["dimension", "month"], name="monthly_stat_dimension_month")]

    def __str__(self) -> str:
        return f"{self.month:%Y-%m} {self.dimension}={self.key}"


class RollupWatermark(models.Model):
    """How far the refresh has read the case timeline (CaseEvent ids) and other change feeds: one row."""

    name = models.CharField(max_length=32, unique=True)
    last_id = models.BigIntegerField(default=0)
    refreshed_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.name}: {self.last_id}"
