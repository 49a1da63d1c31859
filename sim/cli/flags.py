"""Flags shared by commands: each overrides one scenario field, validated like the file."""

# command-line flag -> the scenario field it overrides
FLAG_FIELDS = {"days": "run.days", "members": "community.members", "seed": "run.seed"}
