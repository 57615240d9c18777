"""The officers' morning alert: what it says, when it is enqueued, and the commands behind it."""
