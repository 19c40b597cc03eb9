"""The audit trail of staff actions: recording (trail.py), reading (reading.py and views.py),
checking (``flask --app pb audit verify``, commands.py).

Nothing is imported here: every service imports ``pb.audit.trail``, and the pages import the
services.
"""
