"""User profiles shared by user_events (which writes them) and recommend (which reads them)."""
