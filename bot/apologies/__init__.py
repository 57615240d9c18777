"""Apologies for late dossiers (Decree 118/2025/NĐ-CP): ``record.py`` stores one with its history and flags a
second postponement to the unit's leaders; ``letter.py`` renders the Phiếu xin lỗi as a PDF; ``notify.py``
tells the citizens who follow the dossier."""
