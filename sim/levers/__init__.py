"""The operator's levers, one module each, and the operator that runs them within its hours and
budget."""
