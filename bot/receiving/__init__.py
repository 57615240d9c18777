"""Where citizens file: the office's receiving points (address, opening hours, phone, map) and which
point serves a procedure's level and a citizen's commune or ward."""
