"""The long-running service (`run`): the scheduler and its jobs, the one-monitor lock, `status`.

Named daemon/ so it is not confused with services/, the use cases every caller shares."""
