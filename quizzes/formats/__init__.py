"""How the question bank reads and writes text from other systems (Moodle's formats)."""
