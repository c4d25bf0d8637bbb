"""Use cases: what the CLI, the scheduler and (later) the web app ask the monitor to do.

Each function takes the session factory and the config, does one whole job (a pass, a digest,
an audit, a search, a list of incidents) and returns records; printing, scheduling and HTTP stay
with the callers, so a job is written once however many doors lead to it.
"""
