"""luutru: digitize the paper archives of Vietnamese local government.

Installed as one package: the command line (luutru.cli), the failures it maps (luutru.errors), and
luutru.scanners, luutru.pipeline and luutru.index, which setup.cfg maps from the repository's
scanners/, pipeline/ and index/ folders.
"""

__version__ = "0.1.0"
