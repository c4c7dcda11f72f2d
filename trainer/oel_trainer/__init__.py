"""OEL consolidation trainer: on-policy context distillation (OPCD) of knowledge into a LoRA adapter."""

__version__ = "0.1.0"
