"""Signing in and out, and a person's own account: their password and their API tokens."""
