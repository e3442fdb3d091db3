"""The Contracts page: every signed contract with its term, renewal rule and last day to give notice."""
