"""The portal: the site's shell above every domain app (docs/decisions/0022).

It owns the main navigation, the public entrance (服务大厅) and each user's home page, and
reads what the domain apps contribute to them from ``core.registry``: navigation entries,
the page each role lands on after login, home-page panels and fragments of other pages.
"""
