"""The policies' tables: the enterprise profile (profile.py) and the policies (policy.py)."""
