"""luutru: digitize the paper archives of Vietnamese local government (the command line)."""

__version__ = "0.1.0"
