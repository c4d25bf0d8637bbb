"""Incidents: flags and crisis signals grouped per thread, silenced, folded, and emailed when due.

Two steps, each committing small transactions:
- `route_pending` turns new flags into incidents (or into mentions of an open one); silences and
  inhibition rules apply here;
- `notify_due` asks alerts/notify.py which incidents owe an email now, and writes each email to
  the outbox in the same transaction as the incident change it reports.

The code lives in three modules: alerts/incident_filing.py (the first step),
alerts/incident_emails.py (the second) and alerts/incident_lifecycle.py (live statuses, history,
acknowledge and resolve). This one names their public parts, so callers import from one place.
"""

from __future__ import annotations

from alerts.incident_emails import TOP_POSTS, notify_due
from alerts.incident_filing import CHUNK, STANDS_ALONE, Clock, RouteResult, file_flag, route_pending
from alerts.incident_lifecycle import LIVE, IncidentError, acknowledge, official_reply_exists, resolve

__all__ = [
    "CHUNK",
    "LIVE",
    "STANDS_ALONE",
    "TOP_POSTS",
    "Clock",
    "IncidentError",
    "RouteResult",
    "acknowledge",
    "file_flag",
    "notify_due",
    "official_reply_exists",
    "resolve",
    "route_pending",
]
