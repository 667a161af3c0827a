"""Operator tools: the dialogue as a diagram, usage statistics, exports of finished sessions."""
