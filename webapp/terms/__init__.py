"""Carriers' own contracts: their clauses and risk flags, the lawyer's review of a request's contract, the
playbook, and the clause library."""
