"""The policy rule engine: rules as JSON (``language``), a column table of enterprise facts
(``table``), vectorised three-valued evaluation with reasons and amounts (``evaluate``), and a
plain per-enterprise evaluator as its oracle (``naive``). Pure: no models, no database.
"""
