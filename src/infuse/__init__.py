"""Infuse: skills, tools and methods for public-service innovation."""

__version__ = "0.1.0"
