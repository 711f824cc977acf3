"""What os1 can do for the person beyond talking: proofreading, and in time mail and calendar."""
