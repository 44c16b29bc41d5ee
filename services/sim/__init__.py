"""A synthetic community: people, their homes' devices and what those devices send."""
