"""Readers for each published input format; each returns canonical tables and records rejects."""
