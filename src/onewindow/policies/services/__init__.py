"""Every write of policies: one module per part (common, profile, catalogue, calculator,
matching, redemptions, applications)."""
