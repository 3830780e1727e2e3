"""AI accountability: a registry of AI systems that decide about people, decision records with
exact reasons, contests reviewed by a human who is not the system's owner, and oversight."""
