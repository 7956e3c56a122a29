"""Tests of the Procurement Lab."""
