"""Admin of the organisation: plain edits here; anything with a rule goes through services.

* Applicant identifiers are checked by the same validators the services use.
* Zone calendar overrides are written and removed by ``calendar_override_set`` /
  ``calendar_override_remove``, which bump the calendar revision (cached calendars
  rebuild) and append to the audit chain.

By what is administered: ``zones`` (zone, parks, departments, windows, the zone's working
days), ``accounts`` (staff and their role grants), ``applicants`` (applicants and
representations). Importing this package registers them all.
"""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from onewindow.org.admin import accounts, applicants, zones  # noqa: F401  (registers)

admin.site.site_header = _("一窗通办 · 管理后台")
admin.site.site_title = _("一窗通办管理后台")
admin.site.index_title = _("平台管理")
