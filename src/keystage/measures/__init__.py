"""Every measure of the committee paper, for every unit and year, computed in one vectorised pass."""
