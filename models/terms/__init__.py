"""Carriers' own contract terms: reading, splitting and risk detection."""
from .detector import Analysis, Flag, analyse_clause
from .language import detect_language
from .playbook import CATEGORIES, DEFAULT_PLAYBOOK, Playbook
from .quantities import Quantity, parse_quantities

__all__ = ["Analysis", "CATEGORIES", "DEFAULT_PLAYBOOK", "Flag", "Playbook", "Quantity", "analyse_clause",
           "detect_language", "parse_quantities"]
