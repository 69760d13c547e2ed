"""The coach's vectorizer is the shared one in amends.core.vectors (the triage category learner uses it too)."""

from amends.core.vectors import Vectorizer

__all__ = ["Vectorizer"]
