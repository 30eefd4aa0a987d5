"""Writes of the fund cycle. Each service checks the state it acts on and raises a
ValidationError in the clerk's language otherwise, so a repeated call changes nothing."""
