"""The test toolkit every app's tests share: races, the calendar cache, signed-in clients,
the permission walk.

A product package only so that tests can import it by name; no application code imports it
(import-linter's "only tests import onewindow.testing" contract in pyproject.toml).
"""
