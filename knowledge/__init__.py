"""The guidelines as data: loading, validation and retrieval. No Slack, no database."""

from knowledge.loader import KnowledgeError, check_kb, load_kb
from knowledge.model import Entry, Framework, KnowledgeBase, Lang
from knowledge.retrieval import Answer, retrieve

__all__ = ["Answer", "Entry", "Framework", "KnowledgeBase", "KnowledgeError", "Lang", "check_kb", "load_kb", "retrieve"]
