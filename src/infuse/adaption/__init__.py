"""Adaption Lab: the innovation library, adopt/adapt, and experiments from design to analysis."""
