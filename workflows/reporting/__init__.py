"""Leaders' figures: the live dashboard, the annual status report and the historical import."""
