"""Citizens' satisfaction ratings, comments and complaints (phản ánh, kiến nghị) with officers' answers."""
