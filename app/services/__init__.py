"""Domain rules: keyword-only functions that raise domain errors, never HTTP ones."""
