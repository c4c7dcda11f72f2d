class TrainerError(Exception):
    """An expected failure (bad spec, bad checkpoint, bad ids, unwritable output): reported as one line."""
