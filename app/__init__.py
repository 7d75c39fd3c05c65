"""Accord: a small group co-writes one statement and agrees on it."""
