"""Forms and dialogs, one per file; each is a ``ModalScreen`` returning its result by ``dismiss``."""
