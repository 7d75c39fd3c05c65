"""Live co-editing: the text-operation algebra and, around it, the rooms that sequence edits."""
