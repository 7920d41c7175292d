"""Use cases: each module holds one capability and the transactions it needs."""
