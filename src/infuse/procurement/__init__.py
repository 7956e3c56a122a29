"""Procurement Lab: spend ledgers, suppliers, classification, carbon, contracts, red flags."""
