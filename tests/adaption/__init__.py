"""Tests for the Adaption Lab."""
