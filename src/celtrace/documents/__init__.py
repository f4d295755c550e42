"""Instruction documents: their text, languages, Korean variant and dates."""
