"""The appeals pages, one module per desk (requester and hotline, department and centre,
follow-up and supervision, reports, knowledge base)."""
