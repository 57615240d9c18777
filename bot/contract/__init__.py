"""The message contract every layer shares: ``Incoming`` in, ``Reply`` out, the HTML subset, button data.

The lowest layer of ``bot/``: it imports nothing of the project, so the domain, the channels and the
conversation (``handlers/``) can all speak it without depending on one another.
"""
