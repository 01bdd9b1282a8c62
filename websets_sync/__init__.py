"""websets-sync: declarative GitOps for Exa Websets."""

__version__ = "0.1.0"
