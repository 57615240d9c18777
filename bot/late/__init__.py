"""Late dossiers (hồ sơ trễ hạn): one place for the whole concept.

``query.py`` counts and lists overdue, due-today and due-soon dossiers in SQL; ``message.py`` words the list;
``export.py`` writes it as CSV; ``compose.py`` builds a page or the CSV for an officer's units (what
``/trehan`` and ``/trehan_csv`` show); ``job.py`` enqueues the morning alert for every officer.
"""
