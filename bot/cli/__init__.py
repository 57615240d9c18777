"""The command line, ``python -m bot …``: the top of ``bot/``, where the packages are put together.

``main.py`` parses and dispatches; each other module adds the commands of one area (``dossiers``,
``officers``, ``alerts``, ``report``, ``web`` and ``zalo``) with ``add_parser(subparsers)`` and
``run(args, settings) -> int``.
"""
