"""Helpers of the project."""

from . import batches
from .text import describe

__all__ = ["batches", "describe"]
