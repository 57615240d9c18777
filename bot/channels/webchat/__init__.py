"""Web chat: a widget an office embeds in its portal with one script tag, answered by the same conversation.

- ``channel.py``: the ``Channel`` (replies rendered, then stored for the browser) and its ``REGISTRATION``;
- ``api.py``: the routes on the shared ASGI app (page, widget files, JSON API, signed file links);
- ``mailbox.py`` and ``models.py``: the messages waiting for each visitor, numbered per visitor;
- ``tokens.py``: visitor tokens and file links signed with the server secret, the new-session limit;
- ``settings.py``: ``[channels.webchat]``; ``texts.py``: the widget's words through the message catalogs;
- ``static/``: ``widget.js`` and ``widget.css`` (plain JavaScript and CSS, no build step).

This package imports nothing here, so the schema can find ``models.py`` without loading the web side.
"""
